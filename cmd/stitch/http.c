/* http.c: HTTP/1.x requests and responses of one stream, through Debian's http-parser. */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <http_parser.h>

#include "vnd_grow.h"
#include "stitch.h"

/*
 * http-parser (Node.js's, libhttp-parser in Debian) reads RFC 9112 messages
 * from any cut of the stream and calls back per piece: we keep the method,
 * the path, the status, the headers that name a request (OpenStack's
 * X-Openstack-Request-Id, X-Compute-Request-Id: the callee's own id in a
 * response, the caller's global id in a request), the token (hashed), and
 * the UUIDs of the path and the body. Responses answer the requests of the
 * other direction in their order (RFC 9112 9.3.2, pipelining).
 */

#define MAX_URL		8192	/* bytes of a path kept */
#define MAX_VALUE	8192	/* bytes of a header value kept */
#define MAX_BODY	65536	/* bytes of a body scanned for UUIDs */

struct buf {
	char		*p;
	size_t		 len, cap;
};

struct pending {
	uint64_t	 id;		/* the request */
	int64_t		 ts;		/* its first byte's time */
	int		 head;		/* a HEAD: its answer has no body */
};

struct vs_http {
	struct vs_side	 s;
	http_parser	 p;
	int		 sync;		/* the parser is at a message's start or in one */
	int		 dead;		/* upgraded to another protocol */
	struct vs_msg	*m;		/* the message being read */
	int		 in_body;
	int64_t		 ts;		/* of the bytes being read */
	uint32_t	 seq;		/* their first one's */
	unsigned	 nth;		/* messages begun in them */
	char		 field[64];	/* the header's name, lower case */
	size_t		 flen;
	int		 in_value;
	struct buf	 url, value, body;
	struct vs_http	*peer;
	/* requests sent, waiting for their responses */
	struct pending	*pend;
	size_t		 phead, pn, pcap;
	int		 lost;		/* a response was lost: pairing must catch up */
};

static const char *const methods[] = {
	"GET ", "POST ", "PUT ", "DELETE ", "HEAD ", "PATCH ", "OPTIONS ",
	"CONNECT ", "TRACE ", "HTTP/1."
};

int
vs_http_looks(const uint8_t *p, size_t n)
{
	size_t i, k;

	for (i = 0; i < VND_NELEM(methods); i++) {
		k = strlen(methods[i]);
		if (n >= k && memcmp(p, methods[i], k) == 0)
			return 1;
	}
	return 0;
}

