/* txn.c: messages stitched into transactions by what they share; failures traced to their start. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd_flowtab.h"
#include "vnd_pkt.h"
#include "stitch.h"

/*
 * Two messages belong to one transaction when they share an identifier that
 * names one operation: a request id (OpenStack's X-Openstack-Request-Id, the
 * global request id a caller passes on, an RPC's _context_request_id), an
 * RPC's _msg_id (a call and its reply), a response and its request (the
 * same connection, in order), the same bytes seen at another point or on
 * both sides of the broker (publish and deliver). Reply queues are not
 * identifiers of an operation (a process's calls share one), nor are
 * resource UUIDs (operations on one server share them): they are shown,
 * not stitched on. A request whose transaction names no request id, sent
 * from a host while that host was serving exactly one request, is caused
 * by the one served (causality); not on loopback, where every service is
 * the same host.
 *
 * A failed message is an HTTP status of 400 or more, an RPC reply with a
 * failure, or an RPC call whose reply never came. A failure is caused by
 * another when the other's exchange (request to answer) lies within its
 * own: the root cause is a failure that nothing within it caused, the
 * earliest such.
 */

/*
 * Identifiers, each with the first message (in id order) that had it: a
 * string s with its hash h, or a hash alone (s NULL). Open addressing.
 */
struct slot {
	uint64_t	 h;
	const char	*s;
	uint32_t	 gen;		/* not the table's: empty */
	uint32_t	 first;
	uint32_t	 call;		/* a _msg_id's first call, NONE */
	uint32_t	 reply;		/* its first reply after that call, NONE */
};

#define NONE	UINT32_MAX

struct idtab {
	struct slot	*s;
	size_t		 mask, count;
	uint32_t	 gen;		/* of the slots in use */
};

/*
 * Every slot empty: not cleared, a new generation. The table is kept from
 * one window to the next (a new one is pages to fault in), grown as
 * identifiers come (at most half full), never shrunk.
 */
static int
tab_reset(struct idtab *t)
{
	t->count = 0;
	t->gen++;
	if (t->s != NULL)
		return 0;
	if ((t->s = calloc(1024, sizeof(*t->s))) == NULL)
		return -1;
	t->mask = 1023;
	t->gen = 1;
	return 0;
}

/* Twice the slots, those in use placed again. */
static int
tab_grow(struct idtab *t)
{
	size_t i, k, cap = 2 * (t->mask + 1);
	struct slot *ns;

	if ((ns = calloc(cap, sizeof(*ns))) == NULL)
		return -1;
	for (i = 0; i <= t->mask; i++) {
		if (t->s[i].gen != t->gen)
			continue;
		for (k = t->s[i].h & (cap - 1); ns[k].gen == t->gen;
		    k = (k + 1) & (cap - 1))
			;
		ns[k] = t->s[i];
	}
	free(t->s);
	t->s = ns;
	t->mask = cap - 1;
	return 0;
}

/* The slot of identifier (h, s): made for message i if it is new; NULL: no memory. */
static struct slot *
tab_get(struct idtab *t, uint64_t h, const char *s, size_t i)
{
	struct slot *e;
	size_t k;

	for (k = h & t->mask;; k = (k + 1) & t->mask) {
		e = &t->s[k];
		if (e->gen != t->gen)
			break;
		if (e->h == h && (s == NULL || strcmp(e->s, s) == 0))
			return e;
	}
	if ((t->count + 1) * 2 > t->mask + 1) {
		if (tab_grow(t) < 0)
			return NULL;
		return tab_get(t, h, s, i);
	}
	t->count++;
	*e = (struct slot){ h, s, t->gen, (uint32_t)i, NONE, NONE };
	return e;
}

/* Field f of message i. */
static struct slot *
tab_field(struct idtab *t, const struct vs_msg *m, int f, size_t i)
{
	return tab_get(t, vnd_hash((const uint8_t *)m->f[f], m->flen[f]),
	    m->f[f], i);
}

