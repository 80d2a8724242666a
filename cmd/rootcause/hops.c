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
#define DELAY_FLOOR_NS	1000000

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

int
hops(struct vnd_table *t, const char *path, const char *chainpath,
    int *rank, char *errbuf)
{
	static const char *const need[] = { "in_point", "out_point",
	    "src_side", "in_pkts", "lost_pkts", "delay_p50_ns", "delay_p99_ns" };
	struct tsv h, ch;
	struct hop *v = NULL;
	long long *p50s = NULL, base;
	int c[7], k, r = -1;
	size_t i, n = 0;
	char name[512], p50[32], p99[32], bs[32], ev[512], sent[768];

	memset(&ch, 0, sizeof(ch));
	if (tsv_read(&h, path, errbuf) < 0)
		return -1;
	if (chainpath != NULL && chain_read(&ch, chainpath, errbuf) < 0)
		goto out;
	for (k = 0; k < 7; k++)
		if ((c[k] = col(&h, need[k])) < 0) {
			snprintf(errbuf, VND_ERRBUF_SIZE, "'%s': not vnd-hoploss's "
			    "hops table", path);
			goto out;
		}
	if (col(&h, "slot_ts_ns") >= 0 || col(&h, "src_ip") >= 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "'%s': a hops table per slot or "
		    "per flow: run vnd-hoploss without -i and --by", path);
		goto out;
	}
	if (chainpath != NULL && (col(&ch, "element") < 0 ||
	    col(&ch, "in_point") < 0 || col(&ch, "out_point") < 0)) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "'%s': no element, in_point, "
		    "out_point columns", chainpath);
		goto out;
	}
	if ((v = calloc(h.n + 1, sizeof(*v))) == NULL ||
	    (p50s = calloc(h.n + 1, sizeof(*p50s))) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		goto out;
	}
	for (i = 0; i < h.n; i++) {
		struct hop *x = &v[n];

		x->r = &h.rows[i];
		x->in = atoll(get(x->r, c[3]));
		x->lost = atoll(get(x->r, c[4]));
		x->p50 = atoll(get(x->r, c[5]));	/* "-": no delay, 0 */
		x->p99 = atoll(get(x->r, c[6]));
		if (x->in <= 0)
			continue;
		x->score = (double)x->lost / (double)x->in + (double)x->p50 / 1e9;
		p50s[n++] = x->p50;
	}
	if (n == 0) {
		r = 0;
		goto out;
	}
	qsort(p50s, n, sizeof(*p50s), cmp_ll);
	base = p50s[(n - 1) / 2];
	qsort(v, n, sizeof(*v), cmp_score);
	vnd_fmt_ns(bs, sizeof(bs), base);
	for (i = 0; i < n; i++) {
		const char *in = get(v[i].r, c[0]), *out = get(v[i].r, c[1]);
		const char *el = chainpath ? element_of(&ch, in, out) : NULL;
		int rise = v[i].p50 >= DELAY_FLOOR_NS &&
		    v[i].p50 >= DELAY_RISE * base;
		const char *res;

		if (v[i].score <= 0 || (i > 0 && v[i].lost == 0))
			continue;
		if (i == 0 && v[i].lost == 0 && !rise)
			continue;	/* no hop stands out */
		if (el != NULL)
			snprintf(name, sizeof(name), "%s", el);
		else
			snprintf(name, sizeof(name), "%s -> %s", in, out);
		res = v[i].lost > 0 && rise ? "queue (loss and delay rise)" :
		    v[i].lost > 0 ? "loss (no queueing delay)" :
		    "processing time (delay rises)";
		vnd_fmt_ns(p50, sizeof(p50), v[i].p50);
		vnd_fmt_ns(p99, sizeof(p99), v[i].p99);
		snprintf(ev, sizeof(ev), "%s -> %s from the %s: %lld in, %lld "
		    "lost (%.2f%%), delay p50 %s p99 %s; median hop p50 %s", in,
		    out, get(v[i].r, c[2]), v[i].in, v[i].lost, 100.0 *
		    (double)v[i].lost / (double)v[i].in, p50, p99, bs);
		snprintf(sent, sizeof(sent), "%s %s: %lld of %lld packets from "
		    "the %s lost (%.1f%%), held %s at the median against %s on "
		    "the median hop", name, i == 0 ? "is the bottleneck" :
		    "also lost packets", v[i].lost, v[i].in, get(v[i].r, c[2]),
		    100.0 * (double)v[i].lost / (double)v[i].in, p50, bs);
		if (cause_row(t, ++*rank, name, "hops", res, i == 0 ?
		    "bottleneck" : "lossy_hop", v[i].lost, ev, sent, errbuf) < 0)
			goto out;
	}
	r = 0;
out:
	free(v);
	free(p50s);
	tsv_free(&h);
	tsv_free(&ch);
	return r;
}
