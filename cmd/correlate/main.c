/* vnd-correlate: the same packets and flows at an element's input and output (VND 3.5). */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "vnd_clock.h"
#include "vnd_match.h"
#include "vnd_meta.h"
#include "vnd_pktsrc.h"
#include "vnd_num.h"
#include "vnd_point.h"
#include "vnd_table.h"
#include "conn.h"

/*
 * Three ways to find a packet or a flow again on the other side (VND 3.5):
 *   fingerprint	pkt_id (and the fields a router keeps): routers, NAT
 *   payload		the payload's hash: L4 load balancers that rewrite
 *			more, proxies that forward a message whole
 *   order		connection-creation order: a proxy splits each TCP
 *			connection in two; the k-th connection the clients
 *			completed is the k-th the proxy opened
 * auto tries them in that order for each connection.
 */
enum { M_FP = 1, M_PAYLOAD = 2, M_ORDER = 4, M_AUTO = 7 };

static const char *const mname[] = {
	[M_FP] = "fingerprint", [M_PAYLOAD] = "payload", [M_ORDER] = "order",
};

struct point {
	const char	*name;
	const char	*path;
	int		 owned;
	struct vnd_pktsrc src;
	struct vnd_pkt	 pk;
	int		 have;
	int64_t		 offset;
	struct conns	 conns;
};

/* A pair of connections, one each side, and how many packets tie them. */
struct link {
	long		 in, out;
	uint64_t	 n[5];		/* by method: [M_FP], [M_PAYLOAD] */
};

struct run {
	struct point	 p[2];
	int		 methods;
	struct link	*links;
	size_t		 nlinks, cap;
	struct vnd_table *pairs;
	int		 fp_now;	/* the packet in hand matched by fingerprint */
	int		 failed;
	char		 err[VND_ERRBUF_SIZE];
};

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "method", required_argument, NULL, 'm' },
	{ "no-header", no_argument, NULL, 'H' },
	{ "output", required_argument, NULL, 'o' },
	{ "pairs", no_argument, NULL, 'P' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "version", no_argument, NULL, 'V' },
	{ "window", required_argument, NULL, 'w' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: vnd-correlate [-HqV] [-m method] [-o file.db] [-w seconds] [--pairs]\n"
"                     in out (file or name=file: an element's input and output)\n"
"  -H, --no-header       omit the TSV header line\n"
"  -h, --help            this help\n"
"  -m, --method NAME     auto (default), fingerprint, payload or order\n"
"  -o, --output FILE     write SQLite database FILE (tables flows and pairs)\n"
"      --pairs           the matched packet pairs instead of the flow map (TSV)\n"
"  -q, --quiet           no clock-offset line on stderr\n"
"  -V, --version         print the version\n"
"  -w, --window SECONDS  how long a packet may take to cross (default 2)\n");
}

static struct link *
link_of(struct run *r, long in, long out)
{
	struct link *l;
	size_t i;

	/* a connection pair is usually the last one touched: look back first */
	for (i = r->nlinks; i > 0; i--)
		if (r->links[i - 1].in == in && r->links[i - 1].out == out)
			return &r->links[i - 1];
	if (r->nlinks == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		if ((l = realloc(r->links, r->cap * sizeof(*l))) == NULL)
			return NULL;
		r->links = l;
	}
	l = &r->links[r->nlinks++];
	memset(l, 0, sizeof(*l));
	l->in = in;
	l->out = out;
	return l;
}

