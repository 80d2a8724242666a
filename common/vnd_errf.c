/* vnd_errf.c: a message into an error buffer, and the -1 that goes with it. */
#include <stdarg.h>
#include <stdio.h>

#include "vnd.h"
#include "vnd_errf.h"

int
vnd_errf(char *errbuf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start is above; clang-tidy 14 loses it */
	vsnprintf(errbuf, VND_ERRBUF_SIZE, fmt, ap);
	va_end(ap);
	return -1;
}
