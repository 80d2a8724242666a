/* hop.c: loss and delay at a hop by packet fingerprint (VND 3.3.1), as vnd-hoploss counts them. */
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>

#include "vnd_errf.h"
#include "vnd_grow.h"
#include "sql.h"

/*
 * Two queries per hop do the heavy part where the rows are: the packets of
 * each flow at either end, and the pairs of sightings of one fingerprint
 * within the window, as a histogram of their time differences per flow.
 * What is left is small and done here as vnd-hoploss does it: the way each
 * flow crossed (the sign of its differences, else its reverse's), then the
 * lost, created and delay figures of each direction. The clocks are taken
 * as one (vnd-hoploss --clock sync), but for the offsets --offset gives:
 * the out end's time stamps are corrected in the join.
 */

enum { CLIENT, SERVER, UNKNOWN };

/* Packets that cross a router: not link-local, not to a link's group. */
#define IPOK(p) \
p "src_ip IS NOT NULL AND " p "src_ip NOT LIKE '169.254.%' AND " \
p "dst_ip NOT LIKE '169.254.%' AND " p "src_ip NOT LIKE 'fe8_:%' AND " \
p "src_ip NOT LIKE 'fe9_:%' AND " p "src_ip NOT LIKE 'fea_:%' AND " \
p "src_ip NOT LIKE 'feb_:%' AND " p "dst_ip NOT LIKE 'fe8_:%' AND " \
p "dst_ip NOT LIKE 'fe9_:%' AND " p "dst_ip NOT LIKE 'fea_:%' AND " \
p "dst_ip NOT LIKE 'feb_:%' AND " p "dst_ip NOT LIKE '224.0.0.%' AND " \
p "dst_ip <> '255.255.255.255' AND " p "dst_ip NOT LIKE 'ff_0:%' AND " \
p "dst_ip NOT LIKE 'ff_1:%' AND " p "dst_ip NOT LIKE 'ff_2:%'"

static const char counts_sql[] =
"SELECT point, flow, rflow, count(*) FROM {T}\n"
"WHERE point IN ({A}, {B}) AND " IPOK("") "\n"
"GROUP BY point, flow, rflow";

static const char pairs_sql[] =
"SELECT flow, bflow, tb - ts_ns AS d, count(*) FROM {PAIRS}\n"
"GROUP BY flow, bflow, d";

/* The join of a hop's two ends, by dialect and placement. */
/* SQLite: through the index on (pkt_id, point) vnd-parse made */
static const char pairs_sqlite[] =
"(SELECT a.flow AS flow, b.flow AS bflow, a.ts_ns AS ts_ns, b.ts_ns{O} AS tb\n"
"  FROM vp AS a JOIN vp AS b ON b.pkt_id = a.pkt_id AND b.point = {B}\n"
"    AND b.fp = a.fp\n"
"  WHERE a.point = {A} AND " IPOK("a.") "\n"
"    AND " IPOK("b.") " AND abs(b.ts_ns{O} - a.ts_ns) <= {W})";
static const char pairs_global[] =
"{T} GLOBAL ALL INNER JOIN (SELECT fp, ts_ns{O} AS tb, flow AS bflow FROM {T}\n"
"  WHERE point = {B} AND " IPOK("") ") USING fp\n"
"WHERE point = {A} AND " IPOK("") " AND abs(tb - ts_ns) <= {W}";
static const char pairs_local[] =
"{T} ALL INNER JOIN (SELECT fp, ts_ns{O} AS tb, flow AS bflow FROM {TL}\n"
"  WHERE point = {B} AND " IPOK("") ") USING fp\n"
"WHERE point = {A} AND " IPOK("") " AND abs(tb - ts_ns) <= {W}";

struct flow {
	char		*flow, *rflow;
	int64_t		 na, nb;	/* its packets at A, at B */
	int64_t		 m, s;		/* matched pairs, the sum of tB - tA */
	int		 dir;
};

/*
 * A flow as the out end saw it: through a NAT not the in end's; it
 * counts with the in end's flow its pairs tie it to (f), else alone.
 */
struct bflow {
	char		*flow, *rflow;
	int64_t		 n;		/* its packets at B */
	ssize_t		 f;		/* the in end's flow, -1: none */
};

struct hist {
	size_t		 f;		/* its flow */
	int64_t		 d, n;		/* tB - tA, how many pairs */
};

