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
#include "vnd_clock.h"
#include "vnd_match.h"
#include "vnd_meta.h"
#include "vnd_stats.h"


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
	int64_t		 slot;		/* -i, 0 for none */
	int		 byflow;
	int		 header;
	int		 lost;
	int		 path;
	int		 quiet;
	const char	*output;
};

static const struct option longopts[] = {
	{ "by", required_argument, NULL, 'b' },
	{ "help", no_argument, NULL, 'h' },
	{ "interval", required_argument, NULL, 'i' },
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
"usage: vnd-hoploss [-HqV] [--by flow] [-i seconds] [-o file.db] [-w seconds]\n"
"                   [--lost | --path] point point... (file or name=file,\n"
"                   in path order from the client end)\n"
"      --by flow         a row per flow (its 5-tuple where the hop starts)\n"
"  -H, --no-header       omit the TSV header line\n"
"  -h, --help            this help\n"
"  -i, --interval SECS   a row per time slot of SECS seconds\n"
"      --lost            list the lost and created packets instead of the hops\n"
"  -o, --output FILE     write SQLite database FILE (default: TSV on stdout)\n"
"      --path            a report naming the hop where loss and delay rise\n"
"  -q, --quiet           no clock-offset lines on stderr\n"
"  -V, --version         print the version\n"
"  -w, --window SECONDS  how long a packet may take to cross a hop (default 2)\n");
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

/* A group of packets a row reports on: a hop and direction, maybe a slot, a flow. */
struct gkey {
	int		 hop, dir;
	int64_t		 slot;
	uint8_t		 ver, proto, src[16], dst[16];
	uint16_t	 sport, dport;
};

struct group {
	struct gkey	 k;
	struct vnd_stats	 st;
	int		 used;
};

struct run {
	struct point	*pts;
	int		 npts;
	const struct opts *o;
	struct vnd_stats	*total;		/* per hop and direction: [2 * hop + dir] */
	struct group	*g;		/* --by flow, -i: open addressing */
	size_t		 gcap, glen;
	struct vnd_table *lost;
	int		 failed;
	char		 err[VND_ERRBUF_SIZE];
};

static uint64_t
gkey_hash(const struct gkey *k)
{
	return vnd_hash((const uint8_t *)k, sizeof(*k));
}

static struct vnd_stats *
group(struct run *r, const struct gkey *k)
{
	struct group *ng;
	size_t i, j, ncap;

	if (r->glen * 2 + 2 > r->gcap) {
		ncap = r->gcap ? r->gcap * 2 : 1024;
		if ((ng = calloc(ncap, sizeof(*ng))) == NULL)
			return NULL;
		for (i = 0; i < r->gcap; i++) {
			if (!r->g[i].used)
				continue;
			for (j = gkey_hash(&r->g[i].k) & (ncap - 1); ng[j].used;
			    j = (j + 1) & (ncap - 1))
				;
			ng[j] = r->g[i];
		}
		free(r->g);
		r->g = ng;
		r->gcap = ncap;
	}
	for (i = gkey_hash(k) & (r->gcap - 1); r->g[i].used;
	    i = (i + 1) & (r->gcap - 1))
		if (memcmp(&r->g[i].k, k, sizeof(*k)) == 0)
			return &r->g[i].st;
	if (vnd_stats_init(&r->g[i].st, 8) < 0)
		return NULL;
	r->g[i].k = *k;
	r->g[i].used = 1;
	r->glen++;
	return &r->g[i].st;
}

