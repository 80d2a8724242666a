/* vnd_grow.c: arrays that double as they fill. */
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
