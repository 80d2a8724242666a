/* hops.c: the path left to right from vnd-hoploss's table: loss and delay per hop and direction. */
#include <stdlib.h>
#include <string.h>

#include "vnd_num.h"
#include "plot.h"
#include "tables.h"

#define MAX_PTS	32

enum { H_IN, H_OUT, H_SIDE, H_INPKTS, H_LOST, H_P50, H_P99 };
static const char *const hop_cols[] = {
	"in_point", "out_point", "src_side", "in_pkts", "lost_pkts",
	"delay_p50_ns", "delay_p99_ns",
};

struct dirstat {
	int64_t		 in, lost, p50, p99;	/* p50 -1: no delay */
	int		 seen;
};

struct hops {
	struct plot	*p;
	char		*pt[MAX_PTS];	/* the points in path order */
	int		 npt;
	struct dirstat	 d[MAX_PTS][2];	/* hop i (pt[i] to pt[i+1]), direction */
};

static int
point_index(struct hops *h, const char *name)
{
	int i;

	for (i = 0; i < h->npt; i++)
		if (strcmp(h->pt[i], name) == 0)
			return i;
	if (h->npt == MAX_PTS || (h->pt[h->npt] = strdup(name)) == NULL)
		return -1;
	return h->npt++;
}

/*
 * A row: the hop and its direction from where its points stand on the path
 * (the order they first appear in, client rows first as vnd-hoploss writes
 * them). Rows of one hop and direction (per flow, per slot) are summed; the
 * delays are those of the row with the most packets.
 */
static int
hop_row(void *arg, const struct tin *in)
{
	struct hops *h = arg;
	const char *a = vnd_tsvread_get(in->r, in->c[H_IN]);
	const char *b = vnd_tsvread_get(in->r, in->c[H_OUT]);
	struct dirstat *d;
	int64_t n = 0, lost = 0, p50 = -1, p99 = -1;
	int i, j;

	if (a == NULL || b == NULL || (i = point_index(h, a)) < 0 ||
	    (j = point_index(h, b)) < 0)
		return plot_fail(h->p, "'%s': line %llu: no in_point, out_point,"
		    " or more than %d points", in->name, (unsigned long long)
		    vnd_tsvread_line(in->r) + 1, MAX_PTS);
	if (j != i + 1 && i != j + 1)
		return 0;		/* not neighbours: not a hop */
	vnd_tsvread_int(in->r, in->c[H_INPKTS], &n);
	vnd_tsvread_int(in->r, in->c[H_LOST], &lost);
	vnd_tsvread_int(in->r, in->c[H_P50], &p50);
	vnd_tsvread_int(in->r, in->c[H_P99], &p99);
	d = &h->d[i < j ? i : j][i > j];
	if (p50 >= 0 && (!d->seen || n > d->in)) {
		d->p50 = p50;
		d->p99 = p99;
	} else if (!d->seen)
		d->p50 = d->p99 = -1;
	d->in += n;
	d->lost += lost;
	d->seen = 1;
	return 0;
}

/* The hop where loss and delay rise, by vnd hoploss --path's score. */
static int
bottleneck(const struct hops *h)
{
	double s, best = 0;
	int i, k, w = -1;

	for (i = 0; i + 1 < h->npt; i++)
		for (k = 0; k < 2; k++) {
			const struct dirstat *d = &h->d[i][k];

			if (!d->seen || d->in == 0)
				continue;
			s = (double)d->lost / (double)d->in +
			    (d->p50 > 0 ? (double)d->p50 / 1e9 : 0);
			if (s > best) {
				best = s;
				w = i;
			}
		}
	return w;
}

/* Rows "x loss% lost in p50_ms p99_ms loss_label p50_label p99_label" of direction k. */
static void
hop_block(struct hops *h, int k, double dx)
{
	char a[32], b[32];
	int i;

	for (i = 0; i + 1 < h->npt; i++) {
		const struct dirstat *d = &h->d[i][k];

		if (!d->seen)
			continue;
		vnd_fmt_ns(a, sizeof(a), d->p50 < 0 ? 0 : d->p50);
		vnd_fmt_ns(b, sizeof(b), d->p99 < 0 ? 0 : d->p99);
		fprintf(h->p->gp, "%g %.9g %lld %lld %.9g %.9g \"%lld of %lld\""
		    " \"%s\" \"%s\"\n", i + 0.5 + dx, d->in ? 100.0 *
		    (double)d->lost / (double)d->in : 0, (long long)d->lost,
		    (long long)d->in, d->p50 > 0 ? d->p50 / 1e6 : 1e-3,
		    d->p99 > 0 ? d->p99 / 1e6 : 1e-3, (long long)d->lost,
		    (long long)d->in, d->p50 < 0 ? "-" : a, d->p99 < 0 ? "-" : b);
	}
}

