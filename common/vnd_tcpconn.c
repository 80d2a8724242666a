/* vnd_tcpconn.c: a run's TCP connections, found by 5-tuple, and the events they show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd_grow.h"
#include "vnd_tcpconn.h"

static const char *const ccname[] = {
	"-", "slow_start", "congestion_avoidance", "fast_recovery",
	"timeout_recovery",
};

static const struct vnd_flowkey *
conn_key(void *arg, size_t i)
{
	return &vnd_tcprun_conn(arg, i)->k;
}

/* Anything went by after the SYN: a SYN now opens a new connection. */
static int
carried(const struct vnd_tcpconn *c)
{
	return c->d[0].pkts || c->d[1].pkts || c->fin[0] || c->fin[1] ||
	    c->rst[0] || c->rst[1];
}

/* A run out of memory: it stops, saying so. */
static void
nomem(struct vnd_tcprun *r)
{
	snprintf(r->err, sizeof(r->err), "out of memory");
	r->failed = 1;
}

static void
live_free(struct vnd_tcpconn *c)
{
	if (c->x == NULL)
		return;
	free(c->x->d[0].slots);
	free(c->x->d[1].slots);
	free(c->x->d[0].gap);
	free(c->x->d[1].gap);
	free(c->x->d[0].recent);
	free(c->x->d[1].recent);
	free(c->x);
	c->x = NULL;
}

/* Connection c is over: its shares final, its live state freed. */
static void
close_conn(struct vnd_tcprun *r, struct vnd_tcpconn *c)
{
	if (c->x == NULL)
		return;
	vnd_tcpconn_final(c, r->slot_ns);
	live_free(c);
}

/* The connections moved: their live states find their counters again. */
static void
relink(struct vnd_tcprun *r)
{
	struct vnd_tcpconn *c;
	size_t i;

	for (i = r->base; i < r->n; i++)
		if ((c = vnd_tcprun_conn(r, i))->x != NULL) {
			c->x->d[0].n = &c->d[0];
			c->x->d[1].n = &c->d[1];
		}
}

/*
 * Room for a new connection, its id in *id: a slot free again (reuse), or
 * id n, the dropped ones at the front given back first.
 */
static struct vnd_tcpconn *
conn_room(struct vnd_tcprun *r, size_t *id)
{
	struct vnd_tcpconn *nc;
	int moved;

	if (r->nfree > 0) {
		*id = r->free[--r->nfree];
		return vnd_tcprun_conn(r, *id);
	}
	if ((nc = vnd_flowwin_room(r->c, sizeof(*nc), &r->c0, r->base, r->n,
	    &r->cap, &moved)) == NULL)
		return NULL;
	r->c = nc;
	if (moved)
		relink(r);
	*id = r->n;
	return &r->c[r->n - r->c0];
}

/*
 * A queue's name of connection id: when slots are used again, the slot
 * (fewer than 2^32: as many connections alive at once) and its uses in
 * the high 32 bits, so that an entry left of a connection whose slot
 * serves another since is known as one; otherwise the id.
 */
#define QID_ID(r, q)	((size_t)((r)->on_close != NULL ? (q) & 0xffffffffu : (q)))

static uint64_t
qid(const struct vnd_tcprun *r, size_t id)
{
	if (r->on_close == NULL)
		return id;
	return (uint64_t)id | (uint64_t)vnd_tcprun_conn(r, id)->gen << 32;
}

/* The connection a queue entry names; NULL: dropped, or its slot reused. */
static struct vnd_tcpconn *
queued(const struct vnd_tcprun *r, uint64_t q)
{
	size_t id = QID_ID(r, q);
	struct vnd_tcpconn *c;

	if (id < r->base || id >= r->n)
		return NULL;
	c = vnd_tcprun_conn(r, id);
	return r->on_close == NULL || c->gen == q >> 32 ? c : NULL;
}

