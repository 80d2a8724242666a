/* vnd_cmp.c: a table's entry by name (the comparisons are inline, in vnd_cmp.h). */
#include <string.h>

#include "vnd_cmp.h"

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
