/* vnd_clock.c: the clock offset between two capture points, from the packets both saw. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "vnd_clock.h"
#include "vnd_flowtab.h"
#include "vnd_match.h"
#include "vnd_pktsrc.h"

#define PREPASS_PKTS	50000	/* packets per point read for the comparison */

/*
 * A packet seen at both points gives d = tb - ta = delay + offset when it
 * went a -> b, offset - delay when it went b -> a. A delay is never
 * negative, so every a -> b packet says offset <= d and every b -> a one
 * offset >= d: the data allow an interval, [largest b -> a d, smallest
 * a -> b d]. Which way a packet went is its flow's: all packets of one
 * direction of a 5-tuple take the same way, and the two directions take
 * opposite ones.
 *
 * One clock is the answer that invents nothing: it holds when every flow's
 * differences have one sign (beyond the time stamps' resolution), a flow
 * and its reverse opposite signs, and none is longer than a packet may take
 * (the window). Only when they do not is an offset estimated: NTP's
 * assumption, the middle of the interval (the fastest packets took as long
 * one way as the other); with traffic one way only, its upper end (the
 * fastest packet crossed in no time).
 */

/* One direction of a flow, as point a saw it (src: the sender). */
struct dkey {
	struct vnd_flowkey fk;		/* point NULL */
	uint8_t		 proto;
};

static int
dkey_cmp(const struct dkey *a, const struct dkey *b)
{
	int c = vnd_flowkey_cmp(&a->fk, &b->fk);

	return c != 0 ? c : (a->proto > b->proto) - (a->proto < b->proto);
}

/* What the comparison keeps of a packet, then of a pair. */
struct prepkt {
	uint64_t	 key;
	int64_t		 ts;
	struct dkey	 k;
};

/* The differences of one flow direction: pairs[first .. first + n). */
struct group {
	struct dkey	 k;
	size_t		 first, n;
	int64_t		 min, max, med;
	int		 sign;		/* +1 a -> b, -1 b -> a, 0 ties, 2 both */
};

static int
cmpkey(const void *a, const void *b)
{
	uint64_t x = ((const struct prepkt *)a)->key;
	uint64_t y = ((const struct prepkt *)b)->key;

	return x < y ? -1 : x > y;
}

