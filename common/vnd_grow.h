/* vnd_grow.h: arrays that double as they fill, the one way every module grows one. */
#ifndef VND_GROW_H
#define VND_GROW_H

#include <stddef.h>
#include <stdio.h>

/*
 * Room for element n of array p, which has room for *cap elements of size
 * bytes: p itself while n < *cap, else p moved to twice the room (first
 * elements the first time) and *cap updated. NULL when memory runs out or
 * the size would overflow; p and *cap are then untouched and p still the
 * caller's to free.
 */
void	*vnd_grow(void *p, size_t *cap, size_t n, size_t size, size_t first);

/*
 * The rest of fp, read whole into *buf (NUL-terminated, the caller's to
 * free), its length in *len: 0, or -1 with errno: EFBIG past max bytes,
 * ENOMEM, or the read's own (a directory opens, and reads as EISDIR).
 */
int	 vnd_grow_read(FILE *fp, size_t max, char **buf, size_t *len);

#endif
