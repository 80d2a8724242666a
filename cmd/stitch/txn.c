/* txn.c: messages stitched into transactions by what they share; failures traced to their start. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd_flowtab.h"
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

struct key {
	const char	*s;		/* NULL: by u */
	uint64_t	 u;
	size_t		 i;		/* the message */
};

static int
cmp_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c;

	if (x->s != NULL && (c = strcmp(x->s, y->s)) != 0)
		return c;
	if (x->s == NULL && x->u != y->u)
		return x->u < y->u ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
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

static int
same_key(const struct key *a, const struct key *b)
{
	return a->s != NULL ? !strcmp(a->s, b->s) : a->u == b->u;
}

/*
 * Messages with one key joined. A reply's answers: the first call of its
 * _msg_id (keys sorted by message within a key, the first call first).
 */
static void
pair_calls(struct vs_msg **v, const struct key *k, size_t a, size_t b)
{
	size_t i, call = SIZE_MAX;
	uint64_t reply = 0;

	for (i = a; i < b; i++) {
		struct vs_msg *m = v[k[i].i];

		if (m->kind == VS_CALL && call == SIZE_MAX)
			call = k[i].i;
		else if (m->kind == VS_REPLY && call != SIZE_MAX) {
			m->answers = v[call]->id;
			if (!reply)
				reply = m->id;
		}
	}
	for (i = a; i < b; i++)
		if (v[k[i].i]->kind == VS_CALL) {
			v[k[i].i]->reply = reply;
			if (!reply)
				v[k[i].i]->failed = VS_FAIL_NOREPLY;
		}
}

static void
join_runs(struct vs_msg **v, struct key *k, size_t n, int calls)
{
	size_t a, b;

	qsort(k, n, sizeof(*k), cmp_key);
	for (a = 0; a < n; a = b) {
		for (b = a; b < n && same_key(&k[a], &k[b]); b++)
			join(v, k[a].i, k[b].i);
		if (calls)
			pair_calls(v, k, a, b);
	}
}

/* The identifiers: request ids, message ids, the same bytes twice. */
static int
join_ids(struct vs_msgs *ms)
{
	struct vs_msg **v = ms->v;
	struct key *k;
	size_t i, n = 0;

	if ((k = calloc(2 * ms->n + 1, sizeof(*k))) == NULL)
		return -1;
	for (i = 0; i < ms->n; i++) {
		v[i]->uf = i;
		if (v[i]->f[VS_REQ_ID] != NULL && *v[i]->f[VS_REQ_ID])
			k[n++] = (struct key){ v[i]->f[VS_REQ_ID], 0, i };
		if (v[i]->f[VS_GREQ_ID] != NULL && *v[i]->f[VS_GREQ_ID])
			k[n++] = (struct key){ v[i]->f[VS_GREQ_ID], 0, i };
	}
	join_runs(v, k, n, 0);
	for (i = n = 0; i < ms->n; i++)
		if (v[i]->f[VS_MSG_ID] != NULL)
			k[n++] = (struct key){ v[i]->f[VS_MSG_ID], 0, i };
	join_runs(v, k, n, 1);
	for (i = n = 0; i < ms->n; i++)
		if (v[i]->same)
			k[n++] = (struct key){ NULL, v[i]->same, i };
	join_runs(v, k, n, 0);
	for (i = 0; i < ms->n; i++)
		if (v[i]->answers) {
			join(v, i, v[i]->answers - 1);
			if (v[i]->kind == VS_RESPONSE)
				v[v[i]->answers - 1]->reply = v[i]->id;
		}
	free(k);
	return 0;
}

/* Where a message was sent from and to. */
static const uint8_t *
msg_src(const struct vs_msg *m)
{
	return m->dir ? m->key->dst : m->key->src;
}

