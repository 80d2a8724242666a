/* vnd_stats.c: log-bucket delay histograms, so memory stays flat however many packets cross. */
#include <stdlib.h>
#include <string.h>

#include "vnd_stats.h"

static int
nbuckets(int sub)
{
	return 64 * sub;
}

int
vnd_stats_init(struct vnd_stats *s, int sub)
{
	int n = nbuckets(sub);

	s->in_pkts = s->out_pkts = s->lost = s->created = s->dups = 0;
	s->delay.sub = sub;
	s->delay.n = 0;
	s->delay.sum = 0;
	s->delay.min = INT64_MAX;
	s->delay.max = INT64_MIN;
	memset(&s->delay.pos, 0, sizeof(s->delay.pos));
	memset(&s->delay.neg, 0, sizeof(s->delay.neg));
	return n > 0 ? 0 : -1;
}

void
vnd_stats_free(struct vnd_stats *s)
{
	free(s->delay.pos.b);
	free(s->delay.neg.b);
	memset(&s->delay.pos, 0, sizeof(s->delay.pos));
	memset(&s->delay.neg, 0, sizeof(s->delay.neg));
}

static int
log2sub(int sub)
{
	int l = 0;

	while ((1 << l) < sub)
		l++;
	return l;
}

/* Bucket of |d|: exact below `sub`, then `sub` per power of two. */
static int
bucket(const struct vnd_hist *h, uint64_t v)
{
	int l = log2sub(h->sub), msb, b;

	if (v < (uint64_t)h->sub)
		return (int)v;
	msb = 63 - __builtin_clzll(v);
	b = (msb - l + 1) * h->sub + (int)((v >> (msb - l)) & (uint64_t)(h->sub - 1));
	return b < nbuckets(h->sub) ? b : nbuckets(h->sub) - 1;
}

/* The middle of bucket b. */
static int64_t
value(const struct vnd_hist *h, int b)
{
	int l = log2sub(h->sub), e;
	uint64_t lo, width;

	if (b < h->sub || h->sub < 1)
		return b;
	e = b / h->sub - 1;	/* b >= sub: a power of two at or above sub */
	lo = (uint64_t)1 << (e + l) | (uint64_t)(b % h->sub) << e;
	width = (uint64_t)1 << e;
	return (int64_t)(lo + width / 2);
}

/*
 * Side h holding bucket b (of nb): its range widened to it, by as much
 * again as it held (each bucket moves a few times at most). -1: no memory.
 */
static int
cover(struct vnd_hist_side *h, int b, int nb)
{
	int lo, hi, grow;
	uint32_t *nbk;

	if (h->n > 0 && b >= h->lo && b < h->lo + h->n)
		return 0;
	grow = h->n > 4 ? h->n : 4;
	lo = h->n == 0 ? b : b < h->lo ? b - grow : h->lo;
	hi = h->n == 0 ? b + 1 : b < h->lo ? h->lo + h->n : b + 1 + grow;
	lo = lo < 0 ? 0 : lo;
	hi = hi > nb ? nb : hi;
	if ((nbk = calloc((size_t)(hi - lo), sizeof(*nbk))) == NULL)
		return -1;
	if (h->n > 0)
		memcpy(nbk + (h->lo - lo), h->b, (size_t)h->n * sizeof(*nbk));
	free(h->b);
	h->b = nbk;
	h->lo = lo;
	h->n = hi - lo;
	return 0;
}

/* Bucket b's count in side h. */
static uint32_t
count_at(const struct vnd_hist_side *h, int b)
{
	return b >= h->lo && b < h->lo + h->n ? h->b[b - h->lo] : 0;
}

int
vnd_hist_add(struct vnd_hist *h, int64_t d)
{
	uint64_t v = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
	struct vnd_hist_side *side = d < 0 ? &h->neg : &h->pos;
	int b = bucket(h, v);

	if (cover(side, b, nbuckets(h->sub)) < 0)
		return -1;
	side->b[b - side->lo]++;
	if (d < h->min)
		h->min = d;
	if (d > h->max)
		h->max = d;
	h->n++;
	h->sum += d;
	return 0;
}

int64_t
vnd_hist_quantile(const struct vnd_hist *h, double q)
{
	uint64_t want, c = 0;
	int b;
	int64_t v;

	if (h->n == 0)
		return 0;
	want = (uint64_t)(q * (double)(h->n - 1)) + 1;
	for (b = h->neg.lo + h->neg.n - 1; h->neg.n > 0 && b >= h->neg.lo; b--) {
		c += count_at(&h->neg, b);
		if (c >= want) {
			v = -value(h, b);
			return v < h->min ? h->min : v > h->max ? h->max : v;
		}
	}
	for (b = h->pos.lo; b < h->pos.lo + h->pos.n; b++) {
		c += count_at(&h->pos, b);
		if (c >= want) {
			v = value(h, b);
			return v < h->min ? h->min : v > h->max ? h->max : v;
		}
	}
	return h->max;
}