static size_t
find(struct vs_msg **v, size_t i)
{
	while (v[i]->uf != i) {
		v[i]->uf = v[v[i]->uf]->uf;
		i = v[i]->uf;
	}
	return i;
}

static void
join(struct vs_msg **v, size_t a, size_t b)
{
	a = find(v, a);
	b = find(v, b);
	/* the earlier message is the root: numbering is then by the first */
	if (a < b)
		v[b]->uf = a;
	else if (b < a)
		v[a]->uf = b;
}

/*
 * A _msg_id's messages, in id order: a reply answers the first call; the
 * calls' reply is the first reply that came after it (none: no reply).
 */
static void
pair_call(struct vs_msg **v, struct slot *e, size_t i)
{
	struct vs_msg *m = v[i];

	if (m->kind == VS_CALL && e->call == NONE)
		e->call = (uint32_t)i;
	else if (m->kind == VS_REPLY && e->call != NONE) {
		m->answers = v[e->call]->id;
		if (e->reply == NONE)
			e->reply = (uint32_t)i;
	}
}

/* The three kinds of identifiers: request ids, _msg_ids, the same bytes. */
struct vs_ids {
	struct idtab	 req, msg, same;
	uint64_t	*id;		/* each message's id */
	size_t		 cap;		/* of id[] */
};

static void
ids_free(struct vs_ids *x)
{
	if (x == NULL)
		return;
	free(x->req.s);
	free(x->msg.s);
	free(x->same.s);
	free(x->id);
	free(x);
}

/* The tables for ms's messages, empty (those of the last window, reused). */
static int
ids_init(struct vs_ids *x, struct vs_msgs *ms)
{
	size_t i;

	if (ms->n + 1 > x->cap) {
		free(x->id);
		x->cap = 2 * ms->n + 1;
		if ((x->id = malloc(x->cap * sizeof(*x->id))) == NULL) {
			x->cap = 0;
			return -1;
		}
	}
	for (i = 0; i < ms->n; i++)
		x->id[i] = ms->v[i]->id;
	if (tab_reset(&x->req) < 0 || tab_reset(&x->msg) < 0 ||
	    tab_reset(&x->same) < 0)
		return -1;
	return 0;
}

/* Messages i and the first with slot e's identifier joined; -1: no memory. */
static int
join_slot(struct vs_msg **v, const struct slot *e, size_t i)
{
	if (e == NULL)
		return -1;
	join(v, e->first, i);
	return 0;
}

/* Message i joined to those that share an identifier with it, or it answers. */
static int
join_one(struct vs_msgs *ms, struct vs_ids *x, size_t i)
{
	static const int f[] = { VS_REQ_ID, VS_GREQ_ID };
	struct vs_msg **v = ms->v, *m = v[i];
	struct slot *e;
	size_t k, j;

	for (k = 0; k < VND_NELEM(f); k++)
		if (m->f[f[k]] != NULL && *m->f[f[k]] &&
		    join_slot(v, tab_field(&x->req, m, f[k], i), i) < 0)
			return -1;
	if (m->f[VS_MSG_ID] != NULL) {
		if (join_slot(v, e = tab_field(&x->msg, m, VS_MSG_ID, i), i) < 0)
			return -1;
		pair_call(v, e, i);
	}
	if (m->same && join_slot(v, tab_get(&x->same, m->same, NULL, i), i) < 0)
		return -1;
	if (m->kind == VS_RESPONSE && m->status >= 400)
		m->failed = VS_FAIL_STATUS;
	if (m->answers && (j = vs_id_index(x->id, ms->n, m->answers)) !=
	    SIZE_MAX) {
		join(v, i, j);
		if (m->kind == VS_RESPONSE) {
			v[j]->reply = m->id;
			v[j]->reply_end = m->end_ts;
		}
	}
	return 0;
}