static void
put_lost(struct run *r, int hop, int dir, int lost, const struct vnd_sighting *s)
{
	const char *in = r->pts[dir == VND_DIR_FWD ? hop : hop + 1].name;
	const char *out = r->pts[dir == VND_DIR_FWD ? hop + 1 : hop].name;
	const struct point *at = &r->pts[hop + s->side];
	char buf[64];

	vnd_put_str(r->lost, in);
	vnd_put_str(r->lost, out);
	vnd_put_str(r->lost, dir == VND_DIR_FWD ? "client" : "server");
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

static void
count(struct vnd_stats *st, int kind, int64_t delay)
{
	switch (kind) {
	case VND_EV_PASSED:
		st->in_pkts++;
		st->out_pkts++;
		vnd_hist_add(&st->delay, delay);
		break;
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
}

/* What became of a packet at a hop: into the totals, its group, --lost. */
static void
on_event(void *arg, int hop, int dir, int kind, const struct vnd_sighting *s,
    const struct vnd_sighting *out, int64_t delay)
{
	struct run *r = arg;
	struct vnd_stats *st;
	struct gkey k;

	(void)out;
	if (r->failed)
		return;
	count(&r->total[2 * hop + dir], kind, delay);
	if (r->o->byflow || r->o->slot) {
		memset(&k, 0, sizeof(k));
		k.hop = hop;
		k.dir = dir;
		if (r->o->slot) {
			k.slot = s->ts / r->o->slot * r->o->slot;
			if (s->ts < 0 && s->ts % r->o->slot)
				k.slot -= r->o->slot;
		}
		if (r->o->byflow) {
			k.ver = s->ver;
			k.proto = s->proto;
			memcpy(k.src, s->src, 16);
			memcpy(k.dst, s->dst, 16);
			k.sport = s->sport;
			k.dport = s->dport;
		}
		if ((st = group(r, &k)) == NULL) {
			snprintf(r->err, sizeof(r->err), "out of memory");
			r->failed = 1;
			return;
		}
		count(st, kind, delay);
	}
	if (r->lost != NULL && (kind == VND_EV_LOST || kind == VND_EV_CREATED))
		put_lost(r, hop, dir, kind == VND_EV_LOST, s);
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

static int
cmp_group(const void *a, const void *b)
{
	const struct gkey *x = &(*(struct group *const *)a)->k;
	const struct gkey *y = &(*(struct group *const *)b)->k;
	int c;

	if (x->hop != y->hop)
		return x->hop < y->hop ? -1 : 1;
	if (x->dir != y->dir)
		return x->dir < y->dir ? -1 : 1;
	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	if ((c = memcmp(x->src, y->src, 16)) != 0)
		return c;
	if ((c = memcmp(x->dst, y->dst, 16)) != 0)
		return c;
	if (x->sport != y->sport)
		return x->sport < y->sport ? -1 : 1;
	if (x->dport != y->dport)
		return x->dport < y->dport ? -1 : 1;
	return x->proto < y->proto ? -1 : x->proto > y->proto;
}

static int
put_row(struct vnd_table *t, const struct run *r, const struct gkey *k,
    const struct vnd_stats *st, char *errbuf)
{
	const struct point *in = &r->pts[k->dir == VND_DIR_FWD ? k->hop : k->hop + 1];
	const struct point *out = &r->pts[k->dir == VND_DIR_FWD ? k->hop + 1 : k->hop];
	char buf[64];

	vnd_put_str(t, in->name);
	vnd_put_str(t, out->name);
	vnd_put_str(t, k->dir == VND_DIR_FWD ? "client" : "server");
	if (r->o->slot)
		vnd_put_int(t, k->slot);
	if (r->o->byflow) {
		vnd_put_text(t, buf, vnd_ip_fmt(buf, k->ver, k->src));
		if (k->proto == 6 || k->proto == 17)
			vnd_put_int(t, k->sport);
		else
			vnd_put_null(t);
		vnd_put_text(t, buf, vnd_ip_fmt(buf, k->ver, k->dst));
		if (k->proto == 6 || k->proto == 17)
			vnd_put_int(t, k->dport);
		else
			vnd_put_null(t);
		vnd_put_int(t, k->proto);
	}
	vnd_put_int(t, (int64_t)st->in_pkts);
	vnd_put_int(t, (int64_t)st->out_pkts);
	vnd_put_int(t, (int64_t)st->lost);
	if (st->in_pkts)
		vnd_put_real(t, (double)st->lost / (double)st->in_pkts);
	else
		vnd_put_null(t);
	if (st->delay.n) {
		vnd_put_int(t, st->delay.min);
		vnd_put_int(t, vnd_hist_quantile(&st->delay, 0.5));
		vnd_put_int(t, vnd_hist_quantile(&st->delay, 0.99));
		vnd_put_int(t, st->delay.max);
	} else {
		vnd_put_null(t);
		vnd_put_null(t);
		vnd_put_null(t);
		vnd_put_null(t);
	}
	vnd_put_int(t, (int64_t)st->created);
	vnd_put_int(t, (int64_t)st->dups);
	vnd_put_int(t, out->offset - in->offset);
	return vnd_row_end(t, errbuf);
}

/* The rows: every hop and direction, or every group in order. */
static int
put_rows(struct vnd_table *t, struct run *r, char *errbuf)
{
	struct group **v;
	struct gkey k;
	size_t i, n = 0;
	int hop, dir, ret = 0;

	if (!r->o->byflow && !r->o->slot) {
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
	if ((v = calloc(r->glen + 1, sizeof(*v))) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	for (i = 0; i < r->gcap; i++)
		if (r->g[i].used)
			v[n++] = &r->g[i];
	qsort(v, n, sizeof(*v), cmp_group);
	for (i = 0; i < n && ret == 0; i++)
		ret = put_row(t, r, &v[i]->k, &v[i]->st, errbuf);
	free(v);
	return ret;
}

/* VND 5.1.1: per hop the delay and the loss, and the hop where they rise. */
static void
path_report(const struct run *r)
{
	const struct vnd_stats *st;
	char p50[32], p99[32];
	int i, dir, worst = -1, wdir = 0;
	double wscore = 0, loss;

	printf("%-32s %-6s %8s %8s %7s %11s %11s\n", "hop", "from", "in", "lost",
	    "loss", "delay p50", "delay p99");
	for (dir = VND_DIR_FWD; dir <= VND_DIR_BWD; dir++)
		for (i = 0; i < r->npts - 1; i++) {
			char name[256];

			st = &r->total[2 * i + dir];
			snprintf(name, sizeof(name), "%s -> %s",
			    r->pts[dir == VND_DIR_FWD ? i : i + 1].name,
			    r->pts[dir == VND_DIR_FWD ? i + 1 : i].name);
			loss = st->in_pkts ? (double)st->lost / (double)st->in_pkts : 0;
			vnd_fmt_ns(p50, sizeof(p50), vnd_hist_quantile(&st->delay, 0.5));
			vnd_fmt_ns(p99, sizeof(p99), vnd_hist_quantile(&st->delay, 0.99));
			printf("%-32s %-6s %8llu %8llu %6.2f%% %11s %11s\n", name,
			    dir == VND_DIR_FWD ? "client" : "server",
			    (unsigned long long)st->in_pkts,
			    (unsigned long long)st->lost, 100 * loss,
			    st->delay.n ? p50 : "-", st->delay.n ? p99 : "-");
			/* loss weighs most; then the median time held */
			if (st->in_pkts && loss + (double)vnd_hist_quantile(&st->delay,
			    0.5) / 1e9 > wscore) {
				wscore = loss + (double)vnd_hist_quantile(&st->delay,
				    0.5) / 1e9;
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
	    "(%.1f%%), held %s at the median\n",
	    r->pts[wdir == VND_DIR_FWD ? worst : worst + 1].name,
	    r->pts[wdir == VND_DIR_FWD ? worst + 1 : worst].name,
	    (unsigned long long)st->lost, (unsigned long long)st->in_pkts,
	    wdir == VND_DIR_FWD ? "client" : "server",
	    100.0 * (double)st->lost / (double)st->in_pkts, p50);
}

static int
write_meta(struct vnd_sink *sink, struct point *pts, int npts,
    const char *command, char *errbuf)
{
	struct vnd_meta_point *m;
	int i, r;

	if ((m = calloc((size_t)npts, sizeof(*m))) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	for (i = 0; i < npts; i++) {
		m[i].name = pts[i].name;
		m[i].file = pts[i].path;
		m[i].format = vnd_pktsrc_format(&pts[i].src);
		m[i].packets = pts[i].src.frame;
		m[i].offset_ns = pts[i].offset;
		m[i].offset_how = pts[i].how;
	}
	r = vnd_meta_write(sink, "vnd-hoploss", command, m, npts, errbuf);
	free(m);
	return r;
}

int
main(int argc, char **argv)
{
	char errbuf[VND_ERRBUF_SIZE];
	struct opts o;
	struct run run;
	struct point *pts;
	struct vnd_match **hops = NULL;
	struct vnd_sink *sink = NULL;
	struct vnd_table *t = NULL;
	const char *name, *path;
	char *command = NULL;
	int npts = 0, ch, i, k, status = VND_EXIT_OK, r;
	int64_t now, v;

	memset(&o, 0, sizeof(o));
	memset(&run, 0, sizeof(run));
	o.header = 1;
	o.window = 2000000000;
	if ((pts = calloc((size_t)argc + 1, sizeof(*pts))) == NULL)
		err(VND_EXIT_FAIL, NULL);
	while ((ch = getopt_long(argc, argv, "b:hHi:o:qVw:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			if (strcmp(optarg, "flow") != 0) {
				warnx("--by '%s': only 'flow'", optarg);
				free(pts);
				return VND_EXIT_USAGE;
			}
			o.byflow = 1;
			break;
		case 'h':
			usage(stdout);
			free(pts);
			return VND_EXIT_OK;
		case 'i':
		case 'w':
			if (vnd_strtons(optarg, ch == 'i' ? &o.slot :
			    &o.window) < 0) {
				warnx("-%c '%s': seconds, from 0.000001 to 86400",
				    ch, optarg);
				free(pts);
				return VND_EXIT_USAGE;
			}
			break;
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
		default:
			usage(stderr);
			free(pts);
			return VND_EXIT_USAGE;
		}
	}
	/* before NAME=file operands are cut at their '=' */
	if ((command = vnd_command_line(argc, argv)) == NULL)
		err(VND_EXIT_FAIL, NULL);
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
	if (npts < 2 || (o.lost && o.path) ||
	    ((o.lost || o.path) && (o.byflow || o.slot))) {
		if (npts < 2)
			warnx("two or more points, in path order, are needed");
		else
			warnx("--lost, --path and the hop rows (with --by, -i) "
			    "are different reports; choose one");
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
	run.o = &o;

	/* Clocks first: each point against the one before it. */
	pts[0].how = "reference";
	for (i = 1; i < npts; i++) {
		if (vnd_clock_offset(pts[i - 1].path, pts[i - 1].owned ? NULL :
		    pts[i - 1].name, pts[i].path, pts[i].owned ? NULL : pts[i].name,
		    &v, &pts[i].how, errbuf) < 0) {
			warnx("%s", errbuf);
			status = VND_EXIT_FAIL;
			goto out;
		}
		pts[i].offset = pts[i - 1].offset + v;
		if (!o.quiet)
			fprintf(stderr, "vnd-hoploss: clock of %s = clock of %s "
			    "%+.9f s (%s)\n", pts[i].name, pts[i - 1].name,
			    (double)v / 1e9, pts[i].how);
	}

	if ((hops = calloc((size_t)npts, sizeof(*hops))) == NULL ||
	    (run.total = calloc(2 * (size_t)npts, sizeof(*run.total))) == NULL)
		err(VND_EXIT_FAIL, NULL);
	for (i = 0; i < 2 * (npts - 1); i++)
		if (vnd_stats_init(&run.total[i], 32) < 0)
			err(VND_EXIT_FAIL, NULL);
	for (i = 0; i < npts - 1; i++)
		if ((hops[i] = vnd_match_new(i, o.window, on_event, &run)) == NULL)
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
		else {
			struct vnd_colspec cols[32];
			int nc = 0, c;

			/* the group's own columns after the hop's first three */
			for (c = 0; c < 3; c++)
				cols[nc++] = hop_cols[c];
			if (o.slot)
				cols[nc++] = (struct vnd_colspec){ "slot_ts_ns", VND_INT };
			if (o.byflow) {
				cols[nc++] = (struct vnd_colspec){ "src_ip", VND_TEXT };
				cols[nc++] = (struct vnd_colspec){ "src_port", VND_INT };
				cols[nc++] = (struct vnd_colspec){ "dst_ip", VND_TEXT };
				cols[nc++] = (struct vnd_colspec){ "dst_port", VND_INT };
				cols[nc++] = (struct vnd_colspec){ "ip_proto", VND_INT };
			}
			for (c = 3; c < (int)(sizeof(hop_cols) / sizeof(hop_cols[0])); c++)
				cols[nc++] = hop_cols[c];
			t = vnd_sink_table(sink, "hops", cols, nc, errbuf);
		}
		if (t == NULL)
			goto fail;
	}
	for (i = 0; i < npts; i++) {
		if (vnd_pktsrc_open(&pts[i].src, pts[i].path, pts[i].owned ? NULL : pts[i].name, errbuf) < 0) {
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
		if (vnd_match_key(&p->pk, &key) == 0) {
			if (k > 0 && vnd_match_see(hops[k - 1], 1, &p->pk, key, now, 0) < 0)
				err(VND_EXIT_FAIL, NULL);
			if (k < npts - 1 && vnd_match_see(hops[k], 0, &p->pk, key, now, 0) < 0)
				err(VND_EXIT_FAIL, NULL);
		}
		for (i = 0; i < npts - 1; i++)
			vnd_match_expire(hops[i], now);
		if (run.failed)
			break;
		advance(p);
	}
	for (i = 0; i < npts - 1; i++)
		vnd_match_flush(hops[i]);
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
	if (o.output && write_meta(sink, pts, npts, command, errbuf) < 0)
		goto fail;
	if (o.path)
		path_report(&run);
	else if (!o.lost && put_rows(t, &run, errbuf) < 0)
		goto fail;
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
		if (pts[i].src.in != NULL || pts[i].src.db != NULL)
			vnd_pktsrc_close(&pts[i].src);
		if (pts[i].owned)
			free((char *)pts[i].name);
	}
	if (hops != NULL)
		for (i = 0; i < npts - 1; i++)
			vnd_match_free(hops[i]);
	free(hops);
	if (run.total != NULL)
		for (i = 0; i < 2 * (npts - 1); i++)
			vnd_stats_free(&run.total[i]);
	free(run.total);
	for (i = 0; i < (int)run.gcap; i++)
		if (run.g[i].used)
			vnd_stats_free(&run.g[i].st);
	free(run.g);
	free(command);
	free(pts);
	if (fflush(stdout) != 0 || ferror(stdout))
		status = VND_EXIT_FAIL;
	return status;
}
