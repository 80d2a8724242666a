/* vnd_num.h: numbers from the command line, checked (strtonum style), and durations printed. */
#ifndef VND_NUM_H
#define VND_NUM_H

#include <stddef.h>
#include <stdint.h>

/* Parse s as a decimal integer in [min, max]; -1 with errbuf on failure. */
int	 vnd_strtonum(const char *s, int64_t min, int64_t max, int64_t *out,
	    char *errbuf);

/* Parse s as seconds, from 0.000001 to 86400, into *ns; -1 when it is not. */
int	 vnd_strtons(const char *s, int64_t *ns);

/*
 * "NAME=[-]SECONDS" (a clock offset, up to 86400 s either way): the length of
 * NAME into *namelen and the seconds into *ns; -1 when it is not that.
 */
int	 vnd_name_offset(const char *s, size_t *namelen, int64_t *ns);

/* The start of the time slot of width slot (> 0) that holds ts, also below 0. */
static inline int64_t
vnd_slot(int64_t ts, int64_t slot)
{
	return ts - ((ts % slot) + slot) % slot;
}

/* A duration for people: "9.1 us", "4.10 ms", "1.250 s". */
void	 vnd_fmt_ns(char *buf, size_t len, int64_t ns);

#endif
