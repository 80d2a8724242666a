/* limits.c: what limited each connection over time (vnd-tcpstate -i), and drops per element. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "flow.h"
#include "tables.h"

#define PANELS_MAX	4

enum { L_TS, L_SND, L_RCV, L_NET, L_POINT, L_SIP, L_SPORT, L_DIP, L_DPORT,
	L_SENDER };
static const char *const limit_cols[] = {
	"slot_ts_ns", "sender_limited_ratio", "receiver_limited_ratio",
	"network_limited_ratio", "point", "src_ip", "src_port", "dst_ip",
	"dst_port", "sender",
};

struct limits {
	struct plot	*p;
	struct groups	 gs;
	struct fspec	 f[PLOT_FLOWS];
	int		 filter;	/* the number of -f */
	int64_t		 t0, t1;	/* the first and the last slot */
	int		 have_t0;
};

/* Does the row's connection pass -f? Its fields made a packet for flow_match. */
static int
row_wanted(const struct limits *l, const struct tin *in)
{
	struct vnd_pkt pk;
	const char *s = vnd_tsvread_get(in->r, in->c[L_SIP]);
	const char *d = vnd_tsvread_get(in->r, in->c[L_DIP]);
	int64_t sp = -1, dp = -1;
	int dir, i;

	if (!l->filter)
		return 1;
	memset(&pk, 0, sizeof(pk));
	pk.ip_proto = 6;
	VND_SET(&pk, VND_COL_TCP_FLAGS);
	vnd_tsvread_int(in->r, in->c[L_SPORT], &sp);
	vnd_tsvread_int(in->r, in->c[L_DPORT], &dp);
	pk.src_port = (uint16_t)sp;
	pk.dst_port = (uint16_t)dp;
	pk.ip_ver = s != NULL && strchr(s, ':') ? 6 : 4;
	if (s == NULL || d == NULL || inet_pton(pk.ip_ver == 6 ? AF_INET6 :
	    AF_INET, s, pk.src_ip) != 1 || inet_pton(pk.ip_ver == 6 ?
	    AF_INET6 : AF_INET, d, pk.dst_ip) != 1)
		return 0;
	for (i = 0; i < l->filter; i++)
		if (flow_match(&l->f[i], &pk, &dir))
			return 1;
	return 0;
}

static int
limit_row(void *arg, const struct tin *in)
{
	struct limits *l = arg;
	struct plot *p = l->p;
	struct group *g;
	char name[120], full[160];
	const char *snd = vnd_tsvread_get(in->r, in->c[L_SENDER]);
	double v[3];
	int64_t ts;
	int i;

	if (!row_wanted(l, in))
		return 0;
	if (vnd_tsvread_int(in->r, in->c[L_TS], &ts) < 0)
		return plot_fail(p, "'%s': line %llu: no slot_ts_ns", in->name,
		    (unsigned long long)vnd_tsvread_line(in->r) + 1);
	for (i = 0; i < 3; i++)
		if (vnd_tsvread_real(in->r, in->c[L_SND + i], &v[i]) < 0)
			v[i] = 0;
	p->by_flow = 1;
	row_series(p, in, in->c[L_POINT], &in->c[L_SIP], name, sizeof(name));
	snprintf(full, sizeof(full), "%s%s%s", name, snd ? ", sender " : "",
	    snd ? snd : "");
	if ((g = group_of(&l->gs, full)) == NULL || group_value(g, (double)ts) < 0 ||
	    group_value(g, v[0]) < 0 || group_value(g, v[1]) < 0 ||
	    group_value(g, v[2]) < 0)
		return plot_fail(p, "out of memory");
	if (!l->have_t0 || ts < l->t0)
		l->t0 = ts;
	if (!l->have_t0 || ts > l->t1)
		l->t1 = ts;
	l->have_t0 = 1;
	return 0;
}

