/* hops.c: VND's bottleneck middlebox detection (SoCC 2013, 5.1.1) from vnd-hoploss's hops table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "vnd_num.h"
#include "rootcause.h"

/*
 * VND finds the bottleneck middlebox by comparing the hops of a path: the
 * one whose loss and processing time rise above the others'. Each hop of
 * hoploss's table (one direction between two adjacent points) scores its
 * loss ratio plus its median delay in seconds, as hoploss --path does:
 * loss weighs most. The best score is the bottleneck; every other hop that
 * lost packets follows it. A hop's delay has risen when its median is 10
 * times the median of all the hops' medians, and at least a millisecond.
 */

#define DELAY_RISE	10
#define DELAY_FLOOR_NS	VND_NS_PER_MS

struct hop {
	const struct row *r;
	long long	 in, lost;
	long long	 p50, p99;
	double		 score;
};

static int
cmp_score(const void *a, const void *b)
{
	const struct hop *x = a, *y = b;

	return x->score < y->score ? 1 : x->score > y->score ? -1 : 0;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* The chain's element between the two points, either way; NULL: none. */
static const char *
element_of(const struct tsv *ch, const char *in, const char *out)
{
	int ce = col(ch, "element"), ci = col(ch, "in_point");
	int co = col(ch, "out_point");
	size_t i;

	for (i = 0; i < ch->n; i++) {
		const char *a = get(&ch->rows[i], ci), *b = get(&ch->rows[i], co);

		if ((strcmp(a, in) == 0 && strcmp(b, out) == 0) ||
		    (strcmp(a, out) == 0 && strcmp(b, in) == 0))
			return get(&ch->rows[i], ce);
	}
	return NULL;
}

static const char *const need[] = { "in_point", "out_point", "src_side",
    "in_pkts", "lost_pkts", "delay_p50_ns", "delay_p99_ns" };

int
hops_check(const struct tsv *h, char *errbuf)
{
	if (tsv_need(h, need, (int)VND_NELEM(need), "not vnd-hoploss's hops table",
	    errbuf) < 0)
		return -1;
	if (col(h, "slot_ts_ns") >= 0 || col(h, "src_ip") >= 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "'%s': a hops table per slot or "
		    "per flow: run vnd-hoploss without -i and --by", h->name);
		return -1;
	}
	return 0;
}

/* The hops that lost packets, scored; the median of their medians. */
static size_t
score(const struct tsv *h, const int *c, struct hop *v, long long *p50s,
    long long *base)
{
	size_t i, n = 0;

	for (i = 0; i < h->n; i++) {
		struct hop *x = &v[n];

		x->r = &h->rows[i];
		x->in = atoll(get(x->r, c[3]));
		x->lost = atoll(get(x->r, c[4]));
		x->p50 = atoll(get(x->r, c[5]));	/* "-": no delay, 0 */
		x->p99 = atoll(get(x->r, c[6]));
		if (x->in <= 0)
			continue;
		x->score = (double)x->lost / (double)x->in +
		    (double)x->p50 / VND_NS_PER_SEC;
		p50s[n++] = x->p50;
	}
	if (n > 0) {
		qsort(p50s, n, sizeof(*p50s), cmp_ll);
		*base = p50s[(n - 1) / 2];
		qsort(v, n, sizeof(*v), cmp_score);
	}
	return n;
}

static int
put_hop(struct causes *out, const struct hop *x, int first, const int *c,
    const struct tsv *ch, long long base)
{
	const char *in = get(x->r, c[0]), *o = get(x->r, c[1]);
	const char *side = get(x->r, c[2]);
	const char *el = ch != NULL ? element_of(ch, in, o) : NULL;
	int rise = x->p50 >= DELAY_FLOOR_NS && x->p50 >= DELAY_RISE * base;
	char name[512], p50[32], p99[32], bs[32], ev[512], sent[768];
	double pct = 100.0 * (double)x->lost / (double)x->in;
	const char *res;

	if (x->score <= 0 || (!first && x->lost == 0))
		return 0;
	if (first && x->lost == 0 && !rise)
		return 0;	/* no hop stands out */
	if (el != NULL)
		snprintf(name, sizeof(name), "%s", el);
	else
		snprintf(name, sizeof(name), "%s -> %s", in, o);
	res = x->lost > 0 && rise ? "queue (loss and delay rise)" :
	    x->lost > 0 ? "loss (no queueing delay)" :
	    "processing time (delay rises)";
	vnd_fmt_ns(bs, sizeof(bs), base);
	vnd_fmt_ns(p50, sizeof(p50), x->p50);
	vnd_fmt_ns(p99, sizeof(p99), x->p99);
	snprintf(ev, sizeof(ev), "%s -> %s from the %s: %lld in, %lld lost "
	    "(%.2f%%), delay p50 %s p99 %s; median hop p50 %s", in, o, side,
	    x->in, x->lost, pct, p50, p99, bs);
	snprintf(sent, sizeof(sent), "%s %s: %lld of %lld packets from the %s "
	    "lost (%.1f%%), held %s at the median against %s on the median hop",
	    name, first ? "is the bottleneck" : "also lost packets", x->lost,
	    x->in, side, pct, p50, bs);
	return cause_row(out, name, "hops", res, first ? "bottleneck" :
	    "lossy_hop", x->lost, ev, sent);
}

int
hops(struct causes *out, const struct tsv *h, const struct tsv *ch)
{
	struct hop *v = NULL;
	long long *p50s = NULL, base = 0;
	int c[VND_NELEM(need)], r = -1;
	size_t i, k, n;

	for (k = 0; k < VND_NELEM(need); k++)
		c[k] = col(h, need[k]);
	if ((v = calloc(h->n + 1, sizeof(*v))) == NULL ||
	    (p50s = calloc(h->n + 1, sizeof(*p50s))) == NULL) {
		snprintf(out->err, VND_ERRBUF_SIZE, "out of memory");
		goto out;
	}
	n = score(h, c, v, p50s, &base);
	for (i = 0; i < n; i++)
		if (put_hop(out, &v[i], i == 0, c, ch, base) < 0)
			goto out;
	r = 0;
out:
	free(v);
	free(p50s);
	return r;
}
