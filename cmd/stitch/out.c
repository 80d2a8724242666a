/* out.c: vnd-stitch's tables: messages, transactions, faults. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd_flowtab.h"
#include "stitch.h"

#define MAX_SERVICES	8	/* named per transaction */
#define MAX_CHAIN	32	/* messages in a fault's chain */

static const char *const proto_names[] = { "-", "http", "amqp", "other" };
static const char *const fault_names[] = {
	"-", "http_status", "rpc_failure", "no_reply"
};

static void
put_opt(struct vnd_table *t, const char *s)
{
	if (s == NULL)
		vnd_put_null(t);
	else
		vnd_put_str(t, s);
}

/* Field f of m, its length known. */
static void
put_field(struct vnd_table *t, const struct vs_msg *m, int f)
{
	if (m->f[f] == NULL)
		vnd_put_null(t);
	else
		vnd_put_text(t, m->f[f], m->flen[f]);
}

static void
put_id(struct vnd_table *t, uint64_t id)
{
	if (id)
		vnd_put_int(t, (int64_t)id);
	else
		vnd_put_null(t);
}

/* The message a response or reply answers, or the message itself. */
static const struct vs_msg *
asked(const struct vs_msg *m)
{
	return m->ask != NULL ? m->ask : m;
}

/* The service a message goes to: an HTTP server's address, an RPC's topic. */
static const char *
server(const struct vs_msg *m, char *buf)
{
	const struct vs_msg *q = asked(m);
	char digits[8], *d = digits + sizeof(digits);
	unsigned port = m->key.dport;
	size_t k;

	if (m->proto == VS_AMQP)
		return q->f[VS_TARGET] ? q->f[VS_TARGET] : "-";
	k = vnd_ip_fmt(buf, m->key.ver, m->key.dst);
	*--d = '\0';
	do
		*--d = (char)('0' + port % 10);
	while ((port /= 10) != 0);
	buf[k] = ':';
	memcpy(buf + k + 1, d, (size_t)(digits + sizeof(digits) - d));
	return buf;
}

/* The method and target of the exchange a message belongs to. */
static void
put_asked(struct vnd_table *t, const struct vs_msg *m)
{
	const struct vs_msg *q = asked(m);

	put_field(t, q, VS_METHOD);
	put_field(t, q, VS_TARGET);
}

static const char *
failure_text(const struct vs_msg *m)
{
	if (m->failed == VS_FAIL_NOREPLY)
		return "no reply";
	return m->f[VS_FAILURE];
}

static int
put_msg(struct vnd_table *t, const struct vs_msg *m, char *errbuf)
{
	char srv[128];

	vnd_put_int(t, (int64_t)m->id);
	vnd_put_int(t, (int64_t)m->txn);
	vnd_put_str(t, m->key.point ? m->key.point : "-");
	vnd_put_int(t, m->ts);
	vnd_put_int(t, m->end_ts);
	vnd_put_int(t, (int64_t)m->conn);
	vnd_flowkey_put(t, &m->key, m->dir);
	vnd_put_str(t, proto_names[m->proto]);
	vnd_put_str(t, vs_kind_name(m->kind));
	vnd_put_str(t, server(m, srv));
	put_field(t, m, VS_METHOD);
	put_field(t, m, VS_TARGET);
	put_id(t, (uint64_t)m->status);
	put_opt(t, failure_text(m));
	put_id(t, m->answers);
	if (m->answers)
		vnd_put_int(t, m->end_ts - asked(m)->ts);
	else
		vnd_put_null(t);
	put_field(t, m, VS_AMQP_METHOD);
	put_field(t, m, VS_EXCHANGE);
	put_field(t, m, VS_REQ_ID);
	put_field(t, m, VS_GREQ_ID);
	put_field(t, m, VS_MSG_ID);
	put_field(t, m, VS_REPLY_Q);
	put_field(t, m, VS_UNIQUE_ID);
	put_field(t, m, VS_UUIDS);
	put_field(t, m, VS_AUTH);
	vnd_put_int(t, (int64_t)m->body_bytes);
	vnd_put_int(t, (int64_t)m->gap_bytes);
	return vnd_row_end(t, errbuf);
}

int
vs_put_messages(struct vs_ctx *ctx, struct vnd_table *t, char *errbuf)
{
	size_t i;

	for (i = 0; i < ctx->batch.n; i++)
		if (put_msg(t, ctx->batch.v[i], errbuf) < 0)
			return -1;
	return 0;
}

/* Appends s to the comma-separated list in buf, unless it is there. */
static void
list_add(char *buf, size_t len, const char *s, int *n)
{
	size_t k = strlen(buf), sl = strlen(s);
	const char *p;

	for (p = buf; (p = strstr(p, s)) != NULL; p += sl)
		if ((p == buf || p[-1] == ',') && (p[sl] == ',' || p[sl] == '\0'))
			return;
	if (*n >= MAX_SERVICES || k + sl + 2 > len)
		return;
	snprintf(buf + k, len - k, "%s%s", k ? "," : "", s);
	(*n)++;
}

