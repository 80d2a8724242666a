/* vnd_errf.h: a message into an error buffer, and the -1 that goes with it. */
#ifndef VND_ERRF_H
#define VND_ERRF_H

/* Format the message into errbuf (VND_ERRBUF_SIZE bytes): -1. */
int	 vnd_errf(char *errbuf, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
