/* oslo.c: oslo.messaging's envelope in an AMQP body: an RPC call, cast or reply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "stitch.h"

/*
 * oslo.messaging (impl_rabbit, amqpdriver) sends a JSON object whose
 * "oslo.message" is a string holding the message as JSON again (envelope
 * version "oslo.version" 2.0). A call has "method", "args", a "_msg_id"
 * and the "_reply_q" its answer goes to; a cast has no "_msg_id"; a reply
 * has "result" and "failure" (JSON once more: the exception's class,
 * module and message) and the call's "_msg_id". The caller's context rides
 * along as "_context_*" keys: request_id, global_request_id, auth_token.
 */

#define MAX_FAILURE	160	/* bytes of an exception's message kept */

/* The members read, in the envelope and in the message. */
enum {
	K_MESSAGE, K_METHOD, K_MSG_ID, K_REPLY_Q, K_UNIQUE_ID, K_REQ_ID,
	K_GREQ_ID, K_AUTH, K_RESULT, K_FAILURE, K_ENDING, NKEYS
};
static const char *const keys[NKEYS] = {
	"oslo.message", "method", "_msg_id", "_reply_q", "_unique_id",
	"_context_request_id", "_context_global_request_id",
	"_context_auth_token", "result", "failure", "ending"
};
/* the fields the first string members go to */
static const int key_field[] = {
	-1, VS_METHOD, VS_MSG_ID, VS_REPLY_Q, VS_UNIQUE_ID, VS_REQ_ID,
	VS_GREQ_ID
};
/* a failure's members */
static const char *const fkeys[] = { "module", "class", "message" };

/*
 * One body's reading: its strings unescaped into room reserved at its
 * start (never moved while it is read), the jansson trees that the few
 * bodies the scanner is unsure of were parsed into.
 */
struct body {
	json_t		*hold[3];
	int		 nhold;
	char		*room;
	size_t		 used, cap;
};

static struct body scratch;

/* members of the object p[0..n): the scanner's, else jansson's; -1: not an object. */
static int
members(struct body *b, const char *p, size_t n, const char *const *k,
    int nk, struct vs_jval *out)
{
	json_t *o, *v;
	int i;

	if (vs_json_members(p, n, k, nk, out) == 0)
		return 0;
	o = json_loadb(p, n, 0, NULL);
	if (o == NULL || !json_is_object(o) || b->nhold == VND_NELEM(b->hold)) {
		json_decref(o);
		return -1;
	}
	b->hold[b->nhold++] = o;
	for (i = 0; i < nk; i++) {
		v = json_object_get(o, k[i]);
		out[i] = (struct vs_jval){ v == NULL ? VS_JSON_ABSENT :
		    json_is_string(v) ? VS_JSON_STRING : VS_JSON_OTHER, 0,
		    json_is_string(v) ? json_string_value(v) : NULL,
		    json_is_string(v) ? json_string_length(v) : 0 };
	}
	return 0;
}

/* A string member's value, NUL-terminated, in b's room (*n its length). */
static const char *
text(struct body *b, const struct vs_jval *v, size_t *n)
{
	char *d = b->room + b->used;

	*n = vs_json_unescape(v, d);
	d[*n] = '\0';
	b->used += *n + 1;
	return d;
}

/* The failure of a reply: "module.Class: message". */
static int
failure(struct body *b, struct vs_msg *m, const struct vs_jval *v)
{
	const char *mod = "", *cls = "?", *msg = "", *s;
	struct vs_jval f[VND_NELEM(fkeys)];
	char buf[512];
	size_t tl, n;

	if (v->type != VS_JSON_STRING || v->n == 0)
		return 0;
	s = text(b, v, &n);
	if (members(b, s, n, fkeys, VND_NELEM(fkeys), f) == 0) {
		if (f[0].type == VS_JSON_STRING)
			mod = text(b, &f[0], &tl);
		if (f[1].type == VS_JSON_STRING)
			cls = text(b, &f[1], &tl);
		if (f[2].type == VS_JSON_STRING)
			msg = text(b, &f[2], &tl);
	}
	/* the first line: a re-raised error's message carries the traceback */
	tl = strcspn(msg, "\r\n");
	if (tl > MAX_FAILURE)
		tl = MAX_FAILURE;
	snprintf(buf, sizeof(buf), "%s%s%s: %.*s", mod, *mod ? "." : "", cls,
	    (int)tl, msg);
	m->failed = VS_FAIL_RPC;
	return vs_msg_set(m, VS_FAILURE, buf, strlen(buf));
}

