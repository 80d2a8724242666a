/* vnd_sorted.h: the used entries of an open-addressing table, in the order of their rows. */
#ifndef VND_SORTED_H
#define VND_SORTED_H

#include <stddef.h>

#include "vnd_table.h"

/* Write entry as a row of t: 0, or -1 with errbuf. */
typedef int (*vnd_entry_fn)(struct vnd_table *t, void *arg,
    const void *entry, char *errbuf);

/*
 * fn(t, arg, entry, errbuf) for each entry of tab (n entries of size bytes)
 * whose int member at offset used is not 0, in the order of cmp, which
 * qsort calls with the addresses of two void pointers to entries. Returns
 * 0, or -1 with errbuf: fn's -1 (it stops there) or no memory.
 */
int	 vnd_sorted_each(struct vnd_table *t, const void *tab, size_t n, size_t size, size_t used,
	    int (*cmp)(const void *, const void *), vnd_entry_fn fn, void *arg,
	    char *errbuf);

#endif
