/* vnd_htab.c: records by a fixed-size key, open addressing with linear probing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vnd_htab.h"
#include "vnd_pkt.h"

static char *
rec(const struct vnd_htab *h, void *r, size_t i)
{
	return (char *)r + i * h->size;
}

static int
taken(const struct vnd_htab *h, const char *rec)
{
	int used;

	memcpy(&used, rec + h->used, sizeof(used));
	return used != 0;
}

/* The slot of key in r (cap slots): its own, or the free one it would take. */
static size_t
slot(const struct vnd_htab *h, void *r, size_t cap, const void *key)
{
	size_t i = (size_t)vnd_hash(key, h->klen) & (cap - 1);

	while (taken(h, rec(h, r, i)) && memcmp(rec(h, r, i), key, h->klen) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

static int
grow(struct vnd_htab *h)
{
	size_t i, ncap = h->cap ? h->cap * 2 : h->first;
	void *nr;

	if (ncap > SIZE_MAX / h->size / 2 || (nr = calloc(ncap, h->size)) == NULL)
		return -1;
	for (i = 0; i < h->cap; i++)
		if (taken(h, rec(h, h->r, i)))
			memcpy(rec(h, nr, slot(h, nr, ncap, rec(h, h->r, i))),
			    rec(h, h->r, i), h->size);
	free(h->r);
	h->r = nr;
	h->cap = ncap;
	return 0;
}

void *
vnd_htab_get(struct vnd_htab *h, const void *key, int *isnew)
{
	static const int one = 1;
	char *r;

	if (h->n * 2 + 2 > h->cap && grow(h) < 0)
		return NULL;
	r = rec(h, h->r, slot(h, h->r, h->cap, key));
	*isnew = !taken(h, r);
	if (*isnew) {
		memcpy(r, key, h->klen);
		memcpy(r + h->used, &one, sizeof(one));
		h->n++;
	}
	return r;
}

void *
vnd_htab_find(const struct vnd_htab *h, const void *key)
{
	char *r;

	if (h->n == 0)
		return NULL;
	r = rec(h, h->r, slot(h, h->r, h->cap, key));
	return taken(h, r) ? r : NULL;
}

void
vnd_htab_free(struct vnd_htab *h)
{
	free(h->r);
	h->r = NULL;
	h->cap = h->n = 0;
}