/* By flow direction, then by difference (the pair's ts holds d). */
static int
cmpflow(const void *a, const void *b)
{
	const struct prepkt *x = a, *y = b;
	int c = dkey_cmp(&x->k, &y->k);

	if (c != 0)
		return c;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static void
dkey_of(struct dkey *k, const struct vnd_pkt *pk)
{
	memset(k, 0, sizeof(*k));
	vnd_match_flowkey(&k->fk, pk);
	k->proto = pk->ip_proto;
}

static void
dkey_reverse(struct dkey *r, const struct dkey *k)
{
	memset(r, 0, sizeof(*r));
	vnd_match_flowkey_copy(&r->fk, &k->fk, 1);
	r->proto = k->proto;
}

/* The first packets of a point, by key; *fine: a time stamp below the us. */
static int
read_prefix(const char *path, const char *point, struct prepkt **out,
    size_t *n, int *fine, char *errbuf)
{
	struct vnd_pktsrc s;
	struct prepkt *v;
	struct vnd_pkt pk;
	size_t k = 0;

	if (vnd_pktsrc_open(&s, path, point, errbuf) < 0) {
		char why[VND_ERRBUF_SIZE];

		/* the caller cannot tell which of the two it was */
		snprintf(why, sizeof(why), "%s", errbuf);
		snprintf(errbuf, VND_ERRBUF_SIZE, "'%.100s': %.140s", path, why);
		return -1;
	}
	if ((v = calloc(PREPASS_PKTS, sizeof(*v))) == NULL) {
		vnd_pktsrc_close(&s);
		vnd_pktsrc_free(&s);
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	while (k < PREPASS_PKTS && vnd_pktsrc_next(&s, &pk)) {
		if (vnd_match_key(&pk, &v[k].key) < 0)
			continue;
		v[k].ts = pk.ts_ns;
		if (pk.ts_ns % VND_NS_PER_US != 0)
			*fine = 1;
		dkey_of(&v[k].k, &pk);
		k++;
	}
	vnd_pktsrc_close(&s);
	vnd_pktsrc_free(&s);
	qsort(v, k, sizeof(*v), cmpkey);
	*out = v;
	*n = k;
	return 0;
}

/* The packets both saw, into a (which keeps a's flow, and d for ts). */
static size_t
pair_up(struct prepkt *a, size_t na, const struct prepkt *b, size_t nb)
{
	size_t i = 0, j = 0, n = 0;

	while (i < na && j < nb) {
		if (a[i].key < b[j].key)
			i++;
		else if (a[i].key > b[j].key)
			j++;
		else {
			/* memcpy: the key's padding goes along, for memcmp() */
			memmove(&a[n], &a[i], sizeof(a[n]));
			a[n].ts = b[j].ts - a[i].ts;
			n++;
			i++;
			j++;
		}
	}
	qsort(a, n, sizeof(*a), cmpflow);
	return n;
}

static int
group_sign(const struct group *g, int64_t res)
{
	int up = g->max > res, down = g->min < -res;

	return up && down ? 2 : up ? 1 : down ? -1 : 0;
}

/* The pairs' flow directions, in key order; NULL when out of memory. */
static struct group *
groups_of(const struct prepkt *p, size_t n, int64_t res, size_t *ng)
{
	struct group *g;
	size_t i, k = 0;

	if ((g = calloc(n + 1, sizeof(*g))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (k == 0 || dkey_cmp(&g[k - 1].k, &p[i].k) != 0) {
			memcpy(&g[k].k, &p[i].k, sizeof(g[k].k));
			g[k].first = i;
			g[k].min = p[i].ts;
			k++;
		}
		g[k - 1].n++;
		g[k - 1].max = p[i].ts;
	}
	for (i = 0; i < k; i++) {
		g[i].med = p[g[i].first + g[i].n / 2].ts;
		g[i].sign = group_sign(&g[i], res);
	}
	*ng = k;
	return g;
}

static int
cmpgroup(const void *a, const void *b)
{
	return dkey_cmp(&((const struct group *)a)->k,
	    &((const struct group *)b)->k);
}

static const struct group *
reverse_of(const struct group *g, size_t ng, const struct group *x)
{
	struct group r;

	dkey_reverse(&r.k, &x->k);	/* memset: no stray padding for cmpgroup() */
	return bsearch(&r, g, ng, sizeof(*g), cmpgroup);
}

/* Do the differences fit one clock? */
static int
one_clock(const struct group *g, size_t ng, int64_t window)
{
	const struct group *r;
	size_t i;

	for (i = 0; i < ng; i++) {
		if (g[i].sign == 2 || g[i].min < -window || g[i].max > window)
			return 0;
		/* a flow and its reverse go opposite ways */
		if (g[i].sign != 0 && (r = reverse_of(g, ng, &g[i])) != NULL &&
		    r->sign == g[i].sign)
			return 0;
	}
	return 1;
}

/*
 * The interval from the flows seen both ways: of a flow and its reverse,
 * the one whose differences are larger went a -> b. With none, every flow
 * is taken to go a -> b (the path is written from its client end).
 */
static void
estimate(const struct group *g, size_t ng, struct vnd_clock *c)
{
	const struct group *r, *ab, *ba;
	size_t i;

	c->lo = INT64_MIN;
	c->hi = INT64_MAX;
	for (i = 0; i < ng; i++) {
		if ((r = reverse_of(g, ng, &g[i])) == NULL || r < &g[i])
			continue;
		ab = g[i].med >= r->med ? &g[i] : r;
		ba = ab == r ? &g[i] : r;
		c->hi = ab->min < c->hi ? ab->min : c->hi;
		c->lo = ba->max > c->lo ? ba->max : c->lo;
	}
	c->kind = VND_CLOCK_EST;
	if (c->hi == INT64_MAX) {
		c->kind = VND_CLOCK_EST1;
		for (i = 0; i < ng; i++)
			c->hi = g[i].min < c->hi ? g[i].min : c->hi;
		c->off = c->hi;
		return;
	}
	c->off = c->lo + (c->hi - c->lo) / 2;
}

int
vnd_clock_compare(const char *pa, const char *ppa, const char *pb,
    const char *ppb, int est, int64_t window, struct vnd_clock *c,
    char *errbuf)
{
	struct prepkt *a = NULL, *b = NULL;
	struct group *g = NULL;
	size_t na, nb, np, ng;
	int fine = 0, r = -1;

	memset(c, 0, sizeof(*c));
	c->lo = INT64_MIN;
	c->hi = INT64_MAX;
	if (read_prefix(pa, ppa, &a, &na, &fine, errbuf) < 0 ||
	    read_prefix(pb, ppb, &b, &nb, &fine, errbuf) < 0)
		goto out;
	c->res = fine ? 1 : VND_NS_PER_US;
	np = pair_up(a, na, b, nb);
	c->pairs = np;
	if ((g = groups_of(a, np, c->res, &ng)) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		goto out;
	}
	if (np == 0)
		c->kind = VND_CLOCK_NONE;
	else if (!est && one_clock(g, ng, window))
		c->kind = VND_CLOCK_ONE;
	else
		estimate(g, ng, c);
	r = 0;
out:
	free(g);
	free(a);
	free(b);
	return r;
}

int64_t
vnd_clock_slack(const struct vnd_clock *c)
{
	int64_t w;

	switch (c->kind) {
	case VND_CLOCK_ONE:
	case VND_CLOCK_NONE:
	case VND_CLOCK_SYNC:
		return 0;
	case VND_CLOCK_EST:
		if (c->lo > c->hi)
			return c->res;
		w = c->hi - c->off > c->off - c->lo ? c->hi - c->off :
		    c->off - c->lo;
		return w + c->res;
	default:
		return c->res;
	}
}

void
vnd_clock_how(const struct vnd_clock *c, char *buf, size_t len)
{
	switch (c->kind) {
	case VND_CLOCK_NONE:
		snprintf(buf, len, "none seen at both: one clock taken");
		break;
	case VND_CLOCK_ONE:
		snprintf(buf, len, "one clock: %llu packets seen at both, "
		    "no delay negative either way", (unsigned long long)c->pairs);
		break;
	case VND_CLOCK_EST:
		snprintf(buf, len, "estimated: %s %+.9f to %+.9f s",
		    c->lo > c->hi ? "no one offset fits, from" :
		    "the data allow", (double)c->lo / 1e9, (double)c->hi / 1e9);
		break;
	case VND_CLOCK_EST1:
		snprintf(buf, len, "estimated from one direction: the data "
		    "allow up to %+.9f s", (double)c->hi / 1e9);
		break;
	case VND_CLOCK_GIVEN:
		snprintf(buf, len, "given");
		break;
	default:
		snprintf(buf, len, "one clock: --clock sync");
		break;
	}
}

int
vnd_clock_offset(const char *pa, const char *ppa, const char *pb,
    const char *ppb, int64_t *off, const char **how, char *errbuf)
{
	static const char *const word[] = {
		"none matched", "one clock", "both directions",
		"one direction: smallest difference",
	};
	struct vnd_clock c;

	*off = 0;
	*how = word[0];
	if (vnd_clock_compare(pa, ppa, pb, ppb, 0, VND_WINDOW_NS, &c,
	    errbuf) < 0)
		return -1;
	*off = c.off;
	*how = word[c.kind];
	return 0;
}
