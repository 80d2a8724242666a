/* vnd_grow.c: arrays that double as they fill. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "vnd_grow.h"

void *
vnd_grow(void *p, size_t *cap, size_t n, size_t size, size_t first)
{
	size_t nc;
	void *np;

	if (n < *cap && p != NULL)
		return p;
	nc = *cap ? *cap * 2 : first;
	if (nc <= n)
		nc = n + 1;
	if (size == 0 || nc > SIZE_MAX / size || (np = realloc(p, nc * size)) == NULL)
		return NULL;
	*cap = nc;
	return np;
}

/* Free buf and fail with errno e. */
static int
read_fail(char *buf, int e)
{
	free(buf);
	errno = e;
	return -1;
}

int
vnd_grow_read(FILE *fp, size_t max, char **buf, size_t *len)
{
	size_t cap = 0, n = 0, k;
	char *b = NULL, *nb;

	for (;;) {
		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			if ((nb = realloc(b, cap + 1)) == NULL)
				return read_fail(b, ENOMEM);
			b = nb;
		}
		k = fread(b + n, 1, cap - n, fp);
		n += k;
		if (n > max)
			return read_fail(b, EFBIG);
		if (k == 0)
			break;
	}
	if (ferror(fp))
		return read_fail(b, errno ? errno : EIO);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}