/* Has a message of o[0..i) the same bytes as o[i] (one message seen twice)? */
static int
seen_before(struct vs_msg **v, const size_t *o, size_t i)
{
	size_t j;

	if (v[o[i]]->same == 0)
		return 0;
	for (j = 0; j < i; j++)
		if (v[o[j]]->same == v[o[i]]->same)
			return 1;
	return 0;
}

static const char *
txn_request_id(struct vs_msg **v, const size_t *o, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[o[i]]->f[VS_GREQ_ID] != NULL)
			return v[o[i]]->f[VS_GREQ_ID];
	for (i = 0; i < n; i++)
		if (v[o[i]]->f[VS_REQ_ID] != NULL)
			return v[o[i]]->f[VS_REQ_ID];
	return NULL;
}

static int
put_txn(struct vs_ctx *ctx, struct vnd_table *t, const struct vs_txn *x,
    char *errbuf)
{
	struct vs_msg **v = ctx->batch.v;
	const size_t *o = ctx->order + x->first;
	char services[512] = "", srv[128];
	int64_t http = 0, rpc = 0;
	size_t i;
	int ns = 0;

	for (i = 0; i < x->nmsgs; i++) {
		list_add(services, sizeof(services), server(v[o[i]], srv),
		    &ns);
		if (seen_before(v, o, i))
			continue;
		if (v[o[i]]->proto == VS_HTTP)
			http++;
		else
			rpc++;
	}
	vnd_put_int(t, (int64_t)x->id);
	vnd_put_int(t, x->ts);
	vnd_put_int(t, x->end_ts);
	vnd_put_int(t, x->end_ts - x->ts);
	vnd_put_int(t, (int64_t)v[x->root]->id);
	put_field(t, v[x->root], VS_METHOD);
	put_field(t, v[x->root], VS_TARGET);
	vnd_put_int(t, (int64_t)x->nmsgs);
	vnd_put_int(t, http);
	vnd_put_int(t, rpc);
	vnd_put_str(t, services);
	put_opt(t, txn_request_id(v, o, x->nmsgs));
	vnd_put_str(t, x->fault != SIZE_MAX ? "failed" : "ok");
	put_id(t, x->fault != SIZE_MAX ? v[x->fault]->id : 0);
	return vnd_row_end(t, errbuf);
}

int
vs_put_transactions(struct vs_ctx *ctx, struct vnd_table *t, char *errbuf)
{
	size_t i;

	for (i = 0; i < ctx->ntxn; i++)
		if (put_txn(ctx, t, &ctx->txns[i], errbuf) < 0)
			return -1;
	return 0;
}

/*
 * The chain from the user's request to the fault: every request or call of
 * the transaction whose exchange holds the fault's, in time order, then the
 * fault itself.
 */
static void
chain(struct vs_ctx *ctx, const struct vs_txn *x, char *buf, size_t len)
{
	struct vs_msg **v = ctx->batch.v;
	const struct vs_msg *f = v[x->fault], *q = asked(f), *m, *a;
	const size_t *o = ctx->order + x->first;
	size_t i, k = 0;
	int n = 0;

	buf[0] = '\0';
	for (i = 0; i < x->nmsgs && n < MAX_CHAIN; i++) {
		m = v[o[i]];
		a = m->reply ? vs_msg_find(&ctx->batch, m->reply) : NULL;
		if ((m->kind != VS_REQUEST && m->kind != VS_CALL) ||
		    seen_before(v, o, i) || m->ts > q->ts ||
		    (m != q && a != NULL && a->end_ts < f->end_ts))
			continue;
		if (m != q && m->same == q->same)
			continue;
		k += (size_t)snprintf(buf + k, len - k, "%s%llu", k ? ">" : "",
		    (unsigned long long)m->id);
		n++;
		if (k >= len)
			return;
	}
	if (f != q)
		snprintf(buf + k, len - k, "%s%llu", k ? ">" : "",
		    (unsigned long long)f->id);
}

static int
put_fault(struct vs_ctx *ctx, struct vnd_table *t, const struct vs_txn *x,
    char *errbuf)
{
	struct vs_msg **v = ctx->batch.v;
	const struct vs_msg *f = v[x->fault], *root = v[x->root];
	const size_t *o = ctx->order + x->first;
	char srv[128], ch[MAX_CHAIN * 21 + 1];

	vnd_put_int(t, (int64_t)x->id);
	vnd_put_int(t, f->ts);
	vnd_put_int(t, (int64_t)root->id);
	put_field(t, root, VS_METHOD);
	put_field(t, root, VS_TARGET);
	vnd_put_int(t, (int64_t)f->id);
	vnd_put_str(t, fault_names[f->failed]);
	vnd_put_str(t, server(f, srv));
	put_asked(t, f);
	put_id(t, (uint64_t)f->status);
	put_opt(t, failure_text(f));
	put_opt(t, txn_request_id(v, o, x->nmsgs));
	chain(ctx, x, ch, sizeof(ch));
	vnd_put_str(t, ch);
	return vnd_row_end(t, errbuf);
}

int
vs_put_faults(struct vs_ctx *ctx, struct vnd_table *t, char *errbuf)
{
	size_t i;

	for (i = 0; i < ctx->ntxn; i++)
		if (ctx->txns[i].fault != SIZE_MAX &&
		    put_fault(ctx, t, &ctx->txns[i], errbuf) < 0)
			return -1;
	return 0;
}
