/* vnd_clock.h: how far apart two capture points' clocks are, and how sure that is. */
#ifndef VND_CLOCK_H
#define VND_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* What a point pair's clock offset rests on. */
enum {
	VND_CLOCK_NONE,		/* no packet seen at both: one clock taken */
	VND_CLOCK_ONE,		/* time stamps consistent with one clock */
	VND_CLOCK_EST,		/* estimated from traffic both ways */
	VND_CLOCK_EST1,		/* estimated from traffic one way only */
	VND_CLOCK_GIVEN,	/* stated by the user (--offset) */
	VND_CLOCK_SYNC		/* stated by the user (--clock sync) */
};

struct vnd_clock {
	int		 kind;		/* VND_CLOCK_x */
	int64_t		 off;		/* b's clock minus a's, ns */
	int64_t		 lo, hi;	/* the offsets the data allow (INT64_MIN,
					 * INT64_MAX: no bound); lo > hi: none */
	int64_t		 res;		/* time stamp resolution of the two, ns */
	uint64_t	 pairs;		/* packets seen at both */
};

/*
 * Compare the clocks of points a and b (captures, or packets tables of
 * point pa, pb when not NULL) from the packets both saw first. A flow's
 * packets all go one way: where no flow's time differences say otherwise,
 * beyond the resolution, and none is longer than window, a and b are one
 * clock (off 0); else (or with estimate set) off is estimated within the
 * interval the data allow. -1 with errbuf when a point cannot be read.
 */
int	 vnd_clock_compare(const char *a, const char *pa, const char *b,
	    const char *pb, int estimate, int64_t window, struct vnd_clock *,
	    char *errbuf);

/* How far a corrected delay may be from the true one, ns. */
int64_t	 vnd_clock_slack(const struct vnd_clock *);

/* What the offset rests on, for people: "one clock: ...", "estimated: ...". */
void	 vnd_clock_how(const struct vnd_clock *, char *buf, size_t len);

/*
 * vnd_clock_compare() without estimate, window VND_WINDOW_NS, *how a
 * constant word for its kind.
 */
int	 vnd_clock_offset(const char *a, const char *pa, const char *b,
	    const char *pb, int64_t *off, const char **how, char *errbuf);

#endif