static void
hops_axes(struct hops *h, int w)
{
	FILE *fp = h->p->gp;
	int i;

	fprintf(fp, "set xrange [-0.3:%g]\nset xtics (", h->npt - 0.7);
	for (i = 0; i < h->npt; i++) {
		fputs(i ? ", " : "", fp);
		gp_str(h->p, h->pt[i]);
		fprintf(fp, " %d", i);
	}
	fputs(")\nset grid noxtics\nset style fill solid 0.85 border -1\n"
	    "set boxwidth 0.3\nset key inside top left\n", fp);
	if (w >= 0)
		fprintf(fp, "set object 1 rect from %d,graph 0 to %d,graph 1 "
		    "behind fc rgb \"#fbe3d6\" fs solid 1.0 noborder\n"
		    "set label 1 \"bottleneck\" at %g,graph 0.95 center "
		    "tc rgb \"#d55e00\" front\n", w, w + 1, w + 0.5);
}

static void
hops_draw(struct hops *h)
{
	struct plot *p = h->p;
	int b[2], k;

	for (k = 0; k < 2; k++) {
		b[k] = gp_block(p);
		hop_block(h, k, k ? 0.17 : -0.17);
		gp_block_end(p);
	}
	gp_title(p, "");
	hops_axes(h, bottleneck(h));
	fputs("set multiplot layout 2,1 title ", p->gp);
	gp_str(p, p->title ? p->title : "the path, hop by hop: loss and delay");
	fprintf(p->gp, "\nset ylabel \"lost (%% of packets in)\"\n"
	    "set yrange [0:*]\nset offsets 0,0,graph 0.25,0\n"
	    "plot $d%d using 1:2 with boxes lc rgb \"%s\" title \"from the client\", "
	    "\\\n  $d%d using 1:2 with boxes lc rgb \"%s\" title \"from the server\", "
	    "\\\n  $d%d using 1:2:7 with labels offset 0,0.8 font \",9\" notitle, "
	    "\\\n  $d%d using 1:2:7 with labels offset 0,0.8 font \",9\" notitle\n",
	    b[0], gp_color(0), b[1], gp_color(1), b[0], b[1]);
	fprintf(p->gp, "set ylabel \"delay p50 to p99 (ms)\"\nset logscale y\n"
	    "set yrange [*:*]\nset offsets 0,0,0,0\nunset label 1\n"
	    "plot $d%d using 1:5:5:6 with yerrorbars pt 7 lw 1.5 lc rgb \"%s\" "
	    "title \"from the client\", \\\n  $d%d using 1:5:5:6 with yerrorbars "
	    "pt 7 lw 1.5 lc rgb \"%s\" title \"from the server\", "
	    "\\\n  $d%d using 1:5:8 with labels left offset 0.8,0 font \",8\" notitle, "
	    "\\\n  $d%d using 1:5:8 with labels left offset 0.8,0 font \",8\" notitle, "
	    "\\\n  $d%d using 1:6:9 with labels offset 0,0.7 font \",8\" notitle, "
	    "\\\n  $d%d using 1:6:9 with labels offset 0,0.7 font \",8\" notitle\n"
	    "unset multiplot\n", b[0], gp_color(0), b[1], gp_color(1), b[0], b[1],
	    b[0], b[1]);
}

int
plot_hops(struct plot *p)
{
	struct hops h;
	int i, ret = -1;

	memset(&h, 0, sizeof(h));
	h.p = p;
	if (table_each(p, "hops", hop_cols, VND_NELEM(hop_cols), 5, hop_row,
	    &h) == 0) {
		if (h.npt < 2)
			plot_fail(p, "no hop in the input");
		else {
			hops_draw(&h);
			ret = 0;
		}
	}
	for (i = 0; i < h.npt; i++)
		free(h.pt[i]);
	return ret;
}
