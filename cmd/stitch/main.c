/* vnd-stitch: a control plane's REST and RPC messages from captures, stitched into transactions. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "vnd.h"
#include "vnd_cli.h"
#include "vnd_cols.h"
#include "vnd_flowtab.h"
#include "vnd_grow.h"
#include "vnd_pktsrc.h"
#include "vnd_reasm.h"
#include "vnd_table.h"
#include "stitch.h"

/*
 * Hansel (CoNEXT 2015) and Gretel (CoNEXT 2016) find the root cause of a
 * failed OpenStack operation from the network alone: its REST calls (HTTP)
 * and RPCs (AMQP, in oslo.messaging's envelope), stitched into the one
 * transaction they belong to. Each TCP connection's two streams are rebuilt
 * (vnd_reasm), each stream read by the parser its first bytes call for, and
 * its messages held until their transaction is closed: once a window of
 * the input's time passed without a message of it (txn.c), or at the end.
 * Memory then follows the transactions in flight, not the recording.
 */

/* -w's default: longer than any pause inside an operation of the samples */
#define WINDOW_NS	(10 * VND_NS_PER_SEC)
#define REPLY_WAIT_NS	(70 * VND_NS_PER_SEC)	/* oslo.messaging waits 60 s for a reply */

/* A connection's state while it is alive: freed at its end. */
struct live {
	struct vnd_reasm ra;
	struct run	*r;
	size_t		 conn;		/* index in r->c */
	int		 proto;		/* VS_x */
	struct vs_http	*http[2];
	struct vs_amqp	*amqp[2];
	uint64_t	 fnv[2];	/* FNV-1a of each stream's bytes */
	int64_t		 first_ts, last_ts;
};

struct conn {
	struct vnd_flowkey k;
	uint64_t	 id;		/* 1-based */
	int64_t		 dead_ts;	/* the input's time at its end */
	uint32_t	 isn;		/* the client's SYN's */
	int		 had_syn, carried;
	struct live	*live;
};

struct run {
	struct conn	**c;		/* NULL: a slot free again */
	size_t		 n, cap;
	uint64_t	 nconn;		/* connections so far */
	size_t		*spare;		/* free slots of c */
	size_t		 nspare, sparecap;
	int64_t		 now;		/* the input's time */
	struct vnd_flowtab ft;
	struct vs_ctx	 ctx;
	size_t		 limit;		/* -m */
	int		 want_txn, want_faults, want_streams;
	struct vnd_table *streams;
	int		 failed;
	int		 want_stats;
	const struct vnd_cli *cli;
	int64_t		 next_flush;	/* the input's time of the next look */
};

#include "usage.h"	/* the Makefile makes it of usage.txt */

#define FNV_BASIS	0xcbf29ce484222325ULL	/* FNV-1a's offset basis */

static const char *const proto_names[] = { "-", "http", "amqp", "other" };

static const struct vnd_flowkey *
flow_key(void *arg, size_t i)
{
	return &((struct run *)arg)->c[i]->k;
}

static void
fnv(uint64_t *h, const uint8_t *p, size_t n)
{
	uint64_t x = *h;
	size_t i;

	for (i = 0; i < n; i++)
		x = (x ^ p[i]) * 0x100000001b3ULL;
	*h = x;
}

/* The first bytes of a stream say what it carries. */
static void
detect(struct live *l, int dir, const uint8_t *p, size_t n)
{
	const struct vnd_flowkey *k = &l->r->c[l->conn]->k;
	struct vs_side sd = { &l->r->ctx, k, l->r->c[l->conn]->id, 0 };

	if (p == NULL)
		return;
	if ((dir == 0 && vs_amqp_looks(p, n)) || k->dport == 5672 ||
	    k->sport == 5672)
		l->proto = VS_AMQP;
	else if (vs_http_looks(p, n))
		l->proto = VS_HTTP;
	else {
		l->proto = VS_OTHER;
		return;
	}
	for (sd.dir = 0; sd.dir < 2; sd.dir++)
		if (l->proto == VS_AMQP)
			l->amqp[sd.dir] = vs_amqp_new(&sd);
		else
			l->http[sd.dir] = vs_http_new(&sd);
}

