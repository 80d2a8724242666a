/* vnd_fmt.c: the out-of-line integer formatting of vnd_fmt.h. */
#include "vnd_fmt.h"

size_t
vnd_fmt_u64(char *p, uint64_t v)
{
	char buf[VND_FMT_ROOM];
	size_t n = vnd_fmt_u64i(buf, v);

	memcpy(p, buf, n);
	return n;
}