/* The slot width: the least step between two slots of any connection. */
static int64_t
slot_width(const struct limits *l)
{
	int64_t w = l->p->slot_ns, d;
	size_t i;
	int k;

	if (w != 0)		/* -i: the slots' own width */
		return w;
	for (k = 0; k < l->gs.n; k++)
		for (i = 4; i < l->gs.g[k].nv; i += 4) {
			d = (int64_t)(l->gs.g[k].v[i] - l->gs.g[k].v[i - 4]);
			if (d > 0 && (w == 0 || d < w))
				w = d;
		}
	return w ? w : VND_NS_PER_SEC;
}

/* Each slot flat from its start to its end; a blank line across a gap. */
static void
limit_block(struct limits *l, const struct group *g, int64_t w)
{
	FILE *fp = l->p->gp;
	size_t i;
	int e;

	for (i = 0; i < g->nv; i += 4) {
		int64_t ts = (int64_t)g->v[i];

		if (i > 0 && ts > (int64_t)g->v[i - 4] + w)
			fputc('\n', fp);
		for (e = 0; e < 2; e++)
			fprintf(fp, "%.9g %.6g %.6g %.6g\n",
			    plot_sec(ts + e * w, l->t0), g->v[i + 1],
			    g->v[i + 2], g->v[i + 3]);
	}
}

static int
cmp_rows(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	return x->nv > y->nv ? -1 : x->nv < y->nv;
}

static int
limits_draw(struct limits *l)
{
	struct plot *p = l->p;
	int64_t w = slot_width(l);
	int n = l->gs.n < PANELS_MAX ? l->gs.n : PANELS_MAX, k, b;

	if (l->gs.n == 0)
		return plot_fail(p, "no slot in the input%s", l->filter ?
		    " of the connection -f names" : "");
	qsort(l->gs.g, (size_t)l->gs.n, sizeof(l->gs.g[0]), cmp_rows);
	gp_xtime(p, l->t0);
	/* one time axis for every panel, so that they compare */
	fprintf(p->gp, "set xrange [0:%.9g]\n", plot_sec(l->t1 + w, l->t0));
	fputs("set ylabel \"share of the slot\"\nset yrange [0:1]\n"
	    "set style fill solid 0.85 noborder\n"
	    "set key outside right top vertical\nset multiplot layout ", p->gp);
	fprintf(p->gp, "%d,1 title ", n);
	gp_str(p, p->title ? p->title : "what limited each connection: "
	    "sender, receiver, network");
	fputc('\n', p->gp);
	for (k = 0; k < n; k++) {
		b = gp_block(p);
		limit_block(l, &l->gs.g[k], w);
		gp_block_end(p);
		fputs("set title ", p->gp);
		gp_str(p, l->gs.g[k].name);
		fprintf(p->gp, "\nplot $d%d using 1:(0):2 with filledcurves lc "
		    "rgb \"#0072b2\" title \"sender\", \\\n  $d%d using 1:2:($2+$3)"
		    " with filledcurves lc rgb \"#e69f00\" title \"receiver\", \\\n"
		    "  $d%d using 1:($2+$3):($2+$3+$4) with filledcurves lc rgb "
		    "\"#d55e00\" title \"network\"\n", b, b, b);
	}
	fputs("unset multiplot\n", p->gp);
	return 0;
}

/* The slots of the connections -f names (all without -f). */
static int
limits_read(struct limits *l)
{
	struct plot *p = l->p;

	for (l->filter = 0; l->filter < p->nflow; l->filter++)
		if (flow_parse(&l->f[l->filter], p->flow[l->filter]) < 0)
			return plot_fail(p, "-f '%s': not PORT or "
			    "ADDR:PORT>ADDR:PORT", p->flow[l->filter]);
	return table_each(p, "slots", limit_cols, VND_NELEM(limit_cols), 4,
	    limit_row, l);
}

int
plot_limits(struct plot *p)
{
	struct limits l = { .p = p, .gs.ncol = 1 };

	return groups_done(&l.gs, limits_read(&l) == 0 ? limits_draw(&l) : -1);
}

/* counters: <ts_ns element attr value> snapshots, the drop counters' rise. */
enum { K_TS, K_ELEM, K_ATTR, K_VALUE };
static const char *const counter_cols[] = { "ts_ns", "element", "attr", "value" };

