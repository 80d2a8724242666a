/* vnd_cmp.h: the comparisons qsort and bsearch are given, and a table's entry by name. */
#ifndef VND_CMP_H
#define VND_CMP_H

#include <stddef.h>
#include <stdint.h>

/*
 * qsort's and bsearch's: two doubles, two uint64_t, in ascending order
 * (inline: a comparison that calls one is as fast as its own).
 */
static inline int
vnd_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static inline int
vnd_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The entry of tab (n entries of size bytes, each starting with its
 * const char *name) called name; NULL: none is.
 */
const void *vnd_find_name(const void *tab, size_t n, size_t size,
	    const char *name);

#endif
