/* msg.c: the messages of a run: made, filled, kept; secrets hashed, UUIDs found. */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd_cmp.h"
#include "vnd_grow.h"
#include "stitch.h"

static const char *const kind_names[] = {
	"request", "response", "call", "cast", "reply", "message"
};

const char *
vs_kind_name(int k)
{
	return kind_names[k];
}

void *
vs_side_new(size_t size, const struct vs_side *sd)
{
	struct vs_side *s;

	if ((s = calloc(1, size)) != NULL)
		*s = *sd;
	return s;
}

struct vs_msg *
vs_msg_new(const struct vs_side *sd, int proto, int kind, int64_t ts)
{
	struct vs_msg *m;

	if ((m = malloc(sizeof(*m))) == NULL)
		return NULL;
	memset(m, 0, offsetof(struct vs_msg, txt));
	m->key = *sd->key;
	m->conn = sd->conn;
	m->dir = sd->dir;
	m->proto = proto;
	m->kind = kind;
	m->ts = m->end_ts = ts;
	return m;
}

/* Into the message's own room when it fits (no malloc per field), else the heap. */
int
vs_msg_set(struct vs_msg *m, int f, const char *s, size_t n)
{
	char *p;

	if (n < sizeof(m->txt) - m->used)
		p = m->txt + m->used;
	else if ((p = malloc(n + 1)) == NULL)
		return -1;
	memcpy(p, s, n);
	p[n] = '\0';
	if (m->heap & 1U << f)
		free(m->f[f]);
	m->f[f] = p;
	/* as strlen() has it: a NUL inside (AMQP's short strings) ends it */
	m->flen[f] = (uint32_t)strnlen(p, n);
	if (p == m->txt + m->used) {
		m->used += n + 1;
		m->heap &= ~(1U << f);
	} else
		m->heap |= 1U << f;
	return 0;
}

void
vs_msg_clear(struct vs_msg *m)
{
	int i;

	for (i = 0; i < VS_NFIELDS; i++) {
		if (m->heap & 1U << i)
			free(m->f[i]);
		m->f[i] = NULL;
	}
	m->heap = 0;
	m->used = 0;
}

int
vs_msg_copy(struct vs_msg *m, const struct vs_msg *c)
{
	int f;

	for (f = 0; f < VS_NFIELDS; f++)
		if (c->f[f] != NULL && vs_msg_set(m, f, c->f[f],
		    c->flen[f]) < 0)
			return -1;
	m->kind = c->kind;
	m->failed = c->failed;
	return 0;
}

void
vs_msg_free(struct vs_msg *m)
{
	if (m == NULL)
		return;
	vs_msg_clear(m);
	free(m);
}

int
vs_msg_done(struct vs_ctx *ctx, struct vs_msg *m)
{
	struct vs_msgs *ms = &ctx->msgs;
	struct vs_msg **nv;

	if ((nv = vnd_grow(ms->v, &ms->cap, ms->n, sizeof(*nv), 1024)) == NULL) {
		vs_msg_free(m);
		return -1;
	}
	ms->v = nv;
	m->id = ++ctx->last_id;
	ms->v[ms->n++] = m;
	if (ms->n > ctx->held.msgs)
		ctx->held.msgs = ms->n;
	return 0;
}

uint64_t *
vs_msg_ids(const struct vs_msgs *ms)
{
	uint64_t *ids;
	size_t i;

	if ((ids = malloc((ms->n + 1) * sizeof(*ids))) == NULL)
		return NULL;
	for (i = 0; i < ms->n; i++)
		ids[i] = ms->v[i]->id;
	return ids;
}

static int
cmp_msg_id(const void *key, const void *elt)
{
	return vnd_cmp_u64(key, &(*(struct vs_msg *const *)elt)->id);
}

size_t
vs_id_index(const uint64_t *ids, size_t n, uint64_t id)
{
	const uint64_t *p = bsearch(&id, ids, n, sizeof(*ids), vnd_cmp_u64);

	return p != NULL ? (size_t)(p - ids) : SIZE_MAX;
}

struct vs_msg *
vs_msg_find(const struct vs_msgs *ms, uint64_t id)
{
	struct vs_msg **p = bsearch(&id, ms->v, ms->n, sizeof(*ms->v),
	    cmp_msg_id);

	return p != NULL ? *p : NULL;
}

void
vs_secret(struct vs_ctx *ctx, const char *s, size_t n, char *buf)
{
	if (n == ctx->last_n && n <= sizeof(ctx->last_tok) && n > 0 &&
	    memcmp(s, ctx->last_tok, n) == 0) {
		memcpy(buf, ctx->last_h, 16);
		return;
	}
	/* 48 bits: one token's uses match, two tokens hardly ever collide */
	snprintf(buf, 16, "h:%012llx", (unsigned long long)(vs_siphash(ctx->key,
	    (const uint8_t *)s, n) >> 16));
	if (n <= sizeof(ctx->last_tok)) {
		memcpy(ctx->last_tok, s, n);
		ctx->last_n = n;
		memcpy(ctx->last_h, buf, 16);
	}
}

/* Is s[0..36) a UUID, 8-4-4-4-12 hex digits? */
static int
is_uuid(const char *s)
{
	int i;

	for (i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

#define MAX_UUIDS	8	/* kept per message, the first ones */

/* u (36 bytes) appended to the list in buf[(MAX_UUIDS + 1) * 37], unless there or full. */
static void
add_uuid(char *buf, size_t *len, const char *u)
{
	if (*len >= MAX_UUIDS * 37 || (*len && memmem(buf, *len, u, 36)))
		return;
	if (*len)
		buf[(*len)++] = ',';
	memcpy(buf + *len, u, 36);
	*len += 36;
}

int
vs_uuids(struct vs_msg *m, const char *s, size_t n)
{
	char buf[(MAX_UUIDS + 1) * 37];
	const char *d;
	size_t i = 8, len = 0, had = 0;
	int seen = 0;

	/* from dash to dash: the first of a UUID's is 8 bytes in */
	while (i + 28 <= n && (d = memchr(s + i, '-', n - 28 - i + 1)) != NULL) {
		i = (size_t)(d - s);
		if (!isxdigit((unsigned char)s[i - 1]) || !is_uuid(s + i - 8) ||
		    (i + 28 < n && isxdigit((unsigned char)s[i + 28])) ||
		    (i >= 9 && (isxdigit((unsigned char)s[i - 9]) ||
		    s[i - 9] == '-'))) {
			i++;
			continue;
		}
		if (!seen++ && m->f[VS_UUIDS] != NULL) {
			had = len = m->flen[VS_UUIDS];
			memcpy(buf, m->f[VS_UUIDS], len);
		}
		add_uuid(buf, &len, s + i - 8);
		i += 28;
	}
	return len > had ? vs_msg_set(m, VS_UUIDS, buf, len) : 0;
}
