/* vnd_clock.h: how far apart two capture points' clocks are. */
#ifndef VND_CLOCK_H
#define VND_CLOCK_H

#include <stdint.h>

/*
 * The offset of b's clock against a's (b minus a), from the first packets
 * both captures (or packets tables, of point pa and pb when not NULL) saw;
 * *how says how it was found. -1 with errbuf when one cannot be read.
 */
int	 vnd_clock_offset(const char *a, const char *pa, const char *b,
	    const char *pb, int64_t *off, const char **how, char *errbuf);

#endif
