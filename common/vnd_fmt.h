/* vnd_fmt.h: decimal digits of integers, fast, for the TSV writers. */
#ifndef VND_FMT_H
#define VND_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * The inline functions below store whole 8-byte words: they write at least 8
 * bytes, up to 7 past the digits they return the count of, which the caller
 * overwrites next or never reads. Eight digits are made at once in one
 * 64-bit word, a byte each (SWAR: two multiplications split 4+4 digits into
 * pairs and pairs into digits), so a number costs a handful of
 * multiplications and no table, no loop and no branch on its length: the
 * leading zeros are counted from the word, not found by comparisons.
 */

/* Room for the digits of any uint64_t and what the inline functions overwrite. */
#define VND_FMT_ROOM	24

/* The 8 digits of v < 10^8, zero-padded, one binary digit a byte, first in the low byte. */
static inline uint64_t
vnd_fmt_swar8(uint32_t v)
{
	uint64_t x, h;

	x = (uint64_t)(v / 10000) | (uint64_t)(v % 10000) << 32;
	h = (x * 10486) >> 20 & 0x0000007f0000007fULL;		/* x / 100 */
	x = h | (x - h * 100) << 16;
	h = (x * 103) >> 10 & 0x000f000f000f000fULL;		/* x / 10 */
	return h | (x - h * 10) << 8;
}

static inline void
vnd_fmt_store8(char *p, uint64_t ascii)
{
	memcpy(p, &ascii, 8);
}

/* The 4 digits of v < 10^4 as vnd_fmt_swar8() makes 8, in a 32-bit word. */
static inline uint32_t
vnd_fmt_swar4(uint32_t v)
{
	uint32_t x, h;

	h = (v * 5243) >> 19;					/* v / 100 */
	x = h | (v - h * 100) << 16;
	h = (x * 103) >> 10 & 0x000f000f;			/* x / 10 */
	return h | (x - h * 10) << 8;
}

/* v < 100 without a leading zero; returns the count (writes 2 bytes). */
static inline size_t
vnd_fmt_upto2(char *p, uint32_t v)
{
	uint32_t h = (v * 103) >> 10;				/* v / 10 */
	unsigned lz = h == 0;
	uint16_t x = (uint16_t)((h | (v - h * 10) << 8) + 0x3030) >> (lz * 8);

	memcpy(p, &x, 2);
	return 2 - lz;
}

/* v < 10^4 without leading zeros; returns the count (writes 4 bytes). */
static inline size_t
vnd_fmt_upto4(char *p, uint32_t v)
{
	uint32_t x = vnd_fmt_swar4(v);
	unsigned lz = (unsigned)__builtin_ctz(x | 1U << 24) >> 3;

	x = (x + 0x30303030) >> (lz * 8);
	memcpy(p, &x, 4);
	return 4 - lz;
}

/* An 8-bit v; returns the count (writes 4 bytes). */
static inline size_t
vnd_fmt_u8(char *p, uint8_t v)
{
	return vnd_fmt_upto4(p, v);
}

/* A 16-bit v: one digit and four in one word; returns the count (writes 8 bytes). */
static inline size_t
vnd_fmt_u16(char *p, uint16_t v)
{
	uint64_t x = (uint64_t)(v / 10000) |
	    (uint64_t)vnd_fmt_swar4(v % 10000) << 8;
	unsigned lz = (unsigned)__builtin_ctzll(x | 1ULL << 32) >> 3;

	vnd_fmt_store8(p, (x + 0x3030303030ULL) >> (lz * 8));
	return 5 - lz;
}

/* Exactly 8 digits of v < 10^8 (leading zeros kept). */
static inline void
vnd_fmt_8(char *p, uint32_t v)
{
	vnd_fmt_store8(p, vnd_fmt_swar8(v) + 0x3030303030303030ULL);
}

/* v < 10^8 without leading zeros; returns the count (writes 8 bytes). */
static inline size_t
vnd_fmt_upto8(char *p, uint32_t v)
{
	uint64_t d = vnd_fmt_swar8(v);
	/* leading zero bytes; the last digit always counts (v = 0 is "0") */
	unsigned lz = (unsigned)__builtin_ctzll(d | 1ULL << 56) >> 3;

	vnd_fmt_store8(p, (d + 0x3030303030303030ULL) >> (lz * 8));
	return 8 - lz;
}

/* Decimal digits of a 32-bit v; returns the count. */
static inline size_t
vnd_fmt_u32(char *p, uint32_t v)
{
	size_t n;

	if (v < 100000000)
		return vnd_fmt_upto8(p, v);
	n = vnd_fmt_upto2(p, v / 100000000);	/* at most 42 */
	vnd_fmt_8(p + n, v % 100000000);
	return n + 8;
}

/*
 * The digits of a 32-bit v in two words, the first 8 bytes in w[0] and the
 * rest (up to 2) in w[1], zeros after them; returns the count. Made in
 * registers: a copy of the text stored next is no load of the bytes just
 * stored byte by byte (a load that spans two stores waits for both to reach
 * the cache, a dozen cycles).
 */
static inline size_t
vnd_fmt_u32w(uint64_t w[2], uint32_t v)
{
	uint64_t d, lo;
	uint32_t h;
	unsigned lz, nh;

	if (v < 100000000) {
		d = vnd_fmt_swar8(v);
		lz = (unsigned)__builtin_ctzll(d | 1ULL << 56) >> 3;
		w[0] = (d + 0x3030303030303030ULL) >> (lz * 8);
		w[1] = 0;
		return 8 - lz;
	}
	h = v / 100000000;				/* 1 to 42 */
	lo = vnd_fmt_swar8(v % 100000000) + 0x3030303030303030ULL;
	nh = 1 + (h >= 10);
	d = nh == 2 ? (uint64_t)(h / 10 + '0') | (uint64_t)(h % 10 + '0') << 8 :
	    (uint64_t)(h + '0');
	w[0] = d | lo << (8 * nh);
	w[1] = lo >> (64 - 8 * nh);
	return nh + 8;
}

/* Decimal digits of v; returns the count. */
static inline size_t
vnd_fmt_u64i(char *p, uint64_t v)
{
	size_t n;

	if (v < 100000000)
		return vnd_fmt_upto8(p, (uint32_t)v);
	if (v < 10000000000000000ULL) {
		n = vnd_fmt_upto8(p, (uint32_t)(v / 100000000));
		vnd_fmt_8(p + n, (uint32_t)(v % 100000000));
		return n + 8;
	}
	n = vnd_fmt_upto4(p, (uint32_t)(v / 10000000000000000ULL)); /* <= 1844 */
	vnd_fmt_8(p + n, (uint32_t)(v / 100000000 % 100000000));
	vnd_fmt_8(p + n + 8, (uint32_t)(v % 100000000));
	return n + 16;
}

/* Decimal digits of v at p, nothing written past them; returns the count. */
size_t	 vnd_fmt_u64(char *p, uint64_t v);

#endif
