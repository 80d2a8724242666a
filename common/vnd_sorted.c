/* vnd_sorted.c: the used entries of an open-addressing table, in the order of their rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "vnd_sorted.h"

static int
is_used(const char *flag)
{
	int u;

	memcpy(&u, flag, sizeof(u));
	return u != 0;
}

int
vnd_sorted_each(struct vnd_table *t, const void *tab, size_t n, size_t size, size_t used,
    int (*cmp)(const void *, const void *), vnd_entry_fn fn, void *arg,
    char *errbuf)
{
	const char *e;
	const void **v;
	size_t i, k = 0;
	int ret = 0;

	for (i = 0, e = tab; i < n; i++, e += size)
		k += is_used(e + used);
	if ((v = calloc(k + 1, sizeof(*v))) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	for (i = 0, k = 0, e = tab; i < n; i++, e += size)
		if (is_used(e + used))
			v[k++] = e;
	qsort(v, k, sizeof(*v), cmp);
	for (i = 0; i < k && ret == 0; i++)
		ret = fn(t, arg, v[i], errbuf);
	free((void *)v);
	return ret < 0 ? -1 : 0;
}
