/* vnd_stats.c: log-bucket delay histograms, so memory stays flat however many packets cross. */
#include <stdlib.h>

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
	s->delay.pos = calloc((size_t)n, sizeof(uint32_t));
	s->delay.neg = calloc((size_t)n, sizeof(uint32_t));
	if (s->delay.pos == NULL || s->delay.neg == NULL) {
		vnd_stats_free(s);
		return -1;
	}
	return 0;
}

void
vnd_stats_free(struct vnd_stats *s)
{
	free(s->delay.pos);
	free(s->delay.neg);
	s->delay.pos = s->delay.neg = NULL;
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

void
vnd_hist_add(struct vnd_hist *h, int64_t d)
{
	uint64_t v = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;

	if (d < h->min)
		h->min = d;
	if (d > h->max)
		h->max = d;
	h->n++;
	h->sum += d;
	if (d < 0)
		h->neg[bucket(h, v)]++;
	else
		h->pos[bucket(h, v)]++;
}

int64_t
vnd_hist_quantile(const struct vnd_hist *h, double q)
{
	uint64_t want, c = 0;
	int b, n = nbuckets(h->sub);
	int64_t v;

	if (h->n == 0)
		return 0;
	want = (uint64_t)(q * (double)(h->n - 1)) + 1;
	for (b = n - 1; b >= 0; b--) {
		c += h->neg[b];
		if (c >= want) {
			v = -value(h, b);
			return v < h->min ? h->min : v > h->max ? h->max : v;
		}
	}
	for (b = 0; b < n; b++) {
		c += h->pos[b];
		if (c >= want) {
			v = value(h, b);
			return v < h->min ? h->min : v > h->max ? h->max : v;
		}
	}
	return h->max;
}