static void
on_match(struct run *r, int method, int dir, const struct vnd_sighting *in,
    const struct vnd_sighting *out, int64_t delay)
{
	const struct vnd_sighting *si = in->side == 0 ? in : out;
	const struct vnd_sighting *so = in->side == 0 ? out : in;
	struct link *l;

	if ((long)si->tag < 0 || (long)so->tag < 0)
		return;
	if ((l = link_of(r, (long)si->tag, (long)so->tag)) == NULL) {
		snprintf(r->err, sizeof(r->err), "out of memory");
		r->failed = 1;
		return;
	}
	l->n[method]++;
	r->p[0].conns.v[si->tag].mapped |= method;
	r->p[1].conns.v[so->tag].mapped |= method;
	if (r->pairs == NULL || r->failed)
		return;
	vnd_put_int(r->pairs, (int64_t)si->frame);
	vnd_put_int(r->pairs, (int64_t)so->frame);
	vnd_put_int(r->pairs, si->ts + r->p[0].offset);
	vnd_put_int(r->pairs, so->ts + r->p[1].offset);
	vnd_put_int(r->pairs, delay);	/* along its way, from -> the other */
	vnd_put_str(r->pairs, dir == VND_DIR_FWD ? "in" : "out");
	vnd_put_str(r->pairs, mname[method]);
	if (vnd_row_end(r->pairs, r->err) < 0)
		r->failed = 1;
}

static void
on_fp(void *arg, int hop, int dir, int kind, const struct vnd_sighting *in,
    const struct vnd_sighting *out, int64_t delay)
{
	struct run *r = arg;

	(void)hop;
	if (kind != VND_EV_PASSED)
		return;
	r->fp_now = 1;
	on_match(r, M_FP, dir, in, out, delay);
}

static void
on_payload(void *arg, int hop, int dir, int kind, const struct vnd_sighting *in,
    const struct vnd_sighting *out, int64_t delay)
{
	struct run *r = arg;

	(void)hop;
	/* a packet the fingerprint matched already is not counted twice */
	if (kind != VND_EV_PASSED || r->fp_now)
		return;
	on_match(r, M_PAYLOAD, dir, in, out, delay);
}

static int
payload_key(const struct vnd_pkt *pk, uint64_t *key)
{
	uint64_t w[2];

	if (!VND_ISSET(pk, VND_COL_PAYLOAD_HASH) || pk->payload_bytes == 0)
		return -1;
	w[0] = pk->payload_hash;
	w[1] = (uint64_t)pk->ip_proto << 32 | pk->payload_bytes;
	*key = vnd_hash((const uint8_t *)w, sizeof(w)) | 1;
	return 0;
}

static int
advance(struct point *p)
{
	while (vnd_pktsrc_next(&p->src, &p->pk))
		if (VND_ISSET(&p->pk, VND_COL_SRC_IP)) {
			p->have = 1;
			return 1;
		}
	p->have = 0;
	return 0;
}

static const struct vnd_colspec flow_cols[] = {
	{ "in_src_ip", VND_TEXT }, { "in_src_port", VND_INT },
	{ "in_dst_ip", VND_TEXT }, { "in_dst_port", VND_INT },
	{ "ip_proto", VND_INT },
	{ "out_src_ip", VND_TEXT }, { "out_src_port", VND_INT },
	{ "out_dst_ip", VND_TEXT }, { "out_dst_port", VND_INT },
	{ "method", VND_TEXT }, { "matched_pkts", VND_INT },
	{ "confidence", VND_REAL }, { "in_first_ts_ns", VND_INT },
};

static const struct vnd_colspec pair_cols[] = {
	{ "in_frame", VND_INT }, { "out_frame", VND_INT },
	{ "in_ts_ns", VND_INT }, { "out_ts_ns", VND_INT },
	{ "delay_ns", VND_INT }, { "from", VND_TEXT }, { "method", VND_TEXT },
};

struct row {
	long		 in, out;
	int		 method;
	uint64_t	 n;
	double		 conf;
};

static int
cmp_row(const void *a, const void *b, void *arg)
{
	const struct row *x = a, *y = b;
	const struct conns *c = arg;
	int64_t tx = c->v[x->in].first_ts, ty = c->v[y->in].first_ts;

	if (tx != ty)
		return tx < ty ? -1 : 1;
	return x->in < y->in ? -1 : x->in > y->in;
}

static int64_t open_time(const struct conn *c, int side);

/* Qsort by time, for the order method's two lists. */
static struct conns *sort_conns;
static int sort_side;

static int
cmp_open(const void *a, const void *b)
{
	int64_t x = open_time(&sort_conns->v[*(const long *)a], sort_side);
	int64_t y = open_time(&sort_conns->v[*(const long *)b], sort_side);

	return x < y ? -1 : x > y;
}

