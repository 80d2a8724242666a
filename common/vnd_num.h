/* vnd_num.h: numbers from the command line, checked (strtonum style). */
#ifndef VND_NUM_H
#define VND_NUM_H

#include <stdint.h>

/* Parse s as a decimal integer in [min, max]; -1 with errbuf on failure. */
int	 vnd_strtonum(const char *s, int64_t min, int64_t max, int64_t *out,
	    char *errbuf);

#endif
