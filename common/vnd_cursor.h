/* vnd_cursor.h: bounds-checked reads of packet bytes; a short read fails, never overruns. */
#ifndef VND_CURSOR_H
#define VND_CURSOR_H

#include <stddef.h>
#include <stdint.h>

struct vnd_cursor {
	const uint8_t	*p;	/* next byte */
	size_t		 len;	/* bytes left */
};

static inline int
vnd_cur_has(const struct vnd_cursor *c, size_t n)
{
	return c->len >= n;
}

static inline int
vnd_cur_skip(struct vnd_cursor *c, size_t n)
{
	if (c->len < n)
		return -1;
	c->p += n;
	c->len -= n;
	return 0;
}

/* Peek at offset off without moving; the caller checked vnd_cur_has(). */
static inline uint8_t
vnd_cur_u8at(const struct vnd_cursor *c, size_t off)
{
	return c->p[off];
}

static inline uint16_t
vnd_cur_be16at(const struct vnd_cursor *c, size_t off)
{
	return (uint16_t)(c->p[off] << 8 | c->p[off + 1]);
}

static inline uint32_t
vnd_cur_be32at(const struct vnd_cursor *c, size_t off)
{
	return (uint32_t)c->p[off] << 24 | (uint32_t)c->p[off + 1] << 16 |
	    (uint32_t)c->p[off + 2] << 8 | c->p[off + 3];
}

static inline uint16_t
vnd_cur_le16at(const struct vnd_cursor *c, size_t off)
{
	return (uint16_t)(c->p[off] | c->p[off + 1] << 8);
}

static inline uint32_t
vnd_cur_le32at(const struct vnd_cursor *c, size_t off)
{
	return (uint32_t)c->p[off] | (uint32_t)c->p[off + 1] << 8 |
	    (uint32_t)c->p[off + 2] << 16 | (uint32_t)c->p[off + 3] << 24;
}

#endif
