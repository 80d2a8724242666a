/* vnd_num.c: checked conversion of command-line numbers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "vnd.h"
#include "vnd_num.h"

int
vnd_strtonum(const char *s, int64_t min, int64_t max, int64_t *out,
    char *errbuf)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0') {
		snprintf(errbuf, VND_ERRBUF_SIZE, "'%s' is not a number", s);
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "'%s' is out of range %lld..%lld",
		    s, (long long)min, (long long)max);
		return -1;
	}
	*out = v;
	return 0;
}
