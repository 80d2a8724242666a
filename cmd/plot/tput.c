/* tput.c: bytes per time slot, per point or per flow (VND's throughput application). */
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "flow.h"
#include "tables.h"

/*
 * Without -i the slot starts at 1/1024 s and doubles (neighbours summed)
 * whenever the capture outgrows MAX_AUTO slots: one pass, bounded memory,
 * and a slot of a power of two: ..., 1/8, 1/4, 1/2, 1, 2 s.
 */
#define MAX_AUTO	256
#define MAX_SLOTS	(1 << 20)
#define SERIES_MAX	8	/* drawn; the rest summed as "other flows" */

struct tput {
	struct plot	*p;
	struct groups	 gs;
	int64_t		 t0, slot;
	int		 have_t0, fixed;
	const char	*last_point;	/* the group of the last packet */
	struct group	*last;
};

/* Double the slot of every series: neighbours summed. */
static void
coarsen(struct tput *tp)
{
	size_t i;
	int k;

	for (k = 0; k < tp->gs.n; k++) {
		struct group *g = &tp->gs.g[k];

		for (i = 0; i < g->nbin; i++)
			g->bin[i / 2] = (i % 2 ? g->bin[i / 2] : 0) + g->bin[i];
		for (i = (g->nbin + 1) / 2; i < g->nbin; i++)
			g->bin[i] = 0;
		g->nbin = (g->nbin + 1) / 2;
	}
	tp->slot *= 2;
}

static int
add(struct tput *tp, struct group *g, size_t k, double bytes)
{
	double *nb;
	size_t n;

	if (k >= g->bincap) {
		n = k + 1 > 2 * g->bincap ? k + 1 : 2 * g->bincap;
		if (k >= MAX_SLOTS)
			return plot_fail(tp->p, "more than %d time slots: a "
			    "longer -i", MAX_SLOTS);
		if ((nb = realloc(g->bin, n * sizeof(*nb))) == NULL)
			return plot_fail(tp->p, "out of memory");
		memset(nb + g->bincap, 0, (n - g->bincap) * sizeof(*nb));
		g->bin = nb;
		g->bincap = n;
	}
	if (k >= g->nbin)
		g->nbin = k + 1;
	g->bin[k] += bytes;
	g->total += bytes;
	return 0;
}

static struct group *
series_of(struct tput *tp, const struct vnd_pkt *pk, const char *point)
{
	char name[160], a[64], b[64];

	if (!tp->p->by_flow) {
		if (tp->last != NULL && tp->last_point == point)
			return tp->last;
		tp->last_point = point;
		return tp->last = group_of(&tp->gs, point);
	}
	vnd_ip_fmt(a, pk->ip_ver, pk->src_ip);
	vnd_ip_fmt(b, pk->ip_ver, pk->dst_ip);
	if (VND_ISSET(pk, VND_COL_SRC_PORT))
		snprintf(name, sizeof(name), "%s %s:%u > %s:%u", point, a,
		    pk->src_port, b, pk->dst_port);
	else
		snprintf(name, sizeof(name), "%s %s > %s proto %u", point, a, b,
		    pk->ip_proto);
	return group_of(&tp->gs, name);
}

static int
tput_pkt(void *arg, const struct vnd_pkt *pk, const char *point)
{
	struct tput *tp = arg;
	struct group *g;
	int64_t k;

	if (!tp->have_t0) {
		tp->t0 = pk->ts_ns;
		tp->have_t0 = 1;
	}
	if (pk->ts_ns < tp->t0)
		return 0;	/* before the first packet: another clock */
	while (!tp->fixed && (pk->ts_ns - tp->t0) / tp->slot >= MAX_AUTO)
		coarsen(tp);
	k = (pk->ts_ns - tp->t0) / tp->slot;
	if ((g = series_of(tp, pk, point)) == NULL)
		return plot_fail(tp->p, "out of memory");
	return add(tp, g, (size_t)k, pk->wire_bytes);
}

static int
cmp_total(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	return x->total > y->total ? -1 : x->total < y->total;
}

static void
write_bins(struct tput *tp, const struct group *g)
{
	double s = (double)tp->slot / VND_NS_PER_SEC;
	size_t i;

	for (i = 0; i < g->nbin; i++)
		fprintf(tp->p->gp, "%.9g %.9g\n", i * s, g->bin[i] * 8 / s / 1e6);
	if (g->nbin > 0)
		fprintf(tp->p->gp, "%.9g %.9g\n", g->nbin * s,
		    g->bin[g->nbin - 1] * 8 / s / 1e6);
}

static int
tput_draw(struct tput *tp)
{
	struct plot *p = tp->p;
	int block[GROUPS_MAX], i;
	char t[128];

	if (tp->gs.n == 0)
		return plot_fail(p, "no packet in the input");
	/* the busiest first; past SERIES_MAX, one "other flows" */
	qsort(tp->gs.g, (size_t)tp->gs.n, sizeof(tp->gs.g[0]), cmp_total);
	for (i = SERIES_MAX; p->by_flow && i < tp->gs.n; i++) {
		struct group *o = &tp->gs.g[SERIES_MAX - 1];
		size_t k;

		snprintf(o->name, sizeof(o->name), "other flows");
		for (k = 0; k < tp->gs.g[i].nbin && k < o->bincap; k++)
			o->bin[k] += tp->gs.g[i].bin[k];
	}
	snprintf(t, sizeof(t), "throughput per %s, slots of %.6g s",
	    p->by_flow ? "flow" : "capture point",
	    (double)tp->slot / VND_NS_PER_SEC);
	gp_title(p, t);
	gp_xtime(p, tp->t0);
	fputs("set ylabel \"Mbit/s (wire bytes)\"\nset yrange [0:*]\n", p->gp);
	for (i = 0; i < tp->gs.n; i++) {
		block[i] = -1;
		if (i >= SERIES_MAX)
			continue;
		block[i] = gp_block(p);
		write_bins(tp, &tp->gs.g[i]);
		gp_block_end(p);
	}
	groups_plot(p, &tp->gs, block, "1:2", "steps lw 1.5");
	return 0;
}

int
plot_throughput(struct plot *p)
{
	struct tput tp = { .p = p, .gs.ncol = 1 };

	tp.fixed = p->slot_ns != 0;
	tp.slot = tp.fixed ? p->slot_ns : VND_NS_PER_SEC / 1024;
	return groups_done(&tp.gs, flow_read(p->ops, p->nops, tput_pkt, &tp,
	    p->err) >= 0 ? tput_draw(&tp) : -1);
}
