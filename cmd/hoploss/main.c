/* vnd-hoploss: loss and delay hop by hop along a path of capture points (VND 3.3.1, 5.1.1). */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "vnd_num.h"
#include "vnd_pktsrc.h"
#include "vnd_point.h"
#include "vnd_table.h"
#include "hop.h"

#define PREPASS_PKTS	50000	/* packets per point to estimate clock offsets */

struct point {
	const char	*name;
	const char	*path;
	int		 owned;
	struct vnd_pktsrc src;
	struct vnd_pkt	 pk;		/* the next packet, read ahead */
	int		 have;
	int64_t		 offset;	/* this clock minus the first point's */
	const char	*how;		/* how the offset was found */
};

struct opts {
	int64_t		 window;
	int		 header;
	int		 lost;
	int		 path;
	int		 quiet;
	const char	*output;
};

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "lost", no_argument, NULL, 'L' },
	{ "no-header", no_argument, NULL, 'H' },
	{ "output", required_argument, NULL, 'o' },
	{ "path", no_argument, NULL, 'P' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "version", no_argument, NULL, 'V' },
	{ "window", required_argument, NULL, 'w' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: vnd-hoploss [-HqV] [-o file.db] [-w seconds] [--lost | --path]\n"
"                   point point... (file or name=file, client to server)\n"
"  -H, --no-header       omit the TSV header line\n"
"  -h, --help            this help\n"
"      --lost            list the lost and created packets instead of the hops\n"
"  -o, --output FILE     write SQLite database FILE (default: TSV on stdout)\n"
"      --path            a report naming the hop where loss and delay rise\n"
"  -q, --quiet           no clock-offset lines on stderr\n"
"  -V, --version         print the version\n"
"  -w, --window SECONDS  how long a packet may take to cross a hop (default 2)\n");
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* One direction of traffic of a flow, as seen at the hop's start. */
struct dgroup {
	uint8_t		 ver, src[16], dst[16];
	uint16_t	 sport, dport;
	int64_t		*d;
	size_t		 n, cap;
};

/* What the offset estimate keeps of a packet: its key, time and flow. */
struct prepkt {
	uint64_t	 key;
	int64_t		 ts;
	uint8_t		 ver, src[16], dst[16];
	uint16_t	 sport, dport;
};

static int
cmpkey(const void *a, const void *b)
{
	uint64_t x = ((const struct prepkt *)a)->key, y = ((const struct prepkt *)b)->key;

	return x < y ? -1 : x > y;
}