/* A new connection of pk: its key, its live state; its id in *id. */
static struct vnd_tcpconn *
conn_new(struct vnd_tcprun *r, const struct vnd_pkt *pk, const char *point,
    int *dir, size_t *id)
{
	struct vnd_tcpconn *c;
	struct vnd_tcplive *x;
	uint32_t gen;

	if ((x = malloc(sizeof(*x))) == NULL ||
	    (c = conn_room(r, id)) == NULL) {
		free(x);
		return NULL;
	}
	gen = *id < r->n ? c->gen : 0;
	memset(x, 0, sizeof(*x));
	memset(c, 0, sizeof(*c));
	c->gen = gen;
	x->d[0].n = &c->d[0];
	x->d[1].n = &c->d[1];
	c->x = x;
	vnd_flowkey_init(&c->k, pk, point, dir);
	c->first_ord = pk->ord;
	c->first_ts = c->hi_ts = pk->ts_ns;
	c->wscale[0] = c->wscale[1] = -1;
	c->shift[0] = c->shift[1] = -1;
	return c;
}

/*
 * Connection id closed and forgotten: given to the caller that reuses
 * slots, and its slot free.
 */
static void
release(struct vnd_tcprun *r, size_t id)
{
	struct vnd_tcpconn *c = vnd_tcprun_conn(r, id);
	size_t *nf;

	if (r->on_close == NULL)
		return;
	/* an idle one was given when it was closed */
	if (!c->idle && !r->failed && r->on_close(r, c) < 0)
		r->failed = 1;
	free(c->d[0].slots);
	free(c->d[1].slots);
	c->d[0].slots = c->d[1].slots = NULL;
	c->gen++;
	if ((nf = vnd_grow(r->free, &r->capfree, r->nfree, sizeof(*nf),
	    64)) == NULL) {
		nomem(r);
		return;
	}
	r->free = nf;
	r->free[r->nfree++] = id;
}

/*
 * When the connection queued as q is due (vnd_flow_due), by the latest of
 * its packets' times: one stamped in the past does not make it quiet;
 * INT64_MIN: gone.
 */
static int64_t
conn_due(void *arg, uint64_t q)
{
	const struct vnd_tcpconn *c = queued(arg, q);

	return c == NULL ? INT64_MIN : vnd_flow_due(c->x != NULL, c->hi_ts,
	    c->closing);
}

/*
 * Connection q finished and a little quiet: its last segments forgotten
 * (a late copy of one is no longer known again), 2 KiB of its 3, and it
 * waits to be quiet (its own queue: not behind those settling).
 */
static void
conn_settled(void *arg, uint64_t q)
{
	struct vnd_tcprun *r = arg;
	struct vnd_tcpconn *c = queued(r, q);
	int k;

	for (k = 0; k < 2; k++) {
		free(c->x->d[k].recent);
		c->x->d[k].recent = NULL;
		c->x->d[k].nrecent = 0;
	}
	c->closing = 2;
	if (vnd_flowq_push(&r->quiet, q, c->hi_ts + VND_FLOW_QUIET_NS) < 0)
		nomem(r);
}

/*
 * Connection q finished and quiet, or unfinished and idle: a packet of its
 * 5-tuple opens a new one.
 */
static void
conn_gone(void *arg, uint64_t q)
{
	struct vnd_tcprun *r = arg;

	vnd_flowtab_del(&r->ft, QID_ID(r, q));
	close_conn(r, vnd_tcprun_conn(r, QID_ID(r, q)));
	release(r, QID_ID(r, q));
}

/*
 * When the unfinished connection queued as q is idle, by the latest of its
 * packets' times (one stamped in the past does not end it), or, closed as
 * idle, when it is forgotten; INT64_MIN: neither.
 */
static int64_t
idle_due(void *arg, uint64_t q)
{
	const struct vnd_tcprun *r = arg;
	const struct vnd_tcpconn *c = queued(r, q);

	if (c == NULL || c->closing || (c->x == NULL && !c->idle))
		return INT64_MIN;
	return c->hi_ts + (c->idle ? 2 : 1) * r->idle_ns;
}