/* When a connection was set up: at the input the client's handshake-completing
 * ACK, at the output the proxy's SYN (VND 5.1.2). */
static int64_t
open_time(const struct conn *c, int side)
{
	if (side == 0 && c->open_ts)
		return c->open_ts;
	return c->syn_ts;
}

static void
put_conn(struct vnd_table *t, const struct conn *c)
{
	char buf[64];

	vnd_put_text(t, buf, vnd_ip_fmt(buf, c->ver, c->src));
	vnd_put_int(t, c->sport);
	vnd_put_text(t, buf, vnd_ip_fmt(buf, c->ver, c->dst));
	vnd_put_int(t, c->dport);
}

/* The flow map: every linked pair, then the order method's zip. */
static int
flow_map(struct run *r, struct vnd_table *t, char *errbuf)
{
	struct conns *ci = &r->p[0].conns, *co = &r->p[1].conns;
	struct row *rows = NULL;
	long *li = NULL, *lo = NULL;
	size_t nr = 0, i, j, ni = 0, no = 0, nz;
	uint64_t *tot = NULL;
	int m, ret = -1;

	if ((rows = calloc(r->nlinks + ci->n + 1, sizeof(*rows))) == NULL ||
	    (tot = calloc(ci->n + 1, sizeof(*tot))) == NULL ||
	    (li = calloc(ci->n + 1, sizeof(*li))) == NULL ||
	    (lo = calloc(co->n + 1, sizeof(*lo))) == NULL)
		goto oom;
	/* per input connection, the method that found it and its packets */
	for (i = 0; i < r->nlinks; i++) {
		m = r->links[i].n[M_FP] ? M_FP : M_PAYLOAD;
		if (ci->v[r->links[i].in].mapped & M_FP && m != M_FP)
			continue;	/* auto: the fingerprint's answer stands */
		tot[r->links[i].in] += r->links[i].n[m];
	}
	for (i = 0; i < r->nlinks; i++) {
		struct link *l = &r->links[i];

		m = l->n[M_FP] ? M_FP : M_PAYLOAD;
		if (ci->v[l->in].mapped & M_FP && m != M_FP)
			continue;
		rows[nr].in = l->in;
		rows[nr].out = l->out;
		rows[nr].method = m;
		rows[nr].n = l->n[m];
		rows[nr].conf = tot[l->in] ? (double)l->n[m] / (double)tot[l->in] : 0;
		nr++;
	}
	/* proxied TCP connections nothing else found: the k-th with the k-th */
	if (r->methods & M_ORDER) {
		for (i = 0; i < ci->n; i++)
			if (!ci->v[i].mapped && ci->v[i].proto == 6 &&
			    (ci->v[i].open_seen || ci->v[i].syn_seen))
				li[ni++] = (long)i;
		for (i = 0; i < co->n; i++)
			if (!co->v[i].mapped && co->v[i].proto == 6 &&
			    co->v[i].syn_seen)
				lo[no++] = (long)i;
		sort_conns = ci;
		sort_side = 0;
		qsort(li, ni, sizeof(*li), cmp_open);
		sort_conns = co;
		sort_side = 1;
		qsort(lo, no, sizeof(*lo), cmp_open);
		nz = ni < no ? ni : no;
		for (j = 0; j < nz; j++) {
			rows[nr].in = li[j];
			rows[nr].out = lo[j];
			rows[nr].method = M_ORDER;
			rows[nr].n = 0;
			/* the lists' lengths agree: no connection on one side only */
			rows[nr].conf = (double)nz / (double)(ni > no ? ni : no);
			nr++;
		}
	}
	qsort_r(rows, nr, sizeof(*rows), cmp_row, ci);
	for (i = 0; i < nr; i++) {
		const struct conn *a = &ci->v[rows[i].in], *b = &co->v[rows[i].out];

		put_conn(t, a);
		vnd_put_int(t, a->proto);
		put_conn(t, b);
		vnd_put_str(t, mname[rows[i].method]);
		vnd_put_int(t, (int64_t)rows[i].n);
		vnd_put_real(t, rows[i].conf);
		vnd_put_int(t, a->first_ts + r->p[0].offset);
		if (vnd_row_end(t, errbuf) < 0)
			goto out;
	}
	ret = 0;
	goto out;
oom:
	snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
out:
	free(rows);
	free(tot);
	free(li);
	free(lo);
	return ret;
}

