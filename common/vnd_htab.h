/* vnd_htab.h: records found by a key of fixed size, open addressing, the one way a tool groups by a key. */
#ifndef VND_HTAB_H
#define VND_HTAB_H

#include <stddef.h>

/*
 * The caller's records, each size bytes: its key the first klen bytes
 * (made with the padding zeroed: the key is hashed and compared as
 * bytes), its int member at offset used not 0 while the slot is taken.
 * The table doubles from first slots, never more than half full. Walk it
 * with r[0 .. cap - 1], skipping the records whose used member is 0 (as
 * vnd_sorted_each does).
 */
struct vnd_htab {
	void		*r;
	size_t		 cap, n;
	size_t		 size, klen, used, first;
};

#define VND_HTAB_INIT(type, key, used, first) {			\
	NULL, 0, 0, sizeof(type), sizeof(((type *)0)->key),		\
	offsetof(type, used), (first) }

/*
 * The record of key: the one there (*isnew 0), or a new one (*isnew 1),
 * zero but for its key and its used member; NULL when memory runs out. A
 * record moves when the table grows: hold it only until the next get.
 */
void	*vnd_htab_get(struct vnd_htab *, const void *key, int *isnew);

/* The record of key, NULL for none (nothing added). */
void	*vnd_htab_find(const struct vnd_htab *, const void *key);

/* The records freed (what they point to is the caller's); empty again. */
void	 vnd_htab_free(struct vnd_htab *);

#endif
