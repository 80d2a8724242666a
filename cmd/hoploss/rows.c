/* rows.c: what vnd-hoploss counts of each packet, and the tables and report it writes. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd_cols.h"
#include "vnd_num.h"
#include "vnd_sorted.h"
#include "hoploss.h"

/* The points a hop's direction goes from and to. */
static const struct vnd_path_point *
end_of(const struct run *r, int hop, int dir, int out)
{
	return &r->pts[(dir == VND_DIR_FWD) == !out ? hop : hop + 1];
}

static const char *
side_name(int dir)
{
	return dir == VND_DIR_FWD ? "client" : "server";
}

static int
ported(uint8_t proto)
{
	return proto == 6 || proto == 17;
}

/* Is column col of the hops table one this run writes? */
static int
hop_col(const struct run *r, const char *col)
{
	static const char *const flow[] = {
		"src_ip", "src_port", "dst_ip", "dst_port", "ip_proto",
	};
	size_t i;

	if (strcmp(col, "slot_ts_ns") == 0)
		return r->slot != 0;
	for (i = 0; i < VND_NELEM(flow); i++)
		if (strcmp(col, flow[i]) == 0)
			return r->byflow;
	return 1;
}

int
hl_hop_cols(const struct run *r, struct vnd_colspec *cols, int max)
{
	size_t c;
	int nc = 0;

	if (max < (int)VND_NELEM(vnd_cols_hops))
		return -1;
	for (c = 0; c < VND_NELEM(vnd_cols_hops); c++)
		if (hop_col(r, vnd_cols_hops[c].name))
			cols[nc++] = vnd_cols_hops[c];
	return nc;
}

static struct vnd_stats *
group(struct run *r, const struct gkey *k)
{
	struct group *g;
	int isnew;

	if ((g = vnd_htab_get(&r->groups, k, &isnew)) == NULL)
		return NULL;
	if (isnew && vnd_stats_init(&g->st, 8) < 0)
		return NULL;
	return &g->st;
}

void
hl_groups_free(struct run *r)
{
	struct group *g = r->groups.r;
	size_t i;

	for (i = 0; i < r->groups.cap; i++)
		if (g[i].used)
			vnd_stats_free(&g[i].st);
	vnd_htab_free(&r->groups);
}

static void
put_lost(struct run *r, int hop, int dir, int lost, const struct vnd_sighting *s)
{
	const struct vnd_path_point *at = &r->pts[hop + s->side];
	struct vnd_table *t = r->t;
	char buf[64];

	vnd_put_str(t, end_of(r, hop, dir, 0)->name);
	vnd_put_str(t, end_of(r, hop, dir, 1)->name);
	vnd_put_str(t, side_name(dir));
	vnd_put_str(t, lost ? "lost" : "created");
	vnd_put_str(t, at->name);
	vnd_put_int(t, (int64_t)s->frame);
	vnd_put_int(t, s->ts + at->offset);
	vnd_put_text(t, buf, vnd_ip_fmt(buf, s->fk.ver, s->fk.src));
	vnd_put_text(t, buf, vnd_ip_fmt(buf, s->fk.ver, s->fk.dst));
	vnd_put_int(t, s->proto);
	if (ported(s->proto)) {
		vnd_put_int(t, s->fk.sport);
		vnd_put_int(t, s->fk.dport);
	} else {
		vnd_put_null(t);
		vnd_put_null(t);
	}
	if (s->proto == 6)
		vnd_put_int(t, s->seq);
	else
		vnd_put_null(t);
	vnd_put_int(t, s->paylen);
	vnd_put_int(t, (int64_t)s->pkt_id);
	if (vnd_row_end(t, r->err) < 0)
		r->failed = 1;
}

/* -1: no memory */
static int
count(struct vnd_stats *st, int kind, int64_t delay)
{
	switch (kind) {
	case VND_EV_PASSED:
		st->in_pkts++;
		st->out_pkts++;
		return vnd_hist_add(&st->delay, delay);
	case VND_EV_LOST:
		st->in_pkts++;
		st->lost++;
		break;
	case VND_EV_CREATED:
		st->out_pkts++;
		st->created++;
		break;
	case VND_EV_DUP:
		st->dups++;
		break;
	}
	return 0;
}