/*
 * Connection q idle: closed and given to the caller, its live state freed,
 * but still indexed for as long again, so that a packet of its 5-tuple
 * after the gap opens the next one with the same client.
 */
static void
conn_idle(void *arg, uint64_t q)
{
	struct vnd_tcprun *r = arg;
	struct vnd_tcpconn *c = queued(r, q);

	if (c->idle) {
		conn_gone(r, q);
		return;
	}
	close_conn(r, c);
	if (!r->failed && r->on_close(r, c) < 0)
		r->failed = 1;
	c->idle = 1;
	if (vnd_flowq_push(&r->idle, q, c->hi_ts + 2 * r->idle_ns) < 0)
		nomem(r);
}

/*
 * The connections settled, quiet or idle by now; -1: no memory. Idle by
 * the earlier of this packet's time and the last's: one time stamp far
 * ahead (a clock stepped, a record written badly) closes nothing that a
 * packet alone says is not idle.
 */
static int
expire(struct vnd_tcprun *r, int64_t now)
{
	r->idle_now = now < r->last_now ? now : r->last_now;
	r->last_now = now;
	if (vnd_flowq_expire_both(&r->closing, &r->quiet, now, conn_due,
	    conn_settled, conn_gone, r) < 0)
		return -1;
	if (vnd_flowq_due(&r->idle, r->idle_now) && vnd_flowq_expire(&r->idle,
	    r->idle_now, idle_due, conn_idle, r) < 0)
		return -1;
	return r->failed ? -1 : 0;
}

int
vnd_tcprun_tick(struct vnd_tcprun *r, int64_t now)
{
	if (expire(r, now) < 0) {
		if (!r->failed)
			nomem(r);
		return -1;
	}
	return 0;
}

void
vnd_tcprun_reuse(struct vnd_tcprun *r, vnd_tcpconn_close_fn fn,
    int64_t idle_ns)
{
	r->on_close = fn;
	r->idle_ns = idle_ns;
}

/*
 * Does a packet of connection c come after an idle gap (reuse mode)? By
 * the earlier of its time and the last packet's, as expire() judged.
 */
static int
after_gap(const struct vnd_tcprun *r, const struct vnd_tcpconn *c)
{
	return r->idle_ns > 0 && !c->closing &&
	    r->idle_now - c->hi_ts >= r->idle_ns;
}

struct vnd_tcpconn *
vnd_tcpconn_of(struct vnd_tcprun *r, const struct vnd_pkt *pk, const char *point, int *dir)
{
	struct vnd_tcpconn *c, *old = NULL;
	size_t id;
	long i;

	if (vnd_tcprun_tick(r, pk->ts_ns) < 0)
		return NULL;
	/* a 5-tuple used again, after or even during the last: a new SYN
	 * (asked of SYNs only: the others are never one); or after a gap,
	 * the last closed as idle or not yet */
	if ((i = vnd_flowtab_find(&r->ft, pk, point, dir)) >= 0) {
		old = vnd_tcprun_conn(r, (size_t)i);
		if (old->x != NULL && !after_gap(r, old) &&
		    (!(pk->tcp_flags & VND_TH_SYN) || !vnd_flow_new_syn(pk,
		    *dir == 0 && old->syn, old->x->d[0].isn, carried(old))))
			return old;
	}
	if ((c = conn_new(r, pk, point, dir, &id)) == NULL) {
		nomem(r);
		return NULL;
	}
	/* after a gap, its client the same (not a guess from this packet) */
	if (old != NULL && !(pk->tcp_flags & VND_TH_SYN)) {
		old = vnd_tcprun_conn(r, (size_t)i);
		*dir = memcmp(old->k.src, pk->src_ip, sizeof(old->k.src)) != 0 ||
		    old->k.sport != pk->src_port;
		c->k = old->k;
	}
	r->ft.key = conn_key;
	r->ft.arg = r;
	if (vnd_flowtab_place(&r->ft, i, id) < 0) {
		nomem(r);
		return NULL;
	}
	if (id == r->n)
		r->n++;
	if (r->idle_ns > 0 && vnd_flowq_push(&r->idle, qid(r, id), pk->ts_ns +
	    r->idle_ns) < 0) {
		nomem(r);
		return NULL;
	}
	/* the last one of the 5-tuple no longer sees a packet */
	if (i >= 0) {
		close_conn(r, vnd_tcprun_conn(r, (size_t)i));
		release(r, (size_t)i);
	}
	return c;
}

