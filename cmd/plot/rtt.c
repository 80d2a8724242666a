/* rtt.c: RTT samples over time, a series per point (or flow), and the distribution of a delay. */
#include <stdlib.h>
#include <string.h>

#include "vnd_cmp.h"
#include "plot.h"
#include "tables.h"

/* vnd-rtt --all's rejected samples: what Karn's rule and its kin refused. */
static const char *const rejected[] = {
	"karn", "hole", "sacked", "partial", "backwards",
};

enum { C_TS, C_RTT, C_POINT, C_RULE, C_SIP, C_SPORT, C_DIP, C_DPORT };
static const char *const rtt_cols[] = {
	"ts_ns", "rtt_ns", "point", "rule", "src_ip", "src_port", "dst_ip",
	"dst_port",
};

struct rtt {
	struct plot	*p;
	struct groups	 gs;
	int64_t		 t0;
	int		 have_t0;
	int		 cdf;
};

static int
is_rejected(const struct tin *in)
{
	const char *rule = vnd_tsvread_get(in->r, in->c[C_RULE]);
	size_t i;

	for (i = 0; rule != NULL && i < VND_NELEM(rejected); i++)
		if (strcmp(rule, rejected[i]) == 0)
			return 1;
	return 0;
}

static int
rtt_row(void *arg, const struct tin *in)
{
	struct rtt *r = arg;
	struct group *g;
	char name[160];
	int64_t ts, v;

	if (vnd_tsvread_int(in->r, in->c[C_RTT], &v) < 0 || is_rejected(in))
		return 0;		/* a sample without a value: none */
	if (vnd_tsvread_int(in->r, in->c[C_TS], &ts) < 0)
		return plot_fail(r->p, "'%s': line %llu: no ts_ns", in->name,
		    (unsigned long long)vnd_tsvread_line(in->r) + 1);
	if (!r->have_t0) {
		r->t0 = ts;
		r->have_t0 = 1;
	}
	row_series(r->p, in, in->c[C_POINT], &in->c[C_SIP], name, sizeof(name));
	if ((g = group_of(&r->gs, name)) == NULL)
		return plot_fail(r->p, "out of memory");
	thin_add(&g->t, plot_sec(ts, r->t0), (double)v / VND_NS_PER_MS);
	return 0;
}

typedef void (*draw_fn)(struct plot *, struct rtt *);

/* What reading gave (read: table_each's return) drawn, or none if empty. */
static int
picture(struct plot *p, struct rtt *r, int read, const char *none,
    draw_fn draw)
{
	if (read < 0)
		return -1;
	if (r->gs.n == 0)
		return plot_fail(p, "%s", none);
	draw(p, r);
	return 0;
}

static void
rtt_draw(struct plot *p, struct rtt *r)
{
	int block[GROUPS_MAX], i;

	gp_title(p, p->by_flow ? "RTT samples per point and flow" :
	    "RTT samples per capture point");
	gp_xtime(p, r->t0);
	fputs("set ylabel \"RTT (ms)\"\n", p->gp);
	if (p->logy)
		fputs("set logscale y\n", p->gp);
	for (i = 0; i < r->gs.n; i++) {
		block[i] = gp_block(p);
		thin_write(&r->gs.g[i].t, p->gp);
		gp_block_end(p);
	}
	groups_plot(p, &r->gs, block, "1:2", "points pt 7 ps 0.45");
}

int
plot_rtt(struct plot *p)
{
	struct rtt r = { .p = p, .gs.ncol = p->width };

	return groups_done(&r.gs, picture(p, &r, table_each(p, "samples",
	    rtt_cols, VND_NELEM(rtt_cols), 2, rtt_row, &r),
	    "no RTT sample in the input", rtt_draw));
}

/* cdf: vnd-rtt's samples (rtt_ns) or vnd-correlate's pairs (delay_ns). */
enum { D_RTT, D_DELAY, D_POINT, D_RULE };
static const char *const cdf_cols[] = { "rtt_ns", "delay_ns", "point", "rule" };

static int
cdf_row(void *arg, const struct tin *in)
{
	struct rtt *r = arg;
	struct group *g;
	struct tin t = *in;
	char name[160];
	int64_t v;

	t.c[C_RULE] = in->c[D_RULE];
	if (in->c[D_RTT] < 0 && in->c[D_DELAY] < 0)
		return plot_fail(r->p, "'%s': no column rtt_ns or delay_ns",
		    in->name);
	if (vnd_tsvread_int(in->r, in->c[in->c[D_RTT] >= 0 ? D_RTT : D_DELAY],
	    &v) < 0 || is_rejected(&t))
		return 0;
	r->cdf = in->c[D_RTT] < 0;
	row_series(r->p, in, in->c[D_POINT], NULL, name, sizeof(name));
	if ((g = group_of(&r->gs, name)) == NULL || group_value(g,
	    (double)v / VND_NS_PER_MS) < 0)
		return plot_fail(r->p, "out of memory");
	return 0;
}

/* The curve through the sorted values: a point per pixel row of its rise. */
static void
cdf_write(struct plot *p, struct group *g)
{
	size_t i, step = g->nv / (size_t)(2 * p->height) + 1;

	qsort(g->v, g->nv, sizeof(double), vnd_cmp_double);
	for (i = 0; i < g->nv; i += step)
		fprintf(p->gp, "%.9g %.9g\n", g->v[i], (double)(i + 1) / g->nv);
	fprintf(p->gp, "%.9g 1\n", g->v[g->nv - 1]);
}

static void
cdf_draw(struct plot *p, struct rtt *r)
{
	int block[GROUPS_MAX], i;

	gp_title(p, r->cdf ? "distribution of the hop delay" :
	    "distribution of RTT samples");
	fprintf(p->gp, "set xlabel \"%s (ms)\"\nset ylabel \"fraction of "
	    "samples\"\nset yrange [0:1]\n", r->cdf ? "delay" : "RTT");
	if (p->logy)
		fputs("set logscale x\n", p->gp);
	for (i = 0; i < r->gs.n; i++) {
		struct group *g = &r->gs.g[i];
		char t[32];

		block[i] = gp_block(p);
		cdf_write(p, g);
		gp_block_end(p);
		/* the key says how many samples each curve holds */
		snprintf(t, sizeof(t), " (%zu)", g->nv);
		snprintf(g->name + strnlen(g->name, sizeof(g->name) -
		    sizeof(t)), sizeof(t), "%s", t);
	}
	groups_plot(p, &r->gs, block, "1:2", "steps lw 1.5");
}

int
plot_cdf(struct plot *p)
{
	struct rtt r = { .p = p, .gs.ncol = 1 };

	p->by_flow = 0;
	return groups_done(&r.gs, picture(p, &r, table_each(p,
	    "samples,pairs", cdf_cols, VND_NELEM(cdf_cols), 0, cdf_row, &r),
	    "no sample in the input", cdf_draw));
}