static int64_t
served_until(struct vs_msg **v, const struct vs_msg *q)
{
	return q->reply ? v[q->reply - 1]->end_ts : INT64_MAX;
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
named(struct vs_msgs *ms)
{
	uint8_t *has;
	size_t i;

	if ((has = calloc(ms->n + 1, 1)) == NULL)
		return NULL;
	for (i = 0; i < ms->n; i++)
		if (ms->v[i]->f[VS_REQ_ID] != NULL || ms->v[i]->f[VS_GREQ_ID] != NULL)
			has[find(ms->v, i)] = 1;
	return has;
}

/* The one request host h was serving at r's time, or SIZE_MAX (none, or several). */
static size_t
served(struct vs_msg **v, size_t *act, size_t *na, const struct vs_msg *r)
{
	size_t j, hit = SIZE_MAX, nhit = 0;

	for (j = 0; j < *na; j++) {
		struct vs_msg *q = v[act[j]];

		if (served_until(v, q) < r->ts) {
			act[j--] = act[--*na];
			continue;
		}
		if (q->conn != r->conn && q->key->ver == r->key->ver &&
		    memcmp(q->key->dst, msg_src(r), 16) == 0 && q->ts < r->ts &&
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
join_causal(struct vs_msgs *ms)
{
	struct vs_msg **v = ms->v;
	size_t *req, *act, i, na = 0, nr = 0, hit;
	uint8_t *has = named(ms);

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

		hit = served(v, act, &na, r);
		if (hit != SIZE_MAX && !has[find(v, req[i])] &&
		    memcmp(r->key->src, r->key->dst, 16) != 0)
			join(v, req[i], hit);
		act[na++] = req[i];
	}
	free(req);
	free(act);
	free(has);
	return 0;
}

static void
mark_failed(struct vs_msgs *ms)
{
	size_t i;

	for (i = 0; i < ms->n; i++)
		if (ms->v[i]->kind == VS_RESPONSE && ms->v[i]->status >= 400)
			ms->v[i]->failed = VS_FAIL_STATUS;
}

/* A failure's exchange: from its request (or call) to it. */
static void
span(struct vs_msg **v, const struct vs_msg *f, int64_t *a, int64_t *b)
{
	*a = f->answers ? v[f->answers - 1]->ts : f->ts;
	*b = f->kind == VS_CALL ? f->ts : f->end_ts;
}

/* Is failure g within failure f's exchange, and not f itself seen elsewhere? */
static int
within(struct vs_msg **v, const struct vs_msg *f, const struct vs_msg *g)
{
	int64_t fa, fb, ga, gb;

	if (g->same == f->same && g->same != 0)
		return 0;
	span(v, f, &fa, &fb);
	span(v, g, &ga, &gb);
	return fa <= ga && gb <= fb && (fa != ga || fb != gb);
}

/* The root cause among a transaction's messages o[0..n). */
static size_t
root_cause(struct vs_msg **v, const size_t *o, size_t n)
{
	size_t i, j, best = SIZE_MAX;
	int64_t a, b, ba = 0;

	for (i = 0; i < n; i++) {
		if (!v[o[i]]->failed)
			continue;
		for (j = 0; j < n; j++)
			if (j != i && v[o[j]]->failed &&
			    within(v, v[o[i]], v[o[j]]))
				break;
		if (j < n)
			continue;
		span(v, v[o[i]], &a, &b);
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

/* Transactions numbered by their first message's time; each one's messages in order. */
static int
number(struct vs_ctx *ctx)
{
	struct vs_msg **v = ctx->msgs.v;
	size_t i, n = ctx->msgs.n, nr = 0;

	if ((ctx->order = calloc(n + 1, sizeof(size_t))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		ctx->order[i] = i;
	/* by time: the first of each component is its earliest */
	qsort_r(ctx->order, n, sizeof(size_t), cmp_ts, v);
	for (i = 0; i < n; i++) {
		size_t k = ctx->order[i];

		v[k]->uf = find(v, k);
		if (v[v[k]->uf]->txn == 0)
			v[v[k]->uf]->txn = ++nr;
	}
	for (i = 0; i < n; i++)
		v[i]->txn = v[v[i]->uf]->txn;
	qsort_r(ctx->order, n, sizeof(size_t), cmp_txn, v);
	if ((ctx->txns = calloc(nr + 1, sizeof(*ctx->txns))) == NULL)
		return -1;
	ctx->ntxn = nr;
	return 0;
}

static void
summarize(struct vs_ctx *ctx)
{
	struct vs_msg **v = ctx->msgs.v;
	size_t i, n = ctx->msgs.n;

	for (i = 0; i < n; i++) {
		size_t k = ctx->order[i];
		struct vs_txn *t = &ctx->txns[v[k]->txn - 1];

		if (t->nmsgs++ == 0) {
			t->id = v[k]->txn;
			t->first = i;
			t->ts = v[k]->ts;
			t->root = k;
		}
		if (v[k]->end_ts > t->end_ts)
			t->end_ts = v[k]->end_ts;
		/* its root: the first request or call, if any */
		if ((v[t->root]->kind != VS_REQUEST && v[t->root]->kind !=
		    VS_CALL && v[t->root]->kind != VS_CAST) &&
		    (v[k]->kind == VS_REQUEST || v[k]->kind == VS_CALL ||
		    v[k]->kind == VS_CAST))
			t->root = k;
	}
	for (i = 0; i < ctx->ntxn; i++)
		ctx->txns[i].fault = root_cause(v, ctx->order +
		    ctx->txns[i].first, ctx->txns[i].nmsgs);
}

int
vs_stitch(struct vs_ctx *ctx)
{
	if (join_ids(&ctx->msgs) < 0 || join_causal(&ctx->msgs) < 0)
		goto nomem;
	mark_failed(&ctx->msgs);
	if (number(ctx) < 0)
		goto nomem;
	summarize(ctx);
	return 0;
nomem:
	snprintf(ctx->errbuf, sizeof(ctx->errbuf), "out of memory");
	return -1;
}