/* The group of a packet s at a hop: its slot, its flow. */
static void
gkey_of(const struct run *r, struct gkey *k, int hop, int dir,
    const struct vnd_sighting *s)
{
	memset(k, 0, sizeof(*k));
	k->hop = hop;
	k->dir = dir;
	if (r->slot)
		k->slot = vnd_slot(s->ts, r->slot);
	if (r->byflow) {
		k->fk.ver = s->fk.ver;
		memcpy(k->fk.src, s->fk.src, 16);
		memcpy(k->fk.dst, s->fk.dst, 16);
		k->fk.sport = s->fk.sport;
		k->fk.dport = s->fk.dport;
		k->proto = s->proto;
	}
}

/* What became of a packet at a hop: into the totals, its group, --lost. */
void
hl_event(void *arg, int hop, int dir, int kind, const struct vnd_sighting *s,
    const struct vnd_sighting *out, int64_t delay)
{
	struct run *r = arg;
	struct vnd_stats *st;
	struct gkey k;

	(void)out;
	if (r->failed)
		return;
	if (count(&r->total[2 * hop + dir], kind, delay) < 0)
		goto oom;
	if (r->byflow || r->slot) {
		gkey_of(r, &k, hop, dir, s);
		if ((st = group(r, &k)) == NULL || count(st, kind, delay) < 0)
			goto oom;
	}
	if (r->lost && (kind == VND_EV_LOST || kind == VND_EV_CREATED))
		put_lost(r, hop, dir, kind == VND_EV_LOST, s);
	return;
oom:
	snprintf(r->err, sizeof(r->err), "out of memory");
	r->failed = 1;
}

static int
cmp_int64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int
cmp_group(const void *a, const void *b)
{
	const struct group *ga = *(const void *const *)a;
	const struct group *gb = *(const void *const *)b;
	const struct gkey *x = &ga->k, *y = &gb->k;
	int c;

	if ((c = cmp_int64(x->hop, y->hop)) != 0 ||
	    (c = cmp_int64(x->dir, y->dir)) != 0 ||
	    (c = cmp_int64(x->slot, y->slot)) != 0 ||
	    (c = memcmp(x->fk.src, y->fk.src, 16)) != 0 ||
	    (c = memcmp(x->fk.dst, y->fk.dst, 16)) != 0 ||
	    (c = cmp_int64(x->fk.sport, y->fk.sport)) != 0 ||
	    (c = cmp_int64(x->fk.dport, y->fk.dport)) != 0)
		return c;
	return cmp_int64(x->proto, y->proto);
}

static void
put_flow(struct vnd_table *t, const struct gkey *k)
{
	char buf[64];

	if (ported(k->proto))
		vnd_flowkey_put(t, &k->fk, 0);
	else {
		vnd_put_text(t, buf, vnd_ip_fmt(buf, k->fk.ver, k->fk.src));
		vnd_put_null(t);
		vnd_put_text(t, buf, vnd_ip_fmt(buf, k->fk.ver, k->fk.dst));
		vnd_put_null(t);
	}
	vnd_put_int(t, k->proto);
}

static void
put_delays(struct vnd_table *t, const struct vnd_hist *h)
{
	if (h->n == 0) {
		vnd_put_null(t);
		vnd_put_null(t);
		vnd_put_null(t);
		vnd_put_null(t);
		return;
	}
	vnd_put_int(t, h->min);
	vnd_put_int(t, vnd_hist_quantile(h, 0.5));
	vnd_put_int(t, vnd_hist_quantile(h, 0.99));
	vnd_put_int(t, h->max);
}

static int
put_row(struct vnd_table *t, const struct run *r, const struct gkey *k,
    const struct vnd_stats *st, char *errbuf)
{
	const struct vnd_path_point *in = end_of(r, k->hop, k->dir, 0);
	const struct vnd_path_point *out = end_of(r, k->hop, k->dir, 1);

	vnd_put_str(t, in->name);
	vnd_put_str(t, out->name);
	vnd_put_str(t, side_name(k->dir));
	if (r->slot)
		vnd_put_int(t, k->slot);
	if (r->byflow)
		put_flow(t, k);
	vnd_put_int(t, (int64_t)st->in_pkts);
	vnd_put_int(t, (int64_t)st->out_pkts);
	vnd_put_int(t, (int64_t)st->lost);
	if (st->in_pkts)
		vnd_put_real(t, (double)st->lost / (double)st->in_pkts);
	else
		vnd_put_null(t);
	put_delays(t, &st->delay);
	vnd_put_int(t, (int64_t)st->created);
	vnd_put_int(t, (int64_t)st->dups);
	vnd_put_int(t, out->offset - in->offset);
	return vnd_row_end(t, errbuf);
}

