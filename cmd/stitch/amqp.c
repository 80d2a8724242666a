/* amqp.c: AMQP 0-9-1 frames of one stream, messages put back together from their frames. */
#include <stdlib.h>
#include <string.h>

#include "vnd_cursor.h"
#include "vnd_grow.h"
#include "stitch.h"

/*
 * AMQP 0-9-1 (the specification's 4.2.3 and its XML): a connection opens
 * with "AMQP" 0 0 9 1, then frames: type, channel, size (7 bytes), the
 * payload, and 0xCE. A message is a method frame (basic.publish toward the
 * broker; basic.deliver, basic.get-ok or basic.return from it, with the
 * exchange and routing key), a content header (its body's size) and body
 * frames until that size, on one channel; channels interleave. After bytes
 * that are not frames (a gap, or garbage) the reader looks for the next
 * place where a frame starts and its end byte is where its size says.
 */

#define FRAME_METHOD	1
#define FRAME_HEADER	2
#define FRAME_BODY	3
#define FRAME_HEARTBEAT	8
#define FRAME_END	0xCE
#define MAX_FRAME	(1U << 20)	/* larger than any broker's frame_max */
#define MAX_MSG_BODY	(1U << 24)	/* bytes of a body put together */

#define CLASS_BASIC	60
#define BASIC_PUBLISH	40
#define BASIC_RETURN	50
#define BASIC_DELIVER	60
#define BASIC_GET_OK	71

struct chan {
	uint16_t	 id;
	struct vs_msg	*m;		/* after its method frame */
	uint64_t	 size;		/* the body's, from the content header */
	int		 have_size;
	uint8_t		*body;
	size_t		 len, cap;
};

struct vs_amqp {
	struct vs_side	 s;
	int		 sync;		/* at a frame's start */
	int		 started;	/* bytes seen */
	uint8_t		*buf;		/* bytes not yet a whole frame */
	size_t		 len, cap;
	int64_t		 ts;
	struct chan	*ch;
	size_t		 nch, chcap;
};

int
vs_amqp_looks(const uint8_t *p, size_t n)
{
	return n >= 4 && memcmp(p, "AMQP", 4) == 0;
}

struct vs_amqp *
vs_amqp_new(const struct vs_side *sd)
{
	return vs_side_new(sizeof(struct vs_amqp), sd);
}

static void
chan_reset(struct chan *c)
{
	vs_msg_free(c->m);
	c->m = NULL;
	c->len = 0;
	c->have_size = 0;
}

static struct chan *
chan_of(struct vs_amqp *a, uint16_t id)
{
	struct chan *nc;
	size_t i;

	for (i = 0; i < a->nch; i++)
		if (a->ch[i].id == id)
			return &a->ch[i];
	if ((nc = vnd_grow(a->ch, &a->chcap, a->nch, sizeof(*nc), 4)) == NULL)
		return NULL;
	a->ch = nc;
	memset(&nc[a->nch], 0, sizeof(*nc));
	nc[a->nch].id = id;
	return &nc[a->nch++];
}

/* A short string (a length byte, then the bytes) into field f. */
static int
shortstr(struct vnd_cursor *c, struct vs_msg *m, int f)
{
	size_t n;

	if (!vnd_cur_has(c, 1))
		return 1;
	n = vnd_cur_u8at(c, 0);
	if (!vnd_cur_has(c, 1 + n))
		return 1;
	if (m != NULL && vs_msg_set(m, f, (const char *)c->p + 1, n) < 0)
		return -1;
	return vnd_cur_skip(c, 1 + n);
}