struct hop {
	const char	*a, *b;
	int64_t		 off;		/* B's clock less A's (--offset) */
	struct flow	*f;
	size_t		 nf, fcap;
	struct hist	*h;
	size_t		 nh, hcap;
	struct bflow	*bf;
	size_t		 nbf, bfcap;
	int		 oom;
};

/* The flow's index, added when add is set; -1 when not found. */
static ssize_t
flow_at(struct hop *hp, const char *flow, const char *rflow, int add)
{
	struct flow *nf;
	size_t i;

	/* a hop has few flows next to its packets: a scan is enough */
	for (i = hp->nf; i > 0; i--)
		if (strcmp(hp->f[i - 1].flow, flow) == 0)
			return (ssize_t)(i - 1);
	if (!add)
		return -1;
	if ((nf = vnd_grow(hp->f, &hp->fcap, hp->nf, sizeof(*nf), 64)) == NULL) {
		hp->oom = 1;
		return -1;
	}
	hp->f = nf;
	if ((hp->f[hp->nf].flow = strdup(flow)) == NULL ||
	    (hp->f[hp->nf].rflow = strdup(rflow ? rflow : "")) == NULL) {
		hp->oom = 1;
		return -1;
	}
	memset(&hp->f[hp->nf].na, 0, sizeof(struct flow) -
	    offsetof(struct flow, na));
	return (ssize_t)hp->nf++;
}

static int
count_row(void *arg, int ncols, char **v, char *errbuf)
{
	struct hop *hp = arg;
	ssize_t i;

	struct bflow *b;

	if (ncols != 4 || v[0] == NULL || v[1] == NULL || v[3] == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "the counts query gave an unexpected row");
		return -1;
	}
	if (strcmp(v[0], hp->a) == 0) {
		if ((i = flow_at(hp, v[1], v[2], 1)) < 0)
			goto oom;
		hp->f[i].na += strtoll(v[3], NULL, 10);
		return 0;
	}
	if ((b = vnd_grow(hp->bf, &hp->bfcap, hp->nbf, sizeof(*b), 64)) == NULL)
		goto oom;
	hp->bf = b;
	b = &hp->bf[hp->nbf];
	b->n = strtoll(v[3], NULL, 10);
	b->f = -1;
	b->rflow = NULL;
	if ((b->flow = strdup(v[1])) == NULL ||
	    (b->rflow = strdup(v[2] ? v[2] : "")) == NULL) {
		free(b->flow);
		goto oom;
	}
	hp->nbf++;
	return 0;
oom:
	return vnd_errf(errbuf, "out of memory");
}

static int
pair_row(void *arg, int ncols, char **v, char *errbuf)
{
	struct hop *hp = arg;
	struct hist *h;
	ssize_t i;

	size_t k;

	if (ncols != 4 || v[0] == NULL || v[1] == NULL || v[2] == NULL ||
	    v[3] == NULL || (i = flow_at(hp, v[0], NULL, 0)) < 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "the pairs query gave an unexpected row");
		return -1;
	}
	for (k = 0; k < hp->nbf; k++)
		if (hp->bf[k].f < 0 && strcmp(hp->bf[k].flow, v[1]) == 0)
			hp->bf[k].f = i;
	if ((h = vnd_grow(hp->h, &hp->hcap, hp->nh, sizeof(*h), 1024)) == NULL)
		return vnd_errf(errbuf, "out of memory");
	hp->h = h;
	h = &hp->h[hp->nh++];
	h->f = (size_t)i;
	h->d = strtoll(v[2], NULL, 10);
	h->n = strtoll(v[3], NULL, 10);
	hp->f[i].m += h->n;
	hp->f[i].s += h->d * h->n;
	return 0;
}

/*
 * The way a flow crossed: the sign of its differences (end less start),
 * else the other way from its reverse's; with all differences 0, the
 * path's order; never matched either way: unknown (its packets lost where
 * they were seen, as vnd-hoploss counts them when nothing is known).
 */
