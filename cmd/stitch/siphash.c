/* siphash.c: SipHash-2-4, the keyed hash that keeps secrets out of the tables. */
#include <string.h>

#include "stitch.h"

/*
 * SipHash-2-4 by Jean-Philippe Aumasson and Daniel J. Bernstein ("SipHash:
 * a fast short-input PRF", 2012): without the key, its output says nothing
 * of its input, so a token's hash matches the token's other uses in one run
 * and cannot be turned back into the token.
 */

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static uint64_t
le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void
rounds(uint64_t v[4], int n)
{
	while (n-- > 0) {
		v[0] += v[1]; v[1] = ROTL(v[1], 13); v[1] ^= v[0];
		v[0] = ROTL(v[0], 32);
		v[2] += v[3]; v[3] = ROTL(v[3], 16); v[3] ^= v[2];
		v[0] += v[3]; v[3] = ROTL(v[3], 21); v[3] ^= v[0];
		v[2] += v[1]; v[1] = ROTL(v[1], 17); v[1] ^= v[2];
		v[2] = ROTL(v[2], 32);
	}
}

uint64_t
vs_siphash(const uint8_t key[16], const uint8_t *p, size_t n)
{
	uint64_t k0 = le64(key), k1 = le64(key + 8), m, v[4];
	uint8_t last[8];
	size_t i;

	v[0] = k0 ^ 0x736f6d6570736575ULL;
	v[1] = k1 ^ 0x646f72616e646f6dULL;
	v[2] = k0 ^ 0x6c7967656e657261ULL;
	v[3] = k1 ^ 0x7465646279746573ULL;
	for (i = 0; i + 8 <= n; i += 8) {
		m = le64(p + i);
		v[3] ^= m;
		rounds(v, 2);
		v[0] ^= m;
	}
	memset(last, 0, sizeof(last));
	memcpy(last, p + i, n - i);
	last[7] = (uint8_t)n;
	m = le64(last);
	v[3] ^= m;
	rounds(v, 2);
	v[0] ^= m;
	v[2] ^= 0xff;
	rounds(v, 4);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}