struct counters {
	struct plot	*p;
	struct groups	 gs;
	int64_t		 t0;
	int		 have_t0;
};

/* A counter of drops: its name says so, or an iptables rule that drops counts packets. */
static int
is_drop(const char *element, const char *attr)
{
	if (strstr(attr, "drop") != NULL)
		return 1;
	return strcmp(attr, "pkts") == 0 && (strstr(element, "drop") != NULL ||
	    strstr(element, "DROP") != NULL);
}

static int
counter_row(void *arg, const struct tin *in)
{
	struct counters *c = arg;
	const char *e = vnd_tsvread_get(in->r, in->c[K_ELEM]);
	const char *a = vnd_tsvread_get(in->r, in->c[K_ATTR]);
	struct group *g;
	char name[160];
	int64_t ts;
	double v;

	if (e == NULL || a == NULL || vnd_tsvread_int(in->r, in->c[K_TS], &ts) < 0 ||
	    vnd_tsvread_real(in->r, in->c[K_VALUE], &v) < 0)
		return 0;	/* a text value (a qdisc's kind): not a counter */
	if (c->p->attr ? strcmp(a, c->p->attr) != 0 : !is_drop(e, a))
		return 0;
	snprintf(name, sizeof(name), "%s %s", e, a);
	if ((g = group_of(&c->gs, name)) == NULL || group_value(g, (double)ts) < 0 ||
	    group_value(g, v) < 0)
		return plot_fail(c->p, "out of memory");
	if (!c->have_t0 || ts < c->t0)
		c->t0 = ts;
	c->have_t0 = 1;
	return 0;
}

/*
 * Rows "x value" of a counter: its rise since its first snapshot, or with
 * one snapshot only, its value (what the kernel counted since it began).
 * Returns that rise or value.
 */
static double
counter_block(struct counters *c, const struct group *g)
{
	double base = g->nv > 2 ? g->v[1] : 0;
	size_t i;

	for (i = 0; i < g->nv; i += 2)
		fprintf(c->p->gp, "%.9g %.17g\n", plot_sec((int64_t)g->v[i],
		    c->t0), g->v[i + 1] - base);
	return g->v[g->nv - 1] - base;
}

static int
counters_draw(struct counters *c)
{
	struct plot *p = c->p;
	int block[GROUPS_MAX], k, drawn = 0, flat = 0;
	char t[200];

	if (c->gs.n == 0)
		return plot_fail(p, "no %s counter in the input", p->attr ?
		    p->attr : "drop");
	for (k = 0; k < c->gs.n; k++) {
		struct group *g = &c->gs.g[k];

		block[k] = -1;
		if (g->v[g->nv - 1] == (g->nv > 2 ? g->v[1] : 0)) {
			flat++;
			continue;
		}
		block[k] = gp_block(p);
		g->total = counter_block(c, g);
		gp_block_end(p);
		snprintf(g->name + strnlen(g->name, sizeof(g->name) - 24),
		    24, " (+%.0f)", g->total);
		drawn++;
	}
	snprintf(t, sizeof(t), "%.40s per element: the rise since the first snapshot%s%.0d%s",
	    p->attr ? p->attr : "drops", flat ? " (" : "", flat,
	    flat ? " unchanged not drawn)" : "");
	gp_title(p, t);
	gp_xtime(p, c->t0);
	fprintf(p->gp, "set ylabel \"%s\"\nset yrange [0:*]\n", p->attr ?
	    p->attr : "packets dropped");
	if (drawn == 0)
		return plot_fail(p, "no %s counter rose", p->attr ? p->attr :
		    "drop");
	groups_plot(p, &c->gs, block, "1:2", "linespoints pt 7 lw 2");
	return 0;
}

int
plot_counters(struct plot *p)
{
	struct counters c = { .p = p, .gs.ncol = 1 };

	return groups_done(&c.gs, table_each(p, "counters", counter_cols,
	    VND_NELEM(counter_cols), 4, counter_row, &c) == 0 ?
	    counters_draw(&c) : -1);
}
