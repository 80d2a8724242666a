/* vnd_cmp.c: the comparisons qsort and bsearch are given, and a table's entry by name. */
#include <stdint.h>
#include <string.h>

#include "vnd_cmp.h"

int
vnd_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
vnd_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

const void *
vnd_find_name(const void *tab, size_t n, size_t size, const char *name)
{
	const char *e = tab;
	const char *en;
	size_t i;

	for (i = 0; i < n; i++, e += size) {
		memcpy(&en, e, sizeof(en));
		if (strcmp(en, name) == 0)
			return e;
	}
	return NULL;
}