static void
directions(struct hop *hp)
{
	struct flow *f, *r;
	ssize_t ri;
	size_t i;

	for (i = 0; i < hp->nf && hp->f != NULL; i++) {
		f = hp->f + i;
		ri = flow_at(hp, hp->f[i].rflow, NULL, 0);
		r = ri >= 0 ? &hp->f[ri] : NULL;
		if (f->m > 0 && f->s != 0)
			f->dir = f->s > 0 ? CLIENT : SERVER;
		else if (r != NULL && r->m > 0 && r->s != 0)
			f->dir = r->s < 0 ? CLIENT : SERVER;
		else if (f->m > 0 || (r != NULL && r->m > 0))
			f->dir = CLIENT;
		else
			f->dir = UNKNOWN;
	}
}

static int
fill_run(struct target *tg, const char *tmpl, struct hop *hp,
    const struct app_opts *o, row_fn fn, int print, char *errbuf)
{
	int ch = target_dialect(tg) == DIALECT_CLICKHOUSE;
	char w[32], off[32] = "", t[160], tl[160];
	char *qa = sql_quote(hp->a), *qb = sql_quote(hp->b);
	char *pairs = NULL, *sql = NULL;
	int r = -1;

	snprintf(w, sizeof(w), "%lld", (long long)o->window_ns);
	if (hp->off != 0)
		snprintf(off, sizeof(off), " - (%lld)", (long long)hp->off);
	target_table(tg, "packets", t, sizeof(t));
	target_table(tg, "packets_local", tl, sizeof(tl));
	struct subst s[] = {
		{ "{T}", t }, { "{TL}", tl },
		{ "{A}", qa }, { "{B}", qb }, { "{W}", w },
		{ "{O}", off },
	};
	if (qa == NULL || qb == NULL ||
	    (pairs = sql_fill(!ch ? pairs_sqlite : o->place == PLACE_POINT ?
	    pairs_global : pairs_local, s, VND_NELEM(s))) == NULL)
		goto oom;
	struct subst p[] = { { "{PAIRS}", pairs } };
	if ((sql = sql_fill(tmpl, tmpl == pairs_sql ? p : s, tmpl == pairs_sql ?
	    (int)VND_NELEM(p) : (int)VND_NELEM(s))) == NULL)
		goto oom;
	r = target_run(tg, sql, print, fn, hp, errbuf);
	goto out;
oom:
	snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
out:
	free(qa);
	free(qb);
	free(pairs);
	free(sql);
	return r;
}

static void
hop_free(struct hop *hp)
{
	size_t i;

	for (i = 0; i < hp->nf; i++) {
		free(hp->f[i].flow);
		free(hp->f[i].rflow);
	}
	for (i = 0; i < hp->nbf; i++) {
		free(hp->bf[i].flow);
		free(hp->bf[i].rflow);
	}
	free(hp->f);
	free(hp->h);
	free(hp->bf);
	memset(hp, 0, sizeof(*hp));
}

/* The out end's packets, to the in end's flows their pairs tie them to. */
static int
b_flows(struct hop *hp)
{
	struct bflow *b;
	ssize_t i;
	size_t k;

	for (k = 0; k < hp->nbf; k++) {
		b = &hp->bf[k];
		i = b->f >= 0 ? b->f : flow_at(hp, b->flow, b->rflow, 1);
		if (i < 0)
			return -1;
		hp->f[i].nb += b->n;
	}
	return 0;
}

/* Both queries of the hop from point k to k+1, and the directions. */
static int
hop_read(struct target *tg, const struct app_opts *o, int k, struct hop *hp,
    int print, char *errbuf)
{
	memset(hp, 0, sizeof(*hp));
	hp->a = o->points[k];
	hp->b = o->points[k + 1];
	if (o->offset_ns != NULL)
		hp->off = o->offset_ns[k + 1] - o->offset_ns[k];
	if (fill_run(tg, counts_sql, hp, o, count_row, print, errbuf) < 0 ||
	    fill_run(tg, pairs_sql, hp, o, pair_row, print, errbuf) < 0) {
		hop_free(hp);
		return -1;
	}
	if (b_flows(hp) < 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		hop_free(hp);
		return -1;
	}
	directions(hp);
	return 0;
}

static void
put_ends(struct vnd_table *t, const struct hop *hp, int side)
{
	vnd_put_str(t, side == CLIENT ? hp->a : hp->b);
	vnd_put_str(t, side == CLIENT ? hp->b : hp->a);
	vnd_put_str(t, side == CLIENT ? "client" : "server");
}

