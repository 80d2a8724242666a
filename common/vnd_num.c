/* vnd_num.c: checked conversion of command-line numbers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int
vnd_strtons(const char *s, int64_t *ns)
{
	char *end;
	double sec = strtod(s, &end);

	if (*s == '\0' || *end != '\0' || !(sec >= 1e-6) || sec > 86400)
		return -1;
	*ns = (int64_t)(sec * 1e9 + 0.5);
	return 0;
}

/* "[-]SECONDS[.FRACTION]", up to 86400 s either way, to ns. */
static int
signed_seconds(const char *s, int64_t *ns)
{
	int neg = *s == '-';

	if (neg || *s == '+')
		s++;
	if (strspn(s, "0.") == strlen(s) && strchr(s, '0') != NULL) {
		*ns = 0;		/* below vnd_strtons()'s range */
		return 0;
	}
	if (vnd_strtons(s, ns) < 0)
		return -1;
	if (neg)
		*ns = -*ns;
	return 0;
}

int
vnd_name_offset(const char *s, size_t *namelen, int64_t *ns)
{
	const char *eq = strrchr(s, '=');

	if (eq == NULL || signed_seconds(eq + 1, ns) < 0)
		return -1;
	*namelen = (size_t)(eq - s);
	return 0;
}

void
vnd_fmt_ns(char *buf, size_t len, int64_t ns)
{
	double v = (double)ns;

	if (ns < 0 ? -ns < 1000000 : ns < 1000000)
		snprintf(buf, len, "%.1f us", v / 1e3);
	else if (ns < 0 ? -ns < 1000000000 : ns < 1000000000)
		snprintf(buf, len, "%.2f ms", v / 1e6);
	else
		snprintf(buf, len, "%.3f s", v / 1e9);
}