/*
 * The identifiers: request ids, message ids, the same bytes twice;
 * answers. In one walk of the messages (each is a cache miss or two); a
 * call's reply, the first of its _msg_id after it, once all are seen.
 * names[i]: does message i name a request id.
 */
static int
join_ids(struct vs_ctx *ctx, uint8_t *names)
{
	struct vs_msgs *ms = &ctx->msgs;
	struct vs_msg **v = ms->v;
	struct vs_ids *x = ctx->ids;
	uint32_t r;
	size_t i;

	if (x == NULL && (x = ctx->ids = calloc(1, sizeof(*x))) == NULL)
		return -1;
	if (ids_init(x, ms) < 0)
		return -1;
	for (i = 0; i < ms->n; i++)
		v[i]->uf = i;
	for (i = 0; i < ms->n; i++) {
		names[i] = v[i]->f[VS_REQ_ID] != NULL ||
		    v[i]->f[VS_GREQ_ID] != NULL;
		if (join_one(ms, x, i) < 0)
			return -1;
	}
	/* each call's _msg_id is there: found, not made */
	for (i = 0; i < ms->n; i++)
		if (v[i]->kind == VS_CALL && v[i]->f[VS_MSG_ID] != NULL) {
			r = tab_field(&x->msg, v[i], VS_MSG_ID, i)->reply;
			v[i]->reply = r != NONE ? v[r]->id : 0;
			v[i]->failed = r != NONE ? VS_OK : VS_FAIL_NOREPLY;
		}
	return 0;
}

/* Where a message was sent from and to. */
static const uint8_t *
msg_src(const struct vs_msg *m)
{
	return m->dir ? m->key.dst : m->key.src;
}

/* A request is served until its response's end. */
static int64_t
served_until(const struct vs_msg *q)
{
	return q->reply ? q->reply_end : INT64_MAX;
}