static int
on_bytes(void *arg, int dir, const uint8_t *p, size_t n, int64_t ts)
{
	struct live *l = arg;
	uint32_t seq = l->ra.d[dir].next - (uint32_t)n;

	if (l->first_ts == 0)
		l->first_ts = ts;
	l->last_ts = ts;
	if (l->r->want_streams && p != NULL)
		fnv(&l->fnv[dir], p, n);
	if (l->proto == VS_NONE)
		detect(l, dir, p, n);
	switch (l->proto) {
	case VS_HTTP:
		if (l->http[dir] == NULL)
			break;
		return vs_http_feed(l->http[dir], l->http[!dir], p, n, seq, ts);
	case VS_AMQP:
		if (l->amqp[dir] == NULL)
			break;
		return vs_amqp_feed(l->amqp[dir], p, n, ts);
	default:
		return 0;
	}
	snprintf(l->r->ctx.errbuf, sizeof(l->r->ctx.errbuf), "out of memory");
	return -1;
}

static int
put_stream(struct run *r, const struct conn *c, const struct live *l, int dir)
{
	const struct vnd_reasm_stats *st = &l->ra.d[dir].st;
	struct vnd_table *t = r->streams;
	char hex[17];

	vnd_put_str(t, c->k.point);
	vnd_put_int(t, (int64_t)c->id);
	vnd_flowkey_put(t, &c->k, dir);
	vnd_put_str(t, proto_names[l->proto]);
	vnd_put_int(t, l->first_ts);
	vnd_put_int(t, l->last_ts);
	vnd_put_int(t, (int64_t)st->segs);
	vnd_put_int(t, (int64_t)st->bytes);
	vnd_put_int(t, (int64_t)st->gaps);
	vnd_put_int(t, (int64_t)st->gap_bytes);
	vnd_put_int(t, (int64_t)st->retx_bytes);
	vnd_put_int(t, (int64_t)st->overlap_bytes);
	vnd_put_int(t, (int64_t)st->conflict_bytes);
	vnd_put_int(t, (int64_t)st->ooo_segs);
	vnd_put_int(t, (int64_t)st->held_max);
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)l->fnv[dir]);
	vnd_put_str(t, hex);
	return vnd_row_end(t, r->ctx.errbuf);
}

/* A connection is over (or the input): what is held goes out, its state is freed. */
static int
conn_end(struct run *r, struct conn *c)
{
	struct live *l = c->live;
	int d, ret = 0;

	if (l == NULL)
		return 0;
	for (d = 0; d < 2; d++)
		if (ret == 0 && vnd_reasm_end(&l->ra, d) < 0)
			ret = -1;
	for (d = 0; d < 2; d++) {
		if (ret == 0 && l->http[d] != NULL &&
		    vs_http_feed(l->http[d], l->http[!d], NULL, 0, 0,
		    l->last_ts) < 0)
			ret = -1;
		if (ret == 0 && r->streams != NULL &&
		    (l->ra.d[d].st.segs || d == 0) && put_stream(r, c, l, d) < 0)
			ret = -1;
	}
	for (d = 0; d < 2; d++) {
		vs_http_free(l->http[d]);
		vs_amqp_free(l->amqp[d]);
	}
	vnd_reasm_free(&l->ra);
	free(l);
	c->live = NULL;
	c->dead_ts = r->now;
	return ret;
}

/*
 * Connections over for a window are forgotten, their slots reused: memory
 * follows the connections alive. (Until then a late segment of one is
 * known as such, not taken for another connection.)
 */
