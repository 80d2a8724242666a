/* vnd_cmp.h: the comparisons qsort and bsearch are given, and a table's entry by name. */
#ifndef VND_CMP_H
#define VND_CMP_H

#include <stddef.h>

/* qsort's and bsearch's: two doubles, two uint64_t, in ascending order. */
int	 vnd_cmp_double(const void *a, const void *b);
int	 vnd_cmp_u64(const void *a, const void *b);

/*
 * The entry of tab (n entries of size bytes, each starting with its
 * const char *name) called name; NULL: none is.
 */
const void *vnd_find_name(const void *tab, size_t n, size_t size,
	    const char *name);

#endif