static int
buf_add(struct buf *b, const char *s, size_t n, size_t max)
{
	char *np;

	if (b->len + n > max)
		n = max - b->len;
	if (n == 0)
		return 0;
	if ((np = vnd_grow(b->p, &b->cap, b->len + n, 1, 256)) == NULL)
		return -1;
	b->p = np;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static struct vs_http *
of(http_parser *p)
{
	return p->data;
}

static int
on_begin(http_parser *p)
{
	struct vs_http *h = of(p);
	uint64_t w[6];

	h->url.len = h->body.len = h->value.len = h->flen = 0;
	h->in_value = h->in_body = 0;
	h->m = vs_msg_new(&h->s, VS_HTTP, p->type == HTTP_REQUEST ?
	    VS_REQUEST : VS_RESPONSE, h->ts);
	if (h->m == NULL)
		return -1;
	/* where it was sent from: the same message at another point */
	memset(w, 0, sizeof(w));
	memcpy(w, h->s.key->src, 16);
	memcpy(w + 2, h->s.key->dst, 16);
	w[4] = (uint64_t)h->s.key->sport << 32 | (uint64_t)h->s.key->dport << 16 |
	    (uint64_t)h->s.dir;
	w[5] = (uint64_t)h->seq << 32 | h->nth++;
	h->m->same = vnd_hash((const uint8_t *)w, sizeof(w));
	return 0;
}

static int
on_url(http_parser *p, const char *at, size_t n)
{
	return buf_add(&of(p)->url, at, n, MAX_URL);
}

/* A whole header: keep it if it names the request or carries the token. */
static int
header(struct vs_http *h)
{
	struct vs_msg *m = h->m;
	const char *v = h->value.p ? h->value.p : "";
	size_t n = h->value.len;
	char tok[16];

	h->field[h->flen] = '\0';
	h->in_value = 0;
	h->flen = 0;
	h->value.len = 0;
	if (!strcmp(h->field, "x-openstack-request-id") ||
	    !strcmp(h->field, "x-compute-request-id"))
		return m->kind == VS_REQUEST ?
		    vs_msg_set(m, VS_GREQ_ID, v, n) : m->f[VS_REQ_ID] ? 0 :
		    vs_msg_set(m, VS_REQ_ID, v, n);
	if (!strcmp(h->field, "x-auth-token") ||
	    !strcmp(h->field, "x-subject-token")) {
		if (h->s.ctx->keep_secrets)
			return vs_msg_set(m, VS_AUTH, v, n);
		vs_secret(h->s.ctx, v, n, tok);
		return vs_msg_set(m, VS_AUTH, tok, strlen(tok));
	}
	return 0;
}

static int
on_field(http_parser *p, const char *at, size_t n)
{
	struct vs_http *h = of(p);
	size_t i;

	if (h->in_value && header(h) < 0)
		return -1;
	for (i = 0; i < n && h->flen < sizeof(h->field) - 1; i++)
		h->field[h->flen++] = (char)tolower((unsigned char)at[i]);
	return 0;
}

static int
on_value(http_parser *p, const char *at, size_t n)
{
	struct vs_http *h = of(p);

	h->in_value = 1;
	return buf_add(&h->value, at, n, MAX_VALUE);
}

static int
pend_push(struct vs_http *h, uint64_t id, int head, int64_t ts)
{
	struct pending *np;

	if (h->phead > 0 && h->phead == h->pn)
		h->phead = h->pn = 0;
	if ((np = vnd_grow(h->pend, &h->pcap, h->pn, sizeof(*np), 8)) == NULL)
		return -1;
	h->pend = np;
	h->pend[h->pn++] = (struct pending){ id, ts, head };
	return 0;
}

static int
on_headers(http_parser *p)
{
	struct vs_http *h = of(p), *q = h->peer;
	struct vs_msg *m = h->m;

	if (h->in_value && header(h) < 0)
		return -1;
	h->in_body = 1;
	if (p->type == HTTP_REQUEST) {
		const char *meth = http_method_str((enum http_method)p->method);

		if (vs_msg_set(m, VS_METHOD, meth, strlen(meth)) < 0 ||
		    vs_msg_set(m, VS_TARGET, h->url.p ? h->url.p : "",
		    h->url.len) < 0)
			return -1;
		return 0;
	}
	m->status = (int)p->status_code;
	/* the answer to a HEAD has no body, whatever its headers say */
	return q != NULL && q->phead < q->pn && q->pend[q->phead].head ? 1 : 0;
}

static int
on_body(http_parser *p, const char *at, size_t n)
{
	struct vs_http *h = of(p);

	h->m->body_bytes += n;
	return buf_add(&h->body, at, n, MAX_BODY);
}

static int
on_complete(http_parser *p)
{
	struct vs_http *h = of(p), *q = h->peer;
	struct vs_msg *m = h->m;

	h->m = NULL;
	h->in_body = 0;
	m->end_ts = h->ts;
	if ((h->url.len && vs_uuids(m, h->url.p, h->url.len) < 0) ||
	    (h->body.len && vs_uuids(m, h->body.p,
	    h->body.len) < 0)) {
		vs_msg_free(m);
		return -1;
	}
	if (m->kind == VS_RESPONSE && q != NULL && q->phead < q->pn) {
		/*
		 * After a lost response, the requests sent before this one's
		 * newest were answered in the gap (exact when a connection has
		 * one request at a time, as REST clients do)
		 */
		while (h->lost && q->phead + 1 < q->pn &&
		    q->pend[q->phead + 1].ts <= m->ts)
			q->phead++;
		m->answers = q->pend[q->phead].id;
		/* an interim 1xx (RFC 9110 15.2) comes before the answer */
		if (m->status >= 200 || m->status == 101)
			q->phead++;
	}
	h->lost = 0;
	if (vs_msg_done(h->s.ctx, m) < 0)
		return -1;
	if (m->kind == VS_REQUEST && pend_push(h, m->id, p->method ==
	    HTTP_HEAD, m->ts) < 0)
		return -1;
	return 0;
}

static const http_parser_settings settings = {
	.on_message_begin = on_begin,
	.on_url = on_url,
	.on_header_field = on_field,
	.on_header_value = on_value,
	.on_headers_complete = on_headers,
	.on_body = on_body,
	.on_message_complete = on_complete,
};

struct vs_http *
vs_http_new(const struct vs_side *sd)
{
	return vs_side_new(sizeof(struct vs_http), sd);
}

/* The message being read is lost: the parser waits for the next one's start. */
static void
lose(struct vs_http *h)
{
	if (h->m != NULL) {
		h->s.ctx->err.lost_msgs++;
		vs_msg_free(h->m);
		h->m = NULL;
	}
	h->lost = 1;
	h->sync = 0;
	h->in_body = 0;
}

/*
 * A gap: inside a body of known length, the bytes are skipped (the parser
 * is fed blanks and the message says how many it lacks); anywhere else the
 * message is lost.
 */
static int
gap(struct vs_http *h, size_t n)
{
	static const char blank[4096] = { 0 };
	size_t k;

	if (!h->sync || h->m == NULL || !h->in_body ||
	    (h->p.flags & F_CHUNKED) || h->p.content_length == ULLONG_MAX ||
	    n >= h->p.content_length) {
		lose(h);
		return 0;
	}
	h->m->gap_bytes += n;
	for (; n > 0; n -= k) {
		k = n < sizeof(blank) ? n : sizeof(blank);
		if (http_parser_execute(&h->p, &settings, blank, k) != k)
			return -1;
	}
	return 0;
}

static int
parse(struct vs_http *h, const uint8_t *p, size_t n)
{
	size_t done = http_parser_execute(&h->p, &settings, (const char *)p, n);
	enum http_errno e = HTTP_PARSER_ERRNO(&h->p);

	if (h->p.upgrade) {
		h->dead = 1;		/* another protocol from here on */
		return 0;
	}
	if (e == HPE_OK && done == n)
		return 0;
	if (e == HPE_CB_message_begin || e == HPE_CB_url ||
	    e == HPE_CB_header_field || e == HPE_CB_header_value ||
	    e == HPE_CB_body || e == HPE_CB_message_complete) {
		snprintf(h->s.ctx->errbuf, sizeof(h->s.ctx->errbuf), "out of memory");
		return -1;
	}
	h->s.ctx->err.http_errors++;
	h->s.ctx->err.http_last = http_errno_name(e);
	lose(h);
	return 0;
}

int
vs_http_feed(struct vs_http *h, struct vs_http *peer, const uint8_t *p,
    size_t n, uint32_t seq, int64_t ts)
{
	h->peer = peer;
	if (h->dead)
		return 0;
	h->ts = ts;
	if (p == NULL && n > 0)
		return gap(h, n);
	if (p == NULL) {		/* the end: a body read to the close ends */
		if (h->sync)
			parse(h, NULL, 0);
		lose(h);
		return 0;
	}
	if (n == 0)
		return 0;	/* not the end: that is p NULL */
	h->seq = seq;
	h->nth = 0;
	if (!h->sync) {
		if (!vs_http_looks(p, n))
			return 0;
		http_parser_init(&h->p, n > 4 && memcmp(p, "HTTP", 4) == 0 ?
		    HTTP_RESPONSE : HTTP_REQUEST);
		h->p.data = h;
		h->sync = 1;
	}
	return parse(h, p, n);
}

int64_t
vs_http_reading(const struct vs_http *h)
{
	return h != NULL && h->m != NULL ? h->m->ts : INT64_MAX;
}

void
vs_http_free(struct vs_http *h)
{
	if (h == NULL)
		return;
	vs_msg_free(h->m);
	free(h->url.p);
	free(h->value.p);
	free(h->body.p);
	free(h->pend);
	free(h);
}