static void
forget(struct run *r, int64_t now)
{
	size_t i, *ns;

	for (i = 0; i < r->n; i++) {
		if (r->c[i] == NULL || r->c[i]->live != NULL ||
		    r->c[i]->dead_ts >= now - r->ctx.window)
			continue;
		vnd_flowtab_del(&r->ft, i);
		free(r->c[i]);
		r->c[i] = NULL;
		if ((ns = vnd_grow(r->spare, &r->sparecap, r->nspare,
		    sizeof(*ns), 64)) == NULL)
			continue;	/* the slot is not used again */
		r->spare = ns;
		r->spare[r->nspare++] = i;
	}
}

/* A slot for a new connection: a free one, or one more. */
static long
slot(struct run *r)
{
	struct conn **nc;

	if (r->nspare > 0)
		return (long)r->spare[--r->nspare];
	if ((nc = vnd_grow(r->c, &r->cap, r->n, sizeof(*nc), 64)) == NULL)
		return -1;
	r->c = nc;
	r->c[r->n] = NULL;
	return (long)r->n++;
}

static struct conn *
conn_new(struct run *r, const struct vnd_pkt *pk, const char *point, long old,
    int *dir)
{
	struct conn *c;
	long pos;

	if ((pos = slot(r)) < 0 || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	r->c[pos] = c;
	vnd_flowkey_init(&c->k, pk, point, dir);
	c->id = ++r->nconn;
	if ((c->live = calloc(1, sizeof(*c->live))) == NULL)
		return NULL;
	c->live->r = r;
	c->live->conn = (size_t)pos;
	c->live->fnv[0] = c->live->fnv[1] = FNV_BASIS;
	vnd_reasm_init(&c->live->ra, r->limit, on_bytes, c->live);
	r->ft.key = flow_key;
	r->ft.arg = r;
	if (old >= 0)
		vnd_flowtab_retarget(&r->ft, (size_t)old, (size_t)pos);
	else if (vnd_flowtab_add(&r->ft, (size_t)pos) < 0)
		return NULL;
	return c;
}

static struct conn *
conn_of(struct run *r, const struct vnd_pkt *pk, const char *point, int *dir)
{
	long k;

	if ((k = vnd_flowtab_find(&r->ft, pk, point, dir)) >= 0) {
		struct conn *c = r->c[k];

		if (!vnd_flow_new_syn(pk, *dir == 0 && c->had_syn, c->isn,
		    c->carried))
			return c;
		if (conn_end(r, c) < 0)
			return NULL;
	}
	return conn_new(r, pk, point, k, dir);
}

/*
 * The first byte's time of the oldest message still being read, or of
 * the oldest bytes held out of order (read later with their own time).
 */
static int64_t
reading(const struct run *r)
{
	int64_t low = INT64_MAX, t;
	size_t i;
	int d;

	for (i = 0; i < r->n; i++) {
		const struct live *l = r->c[i] != NULL ? r->c[i]->live : NULL;

		for (d = 0; l != NULL && d < 2; d++) {
			if ((t = vs_http_reading(l->http[d])) < low)
				low = t;
			if ((t = vs_amqp_reading(l->amqp[d])) < low)
				low = t;
			if ((t = vnd_reasm_held_ts(&l->ra, d)) < low)
				low = t;
		}
	}
	return low;
}

/*
 * Once a window of the input's time: the transactions closed are written.
 * Not before the last operand is being read: operands are read one after
 * the other, and a later one may hold messages of the same transactions.
 */
static int
look(struct run *r, int64_t now)
{
	if (r->ctx.window == 0 || now < r->next_flush ||
	    r->cli->pts.n < r->cli->nops)
		return 0;
	r->next_flush = now + r->ctx.window;
	forget(r, now);
	return vs_flush(&r->ctx, now, reading(r), 0);
}

static int
see(void *arg, const struct vnd_pkt *pk, const char *point)
{
	struct run *r = arg;
	struct conn *c;
	int dir;

	if (pk->ip_proto != 6 || !VND_ISSET(pk, VND_COL_TCP_FLAGS) ||
	    (VND_ISSET(pk, VND_COL_FRAG_OFF) && pk->frag_off))
		return 0;
	r->now = pk->ts_ns;
	if ((c = conn_of(r, pk, point, &dir)) == NULL)
		goto nomem;
	if ((pk->tcp_flags & (VND_TH_SYN | VND_TH_ACK)) == VND_TH_SYN &&
	    dir == 0) {
		c->had_syn = 1;
		c->isn = pk->seq;
	}
	if (pk->payload_bytes || (pk->tcp_flags & (VND_TH_FIN | VND_TH_RST)))
		c->carried = 1;
	if (c->live == NULL)
		return 0;		/* after its end: a stray segment */
	if (vnd_reasm_add(&c->live->ra, dir, pk) < 0)
		goto fail;
	if ((pk->tcp_flags & VND_TH_RST) || (vnd_reasm_finished(&c->live->ra,
	    0) && vnd_reasm_finished(&c->live->ra, 1)))
		if (conn_end(r, c) < 0)
			goto fail;
	if (look(r, pk->ts_ns) < 0)
		goto fail;
	return 0;
nomem:
	snprintf(r->ctx.errbuf, sizeof(r->ctx.errbuf), "out of memory");
fail:
	r->failed = 1;
	return -1;
}

/* The secrets' key: of -k KEY's hash, else random. */
static int
set_key(struct vnd_cli *cli, struct run *r)
{
	const char *key = vnd_cli_str(cli, 'k', NULL);
	uint64_t h;

	memset(r->ctx.key, 0, sizeof(r->ctx.key));
	if (key == NULL)
		return getrandom(r->ctx.key, sizeof(r->ctx.key), 0) ==
		    (ssize_t)sizeof(r->ctx.key) ? 0 :
		    vnd_cli_bad(cli, "no random key: give one with -k");
	h = vs_siphash(r->ctx.key, (const uint8_t *)key, strlen(key));
	memcpy(r->ctx.key, &h, sizeof(h));
	return 0;
}

static int
check(struct vnd_cli *cli, void *ctx)
{
	struct run *r = ctx;
	int64_t held = (int64_t)r->limit;

	if (vnd_cli_get_int(cli, 'm', 1, INT64_C(1) << 30, &held) < 0 ||
	    vnd_cli_get_seconds(cli, 'W', &r->ctx.reply_wait) < 0 ||
	    vnd_cli_get_seconds0(cli, 'w', &r->ctx.window) < 0)
		return -1;
	r->limit = (size_t)held;
	r->want_faults = vnd_cli_flag(cli, 'f');
	r->want_stats = vnd_cli_flag(cli, 'S');
	r->want_streams = vnd_cli_flag(cli, 's');
	r->want_txn = vnd_cli_flag(cli, 't');
	if (cli->output == NULL &&
	    r->want_faults + r->want_streams + r->want_txn > 1)
		return vnd_cli_bad(cli, "one table on standard output: "
		    "--faults, --streams or --transactions, or -o file.db");
	return set_key(cli, r);
}

/* The unread and the unparsed, told once on standard error. */
static void
tell(const struct vnd_cli *cli, const struct vs_errors *e)
{
	if (cli->quiet)
		return;
	if (e->http_errors)
		fprintf(stderr, "%s: %llu HTTP streams broke off: not HTTP "
		    "(the last: %s)\n", cli->tool->name,
		    (unsigned long long)e->http_errors, e->http_last);
	if (e->amqp_errors)
		fprintf(stderr, "%s: %llu bytes on AMQP connections were not "
		    "AMQP frames (the last: %s)\n", cli->tool->name,
		    (unsigned long long)e->amqp_errors, e->amqp_last);
	if (e->json_errors)
		fprintf(stderr, "%s: %llu AMQP bodies were not oslo.messaging's "
		    "JSON\n", cli->tool->name,
		    (unsigned long long)e->json_errors);
	if (e->lost_msgs)
		fprintf(stderr, "%s: %llu messages cut by a gap in the capture\n",
		    cli->tool->name, (unsigned long long)e->lost_msgs);
}

static int
open_tables(struct vnd_cli *cli, struct run *r)
{
	struct vnd_table **t = r->ctx.t;
	int all = cli->output != NULL;
	int msgs = all || !(r->want_txn || r->want_faults || r->want_streams);

	if (r->want_streams && (r->streams = vnd_cli_table(cli, "streams",
	    VND_COLS(streams))) == NULL)
		return -1;
	if (msgs && (t[0] = vnd_cli_table(cli, "messages",
	    VND_COLS(messages))) == NULL)
		return -1;
	if ((all || r->want_txn) && (t[1] = vnd_cli_table(cli, "transactions",
	    VND_COLS(transactions))) == NULL)
		return -1;
	if ((all || r->want_faults) && (t[2] = vnd_cli_table(cli, "faults",
	    VND_COLS(faults))) == NULL)
		return -1;
	return 0;
}

/* How much was held at once (--stats). */
static void
stats(const struct vnd_cli *cli, const struct run *r)
{
	const struct vs_held *h = &r->ctx.held;

	fprintf(stderr, "%s: %llu messages in %llu transactions on %llu "
	    "connections; at most %zu messages, %zu transactions and %zu "
	    "connections held at once; %llu batches written before the end\n",
	    cli->tool->name, (unsigned long long)r->ctx.last_id,
	    (unsigned long long)r->ctx.txn_base, (unsigned long long)r->nconn,
	    h->msgs, h->txns, r->n, (unsigned long long)h->batches);
}

static int
run(struct vnd_cli *cli, void *ctx)
{
	struct run *r = ctx;
	size_t i;
	int status;

	r->cli = cli;
	if (open_tables(cli, r) < 0)
		return VND_RUN_SINK;
	status = vnd_cli_read(cli, see, r);
	for (i = 0; i < r->n && !r->failed; i++)
		if (r->c[i] != NULL && conn_end(r, r->c[i]) < 0)
			r->failed = 1;
	if (!r->failed && status != VND_RUN_ABORT && vs_flush(&r->ctx, 0,
	    INT64_MAX, 1) < 0)
		r->failed = 1;
	if (r->failed || status == VND_RUN_ABORT) {
		if (r->failed)
			snprintf(cli->err, sizeof(cli->err), "%s",
			    r->ctx.errbuf);
		return r->ctx.sink_failed ? VND_RUN_SINK : VND_RUN_ABORT;
	}
	tell(cli, &r->ctx.err);
	if (r->want_stats)
		stats(cli, r);
	return status;
}

static void
stitch_free(void *ctx)
{
	struct run *r = ctx;
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct live *l = r->c[i] != NULL ? r->c[i]->live : NULL;

		if (l != NULL) {
			vs_http_free(l->http[0]);
			vs_http_free(l->http[1]);
			vs_amqp_free(l->amqp[0]);
			vs_amqp_free(l->amqp[1]);
			vnd_reasm_free(&l->ra);
			free(l);
		}
		free(r->c[i]);
	}
	free(r->c);
	free(r->spare);
	vnd_flowtab_free(&r->ft);
	vs_ctx_free(&r->ctx);
	vs_oslo_free();
}

static struct run tool_ctx = {
	.limit = VND_REASM_LIMIT, .ctx.window = WINDOW_NS,
	.ctx.reply_wait = REPLY_WAIT_NS,
};

const struct vnd_tool vnd_tool = {
	.name = "vnd-stitch", .usage = usage,
	.longonly = "reply-wait=W stats=S",
	.flags = VND_CLI_TABLE | VND_CLI_QUIET | VND_CLI_STDIN,
	.min_ops = 1,
	.check = check, .run = run,
	.fini = stitch_free,
	.ctx = &tool_ctx,
};