/* The rows: every hop and direction, or every group in order. */
/* By flow or by slot: a row a group. */
static int
put_group(struct vnd_table *t, void *arg, const void *entry, char *errbuf)
{
	const struct group *g = entry;

	return put_row(t, arg, &g->k, &g->st, errbuf);
}

/* Neither by flow nor by slot: a row a hop and direction. */
static int
put_totals(struct vnd_table *t, struct run *r, char *errbuf)
{
	struct gkey k;
	int hop, dir;

	for (hop = 0; hop < r->npts - 1; hop++)
		for (dir = VND_DIR_FWD; dir <= VND_DIR_BWD; dir++) {
			memset(&k, 0, sizeof(k));
			k.hop = hop;
			k.dir = dir;
			if (put_row(t, r, &k, &r->total[2 * hop + dir],
			    errbuf) < 0)
				return -1;
		}
	return 0;
}

int
hl_put_rows(struct vnd_table *t, struct run *r, char *errbuf)
{
	if (!r->byflow && !r->slot)
		return put_totals(t, r, errbuf);
	return vnd_sorted_each(t, r->groups.r, r->groups.cap,
	    r->groups.size, r->groups.used, cmp_group, put_group, r, errbuf);
}

static double
loss_of(const struct vnd_stats *st)
{
	return st->in_pkts ? (double)st->lost / (double)st->in_pkts : 0;
}

/* loss weighs most; then the median time held */
static double
score_of(const struct vnd_stats *st)
{
	return loss_of(st) + (double)vnd_hist_quantile(&st->delay, 0.5) / 1e9;
}

static void
path_line(const struct run *r, int hop, int dir)
{
	const struct vnd_stats *st = &r->total[2 * hop + dir];
	char name[256], p50[32], p99[32];

	snprintf(name, sizeof(name), "%s -> %s", end_of(r, hop, dir, 0)->name,
	    end_of(r, hop, dir, 1)->name);
	vnd_fmt_ns(p50, sizeof(p50), vnd_hist_quantile(&st->delay, 0.5));
	vnd_fmt_ns(p99, sizeof(p99), vnd_hist_quantile(&st->delay, 0.99));
	printf("%-32s %-6s %8llu %8llu %6.2f%% %11s %11s\n", name,
	    side_name(dir), (unsigned long long)st->in_pkts,
	    (unsigned long long)st->lost, 100 * loss_of(st),
	    st->delay.n ? p50 : "-", st->delay.n ? p99 : "-");
}

/* VND 5.1.1: per hop the delay and the loss, and the hop where they rise. */
void
hl_path_report(const struct run *r)
{
	const struct vnd_stats *st;
	char p50[32];
	int i, dir, worst = -1, wdir = 0;
	double wscore = 0;

	printf("%-32s %-6s %8s %8s %7s %11s %11s\n", "hop", "from", "in", "lost",
	    "loss", "delay p50", "delay p99");
	for (dir = VND_DIR_FWD; dir <= VND_DIR_BWD; dir++)
		for (i = 0; i < r->npts - 1; i++) {
			path_line(r, i, dir);
			st = &r->total[2 * i + dir];
			if (st->in_pkts && score_of(st) > wscore) {
				wscore = score_of(st);
				worst = i;
				wdir = dir;
			}
		}
	if (worst < 0) {
		printf("no hop lost or held packets\n");
		return;
	}
	st = &r->total[2 * worst + wdir];
	vnd_fmt_ns(p50, sizeof(p50), vnd_hist_quantile(&st->delay, 0.5));
	printf("bottleneck: %s -> %s: %llu of %llu packets from the %s lost "
	    "(%.1f%%), held %s at the median\n", end_of(r, worst, wdir, 0)->name,
	    end_of(r, worst, wdir, 1)->name, (unsigned long long)st->lost,
	    (unsigned long long)st->in_pkts, side_name(wdir),
	    100.0 * loss_of(st), p50);
}
