/* vnd-correlate: the same packets and flows at an element's input and output (VND 3.5). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "vnd_cli.h"
#include "vnd_cmp.h"
#include "vnd_cols.h"
#include "vnd_grow.h"
#include "vnd_clock.h"
#include "vnd_match.h"
#include "vnd_meta.h"
#include "vnd_pktsrc.h"
#include "vnd_num.h"
#include "vnd_point.h"
#include "vnd_table.h"
#include "conn.h"
#include "correlate.h"

/*
 * Four ways to find a packet or a flow again on the other side:
 *   fingerprint	pkt_id (and the fields a router keeps): routers, NAT
 *   payload		the payload's hash: L4 load balancers that rewrite
 *			more, proxies that forward a message whole
 *   time		when each connection opens, carries data and closes
 *			on each side: a proxy splits each TCP connection in
 *			two, and the pairs are chosen one to one (timing.c)
 *   order		VND's connection-creation order: the k-th connection
 *			the clients completed is the k-th the proxy opened
 * auto takes the fingerprint's links, then pairs the TCP connections left
 * by time, payload evidence counted in as far as payloads tell
 * connections apart.
 */
static const char *const mname[] = {
	[M_FP] = "fingerprint", [M_PAYLOAD] = "payload", [M_ORDER] = "order",
	[M_TIME] = "time",
};

/* A payload match's weight, nats, when no two connections share a payload. */
#define PAYLOAD_NATS	100.0

#define RECENT	4096	/* payload keys remembered per point, by hash */

struct point {
	const char	*name;
	const char	*path;
	char		*owned;		/* the name, when made from the path */
	struct vnd_pktsrc src;
	struct vnd_pkt	 pk;
	int		 have;
	int64_t		 offset;
	struct conns	 conns;
	uint64_t	 recent[RECENT];	/* the last payload key of each slot */
	long		 recent_conn[RECENT];	/* and its connection */
};

struct run {
	struct point	 p[2];
	int		 methods;
	int		 pairs_only;	/* --pairs */
	int64_t		 window;
	struct vnd_match *fp, *pl;
	struct link	*links;
	size_t		 nlinks, cap;
	uint64_t	 pl_seen, pl_dup;	/* payload sightings, and twins at one point */
	uint64_t	 pl_rep;	/* payloads another connection had sent */
	struct vnd_table *pairs, *flows;
	struct vnd_meta_point meta[2];
	const char	*how;		/* how the clocks were set */
	int		 fp_now;	/* the packet in hand matched by fingerprint */
	int		 failed;
	char		 err[VND_ERRBUF_SIZE];
};

#include "usage.h"	/* the Makefile makes it of usage.txt */

static int
oom(struct run *r)
{
	snprintf(r->err, sizeof(r->err), "out of memory");
	r->failed = 1;
	return -1;
}

static struct link *
link_of(struct run *r, long in, long out)
{
	struct conn *c = &r->p[0].conns.v[in];
	struct link *l;
	size_t i;

	/* the input connection's links, latest first: one or a few */
	for (i = c->links; i > 0; i = r->links[i - 1].next)
		if (r->links[i - 1].out == out)
			return &r->links[i - 1];
	if ((l = vnd_grow(r->links, &r->cap, r->nlinks, sizeof(*l), 256)) == NULL)
		return NULL;
	r->links = l;
	l = &r->links[r->nlinks++];
	memset(l, 0, sizeof(*l));
	l->in = in;
	l->out = out;
	l->next = c->links;
	c->links = r->nlinks;
	return l;
}