/* Both FINs acknowledged, or a RST: what follows is late. */
static int
finished(const struct vnd_tcpconn *c)
{
	const struct vnd_tcplivedir *d = c->x->d;
	int k;

	if (c->rst[0] || c->rst[1])
		return 1;
	for (k = 0; k < 2; k++)
		if (!c->fin[k] || !d[k].started || !d[k].acked_any ||
		    vnd_seq_lt(d[k].acked, d[k].high))
			return 0;
	return 1;
}

void
vnd_tcpconn_closing(struct vnd_tcprun *r, struct vnd_tcpconn *c)
{
	if (c->closing || !finished(c))
		return;
	c->closing = 1;
	if (vnd_flowq_push(&r->closing, qid(r, vnd_tcprun_id(r, c)), c->hi_ts +
	    VND_FLOW_SETTLE_NS) < 0)
		nomem(r);
}

void
vnd_tcpconn_event(struct vnd_tcprun *r, const struct vnd_tcpconn *c, int dir,
    int64_t ts, const char *kind, uint64_t frame, int64_t value)
{
	if (r->failed || r->on_event == NULL)
		return;
	if (r->on_event(r, c, dir, ts, kind, frame, value) < 0)
		r->failed = 1;
}

void
vnd_tcpconn_cc(struct vnd_tcprun *r, const struct vnd_tcpconn *c, int dir,
    struct vnd_tcplivedir *d, int cc, int64_t ts, uint64_t frame)
{
	if (d->cc == cc)
		return;
	d->cc = cc;
	vnd_tcpconn_event(r, c, dir, ts, ccname[cc], frame, 0);
}

/* The end, when slots are used again: each connection left closed, given back. */
static int
end_reuse(struct vnd_tcprun *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (vnd_tcprun_conn(r, i)->x != NULL) {
			close_conn(r, vnd_tcprun_conn(r, i));
			release(r, i);
		}
	vnd_flowtab_free(&r->ft);
	return r->failed ? -1 : 0;
}

int
vnd_tcprun_end(struct vnd_tcprun *r)
{
	size_t i;
	long old;
	int dir;

	if (r->on_close != NULL)
		return end_reuse(r);
	vnd_flowtab_free(&r->ft);
	r->ft.key = conn_key;
	r->ft.arg = r;
	for (i = r->c0; i < r->n; i++) {
		struct vnd_tcpconn *c = vnd_tcprun_conn(r, i);

		close_conn(r, c);
		if (i < r->base)
			continue;
		/* the one it follows */
		old = vnd_flowtab_find_key(&r->ft, &c->k, c->k.point, &dir);
		if (vnd_flowtab_place(&r->ft, old, i) < 0)
			return -1;
	}
	return 0;
}

void
vnd_tcprun_drop(struct vnd_tcprun *r, size_t upto)
{
	for (; r->base < upto; r->base++) {
		struct vnd_tcpconn *c = vnd_tcprun_conn(r, r->base);

		free(c->d[0].slots);
		free(c->d[1].slots);
		c->d[0].slots = c->d[1].slots = NULL;
	}
}

void
vnd_tcprun_free(struct vnd_tcprun *r)
{
	struct vnd_tcpconn *c;
	size_t i;

	for (i = r->base; i < r->n; i++) {
		c = vnd_tcprun_conn(r, i);
		live_free(c);
		free(c->d[0].slots);
		free(c->d[1].slots);
	}
	free(r->c);
	vnd_flowtab_free(&r->ft);
	vnd_flowq_free(&r->closing);
	vnd_flowq_free(&r->quiet);
	vnd_flowq_free(&r->idle);
	free(r->free);
}