static int
cmp_ts(const void *a, const void *b, void *arg)
{
	struct vs_msg **v = arg;
	const struct vs_msg *x = v[*(const size_t *)a], *y = v[*(const size_t *)b];

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Does any message of each one's component name a request id? by root. */
static uint8_t *
named(struct vs_msgs *ms, const uint8_t *names)
{
	uint8_t *has;
	size_t i;

	if ((has = calloc(ms->n + 1, 1)) == NULL)
		return NULL;
	for (i = 0; i < ms->n; i++)
		if (names[i])
			has[find(ms->v, i)] = 1;
	return has;
}

/* The one request host h was serving at r's time, or SIZE_MAX (none, or several). */
static size_t
served(const struct vs_msgs *ms, size_t *act, size_t *na,
    const struct vs_msg *r)
{
	size_t j, hit = SIZE_MAX, nhit = 0;

	for (j = 0; j < *na; j++) {
		struct vs_msg *q = ms->v[act[j]];

		if (served_until(q) < r->ts) {
			act[j--] = act[--*na];
			continue;
		}
		if (q->conn != r->conn && q->key.ver == r->key.ver &&
		    memcmp(q->key.dst, msg_src(r), 16) == 0 && q->ts < r->ts &&
		    q->same != r->same) {
			nhit++;
			hit = act[j];
		}
	}
	return nhit == 1 ? hit : SIZE_MAX;
}

/*
 * Causality: an HTTP request of a transaction that names no request id,
 * sent from a host while that host was serving one request (and only one),
 * is that request's doing. The requests being served are swept in time
 * order. Not on loopback, where every service is the same host.
 */
static int
join_causal(struct vs_msgs *ms, const uint8_t *names)
{
	struct vs_msg **v = ms->v;
	size_t *req, *act, i, na = 0, nr = 0, hit;
	uint8_t *has = named(ms, names);

	req = calloc(ms->n + 1, sizeof(*req));
	act = calloc(ms->n + 1, sizeof(*act));
	if (req == NULL || act == NULL || has == NULL) {
		free(req);
		free(act);
		free(has);
		return -1;
	}
	for (i = 0; i < ms->n; i++)
		if (v[i]->kind == VS_REQUEST)
			req[nr++] = i;
	qsort_r(req, nr, sizeof(*req), cmp_ts, v);
	for (i = 0; i < nr; i++) {
		struct vs_msg *r = v[req[i]];

		hit = served(ms, act, &na, r);
		if (hit != SIZE_MAX && !has[find(v, req[i])] &&
		    memcmp(r->key.src, r->key.dst, 16) != 0)
			join(v, req[i], hit);
		act[na++] = req[i];
	}
	free(req);
	free(act);
	free(has);
	return 0;
}

/* A failure's exchange: from its request (or call) to it. */
static void
span(const struct vs_msgs *ms, const struct vs_msg *f, int64_t *a, int64_t *b)
{
	const struct vs_msg *q = f->answers ? vs_msg_find(ms, f->answers) : NULL;

	*a = q != NULL ? q->ts : f->ts;
	*b = f->kind == VS_CALL ? f->ts : f->end_ts;
}

/* Is failure g within failure f's exchange, and not f itself seen elsewhere? */
static int
within(const struct vs_msgs *ms, const struct vs_msg *f, const struct vs_msg *g)
{
	int64_t fa, fb, ga, gb;

	if (g->same == f->same && g->same != 0)
		return 0;
	span(ms, f, &fa, &fb);
	span(ms, g, &ga, &gb);
	return fa <= ga && gb <= fb && (fa != ga || fb != gb);
}

/* The root cause among a transaction's messages o[0..n). */
static size_t
root_cause(const struct vs_msgs *ms, const size_t *o, size_t n)
{
	struct vs_msg **v = ms->v;
	size_t i, j, best = SIZE_MAX;
	int64_t a, b, ba = 0;

	for (i = 0; i < n; i++) {
		if (!v[o[i]]->failed)
			continue;
		for (j = 0; j < n; j++)
			if (j != i && v[o[j]]->failed &&
			    within(ms, v[o[i]], v[o[j]]))
				break;
		if (j < n)
			continue;
		span(ms, v[o[i]], &a, &b);
		if (best == SIZE_MAX || a < ba || (a == ba && o[i] < best)) {
			best = o[i];
			ba = a;
		}
	}
	return best;
}

static int
cmp_txn(const void *a, const void *b, void *arg)
{
	struct vs_msg **v = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	size_t rx = v[x]->uf, ry = v[y]->uf;

	if (v[rx]->txn != v[ry]->txn)
		return v[rx]->txn < v[ry]->txn ? -1 : 1;
	return cmp_ts(a, b, arg);
}

/*
 * The batch's transactions numbered by their first message's time, after
 * those written before; each one's messages in order.
 */
static int
number(struct vs_ctx *ctx)
{
	struct vs_msg **v = ctx->batch.v;
	size_t i, k, n = ctx->batch.n, nr = 0;
	uint64_t *ids;

	if ((ctx->order = calloc(n + 1, sizeof(size_t))) == NULL ||
	    (ids = vs_msg_ids(&ctx->batch)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		ctx->order[i] = i;
		v[i]->txn = 0;
	}
	/* by time: the first of each component is its earliest */
	qsort_r(ctx->order, n, sizeof(size_t), cmp_ts, v);
	for (i = 0; i < n; i++) {
		size_t k = ctx->order[i];

		v[k]->uf = find(v, k);
		if (v[v[k]->uf]->txn == 0)
			v[v[k]->uf]->txn = ctx->txn_base + ++nr;
	}
	for (i = 0; i < n; i++) {
		v[i]->txn = v[v[i]->uf]->txn;
		k = v[i]->answers ? vs_id_index(ids, n, v[i]->answers) : SIZE_MAX;
		v[i]->ask = k != SIZE_MAX ? v[k] : NULL;
	}
	free(ids);
	qsort_r(ctx->order, n, sizeof(size_t), cmp_txn, v);
	if ((ctx->txns = calloc(nr + 1, sizeof(*ctx->txns))) == NULL)
		return -1;
	ctx->ntxn = nr;
	return 0;
}

static int
is_ask(const struct vs_msg *m)
{
	return m->kind == VS_REQUEST || m->kind == VS_CALL || m->kind == VS_CAST;
}

static void
summarize(struct vs_ctx *ctx)
{
	struct vs_msg **v = ctx->batch.v;
	size_t i, n = ctx->batch.n;

	for (i = 0; i < n; i++) {
		size_t k = ctx->order[i];
		struct vs_txn *t = &ctx->txns[v[k]->txn - ctx->txn_base - 1];

		if (t->nmsgs++ == 0) {
			t->id = v[k]->txn;
			t->first = i;
			t->ts = v[k]->ts;
			t->root = k;
		}
		if (v[k]->end_ts > t->end_ts)
			t->end_ts = v[k]->end_ts;
		/* its root: the first request or call, if any */
		if (!is_ask(v[t->root]) && is_ask(v[k]))
			t->root = k;
	}
	for (i = 0; i < ctx->ntxn; i++)
		ctx->txns[i].fault = root_cause(&ctx->batch, ctx->order +
		    ctx->txns[i].first, ctx->txns[i].nmsgs);
}

/* The held messages stitched, from scratch: a join may be undone by what came since. */
static int
stitch_held(struct vs_ctx *ctx)
{
	uint8_t *names;
	int ret = -1;

	if ((names = malloc(ctx->msgs.n + 1)) != NULL &&
	    join_ids(ctx, names) == 0 &&
	    join_causal(&ctx->msgs, names) == 0)
		ret = 0;
	free(names);
	return ret;
}

struct comp {
	size_t		 root;		/* its first message's index */
	int64_t		 ts, last;	/* its first byte, its last message's end */
	int64_t		 ask;		/* its latest request or call not
					   answered, sent at; 0: none */
};

static int
cmp_comp(const void *a, const void *b, void *arg)
{
	const struct comp *x = a, *y = b;

	return cmp_ts(&x->root, &y->root, arg);
}

/*
 * The held transactions (*nc of them) by their first message's time,
 * each with its last end; slot[r]: the rank of the one whose union-find
 * root is r.
 */
static struct comp *
components(struct vs_msgs *ms, size_t *nc, size_t *slot)
{
	struct vs_msg **v = ms->v;
	struct comp *c;
	size_t i, r, n = 0;

	if ((c = calloc(ms->n + 1, sizeof(*c))) == NULL)
		return NULL;
	for (i = 0; i < ms->n; i++) {
		r = find(v, i);
		if (r == i) {
			slot[i] = n;
			c[n++] = (struct comp){ i, v[i]->ts, v[i]->end_ts, 0 };
		}
		r = slot[r];
		if (cmp_ts(&i, &c[r].root, v) < 0) {
			c[r].root = i;
			c[r].ts = v[i]->ts;
		}
		if (v[i]->end_ts > c[r].last)
			c[r].last = v[i]->end_ts;
		if ((v[i]->kind == VS_REQUEST || v[i]->kind == VS_CALL) &&
		    v[i]->reply == 0 && v[i]->ts > c[r].ask)
			c[r].ask = v[i]->ts;
	}
	qsort_r(c, n, sizeof(*c), cmp_comp, v);
	for (i = 0; i < n; i++)
		slot[find(v, c[i].root)] = i;
	*nc = n;
	return c;
}

/*
 * How many of the transactions, first first, are closed: quiet for the
 * window, and no request or call unanswered for less than the reply wait
 * (its caller still waits: what it does when it gives up is theirs), now
 * and before the first byte of any message still being read (it could be
 * theirs; and numbering by first message is then final); or the input is
 * over.
 */
static size_t
closed(const struct vs_ctx *ctx, const struct comp *c, size_t n, int64_t now,
    int64_t low, int end)
{
	int64_t edge = now < low ? now : low;
	int64_t wait = ctx->reply_wait > ctx->window ? ctx->reply_wait :
	    ctx->window;
	size_t i;

	if (end)
		return n;
	for (i = 0; i < n; i++)
		if (c[i].last >= edge - ctx->window ||
		    (c[i].ask != 0 && c[i].ask >= edge - wait))
			break;
	return i;
}

/*
 * The first k transactions (slot[] of each root: its rank) move from the
 * held to the batch, their union-find in batch indexes (idx[]: scratch).
 */
static int
take(struct vs_ctx *ctx, const size_t *slot, size_t k, size_t *idx)
{
	struct vs_msgs *ms = &ctx->msgs, *b = &ctx->batch;
	size_t i, r, kept = 0;

	if ((b->v = calloc(ms->n + 1, sizeof(*b->v))) == NULL)
		return -1;
	for (i = 0; i < ms->n; i++)
		idx[i] = find(ms->v, i);
	for (i = 0; i < ms->n; i++) {
		r = idx[i];		/* its root, at or before it */
		if (slot[r] >= k) {
			ms->v[kept++] = ms->v[i];
			continue;
		}
		/* a root's own slot becomes its batch index, for those after it */
		ms->v[i]->uf = r == i ? b->n : idx[r];
		if (r == i)
			idx[i] = b->n;
		b->v[b->n++] = ms->v[i];
	}
	ms->n = kept;
	return 0;
}

static int
put_batch(struct vs_ctx *ctx)
{
	char *e = ctx->errbuf;

	if ((ctx->t[0] && vs_put_messages(ctx, ctx->t[0], e) < 0) ||
	    (ctx->t[1] && vs_put_transactions(ctx, ctx->t[1], e) < 0) ||
	    (ctx->t[2] && vs_put_faults(ctx, ctx->t[2], e) < 0)) {
		ctx->sink_failed = 1;
		return -1;
	}
	return 0;
}

static void
batch_free(struct vs_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->batch.n; i++)
		vs_msg_free(ctx->batch.v[i]);
	free(ctx->batch.v);
	free(ctx->txns);
	free(ctx->order);
	ctx->batch.v = NULL;
	ctx->batch.n = 0;
	ctx->txns = NULL;
	ctx->order = NULL;
	ctx->ntxn = 0;
}

int
vs_flush(struct vs_ctx *ctx, int64_t now, int64_t low, int end)
{
	struct comp *c = NULL;
	size_t *slot, *idx, nc = 0, k;
	int ret = -1;

	if (ctx->msgs.n == 0)
		return 0;
	slot = calloc(ctx->msgs.n, sizeof(*slot));
	idx = calloc(ctx->msgs.n, sizeof(*idx));
	if (slot == NULL || idx == NULL || stitch_held(ctx) < 0 ||
	    (c = components(&ctx->msgs, &nc, slot)) == NULL)
		goto nomem;
	if (nc > ctx->held.txns)
		ctx->held.txns = nc;
	if ((k = closed(ctx, c, nc, now, low, end)) == 0) {
		ret = 0;
		goto out;
	}
	if (take(ctx, slot, k, idx) < 0 || number(ctx) < 0)
		goto nomem;
	summarize(ctx);
	if (!end)
		ctx->held.batches++;
	ret = put_batch(ctx);
	ctx->txn_base += ctx->ntxn;
	goto out;
nomem:
	snprintf(ctx->errbuf, sizeof(ctx->errbuf), "out of memory");
out:
	batch_free(ctx);
	free(c);
	free(slot);
	free(idx);
	return ret;
}

void
vs_ctx_free(struct vs_ctx *ctx)
{
	size_t i;

	batch_free(ctx);
	ids_free(ctx->ids);
	ctx->ids = NULL;
	for (i = 0; i < ctx->msgs.n; i++)
		vs_msg_free(ctx->msgs.v[i]);
	free(ctx->msgs.v);
	memset(&ctx->msgs, 0, sizeof(ctx->msgs));
}