static int
read_prefix(const char *path, struct prepkt **out, size_t *n, char *errbuf)
{
	struct vnd_pktsrc s;
	struct prepkt *v;
	struct vnd_pkt pk;
	size_t k = 0;
	uint64_t key;

	if (vnd_pktsrc_open(&s, path, errbuf) < 0)
		return -1;
	if ((v = calloc(PREPASS_PKTS, sizeof(*v))) == NULL) {
		vnd_pktsrc_close(&s);
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	while (k < PREPASS_PKTS && vnd_pktsrc_next(&s, &pk)) {
		if (hop_key(&pk, &key) < 0)
			continue;
		memset(&v[k], 0, sizeof(v[k]));
		v[k].key = key;
		v[k].ts = pk.ts_ns;
		v[k].ver = pk.ip_ver;
		memcpy(v[k].src, pk.src_ip, 16);
		memcpy(v[k].dst, pk.dst_ip, 16);
		v[k].sport = VND_ISSET(&pk, VND_COL_SRC_PORT) ? pk.src_port : 0;
		v[k].dport = VND_ISSET(&pk, VND_COL_DST_PORT) ? pk.dst_port : 0;
		k++;
	}
	vnd_pktsrc_close(&s);
	qsort(v, k, sizeof(*v), cmpkey);
	*out = v;
	*n = k;
	return 0;
}

/*
 * The clock offset of point b against a, from the same packets seen at both
 * (NTP's reasoning): a packet a->b gives tb - ta = delay + offset, one b->a
 * gives delay - offset. For each flow with traffic both ways, the offset is
 * halfway between the smallest a->b difference and the largest b->a one.
 * With traffic one way only, delays and offset cannot be told apart: the
 * clocks are taken as synchronised unless that would make delays negative
 * or longer than a second.
 */
static int
estimate_offset(const char *pa, const char *pb, int64_t *off, const char **how,
    char *errbuf)
{
	struct prepkt *a = NULL, *b = NULL;
	struct dgroup *g = NULL;
	size_t na, nb, i = 0, j = 0, ng = 0, k, gcap = 0;
	int64_t *est = NULL, dmin = INT64_MAX;
	size_t ne = 0;
	int r = -1;

	*off = 0;
	*how = "none matched";
	if (read_prefix(pa, &a, &na, errbuf) < 0 ||
	    read_prefix(pb, &b, &nb, errbuf) < 0)
		goto out;
	while (i < na && j < nb) {
		if (a[i].key < b[j].key) {
			i++;
			continue;
		}
		if (a[i].key > b[j].key) {
			j++;
			continue;
		}
		{
			const struct prepkt *p = &a[i];
			int64_t d = b[j].ts - a[i].ts;

			if (d < dmin)
				dmin = d;
			for (k = 0; k < ng; k++)
				if (g[k].ver == p->ver && g[k].sport == p->sport &&
				    g[k].dport == p->dport &&
				    memcmp(g[k].src, p->src, 16) == 0 &&
				    memcmp(g[k].dst, p->dst, 16) == 0)
					break;
			if (k == ng) {
				if (ng == gcap) {
					struct dgroup *ngp;

					gcap = gcap ? gcap * 2 : 64;
					if ((ngp = realloc(g, gcap * sizeof(*g))) == NULL)
						goto oom;
					g = ngp;
				}
				memset(&g[ng], 0, sizeof(g[ng]));
				g[ng].ver = p->ver;
				memcpy(g[ng].src, p->src, 16);
				memcpy(g[ng].dst, p->dst, 16);
				g[ng].sport = p->sport;
				g[ng].dport = p->dport;
				ng++;
			}
			if (g[k].n == g[k].cap) {
				int64_t *nd;

				g[k].cap = g[k].cap ? g[k].cap * 2 : 64;
				if ((nd = realloc(g[k].d, g[k].cap * sizeof(*nd))) == NULL)
					goto oom;
				g[k].d = nd;
			}
			g[k].d[g[k].n++] = d;
		}
		i++;
		j++;
	}
	if ((est = calloc(ng + 1, sizeof(*est))) == NULL)
		goto oom;
	for (k = 0; k < ng; k++) {
		size_t m;

		for (m = k + 1; m < ng; m++) {
			struct dgroup *f = &g[k], *bk = &g[m];
			int64_t fmin = INT64_MAX, bmax = INT64_MIN, t;
			size_t x;

			if (f->ver != bk->ver || f->sport != bk->dport ||
			    f->dport != bk->sport || memcmp(f->src, bk->dst, 16) ||
			    memcmp(f->dst, bk->src, 16))
				continue;
			qsort(f->d, f->n, sizeof(*f->d), cmp64);
			qsort(bk->d, bk->n, sizeof(*bk->d), cmp64);
			/* the direction whose differences are larger runs a -> b */
			if (f->d[f->n / 2] < bk->d[bk->n / 2]) {
				struct dgroup *sw = f;

				f = bk;
				bk = sw;
			}
			for (x = 0; x < f->n; x++)
				fmin = f->d[x] < fmin ? f->d[x] : fmin;
			for (x = 0; x < bk->n; x++)
				bmax = bk->d[x] > bmax ? bk->d[x] : bmax;
			t = fmin / 2 + bmax / 2;
			est[ne++] = t;
		}
	}
	if (ne > 0) {
		qsort(est, ne, sizeof(*est), cmp64);
		*off = est[ne / 2];
		*how = "both directions";
	} else if (dmin != INT64_MAX) {
		if (dmin < 0 || dmin > 1000000000) {
			*off = dmin;
			*how = "one direction: smallest difference";
		} else
			*how = "one direction: clocks taken as synchronised";
	}
	r = 0;
	goto out;
oom:
	snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
out:
	for (k = 0; k < ng; k++)
		free(g[k].d);
	free(g);
	free(est);
	free(a);
	free(b);
	return r;
}

static const struct vnd_colspec hop_cols[] = {
	{ "in_point", VND_TEXT }, { "out_point", VND_TEXT },
	{ "src_side", VND_TEXT }, { "in_pkts", VND_INT },
	{ "out_pkts", VND_INT }, { "lost_pkts", VND_INT },
	{ "loss_ratio", VND_REAL }, { "delay_min_ns", VND_INT },
	{ "delay_p50_ns", VND_INT }, { "delay_p99_ns", VND_INT },
	{ "delay_max_ns", VND_INT }, { "created_pkts", VND_INT },
	{ "dup_pkts", VND_INT }, { "offset_ns", VND_INT },
};

static const struct vnd_colspec lost_cols[] = {
	{ "in_point", VND_TEXT }, { "out_point", VND_TEXT },
	{ "src_side", VND_TEXT }, { "what", VND_TEXT }, { "point", VND_TEXT },
	{ "frame", VND_INT }, { "ts_ns", VND_INT }, { "src_ip", VND_TEXT },
	{ "dst_ip", VND_TEXT }, { "ip_proto", VND_INT }, { "src_port", VND_INT },
	{ "dst_port", VND_INT }, { "seq", VND_INT }, { "payload_bytes", VND_INT },
	{ "pkt_id", VND_INT },
};

struct run {
	struct point	*pts;
	int		 npts;
	struct vnd_table *lost;
	int		 failed;
	char		 err[VND_ERRBUF_SIZE];
};

static void
report_lost(void *arg, int hop, int dir, int lost, const struct sighting *s)
{
	struct run *r = arg;
	const char *in = r->pts[dir == DIR_FWD ? hop : hop + 1].name;
	const char *out = r->pts[dir == DIR_FWD ? hop + 1 : hop].name;
	const struct point *at = &r->pts[hop + s->side];
	char buf[64];

	if (r->lost == NULL || r->failed)
		return;
	vnd_put_str(r->lost, in);
	vnd_put_str(r->lost, out);
	vnd_put_str(r->lost, dir == DIR_FWD ? "client" : "server");
	vnd_put_str(r->lost, lost ? "lost" : "created");
	vnd_put_str(r->lost, at->name);
	vnd_put_int(r->lost, (int64_t)s->frame);
	vnd_put_int(r->lost, s->ts + at->offset);
	vnd_put_text(r->lost, buf, vnd_ip_fmt(buf, s->ver, s->src));
	vnd_put_text(r->lost, buf, vnd_ip_fmt(buf, s->ver, s->dst));
	vnd_put_int(r->lost, s->proto);
	if (s->proto == 6 || s->proto == 17) {
		vnd_put_int(r->lost, s->sport);
		vnd_put_int(r->lost, s->dport);
	} else {
		vnd_put_null(r->lost);
		vnd_put_null(r->lost);
	}
	if (s->proto == 6)
		vnd_put_int(r->lost, s->seq);
	else
		vnd_put_null(r->lost);
	vnd_put_int(r->lost, s->paylen);
	vnd_put_int(r->lost, (int64_t)s->pkt_id);
	if (vnd_row_end(r->lost, r->err) < 0)
		r->failed = 1;
}

static int
advance(struct point *p)
{
	while (vnd_pktsrc_next(&p->src, &p->pk)) {
		if (VND_ISSET(&p->pk, VND_COL_SRC_IP)) {
			p->have = 1;
			return 1;
		}
	}
	p->have = 0;
	return 0;
}

static void
put_hop(struct vnd_table *t, const struct run *r, struct hop *h, int i, int dir)
{
	const struct hopstats *st = hop_stats(h, dir);
	const struct point *in = &r->pts[dir == DIR_FWD ? i : i + 1];
	const struct point *out = &r->pts[dir == DIR_FWD ? i + 1 : i];

	vnd_put_str(t, in->name);
	vnd_put_str(t, out->name);
	vnd_put_str(t, dir == DIR_FWD ? "client" : "server");
	vnd_put_int(t, (int64_t)st->in_pkts);
	vnd_put_int(t, (int64_t)st->out_pkts);
	vnd_put_int(t, (int64_t)st->lost);
	if (st->in_pkts)
		vnd_put_real(t, (double)st->lost / (double)st->in_pkts);
	else
		vnd_put_null(t);
	if (st->matched) {
		vnd_put_int(t, st->dmin);
		vnd_put_int(t, hop_quantile(st, 0.5));
		vnd_put_int(t, hop_quantile(st, 0.99));
		vnd_put_int(t, st->dmax);
	} else {
		vnd_put_null(t);
		vnd_put_null(t);
		vnd_put_null(t);
		vnd_put_null(t);
	}
	vnd_put_int(t, (int64_t)st->created);
	vnd_put_int(t, (int64_t)st->dups);
	vnd_put_int(t, out->offset - in->offset);
}

static void
fmt_ns(char *buf, size_t len, int64_t ns)
{
	double v = (double)ns;

	if (ns < 0 ? -ns < 1000000 : ns < 1000000)
		snprintf(buf, len, "%.1f us", v / 1e3);
	else if (ns < 0 ? -ns < 1000000000 : ns < 1000000000)
		snprintf(buf, len, "%.2f ms", v / 1e6);
	else
		snprintf(buf, len, "%.3f s", v / 1e9);
}

/* VND 5.1.1: per hop the delay and the loss, and the hop where they rise. */
static void
path_report(const struct run *r, struct hop **hops)
{
	const struct hopstats *st;
	char p50[32], p99[32];
	int i, dir, worst = -1, wdir = 0;
	double wscore = 0, loss;

	printf("%-32s %-6s %8s %8s %7s %11s %11s\n", "hop", "from", "in", "lost",
	    "loss", "delay p50", "delay p99");
	for (dir = DIR_FWD; dir <= DIR_BWD; dir++)
		for (i = 0; i < r->npts - 1; i++) {
			char name[256];

			st = hop_stats(hops[i], dir);
			snprintf(name, sizeof(name), "%s -> %s",
			    r->pts[dir == DIR_FWD ? i : i + 1].name,
			    r->pts[dir == DIR_FWD ? i + 1 : i].name);
			loss = st->in_pkts ? (double)st->lost / (double)st->in_pkts : 0;
			fmt_ns(p50, sizeof(p50), st->matched ? hop_quantile(st, 0.5) : 0);
			fmt_ns(p99, sizeof(p99), st->matched ? hop_quantile(st, 0.99) : 0);
			printf("%-32s %-6s %8llu %8llu %6.2f%% %11s %11s\n", name,
			    dir == DIR_FWD ? "client" : "server",
			    (unsigned long long)st->in_pkts,
			    (unsigned long long)st->lost, 100 * loss,
			    st->matched ? p50 : "-", st->matched ? p99 : "-");
			/* loss weighs most; then the median time held */
			if (st->in_pkts &&
			    loss + (double)hop_quantile(st, 0.5) / 1e9 > wscore) {
				wscore = loss + (double)hop_quantile(st, 0.5) / 1e9;
				worst = i;
				wdir = dir;
			}
		}
	if (worst < 0) {
		printf("no hop lost or held packets\n");
		return;
	}
	st = hop_stats(hops[worst], wdir);
	fmt_ns(p50, sizeof(p50), hop_quantile(st, 0.5));
	printf("bottleneck: %s -> %s: %llu of %llu packets from the %s lost "
	    "(%.1f%%), held %s at the median\n",
	    r->pts[wdir == DIR_FWD ? worst : worst + 1].name,
	    r->pts[wdir == DIR_FWD ? worst + 1 : worst].name,
	    (unsigned long long)st->lost, (unsigned long long)st->in_pkts,
	    wdir == DIR_FWD ? "client" : "server",
	    100.0 * (double)st->lost / (double)st->in_pkts, p50);
}

int
main(int argc, char **argv)
{
	char errbuf[VND_ERRBUF_SIZE];
	struct opts o;
	struct run run;
	struct point *pts;
	struct hop **hops = NULL;
	struct vnd_sink *sink = NULL;
	struct vnd_table *t = NULL;
	const char *name, *path;
	int npts = 0, ch, i, k, status = VND_EXIT_OK, r;
	int64_t now, v;

	memset(&o, 0, sizeof(o));
	memset(&run, 0, sizeof(run));
	o.header = 1;
	o.window = 2000000000;
	if ((pts = calloc((size_t)argc + 1, sizeof(*pts))) == NULL)
		err(VND_EXIT_FAIL, NULL);
	while ((ch = getopt_long(argc, argv, "hHo:qVw:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			free(pts);
			return VND_EXIT_OK;
		case 'H':
			o.header = 0;
			break;
		case 'L':
			o.lost = 1;
			break;
		case 'o':
			o.output = strcmp(optarg, "-") == 0 ? NULL : optarg;
			break;
		case 'P':
			o.path = 1;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'V':
			printf("vnd-hoploss %s\n", VND_VERSION);
			free(pts);
			return VND_EXIT_OK;
		case 'w': {
			char *end;
			double s = strtod(optarg, &end);

			if (*optarg == '\0' || *end != '\0' || !(s > 0) || s > 3600) {
				warnx("-w '%s': seconds, more than 0, at most 3600",
				    optarg);
				free(pts);
				return VND_EXIT_USAGE;
			}
			o.window = (int64_t)(s * 1e9);
			break;
		}
		default:
			usage(stderr);
			free(pts);
			return VND_EXIT_USAGE;
		}
	}
	(void)vnd_strtonum;
	for (i = optind; i < argc; i++) {
		vnd_point_split(argv[i], &name, &path);
		pts[npts].path = path;
		if (name == NULL) {
			if ((pts[npts].name = vnd_point_name(path)) == NULL)
				err(VND_EXIT_FAIL, NULL);
			pts[npts].owned = 1;
		} else
			pts[npts].name = name;
		npts++;
	}
	if (npts < 2 || (o.lost && o.path)) {
		if (npts < 2)
			warnx("two or more points, in path order, are needed");
		else
			warnx("--lost and --path are different reports; choose one");
		usage(stderr);
		status = VND_EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < npts; i++) {
		if (strcmp(pts[i].path, "-") == 0) {
			warnx("points are read twice (clock offsets first): "
			    "standard input cannot be one");
			status = VND_EXIT_USAGE;
			goto out;
		}
		if (!vnd_point_valid(pts[i].name)) {
			warnx("bad point name for '%s'", pts[i].path);
			status = VND_EXIT_USAGE;
			goto out;
		}
		for (k = 0; k < i; k++)
			if (strcmp(pts[i].name, pts[k].name) == 0) {
				warnx("point '%s' named twice; name them NAME=file",
				    pts[i].name);
				status = VND_EXIT_USAGE;
				goto out;
			}
	}
	run.pts = pts;
	run.npts = npts;

	/* Clocks first: each point against the one before it. */
	pts[0].how = "reference";
	for (i = 1; i < npts; i++) {
		if (estimate_offset(pts[i - 1].path, pts[i].path, &v, &pts[i].how,
		    errbuf) < 0) {
			warnx("'%s': %s", errbuf[0] == '\'' ? "" : pts[i].path,
			    errbuf);
			status = VND_EXIT_FAIL;
			goto out;
		}
		pts[i].offset = pts[i - 1].offset + v;
		if (!o.quiet)
			fprintf(stderr, "vnd-hoploss: clock of %s = clock of %s "
			    "%+.9f s (%s)\n", pts[i].name, pts[i - 1].name,
			    (double)v / 1e9, pts[i].how);
	}

	if ((hops = calloc((size_t)npts, sizeof(*hops))) == NULL)
		err(VND_EXIT_FAIL, NULL);
	for (i = 0; i < npts - 1; i++)
		if ((hops[i] = hop_new(i, o.window, o.lost ? report_lost : NULL,
		    &run)) == NULL)
			err(VND_EXIT_FAIL, NULL);
	if (!o.path) {
		r = o.output ? vnd_sink_sqlite(&sink, o.output, errbuf) :
		    vnd_sink_tsv(&sink, stdout, o.header, errbuf);
		if (r < 0)
			errx(VND_EXIT_FAIL, "'%s': %s", o.output ? o.output :
			    "stdout", errbuf);
		if (o.lost)
			t = run.lost = vnd_sink_table(sink, "lost", lost_cols,
			    (int)(sizeof(lost_cols) / sizeof(lost_cols[0])), errbuf);
		else
			t = vnd_sink_table(sink, "hops", hop_cols,
			    (int)(sizeof(hop_cols) / sizeof(hop_cols[0])), errbuf);
		if (t == NULL)
			goto fail;
	}
	for (i = 0; i < npts; i++) {
		if (vnd_pktsrc_open(&pts[i].src, pts[i].path, errbuf) < 0) {
			warnx("'%s': %s", pts[i].path, errbuf);
			status = VND_EXIT_FAIL;
			goto abort;
		}
		advance(&pts[i]);
	}

	/* All points at once, in time order on the first point's clock. */
	for (;;) {
		struct point *p = NULL;
		uint64_t key;

		for (i = 0; i < npts; i++)
			if (pts[i].have && (p == NULL || pts[i].pk.ts_ns -
			    pts[i].offset < p->pk.ts_ns - p->offset))
				p = &pts[i];
		if (p == NULL)
			break;
		now = p->pk.ts_ns - p->offset;
		k = (int)(p - pts);
		if (hop_key(&p->pk, &key) == 0) {
			if (k > 0 && hop_see(hops[k - 1], 1, &p->pk, key, now) < 0)
				err(VND_EXIT_FAIL, NULL);
			if (k < npts - 1 && hop_see(hops[k], 0, &p->pk, key, now) < 0)
				err(VND_EXIT_FAIL, NULL);
		}
		for (i = 0; i < npts - 1; i++)
			hop_expire(hops[i], now);
		if (run.failed)
			break;
		advance(p);
	}
	for (i = 0; i < npts - 1; i++)
		hop_flush(hops[i]);
	for (i = 0; i < npts; i++)
		if (pts[i].src.status != 0) {
			warnx("'%s': %s", pts[i].path, pts[i].src.err);
			status = VND_EXIT_FAIL;
			if (pts[i].src.status < 0)
				goto abort;
		}
	if (run.failed) {
		snprintf(errbuf, sizeof(errbuf), "%s", run.err);
		goto fail;
	}
	if (o.path)
		path_report(&run, hops);
	else if (!o.lost)
		for (i = 0; i < npts - 1; i++)
			for (k = DIR_FWD; k <= DIR_BWD; k++) {
				put_hop(t, &run, hops[i], i, k);
				if (vnd_row_end(t, errbuf) < 0)
					goto fail;
			}
	if (vnd_sink_close(sink, 1, errbuf) < 0) {
		sink = NULL;
		goto fail;
	}
	sink = NULL;
	goto out;
fail:
	warnx("'%s': %s", o.output ? o.output : "stdout", errbuf);
	status = VND_EXIT_FAIL;
abort:
	vnd_sink_close(sink, o.output == NULL, errbuf);
out:
	for (i = 0; i < npts; i++) {
		if (pts[i].src.in != NULL)
			vnd_pktsrc_close(&pts[i].src);
		if (pts[i].owned)
			free((char *)pts[i].name);
	}
	if (hops != NULL)
		for (i = 0; i < npts - 1; i++)
			hop_free(hops[i]);
	free(hops);
	free(pts);
	if (fflush(stdout) != 0 || ferror(stdout))
		status = VND_EXIT_FAIL;
	return status;
}
