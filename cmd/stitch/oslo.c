/* oslo.c: oslo.messaging's envelope in an AMQP body: an RPC call, cast or reply, through jansson. */
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

static int
set_str(struct vs_msg *m, int f, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return 0;
	return vs_msg_set(m, f, json_string_value(v), json_string_length(v));
}

/* The failure of a reply: "module.Class: message". */
static int
failure(struct vs_msg *m, json_t *v)
{
	const char *mod = "", *cls = "?", *text = "";
	char buf[512];
	json_t *f;
	size_t tl;
	int ret;

	if (!json_is_string(v) || json_string_length(v) == 0)
		return 0;
	if ((f = json_loadb(json_string_value(v), json_string_length(v), 0,
	    NULL)) != NULL && json_is_object(f)) {
		if (json_is_string(json_object_get(f, "module")))
			mod = json_string_value(json_object_get(f, "module"));
		if (json_is_string(json_object_get(f, "class")))
			cls = json_string_value(json_object_get(f, "class"));
		if (json_is_string(json_object_get(f, "message")))
			text = json_string_value(json_object_get(f, "message"));
	}
	/* the first line: a re-raised error's message carries the traceback */
	tl = strcspn(text, "\r\n");
	if (tl > MAX_FAILURE)
		tl = MAX_FAILURE;
	snprintf(buf, sizeof(buf), "%s%s%s: %.*s", mod, *mod ? "." : "", cls,
	    (int)tl, text);
	m->failed = VS_FAIL_RPC;
	ret = vs_msg_set(m, VS_FAILURE, buf, strlen(buf));
	json_decref(f);
	return ret;
}


static int
fields(struct vs_ctx *ctx, struct vs_msg *m, json_t *o)
{
	json_t *tok = json_object_get(o, "_context_auth_token");
	char h[16];

	if (set_str(m, VS_METHOD, o, "method") < 0 ||
	    set_str(m, VS_MSG_ID, o, "_msg_id") < 0 ||
	    set_str(m, VS_REPLY_Q, o, "_reply_q") < 0 ||
	    set_str(m, VS_UNIQUE_ID, o, "_unique_id") < 0 ||
	    set_str(m, VS_REQ_ID, o, "_context_request_id") < 0 ||
	    set_str(m, VS_GREQ_ID, o, "_context_global_request_id") < 0)
		return -1;
	if (json_is_string(tok)) {
		if (ctx->keep_secrets)
			return vs_msg_set(m, VS_AUTH, json_string_value(tok),
			    json_string_length(tok));
		vs_secret(ctx, json_string_value(tok), json_string_length(tok),
		    h);
		return vs_msg_set(m, VS_AUTH, h, strlen(h));
	}
	return 0;
}

static int
message(struct vs_ctx *ctx, struct vs_msg *m, json_t *o)
{
	if (fields(ctx, m, o) < 0)
		return -1;
	if (json_object_get(o, "result") != NULL ||
	    json_object_get(o, "failure") != NULL ||
	    json_object_get(o, "ending") != NULL) {
		m->kind = VS_REPLY;
		return failure(m, json_object_get(o, "failure"));
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
	int f;

	if (c->m == NULL || c->hash != h || c->len != n)
		return 0;
	for (f = 0; f < VS_NFIELDS; f++)
		if (f != VS_AMQP_METHOD && f != VS_EXCHANGE && f != VS_TARGET &&
		    c->m->f[f] != NULL && vs_msg_set(m, f, c->m->f[f],
		    strlen(c->m->f[f])) < 0)
			return -1;
	m->kind = c->m->kind;
	m->failed = c->m->failed;
	return 1;
}

static void
to_cache(const struct vs_msg *m, uint64_t h, size_t n)
{
	struct seen *c = &cache[h % NCACHE];
	int f;

	if (c->m == NULL && (c->m = calloc(1, sizeof(*c->m))) == NULL)
		return;
	for (f = 0; f < VS_NFIELDS; f++) {
		free(c->m->f[f]);
		c->m->f[f] = m->f[f] ? strdup(m->f[f]) : NULL;
		if (m->f[f] && c->m->f[f] == NULL) {
			c->len = SIZE_MAX;	/* unusable */
			return;
		}
	}
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
}

/* The body read: the envelope, the message in it, the UUIDs of its text. */
static int
parse(struct vs_ctx *ctx, struct vs_msg *m, const uint8_t *p, size_t n)
{
	json_t *outer, *inner = NULL, *s;
	int ret;

	outer = json_loadb((const char *)p, n, 0, NULL);
	if (outer == NULL || !json_is_object(outer)) {
		ctx->err.json_errors++;
		json_decref(outer);
		return vs_uuids(&m->f[VS_UUIDS], (const char *)p, n);
	}
	s = json_object_get(outer, "oslo.message");
	if (json_is_string(s) && ((inner = json_loadb(json_string_value(s),
	    json_string_length(s), 0, NULL)) == NULL ||
	    !json_is_object(inner))) {
		ctx->err.json_errors++;
		json_decref(inner);
		json_decref(outer);
		return 0;
	}
	ret = message(ctx, m, inner != NULL ? inner : outer);
	if (ret == 0)
		ret = inner != NULL ? vs_uuids(&m->f[VS_UUIDS],
		    json_string_value(s), json_string_length(s)) :
		    vs_uuids(&m->f[VS_UUIDS], (const char *)p, n);
	json_decref(inner);
	json_decref(outer);
	return ret;
}

int
vs_oslo_body(struct vs_ctx *ctx, struct vs_msg *m, const uint8_t *p, size_t n)
{
	int ret;

	if ((ret = from_cache(m, m->same, n)) != 0)
		return ret < 0 ? -1 : 0;
	if ((ret = parse(ctx, m, p, n)) == 0)
		to_cache(m, m->same, n);
	return ret;
}