/* A basic method that carries a message: its exchange and routing key. */
static int
method_args(struct vnd_cursor *c, int meth, struct vs_msg *m)
{
	int ret = 0;

	switch (meth) {
	case BASIC_PUBLISH:		/* reserved-1 short, exchange, routing-key */
		if (vnd_cur_skip(c, 2) < 0)
			return 1;
		break;
	case BASIC_RETURN:		/* reply-code, reply-text, exchange, routing-key */
		if (vnd_cur_skip(c, 2) < 0 || (ret = shortstr(c, NULL, 0)) != 0)
			return ret ? ret : 1;
		break;
	case BASIC_DELIVER:		/* consumer-tag, delivery-tag, redelivered */
		if ((ret = shortstr(c, NULL, 0)) != 0 || vnd_cur_skip(c, 9) < 0)
			return ret ? ret : 1;
		break;
	case BASIC_GET_OK:		/* delivery-tag, redelivered */
		if (vnd_cur_skip(c, 9) < 0)
			return 1;
		break;
	}
	if ((ret = shortstr(c, m, VS_EXCHANGE)) != 0)
		return ret;
	return shortstr(c, m, VS_TARGET);
}

static const char *
method_name(int meth)
{
	switch (meth) {
	case BASIC_PUBLISH: return "publish";
	case BASIC_RETURN: return "return";
	case BASIC_DELIVER: return "deliver";
	default: return "get-ok";
	}
}

static int
on_method(struct vs_amqp *a, struct chan *ch, struct vnd_cursor *c)
{
	const char *name;
	int cls, meth, ret;

	if (!vnd_cur_has(c, 4))
		return 1;
	cls = vnd_cur_be16at(c, 0);
	meth = vnd_cur_be16at(c, 2);
	vnd_cur_skip(c, 4);
	if (cls != CLASS_BASIC || (meth != BASIC_PUBLISH && meth != BASIC_RETURN &&
	    meth != BASIC_DELIVER && meth != BASIC_GET_OK))
		return 0;
	chan_reset(ch);
	if ((ch->m = vs_msg_new(&a->s, VS_AMQP, VS_MESSAGE, a->ts)) == NULL)
		return -1;
	name = method_name(meth);
	if (vs_msg_set(ch->m, VS_AMQP_METHOD, name, strlen(name)) < 0)
		return -1;
	if ((ret = method_args(c, meth, ch->m)) != 0)
		chan_reset(ch);
	return ret;
}

/* The message is whole: its body read as oslo.messaging's, then kept. */
static int
complete(struct vs_amqp *a, struct chan *ch)
{
	struct vs_msg *m = ch->m;
	int ret;

	ch->m = NULL;
	m->end_ts = a->ts;
	m->body_bytes = ch->size;
	m->same = vnd_hash(ch->body, ch->len);
	ret = vs_oslo_body(a->s.ctx, m, ch->body, ch->len);
	ch->len = 0;
	ch->have_size = 0;
	if (ret < 0) {
		vs_msg_free(m);
		return -1;
	}
	return vs_msg_done(a->s.ctx, m);
}

static int
on_content(struct vs_amqp *a, struct chan *ch, int type, struct vnd_cursor *c)
{
	uint8_t *nb;
	size_t n;

	if (ch->m == NULL)
		return 0;		/* its method was not seen */
	if (type == FRAME_HEADER) {
		/* class-id, weight, body-size; the properties are not needed */
		if (!vnd_cur_has(c, 12))
			return 1;
		ch->size = (uint64_t)vnd_cur_be32at(c, 4) << 32 |
		    vnd_cur_be32at(c, 8);
		ch->have_size = 1;
		ch->len = 0;
	} else if (ch->have_size) {
		n = c->len;
		if (ch->len + n > MAX_MSG_BODY)
			n = ch->len < MAX_MSG_BODY ? MAX_MSG_BODY - ch->len : 0;
		if ((nb = vnd_grow(ch->body, &ch->cap, ch->len + n, 1,
		    4096)) == NULL)
			return -1;
		ch->body = nb;
		memcpy(ch->body + ch->len, c->p, n);
		ch->len += n;
	} else
		return 0;
	if (ch->len >= ch->size || ch->len >= MAX_MSG_BODY)
		return complete(a, ch);
	return 0;
}

/* One whole frame: 0, 1 when it is not what its type says, -1 no memory. */
static int
frame(struct vs_amqp *a, const uint8_t *p, size_t size)
{
	struct vnd_cursor c = { p + 7, size };
	struct chan *ch;
	int type = p[0];

	if (type == FRAME_HEARTBEAT)
		return 0;
	if ((ch = chan_of(a, (uint16_t)(p[1] << 8 | p[2]))) == NULL)
		return -1;
	if (type == FRAME_METHOD)
		return on_method(a, ch, &c);
	return on_content(a, ch, type, &c);
}