int
main(int argc, char **argv)
{
	char errbuf[VND_ERRBUF_SIZE];
	struct run run;
	struct vnd_match *fp = NULL, *pl = NULL;
	struct vnd_sink *sink = NULL;
	struct vnd_table *flows = NULL;
	const char *name, *path, *output = NULL, *how;
	char *command = NULL;
	int ch, i, npts = 0, header = 1, quiet = 0, pairs = 0, status = VND_EXIT_OK;
	int64_t window = 2000000000, v;

	memset(&run, 0, sizeof(run));
	run.methods = M_AUTO;
	while ((ch = getopt_long(argc, argv, "hHm:o:qVw:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return VND_EXIT_OK;
		case 'H':
			header = 0;
			break;
		case 'm':
			if (strcmp(optarg, "auto") == 0)
				run.methods = M_AUTO;
			else if (strcmp(optarg, "fingerprint") == 0)
				run.methods = M_FP;
			else if (strcmp(optarg, "payload") == 0)
				run.methods = M_PAYLOAD;
			else if (strcmp(optarg, "order") == 0)
				run.methods = M_ORDER;
			else {
				warnx("-m '%s': auto, fingerprint, payload or order",
				    optarg);
				return VND_EXIT_USAGE;
			}
			break;
		case 'o':
			output = strcmp(optarg, "-") == 0 ? NULL : optarg;
			break;
		case 'P':
			pairs = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'V':
			printf("vnd-correlate %s\n", VND_VERSION);
			return VND_EXIT_OK;
		case 'w':
			if (vnd_strtons(optarg, &window) < 0) {
				warnx("-w '%s': seconds, from 0.000001 to 86400", optarg);
				return VND_EXIT_USAGE;
			}
			break;
		default:
			usage(stderr);
			return VND_EXIT_USAGE;
		}
	}
	/* before NAME=file operands are cut at their '=' */
	if ((command = vnd_command_line(argc, argv)) == NULL)
		err(VND_EXIT_FAIL, NULL);
	if (argc - optind != 2) {
		warnx("an input and an output point are needed");
		usage(stderr);
		free(command);
		return VND_EXIT_USAGE;
	}
	for (i = optind; i < argc; i++, npts++) {
		struct point *p = &run.p[npts];

		vnd_point_split(argv[i], &name, &path);
		p->path = path;
		if (strcmp(path, "-") == 0) {
			warnx("points are read twice (clock offset first): "
			    "standard input cannot be one");
			status = VND_EXIT_USAGE;
			goto out;
		}
		if (name == NULL) {
			if ((p->name = vnd_point_name(path)) == NULL)
				err(VND_EXIT_FAIL, NULL);
			p->owned = 1;
		} else
			p->name = name;
	}
	if (vnd_clock_offset(run.p[0].path, run.p[0].owned ? NULL : run.p[0].name,
	    run.p[1].path, run.p[1].owned ? NULL : run.p[1].name, &v, &how,
	    errbuf) < 0) {
		warnx("%s", errbuf);
		status = VND_EXIT_FAIL;
		goto out;
	}
	run.p[1].offset = v;
	if (!quiet)
		fprintf(stderr, "vnd-correlate: clock of %s = clock of %s %+.9f s "
		    "(%s)\n", run.p[1].name, run.p[0].name, (double)v / 1e9, how);

	if ((output ? vnd_sink_sqlite(&sink, output, errbuf) :
	    vnd_sink_tsv(&sink, stdout, header, errbuf)) < 0)
		errx(VND_EXIT_FAIL, "'%s': %s", output ? output : "stdout", errbuf);
	if ((output || pairs) && (run.pairs = vnd_sink_table(sink, "pairs",
	    pair_cols, (int)(sizeof(pair_cols) / sizeof(pair_cols[0])),
	    errbuf)) == NULL)
		goto fail;
	if ((output || !pairs) && (flows = vnd_sink_table(sink, "flows",
	    flow_cols, (int)(sizeof(flow_cols) / sizeof(flow_cols[0])),
	    errbuf)) == NULL)
		goto fail;
	if ((fp = vnd_match_new(0, window, on_fp, &run)) == NULL ||
	    (pl = vnd_match_new(0, window, on_payload, &run)) == NULL)
		err(VND_EXIT_FAIL, NULL);
	for (i = 0; i < 2; i++) {
		if (vnd_pktsrc_open(&run.p[i].src, run.p[i].path, run.p[i].owned ? NULL : run.p[i].name, errbuf) < 0) {
			warnx("'%s': %s", run.p[i].path, errbuf);
			status = VND_EXIT_FAIL;
			goto abort;
		}
		advance(&run.p[i]);
	}
	for (;;) {
		struct point *p;
		uint64_t key;
		int64_t now;
		long c;
		int fwd, side;

		if (!run.p[0].have && !run.p[1].have)
			break;
		side = !run.p[0].have ? 1 : !run.p[1].have ? 0 :
		    run.p[1].pk.ts_ns - run.p[1].offset < run.p[0].pk.ts_ns ? 1 : 0;
		p = &run.p[side];
		now = p->pk.ts_ns - p->offset;
		c = conns_see(&p->conns, &p->pk, now, &fwd);
		run.fp_now = 0;
		if ((run.methods & M_FP) && vnd_match_key(&p->pk, &key) == 0 &&
		    vnd_match_see(fp, side, &p->pk, key, now, (uint64_t)c) < 0)
			err(VND_EXIT_FAIL, NULL);
		if ((run.methods & M_PAYLOAD) && payload_key(&p->pk, &key) == 0 &&
		    vnd_match_see(pl, side, &p->pk, key, now, (uint64_t)c) < 0)
			err(VND_EXIT_FAIL, NULL);
		vnd_match_expire(fp, now);
		vnd_match_expire(pl, now);
		if (run.failed)
			break;
		advance(p);
	}
	vnd_match_flush(fp);
	vnd_match_flush(pl);
	for (i = 0; i < 2; i++)
		if (run.p[i].src.status != 0) {
			warnx("'%s': %s", run.p[i].path, run.p[i].src.err);
			status = VND_EXIT_FAIL;
			if (run.p[i].src.status < 0)
				goto abort;
		}
	if (run.failed) {
		snprintf(errbuf, sizeof(errbuf), "%s", run.err);
		goto fail;
	}
	if (flows != NULL && flow_map(&run, flows, errbuf) < 0)
		goto fail;
	if (output != NULL) {
		struct vnd_meta_point m[2];

		for (i = 0; i < 2; i++) {
			m[i].name = run.p[i].name;
			m[i].file = run.p[i].path;
			m[i].format = vnd_pktsrc_format(&run.p[i].src);
			m[i].packets = run.p[i].src.frame;
			m[i].offset_ns = run.p[i].offset;
			m[i].offset_how = i ? how : "reference";
		}
		if (vnd_meta_write(sink, "vnd-correlate", command, m, 2,
		    errbuf) < 0)
			goto fail;
	}
	if (vnd_sink_close(sink, 1, errbuf) < 0) {
		sink = NULL;
		goto fail;
	}
	sink = NULL;
	goto out;
fail:
	warnx("'%s': %s", output ? output : "stdout", errbuf);
	status = VND_EXIT_FAIL;
abort:
	vnd_sink_close(sink, output == NULL, errbuf);
out:
	for (i = 0; i < 2; i++) {
		if (run.p[i].src.in != NULL || run.p[i].src.db != NULL)
			vnd_pktsrc_close(&run.p[i].src);
		conns_free(&run.p[i].conns);
		if (run.p[i].owned)
			free((char *)run.p[i].name);
	}
	vnd_match_free(fp);
	vnd_match_free(pl);
	free(run.links);
	free(command);
	if (fflush(stdout) != 0 || ferror(stdout))
		status = VND_EXIT_FAIL;
	return status;
}