static void
put_pair(struct run *r, int method, int dir, const struct vnd_sighting *si,
    const struct vnd_sighting *so, int64_t delay)
{
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
on_match(struct run *r, int method, int dir, const struct vnd_sighting *in,
    const struct vnd_sighting *out, int64_t delay)
{
	const struct vnd_sighting *si = in->side == 0 ? in : out;
	const struct vnd_sighting *so = in->side == 0 ? out : in;
	struct link *l;

	if ((long)si->tag < 0 || (long)so->tag < 0 || r->failed)
		return;
	if ((l = link_of(r, (long)si->tag, (long)so->tag)) == NULL) {
		oom(r);
		return;
	}
	l->n[method]++;
	r->p[0].conns.v[si->tag].mapped |= method;
	r->p[1].conns.v[so->tag].mapped |= method;
	if (r->pairs != NULL)
		put_pair(r, method, dir, si, so, delay);
}

/* An event of the matcher of method (M_FP or M_PAYLOAD: its index). */
static void
on_event(void *arg, int method, int dir, int kind,
    const struct vnd_sighting *in, const struct vnd_sighting *out,
    int64_t delay)
{
	struct run *r = arg;

	/* the same payload twice at one point, waiting: payloads repeat */
	if (method == M_PAYLOAD && kind == VND_EV_DUP)
		r->pl_dup++;
	if (kind != VND_EV_PASSED)
		return;
	/* a packet the fingerprint matched already is not counted twice */
	if (method == M_FP)
		r->fp_now = 1;
	else if (r->fp_now)
		return;
	on_match(r, method, dir, in, out, delay);
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

/* Did another connection send this payload lately (static content)? */
static void
repeated(struct run *r, struct point *p, uint64_t key, long c)
{
	size_t i = (size_t)(key >> 40) % RECENT;

	if (p->recent[i] == key && p->recent_conn[i] != c)
		r->pl_rep++;
	p->recent[i] = key;
	p->recent_conn[i] = c;
}

/* One packet of a side: its connection, then the matchers. */
static int
see(struct run *r, int side)
{
	struct point *p = &r->p[side];
	int64_t now = p->pk.ts_ns - p->offset;
	uint64_t key;
	long c;
	int fwd;

	if ((c = conns_see(&p->conns, &p->pk, now, &fwd)) < 0 && !fwd)
		return oom(r);
	r->fp_now = 0;
	if ((r->methods & M_FP) && vnd_match_key(&p->pk, &key) == 0 &&
	    vnd_match_see(r->fp, side, &p->pk, key, now, (uint64_t)c) < 0)
		return oom(r);
	if ((r->methods & M_PAYLOAD) && payload_key(&p->pk, &key) == 0) {
		r->pl_seen++;
		repeated(r, p, key, c);
		if (vnd_match_see(r->pl, side, &p->pk, key, now, (uint64_t)c) < 0)
			return oom(r);
	}
	if (r->fp != NULL)
		vnd_match_expire(r->fp, now);
	if (r->pl != NULL)
		vnd_match_expire(r->pl, now);
	return r->failed ? -1 : 0;
}

/* Both points, merged in time (the output's clock corrected). */
static int
read_points(struct run *r)
{
	int side;

	advance(&r->p[0]);
	advance(&r->p[1]);
	while (r->p[0].have || r->p[1].have) {
		side = !r->p[0].have ? 1 : !r->p[1].have ? 0 :
		    r->p[1].pk.ts_ns - r->p[1].offset < r->p[0].pk.ts_ns ? 1 : 0;
		if (see(r, side) < 0)
			return -1;
		advance(&r->p[side]);
	}
	if (r->fp != NULL)
		vnd_match_flush(r->fp);
	if (r->pl != NULL)
		vnd_match_flush(r->pl);
	return r->failed ? -1 : 0;
}

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

/* Qsort by time, for the order method's two lists. */
static struct conns *sort_conns;
static int sort_side;

/* When a connection was set up: at the input the client's handshake-completing
 * ACK, at the output the proxy's SYN (VND 5.1.2). */
static int64_t
order_time(const struct conn *c, int side)
{
	if (side == 0 && c->open_ts)
		return c->open_ts;
	return c->syn_ts;
}

static int
cmp_open(const void *a, const void *b)
{
	int64_t x = order_time(&sort_conns->v[*(const long *)a], sort_side);
	int64_t y = order_time(&sort_conns->v[*(const long *)b], sort_side);

	return x < y ? -1 : x > y;
}

/* The connections of a side the order method takes, sorted by setup. */
static size_t
order_list(struct conns *cs, int side, long *v)
{
	size_t i, n = 0;

	for (i = 0; i < cs->n; i++)
		if (!cs->v[i].mapped && cs->v[i].proto == 6 &&
		    (cs->v[i].syn_seen || (side == 0 && cs->v[i].open_seen)))
			v[n++] = (long)i;
	sort_conns = cs;
	sort_side = side;
	qsort(v, n, sizeof(*v), cmp_open);
	return n;
}

/* Proxied TCP connections nothing else found: the k-th with the k-th. */
static int
order_rows(struct run *r, struct row *rows, size_t *nr)
{
	struct conns *ci = &r->p[0].conns, *co = &r->p[1].conns;
	long *li, *lo;
	size_t j, ni, no, nz;

	li = calloc(ci->n + 1, sizeof(*li));
	lo = calloc(co->n + 1, sizeof(*lo));
	if (li == NULL || lo == NULL) {
		free(li);
		free(lo);
		return oom(r);
	}
	ni = order_list(ci, 0, li);
	no = order_list(co, 1, lo);
	nz = ni < no ? ni : no;
	for (j = 0; j < nz; j++) {
		rows[*nr].in = li[j];
		rows[*nr].out = lo[j];
		rows[*nr].method = M_ORDER;
		rows[*nr].n = 0;
		/* the lists' lengths agree: no connection on one side only */
		rows[(*nr)++].conf = (double)nz / (double)(ni > no ? ni : no);
	}
	free(li);
	free(lo);
	return 0;
}

/* The method a link counts for (the fingerprint's, when it has any). */
static int
link_method(const struct run *r, const struct link *l)
{
	int m = l->n[M_FP] ? M_FP : M_PAYLOAD;

	if (r->p[0].conns.v[l->in].mapped & M_FP && m != M_FP)
		return 0;	/* the fingerprint's answer stands */
	/* TCP a proxy split is the time method's, payload evidence in */
	if (m == M_PAYLOAD && (r->methods & M_TIME) &&
	    r->p[0].conns.v[l->in].proto == 6)
		return 0;
	return m;
}

/* Every link as a row, its confidence its share of the input's packets. */
static int
link_rows(struct run *r, struct row *rows, size_t *nr)
{
	uint64_t *tot;
	size_t i;
	int m;

	if ((tot = calloc(r->p[0].conns.n + 1, sizeof(*tot))) == NULL)
		return oom(r);
	for (i = 0; i < r->nlinks; i++)
		if ((m = link_method(r, &r->links[i])) != 0)
			tot[r->links[i].in] += r->links[i].n[m];
	for (i = 0; i < r->nlinks; i++) {
		struct link *l = &r->links[i];

		if ((m = link_method(r, l)) == 0)
			continue;
		rows[*nr].in = l->in;
		rows[*nr].out = l->out;
		rows[*nr].method = m;
		rows[*nr].n = l->n[m];
		rows[(*nr)++].conf = tot[l->in] ? (double)l->n[m] /
		    (double)tot[l->in] : 0;
	}
	free(tot);
	return 0;
}

/*
 * How much a payload match says: as much as it is unlikely to be chance.
 * Chance shows as payloads another connection at the same point had sent,
 * payloads that met a twin there while waiting, and connections whose
 * payloads tie them to several others.
 */
static int
payload_weight(const struct run *r, double *w)
{
	uint32_t *nout;
	size_t i, linked = 0, split = 0;
	double rho;

	*w = 0;
	if (!(r->methods & M_PAYLOAD) || r->pl_seen == 0)
		return 0;
	if ((nout = calloc(r->p[0].conns.n + 1, sizeof(*nout))) == NULL)
		return -1;
	for (i = 0; i < r->nlinks; i++)
		if (r->links[i].n[M_PAYLOAD] && nout[r->links[i].in]++ == 1)
			split++;
	for (i = 0; i < r->p[0].conns.n; i++)
		linked += nout[i] > 0;
	free(nout);
	rho = (double)(r->pl_dup > r->pl_rep ? r->pl_dup : r->pl_rep) /
	    (double)r->pl_seen;
	if (linked && (double)split / (double)linked > rho)
		rho = (double)split / (double)linked;
	*w = rho < exp(-PAYLOAD_NATS) ? PAYLOAD_NATS : -log(rho);
	return 0;
}

static int
time_rows(struct run *r, struct row *rows, size_t *nr)
{
	struct vc_time t;

	memset(&t, 0, sizeof(t));
	t.ci = &r->p[0].conns;
	t.co = &r->p[1].conns;
	t.links = r->links;
	t.nlinks = r->nlinks;
	if (payload_weight(r, &t.payload_weight) < 0)
		return oom(r);
	/* payloads that repeat less than once in a hundred name their rows */
	t.payload_decides = t.payload_weight > -log(0.01);
	t.window = r->window;
	if (vc_time_rows(&t, rows, nr, r->err) < 0) {
		r->failed = 1;
		return -1;
	}
	return 0;
}

static void
put_conn(struct vnd_table *t, const struct conn *c)
{
	vnd_flowkey_put(t, &c->k, 0);
}

static int
put_rows(struct run *r, struct row *rows, size_t nr)
{
	size_t i;

	qsort_r(rows, nr, sizeof(*rows), cmp_row, &r->p[0].conns);
	for (i = 0; i < nr; i++) {
		const struct conn *a = &r->p[0].conns.v[rows[i].in];
		const struct conn *b = &r->p[1].conns.v[rows[i].out];

		put_conn(r->flows, a);
		vnd_put_int(r->flows, a->proto);
		put_conn(r->flows, b);
		vnd_put_str(r->flows, mname[rows[i].method]);
		vnd_put_int(r->flows, (int64_t)rows[i].n);
		vnd_put_real(r->flows, rows[i].conf);
		vnd_put_int(r->flows, a->first_ts + r->p[0].offset);
		if (vnd_row_end(r->flows, r->err) < 0)
			return -1;
	}
	return 0;
}

/* The flow map: the links, then the order or time method's pairs. */
static int
flow_map(struct run *r)
{
	struct row *rows;
	size_t nr = 0;
	int ret;

	if ((rows = calloc(r->nlinks + 2 * r->p[0].conns.n + 1,
	    sizeof(*rows))) == NULL)
		return oom(r);
	ret = link_rows(r, rows, &nr);
	if (ret == 0 && (r->methods & M_ORDER))
		ret = order_rows(r, rows, &nr);
	if (ret == 0 && (r->methods & M_TIME))
		ret = time_rows(r, rows, &nr);
	if (ret == 0)
		ret = put_rows(r, rows, nr);
	free(rows);
	return ret;
}

/* -m NAME: the ways of matching it names. */
static int
methods(struct vnd_cli *cli, struct run *r)
{
	static const struct method { const char *name; int m; } ms[] = {
		{ "auto", M_AUTO }, { "fingerprint", M_FP },
		{ "payload", M_PAYLOAD }, { "order", M_ORDER }, { "time", M_TIME },
	};
	const char *arg = vnd_cli_str(cli, 'm', "auto");
	const struct method *m = vnd_find_name(ms, VND_NELEM(ms), sizeof(ms[0]),
	    arg);

	if (m == NULL)
		return vnd_cli_bad(cli,
		    "-m '%s': time, auto, fingerprint, payload or order", arg);
	r->methods = m->m;
	return 0;
}

/* The options given: how to match, within what window, what to write. */
static int
read_opts(struct vnd_cli *cli, void *ctx)
{
	struct run *r = ctx;

	r->pairs_only = vnd_cli_flag(cli, 'P');
	if (methods(cli, r) < 0)
		return -1;
	return vnd_cli_get_seconds(cli, 'w', &r->window) < 0 ? -1 : 0;
}

static int
check(struct vnd_cli *cli, void *ctx)
{
	struct run *r = ctx;
	const char *name;
	int i;

	if (cli->nops != 2)
		return vnd_cli_bad(cli, "an input and an output point are needed");
	for (i = 0; i < 2; i++) {
		vnd_point_split(cli->ops[i], &name, &r->p[i].path);
		if (strcmp(r->p[i].path, "-") == 0)
			return vnd_cli_bad(cli, "points are read twice (clock "
			    "offset first): standard input cannot be one");
		r->p[i].name = name;
	}
	return 0;
}

/* Names, clocks and sources of the two points. */
static int
open_points(struct vnd_cli *cli, struct run *r)
{
	struct point *p;
	int64_t v;
	int i;

	for (i = 0; i < 2; i++) {
		p = &r->p[i];
		if (p->name == NULL &&
		    (p->name = p->owned = vnd_point_name(p->path)) == NULL)
			return oom(r);
	}
	if (vnd_clock_offset(r->p[0].path, r->p[0].owned ? NULL : r->p[0].name,
	    r->p[1].path, r->p[1].owned ? NULL : r->p[1].name, &v, &r->how,
	    r->err) < 0)
		return -1;
	r->p[1].offset = v;
	if (!cli->quiet)
		fprintf(stderr, "vnd-correlate: clock of %s = clock of %s %+.9f s "
		    "(%s)\n", r->p[1].name, r->p[0].name, (double)v / (double)VND_NS_PER_SEC, r->how);
	for (i = 0; i < 2; i++) {
		p = &r->p[i];
		if (vnd_pktsrc_open(&p->src, p->path, p->owned ? NULL : p->name,
		    r->err) < 0) {
			char e[VND_ERRBUF_SIZE];

			snprintf(e, sizeof(e), "%s", r->err);
			snprintf(r->err, sizeof(r->err), "'%.100s': %.140s",
			    p->path, e);
			return -1;
		}
	}
	return 0;
}

/* The tables asked for, and the matchers. */
static int
open_outputs(struct vnd_cli *cli, struct run *r)
{
	if ((cli->output || r->pairs_only) && (r->pairs = vnd_cli_table(cli,
	    "pairs", VND_COLS(pairs))) == NULL)
		return VND_RUN_SINK;
	if ((cli->output || !r->pairs_only) && (r->flows = vnd_cli_table(cli,
	    "flows", VND_COLS(flows))) == NULL)
		return VND_RUN_SINK;
	if (((r->methods & M_FP) &&
	    (r->fp = vnd_match_new(M_FP, r->window, on_event, r)) == NULL) ||
	    ((r->methods & M_PAYLOAD) && (r->pl = vnd_match_new(M_PAYLOAD,
	    r->window, on_event, r)) == NULL)) {
		oom(r);
		return VND_RUN_ABORT;
	}
	return VND_RUN_OK;
}

/* An input cut short: warned about, the rest is right; unreadable: abort. */
static int
read_status(struct run *r)
{
	int i, status = VND_RUN_OK;

	for (i = 0; i < 2; i++) {
		struct point *p = &r->p[i];

		if (p->src.status != 0)
			fprintf(stderr, "vnd-correlate: '%s': %s\n", p->path,
			    p->src.err);
		if (p->src.status < 0)
			return VND_RUN_ABORT;
		if (p->src.status > 0)
			status = VND_RUN_PARTIAL;
		r->meta[i].name = p->name;
		r->meta[i].file = p->path;
		r->meta[i].format = vnd_pktsrc_format(&p->src);
		r->meta[i].packets = p->src.frame;
		r->meta[i].offset_ns = p->offset;
		r->meta[i].offset_how = i ? r->how : "reference";
	}
	return status;
}

static int
run(struct vnd_cli *cli, void *ctx)
{
	struct run *r = ctx;
	int status;

	if (open_points(cli, r) < 0)
		return vnd_cli_fail(cli, VND_RUN_ABORT, r->err);
	if ((status = open_outputs(cli, r)) != VND_RUN_OK)
		return status == VND_RUN_ABORT ?
		    vnd_cli_fail(cli, status, r->err) : status;
	if (read_points(r) < 0 && r->err[0] != '\0')
		return vnd_cli_fail(cli, VND_RUN_SINK, r->err);
	if ((status = read_status(r)) == VND_RUN_ABORT) {
		cli->err[0] = '\0';	/* said */
		return status;
	}
	cli->meta = r->meta;
	cli->nmeta = 2;
	if (r->flows != NULL && flow_map(r) < 0)
		return vnd_cli_fail(cli, VND_RUN_SINK, r->err);
	return status;
}

static void
run_free(void *ctx)
{
	struct run *r = ctx;
	int i;

	for (i = 0; i < 2; i++) {
		if (r->p[i].src.in != NULL || r->p[i].src.db != NULL)
			vnd_pktsrc_close(&r->p[i].src);
		conns_free(&r->p[i].conns);
		free(r->p[i].owned);
	}
	vnd_match_free(r->fp);
	vnd_match_free(r->pl);
	free(r->links);
}

static struct run tool_ctx = { .methods = M_AUTO, .window = VND_WINDOW_NS };

const struct vnd_tool vnd_tool = {
	.name = "vnd-correlate", .usage = usage,
	.longonly = "pairs=P",
	.flags = VND_CLI_TABLE | VND_CLI_QUIET,
	.opts = read_opts, .check = check, .run = run, .fini = run_free,
	.ctx = &tool_ctx,
};