static int
loss_rows(const struct hop *hp, struct vnd_table *t, char *errbuf)
{
	int64_t in[2] = { 0, 0 }, out[2] = { 0, 0 }, lost[2] = { 0, 0 },
	    made[2] = { 0, 0 };
	const struct flow *f;
	size_t i;
	int side;

	for (i = 0; i < hp->nf; i++) {
		f = &hp->f[i];
		if (f->dir == UNKNOWN) {
			/* lost where seen, in the way that leaves that point */
			in[CLIENT] += f->na;
			lost[CLIENT] += f->na;
			in[SERVER] += f->nb;
			lost[SERVER] += f->nb;
			continue;
		}
		side = f->dir;
		in[side] += side == CLIENT ? f->na : f->nb;
		out[side] += side == CLIENT ? f->nb : f->na;
		lost[side] += (side == CLIENT ? f->na : f->nb) - f->m;
		made[side] += (side == CLIENT ? f->nb : f->na) - f->m;
	}
	for (side = CLIENT; side <= SERVER; side++) {
		put_ends(t, hp, side);
		vnd_put_int(t, in[side]);
		vnd_put_int(t, out[side]);
		vnd_put_int(t, lost[side]);
		if (in[side] > 0)
			vnd_put_real(t, (double)lost[side] / (double)in[side]);
		else
			vnd_put_null(t);
		vnd_put_int(t, made[side]);
		if (vnd_row_end(t, errbuf) < 0)
			return -1;
	}
	return 0;
}

static int
cmp_hist(const void *x, const void *y)
{
	const struct hist *a = x, *b = y;

	return (a->d > b->d) - (a->d < b->d);
}

/* The delay of rank floor(pct% of (n - 1)) + 1, vnd-hoploss's, exact. */
static int64_t
rank(const struct hist *h, size_t nh, int64_t n, int pct)
{
	int64_t want = (n - 1) * pct / 100 + 1, seen = 0;
	size_t i;

	for (i = 0; i < nh; i++)
		if ((seen += h[i].n) >= want)
			return h[i].d;
	return nh ? h[nh - 1].d : 0;
}

static int
delay_row(const struct hop *hp, int side, struct vnd_table *t, char *errbuf)
{
	struct hist *h;
	size_t i, nh = 0;
	int64_t n = 0;

	if ((h = calloc(hp->nh + 1, sizeof(*h))) == NULL)
		return vnd_errf(errbuf, "out of memory");
	for (i = 0; i < hp->nh; i++) {
		if ((hp->f[hp->h[i].f].dir == SERVER) != (side == SERVER))
			continue;
		h[nh] = hp->h[i];
		h[nh].d = side == SERVER ? -h[nh].d : h[nh].d;
		n += h[nh++].n;
	}
	qsort(h, nh, sizeof(*h), cmp_hist);
	put_ends(t, hp, side);
	vnd_put_int(t, n);
	if (n == 0) {
		for (i = 0; i < 4; i++)
			vnd_put_null(t);
	} else {
		vnd_put_int(t, h[0].d);
		vnd_put_int(t, rank(h, nh, n, 50));
		vnd_put_int(t, rank(h, nh, n, 99));
		vnd_put_int(t, h[nh - 1].d);
	}
	free(h);
	return vnd_row_end(t, errbuf);
}

static int
each_hop(struct target *tg, const struct app_opts *o, struct app_out *out,
    int print, int delay, char *errbuf)
{
	struct hop hp;
	int k, r = 0;

	for (k = 0; r == 0 && k + 1 < o->npoints; k++) {
		if (hop_read(tg, o, k, &hp, print, errbuf) < 0)
			return -1;
		if (print)
			;
		else if (delay)
			r = delay_row(&hp, CLIENT, out->t, errbuf) < 0 ||
			    delay_row(&hp, SERVER, out->t, errbuf) < 0 ? -1 : 0;
		else
			r = loss_rows(&hp, out->t, errbuf);
		hop_free(&hp);
	}
	return r;
}

int
hop_loss(struct target *tg, const struct app_opts *o, struct app_out *out,
    int print, char *errbuf)
{
	return each_hop(tg, o, out, print, 0, errbuf);
}

int
hop_delay(struct target *tg, const struct app_opts *o, struct app_out *out,
    int print, char *errbuf)
{
	return each_hop(tg, o, out, print, 1, errbuf);
}