static int
fields(struct vs_ctx *ctx, struct body *b, struct vs_msg *m,
    const struct vs_jval *v)
{
	const char *s;
	char h[16];
	size_t i, n;

	for (i = 1; i < VND_NELEM(key_field); i++)
		if (v[i].type == VS_JSON_STRING) {
			s = text(b, &v[i], &n);
			if (vs_msg_set(m, key_field[i], s, n) < 0)
				return -1;
		}
	if (v[K_AUTH].type != VS_JSON_STRING)
		return 0;
	s = text(b, &v[K_AUTH], &n);
	if (ctx->keep_secrets)
		return vs_msg_set(m, VS_AUTH, s, n);
	vs_secret(ctx, s, n, h);
	return vs_msg_set(m, VS_AUTH, h, strlen(h));
}

static int
message(struct vs_ctx *ctx, struct body *b, struct vs_msg *m,
    const struct vs_jval *v)
{
	if (fields(ctx, b, m, v) < 0)
		return -1;
	if (v[K_RESULT].type != VS_JSON_ABSENT ||
	    v[K_FAILURE].type != VS_JSON_ABSENT ||
	    v[K_ENDING].type != VS_JSON_ABSENT) {
		m->kind = VS_REPLY;
		return failure(b, m, &v[K_FAILURE]);
	}
	if (m->f[VS_METHOD] != NULL)
		m->kind = m->f[VS_MSG_ID] != NULL ? VS_CALL : VS_CAST;
	return 0;
}

/*
 * A message crosses the broker twice, published and delivered, with the
 * same body: the fields read from the last bodies are kept, by their hash.
 */
#define NCACHE	64

struct seen {
	uint64_t	 hash;
	size_t		 len;
	struct vs_msg	*m;		/* the fields read, NULL: none */
};

static struct seen cache[NCACHE];

static int
from_cache(struct vs_msg *m, uint64_t h, size_t n)
{
	const struct seen *c = &cache[h % NCACHE];

	if (c->m == NULL || c->hash != h || c->len != n)
		return 0;
	return vs_msg_copy(m, c->m) < 0 ? -1 : 1;
}

/* The fields read (not those of the AMQP frame: the copy has its own). */
static void
to_cache(const struct vs_msg *m, uint64_t h, size_t n)
{
	struct seen *c = &cache[h % NCACHE];
	int f;

	if (c->m == NULL && (c->m = calloc(1, sizeof(*c->m))) == NULL)
		return;
	vs_msg_clear(c->m);
	c->len = SIZE_MAX;	/* unusable until whole */
	for (f = 0; f < VS_NFIELDS; f++)
		if (f != VS_AMQP_METHOD && f != VS_EXCHANGE && f != VS_TARGET &&
		    m->f[f] != NULL && vs_msg_set(c->m, f, m->f[f],
		    m->flen[f]) < 0)
			return;
	c->m->kind = m->kind;
	c->m->failed = m->failed;
	c->hash = h;
	c->len = n;
}

void
vs_oslo_free(void)
{
	size_t i;

	for (i = 0; i < NCACHE; i++) {
		vs_msg_free(cache[i].m);
		cache[i].m = NULL;
	}
	free(scratch.room);
	memset(&scratch, 0, sizeof(scratch));
}

/* Room for every string of an n-byte body unescaped (at most 4n + 12 bytes, and 16 spare). */
static int
body_start(struct body *b, size_t n)
{
	char *np;

	b->used = 0;
	b->nhold = 0;
	if (4 * n + 64 <= b->cap)
		return 0;
	if ((np = realloc(b->room, 4 * n + 64)) == NULL)
		return -1;
	b->room = np;
	b->cap = 4 * n + 64;
	return 0;
}

/* The body read: the envelope, the message in it, the UUIDs of its text. */
static int
parse(struct vs_ctx *ctx, struct body *b, struct vs_msg *m, const uint8_t *p,
    size_t n)
{
	struct vs_jval out[NKEYS], in[NKEYS];
	const char *s;
	size_t sn;

	if (members(b, (const char *)p, n, keys, NKEYS, out) < 0) {
		ctx->err.json_errors++;
		return vs_uuids(m, (const char *)p, n);
	}
	if (out[K_MESSAGE].type != VS_JSON_STRING) {
		if (message(ctx, b, m, out) < 0)
			return -1;
		return vs_uuids(m, (const char *)p, n);
	}
	s = text(b, &out[K_MESSAGE], &sn);
	if (members(b, s, sn, keys, NKEYS, in) < 0) {
		ctx->err.json_errors++;
		return 0;
	}
	if (message(ctx, b, m, in) < 0)
		return -1;
	return vs_uuids(m, s, sn);
}

int
vs_oslo_body(struct vs_ctx *ctx, struct vs_msg *m, const uint8_t *p, size_t n)
{
	int ret;

	if ((ret = from_cache(m, m->same, n)) != 0)
		return ret < 0 ? -1 : 0;
	if (body_start(&scratch, n) < 0)
		return -1;
	ret = parse(ctx, &scratch, m, p, n);
	while (scratch.nhold > 0)
		json_decref(scratch.hold[--scratch.nhold]);
	if (ret == 0)
		to_cache(m, m->same, n);
	return ret;
}
