/* vnd_tcpconn_limit.c: TCP connections, what held each sender back at every moment, and for how long. */
#include <stdlib.h>
#include <string.h>

#include "vnd_grow.h"
#include "vnd_tcpconn.h"
#include "vnd_num.h"

/*
 * Per direction of data, at every packet, the sender was
 *   receiver-limited	when what it has in flight fills the receiver's
 *			advertised window (less one MSS) or the window is 0;
 *   network-limited	when what is in flight reaches the congestion window's
 *			lower bound (the most it had in flight since its last
 *			loss), and the receiver's window is not the limit;
 *   sender-limited	otherwise: the window allowed more, and it sent less;
 * and the time until the next packet counts for that state.
 */

/* Time [from, to) in state st, split over the time slots of width w it spans. */
static void __attribute__((noinline))
slot_add(struct vnd_tcplivedir *d, int64_t w, int st, int64_t from, int64_t to)
{
	struct vnd_tcpslot *ns;
	int64_t start, end;

	while (from < to) {
		start = vnd_slot(from, w);
		end = start + w < to ? start + w : to;
		if (d->nslots == 0 || d->slots[d->nslots - 1].start != start) {
			if ((ns = vnd_grow(d->slots, &d->capslots, d->nslots,
			    sizeof(*ns), 8)) == NULL)
				return;		/* the slots lose this time */
			d->slots = ns;
			memset(&d->slots[d->nslots], 0, sizeof(*d->slots));
			d->slots[d->nslots++].start = start;
		}
		d->slots[d->nslots - 1].lim[st] += end - from;
		from = end;
	}
}

/* The sender of d was in state s from now: the time since goes to the old one. */
static inline void
state_to(struct vnd_tcplivedir *d, int64_t slot_ns, int s, int64_t now)
{
	if (d->active && now > d->state_ts) {
		if (slot_ns)
			slot_add(d, slot_ns, d->state, d->state_ts, now);
		d->lim[d->state] += now - d->state_ts;
	}
	d->state = s;
	d->state_ts = now;
	d->active = 1;
}

/*
 * Nothing in flight, a segment's room in the window: the sender has nothing
 * to send. If it never sends again it was done, not limited: the shares are
 * kept as they are now, and used if no data follows.
 */
static void
set_idle(struct vnd_tcplivedir *d, int64_t slot_ns, int64_t now)
{
	state_to(d, slot_ns, L_SENDER, now);
	memcpy(d->done, d->lim, sizeof(d->done));
	d->done_nslots = d->nslots;
	if (d->nslots)
		d->done_slot = d->slots[d->nslots - 1];
	d->done_high = d->high;
	d->done_valid = 1;
}

static void
classify(struct vnd_tcplivedir *d, int64_t slot_ns, int64_t now, uint32_t mss)
{
	uint32_t flight = d->high - d->acked;
	int s;

	if (!d->started || !d->acked_any)
		return;
	/* (less room than a segment is the receiver's limit: a sender avoids
	 * silly windows, RFC 9293 3.8.6.2.1) */
	if (flight == 0 && d->rwnd_known && d->rwnd >= mss) {
		set_idle(d, slot_ns, now);
		return;
	}
	if (d->rwnd_known && (d->rwnd == 0 || d->rwnd < flight + mss))
		s = L_RECEIVER;
	else if (flight + mss > d->flight_max)
		s = L_NETWORK;
	else
		s = L_SENDER;
	state_to(d, slot_ns, s, now);
}

/*
 * Does d count time yet? From its first data, or before it from its
 * receiver's first zero window: then the receiver may be what holds it back,
 * from the first packet that says so. Else it is idle, no limit.
 */
static int
counts_time(const struct vnd_tcplivedir *d)
{
	return d->active || d->n->bytes || (d->rwnd_known && d->rwnd == 0);
}

/* After a packet of c at now, the state of each of its directions. */
void
vnd_tcpconn_limits(struct vnd_tcpconn *c, int64_t slot_ns, int64_t now)
{
	struct vnd_tcplivedir *d = c->x->d;

	if (counts_time(&d[0]))
		classify(&d[0], slot_ns, now, vnd_tcpconn_mss_to(c, 1));
	if (counts_time(&d[1]))
		classify(&d[1], slot_ns, now, vnd_tcpconn_mss_to(c, 0));
}

/*
 * Closed at its last packet: the time since goes to the state it was in,
 * and when all a direction sent was acked, nothing after, the idle tail
 * is no limit: the shares as they were then.
 */
void
vnd_tcpconn_final(struct vnd_tcpconn *c, int64_t slot_ns)
{
	struct vnd_tcplivedir *d;
	struct vnd_tcpdir *n;
	int dir, done;

	for (dir = 0; dir < 2; dir++) {
		d = &c->x->d[dir];
		n = d->n;
		state_to(d, slot_ns, d->state, c->last_ts);
		done = d->done_valid && d->done_high == d->high;
		memcpy(n->lim, done ? d->done : d->lim, sizeof(n->lim));
		n->slots = d->slots;
		n->nslots = done ? d->done_nslots : d->nslots;
		if (done && n->nslots > 0)
			n->slots[n->nslots - 1] = d->done_slot;
		d->slots = NULL;
	}
}