/* Could a frame start at p[0..n)? 1 yes, 0 no, -1 not enough bytes to say. */
static int
frame_at(const uint8_t *p, size_t n)
{
	uint32_t size;

	if (n < 7)
		return -1;
	if (p[0] != FRAME_METHOD && p[0] != FRAME_HEADER &&
	    p[0] != FRAME_BODY && p[0] != FRAME_HEARTBEAT)
		return 0;
	size = (uint32_t)p[3] << 24 | (uint32_t)p[4] << 16 |
	    (uint32_t)p[5] << 8 | p[6];
	if (size > MAX_FRAME)
		return 0;
	if (n < 8 + (size_t)size)
		return -1;
	return p[7 + size] == FRAME_END;
}

/* Not frames: skip to where one starts (the bytes skipped are counted). */
static size_t
resync(struct vs_amqp *a, size_t off)
{
	size_t i;
	int k = 0;

	for (i = off; i < a->len; i++) {
		if (i + 8 <= a->len &&
		    memcmp(a->buf + i, "AMQP\0\0\x09\x01", 8) == 0)
			break;
		if ((k = frame_at(a->buf + i, a->len - i)) != 0)
			break;
	}
	a->s.ctx->err.amqp_errors += i - off;
	a->sync = i < a->len || k == 1;
	return i;
}

static int
frames(struct vs_amqp *a)
{
	size_t off = 0, size;
	int k, ret;

	while (off < a->len) {
		if (!a->sync && (off = resync(a, off)) >= a->len)
			break;
		if (a->len - off >= 8 && memcmp(a->buf + off, "AMQP", 4) == 0) {
			off += 8;	/* the protocol header */
			continue;
		}
		if ((k = frame_at(a->buf + off, a->len - off)) < 0)
			break;
		size = (size_t)a->buf[off + 3] << 24 | (size_t)a->buf[off + 4] << 16 |
		    (size_t)a->buf[off + 5] << 8 | a->buf[off + 6];
		if (k == 0) {
			a->s.ctx->err.amqp_last = "not a frame";
			a->sync = 0;
			continue;
		}
		if ((ret = frame(a, a->buf + off, size)) < 0)
			return -1;
		if (ret > 0) {		/* framed, but short inside */
			a->s.ctx->err.amqp_errors += size;
			a->s.ctx->err.amqp_last = "a short method";
		}
		off += 8 + size;
	}
	memmove(a->buf, a->buf + off, a->len - off);
	a->len -= off;
	return 0;
}

static void
gap(struct vs_amqp *a)
{
	size_t i;

	for (i = 0; i < a->nch; i++)
		if (a->ch[i].m != NULL) {
			a->s.ctx->err.lost_msgs++;
			chan_reset(&a->ch[i]);
		}
	a->len = 0;
	a->sync = 0;
}

int
vs_amqp_feed(struct vs_amqp *a, const uint8_t *p, size_t n, int64_t ts)
{
	uint8_t *nb;

	if (p == NULL) {
		gap(a);
		return 0;
	}
	if (n == 0)
		return 0;
	if (!a->started) {
		a->started = 1;
		a->sync = vs_amqp_looks(p, n);
	}
	a->ts = ts;
	if ((nb = vnd_grow(a->buf, &a->cap, a->len + n, 1, 16384)) == NULL)
		return -1;
	a->buf = nb;
	memcpy(a->buf + a->len, p, n);
	a->len += n;
	return frames(a);
}

int64_t
vs_amqp_reading(const struct vs_amqp *a)
{
	int64_t low = INT64_MAX;
	size_t i;

	for (i = 0; a != NULL && i < a->nch; i++)
		if (a->ch[i].m != NULL && a->ch[i].m->ts < low)
			low = a->ch[i].m->ts;
	return low;
}

void
vs_amqp_free(struct vs_amqp *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nch; i++) {
		vs_msg_free(a->ch[i].m);
		free(a->ch[i].body);
	}
	free(a->ch);
	free(a->buf);
	free(a);
}
