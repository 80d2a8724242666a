/* vnd_tcpconn_data.c: TCP connections, the sender's part: its segments, new, sent again, or seen twice. */
#include <stdlib.h>

#include "vnd_tcpconn.h"

/*
 * Retransmissions: a segment below the highest sequence sent is sent again;
 * after three duplicate ACKs (or SACKs reporting loss) it is a fast
 * retransmit, else a timeout; the same segment with the same IP ID is the
 * capture's duplicate, not a retransmission.
 */

#define RTO_FLOOR_NS	(150 * VND_NS_PER_MS)	/* below any sender's least RTO */
#define ACK_JUST_NS	(10 * VND_NS_PER_MS)	/* an ACK that prompted a segment */

/*
 * The same segment twice at one point: the capture's duplicate, not a
 * retransmission (a retransmission has a new IP ID, or a new TSval).
 */
static int
is_dup(const struct vnd_tcplivedir *d, const struct vnd_pkt *pk, uint32_t len)
{
	unsigned i, n = d->nrecent < NRECENT ? d->nrecent : NRECENT;
	int ts = VND_ISSET(pk, VND_COL_TSVAL);

	for (i = 0; i < n; i++)
		if (d->recent[i].seq == pk->seq && d->recent[i].len == len &&
		    ((pk->ip_ver == 4 && pk->ip_id != 0 &&
		    d->recent[i].ipid == pk->ip_id) ||
		    (ts && d->recent[i].has_ts && d->recent[i].tsval == pk->tsval &&
		    (pk->ip_ver == 6 || pk->ip_id == 0))))
			return 1;
	return 0;
}

/*
 * The round trip the connection shows at this point: its handshake's (SYN
 * to the client's first ACK), or else the least time from data to its ACK
 * added to the least from an ACK to new data. 0: not known yet.
 */
static int64_t
round_trip(const struct vnd_tcpconn *c, const struct vnd_tcplivedir *d)
{
	if (c->hs_rtt)
		return c->hs_rtt;
	if (d->rtt_fwd && d->rtt_back)
		return d->rtt_fwd + d->rtt_back - 2;
	return 0;
}

/*
 * Was a retransmission sent by the timer? One the ACKs prompted (three
 * duplicates, SACK, a partial ACK) follows an ACK at once at the sender, a
 * round trip after it at the receiver: the time from here to the sender and
 * back, "back". The timer restarts when an ACK acknowledges new data and
 * when the segment is sent again (RFC 6298, 5.3 and 5.5), not at duplicate
 * ACKs: a timeout comes later than that by more than back and 150 ms (below
 * any sender's least RTO: Linux's is 200 ms beyond its smoothed round trip,
 * RFC 6298's 1 s).
 */
static int
by_timer(const struct vnd_tcpconn *c, const struct vnd_tcplivedir *d, const struct vnd_pkt *pk,
    uint32_t end)
{
	int64_t from = d->ack_seen ? d->last_adv_ts : c->first_ts, back;
	unsigned i, n = d->nrecent < NRECENT ? d->nrecent : NRECENT;

	back = d->rtt_back ? d->rtt_back - 1 : round_trip(c, d);
	/*
	 * Data acknowledged already: the ACK that did it crossed the
	 * retransmission on the way, the timer had fired before it came.
	 */
	if (d->ack_seen && d->acked_any && vnd_seq_le(end, d->acked))
		from = d->prev_adv_ts;
	else if (d->ack_seen && pk->ts_ns - d->last_ack_ts <= back + ACK_JUST_NS)
		return 0;		/* an ACK just came */
	for (i = 0; i < n; i++)		/* sent before, lately */
		if (d->recent[i].seq == pk->seq && d->recent[i].ts > from)
			from = d->recent[i].ts;
	return pk->ts_ns - from > back + RTO_FLOOR_NS;
}

/* A loss repair begins: it lasts until the ACKs reach what was sent by now. */
static void
recovery_start(struct vnd_tcprun *r, struct vnd_tcpconn *c, int dir, int cc,
    const struct vnd_pkt *pk)
{
	struct vnd_tcplivedir *d = &c->x->d[dir];

	d->recovery = 1;
	d->recov_retx = 1;
	d->recovery_point = d->high;
	vnd_tcpconn_cc(r, c, dir, d, cc, pk->ts_ns, pk->frame);
}

/* A segment sent again: a fast retransmission or a timeout's. */
static void
retransmission(struct vnd_tcprun *r, struct vnd_tcpconn *c, int dir, const struct vnd_pkt *pk,
    uint32_t end)
{
	struct vnd_tcplivedir *d = &c->x->d[dir];

	d->n->retx++;
	/*
	 * Eifel's: the first retransmission of a recovery, of the first
	 * unacknowledged byte. Only for it does the receiver echo the timestamp
	 * of what it got: for a later one, it echoes the earliest segment its
	 * ACK covers (RFC 7323, 4.3), which says nothing.
	 */
	if ((!d->recovery || d->recov_retx == 0) && d->acked_any &&
	    pk->seq == d->acked && VND_ISSET(pk, VND_COL_TSVAL)) {
		d->eifel = 1;
		d->eifel_seq = pk->seq;
		d->eifel_end = end;
		d->eifel_tsval = pk->tsval;
	}
	d->recov_retx++;
	/* loss: the congestion window's bound starts again */
	d->flight_max = d->acked_any ? d->high - d->acked : 0;
	if (!by_timer(c, d, pk, end)) {
		/* the loss was seen by ACKs: three duplicates, SACK, a partial
		 * ACK (RFC 6582), or RACK's timing of them */
		if (!d->recovery)
			recovery_start(r, c, dir, CC_FAST_RECOVERY, pk);
		d->n->retx_fast++;
		vnd_tcpconn_event(r, c, dir, pk->ts_ns, "retx_fast", pk->frame,
		    pk->seq - d->isn);
	} else {
		/* RTO: what was in flight counts lost, and what is sent again
		 * up to high is repair */
		recovery_start(r, c, dir, CC_TIMEOUT, pk);
		d->n->retx_timeout++;
		vnd_tcpconn_event(r, c, dir, pk->ts_ns, "retx_timeout", pk->frame,
		    pk->seq - d->isn);
	}
}

/* A segment that starts below the highest sequence sent. */
static void
resent(struct vnd_tcprun *r, struct vnd_tcpconn *c, int dir, const struct vnd_pkt *pk,
    uint32_t len)
{
	struct vnd_tcplivedir *d = &c->x->d[dir];

	if (is_dup(d, pk, len)) {
		d->n->dup_capture++;
		vnd_tcpconn_event(r, c, dir, pk->ts_ns, "capture_duplicate", pk->frame,
		    pk->seq - d->isn);
	} else if (d->rwnd_known && d->rwnd == 0 && len <= 1) {
		d->n->zw_probes++;
		vnd_tcpconn_event(r, c, dir, pk->ts_ns, "zero_window_probe", pk->frame,
		    pk->seq - d->isn);
	} else
		retransmission(r, c, dir, pk, pk->seq + len);
}

/*
 * A jump past the highest sequence: bytes this point never saw. The
 * holes are made at the first (most connections have none); when they
 * cannot be, or NGAP are open, this one is not remembered.
 */
static void
gap_add(struct vnd_tcplivedir *d, const struct vnd_pkt *pk)
{
	if (d->ngap == NGAP || (d->gap == NULL &&
	    (d->gap = malloc(NGAP * sizeof(*d->gap))) == NULL))
		return;
	d->gap[d->ngap++] = (struct vnd_tcpgap){ d->high, pk->seq, pk->ts_ns };
}

/* Forget hole g of d. */
static void
gap_drop(struct vnd_tcplivedir *d, int g)
{
	d->gap[g] = d->gap[--d->ngap];
}

/* The hole of d that seq falls in; -1: none. */
static int
gap_of(const struct vnd_tcplivedir *d, uint32_t seq)
{
	int g;

	for (g = 0; g < d->ngap; g++)
		if (!vnd_seq_lt(seq, d->gap[g].lo) && vnd_seq_lt(seq, d->gap[g].hi))
			return g;
	return -1;
}

/*
 * A segment filling sequence space this point never saw: never sent past
 * here before, so not a retransmission seen twice; soon after the jump:
 * reordering, later: a retransmission of a loss before this point. 1 if it
 * was one (counted).
 */
static int
gap_fill(struct vnd_tcprun *r, struct vnd_tcpconn *c, int dir, const struct vnd_pkt *pk,
    uint32_t len)
{
	struct vnd_tcplivedir *d = &c->x->d[dir];
	int g = gap_of(d, pk->seq);

	if (g < 0)
		return 0;
	if (pk->ts_ns - d->gap[g].ts < REORDER_NS) {
		d->n->reordered++;
		vnd_tcpconn_event(r, c, dir, pk->ts_ns, "reordered", pk->frame,
		    pk->seq - d->isn);
	} else {
		d->n->lost_upstream++;
		d->n->retx++;
		vnd_tcpconn_event(r, c, dir, pk->ts_ns, "retx_lost_upstream", pk->frame,
		    pk->seq - d->isn);
	}
	if (vnd_seq_le(pk->seq + len, d->gap[g].hi) && pk->seq == d->gap[g].lo)
		d->gap[g].lo = pk->seq + len;	/* the front filled */
	if (!vnd_seq_lt(d->gap[g].lo, d->gap[g].hi))
		gap_drop(d, g);
	d->n->pkts++;
	d->n->bytes += len;
	d->n->unique += len;
	return 1;
}

/* Bytes above the highest sent: the sequence space grows. */
static void
new_bytes(struct vnd_tcplivedir *d, const struct vnd_pkt *pk, uint32_t end)
{
	/* the least time since an ACK is from here to the sender and back */
	if (d->ack_seen && pk->ts_ns >= d->last_ack_ts && (d->rtt_back == 0 ||
	    pk->ts_ns - d->last_ack_ts < d->rtt_back))
		d->rtt_back = pk->ts_ns - d->last_ack_ts + 1;
	d->n->unique += end - (vnd_seq_lt(pk->seq, d->high) ? d->high : pk->seq);
	d->high = end;
}

static void
remember(struct vnd_tcplivedir *d, const struct vnd_pkt *pk, uint32_t len)
{
	struct vnd_tcprecent *s;

	if (d->recent == NULL && (d->recent = malloc(NRECENT *
	    sizeof(*d->recent))) == NULL)
		return;			/* not remembered: not known again */
	s = &d->recent[d->nrecent++ % NRECENT];

	s->seq = pk->seq;
	s->len = len;
	s->ipid = pk->ip_id;
	s->tsval = pk->tsval;
	s->has_ts = VND_ISSET(pk, VND_COL_TSVAL);
	s->ts = pk->ts_ns;
}

/* What is in flight after a segment: the congestion window's lower bound. */
static void
flight_after(struct vnd_tcplivedir *d, uint32_t mss)
{
	uint32_t flight;

	if (!d->acked_any)
		return;
	flight = d->high - d->acked;
	if (d->vnd_tcpconn_ws_infer)
		vnd_tcpconn_ws_infer(d, flight);
	if (flight > d->flight_max)
		d->flight_max = flight;
	if (flight > d->n->flight_peak)
		d->n->flight_peak = flight;
	if (d->rwnd_known && d->rwnd < flight + mss && d->rwnd > 0)
		d->n->win_full++;
}

/* A segment with len bytes of data from the side dir. */
static void
segment(struct vnd_tcprun *r, struct vnd_tcpconn *c, int dir, const struct vnd_pkt *pk,
    uint32_t len)
{
	struct vnd_tcplivedir *d = &c->x->d[dir];
	uint32_t end = pk->seq + len;
	int filled;

	if (!d->started || d->from_ack) {
		/*
		 * First seen mid-stream: byte 1 is its first, or the receiver's
		 * ACK that came before it if that is lower; what it sent past
		 * that ACK before this segment is in flight, not a hole.
		 */
		if (!d->started || vnd_seq_lt(pk->seq, d->isn + 1))
			d->isn = pk->seq - 1;
		if (!d->started || vnd_seq_lt(d->high, pk->seq))
			d->high = pk->seq;
		d->started = 1;
		d->from_ack = 0;
	}
	/* a jump past the highest sequence: bytes this point never saw */
	if (vnd_seq_lt(d->high, pk->seq))
		gap_add(d, pk);
	filled = gap_fill(r, c, dir, pk, len);
	if (d->cc == CC_NONE)
		vnd_tcpconn_cc(r, c, dir, d, CC_SLOW_START, pk->ts_ns, pk->frame);
	if (len > d->n->max_seg)
		d->n->max_seg = len;
	if (filled)
		return;
	d->n->pkts++;
	d->n->bytes += len;
	if (vnd_seq_lt(pk->seq, d->high))
		resent(r, c, dir, pk, len);
	if (vnd_seq_lt(d->high, end))
		new_bytes(d, pk, end);
	remember(d, pk, len);
	d->last_data_ts = pk->ts_ns;
	flight_after(d, vnd_tcpconn_mss_to(c, !dir));
}

/* The segment of the side dir: its data, and the sequence number its FIN takes. */
void
vnd_tcpconn_sender(struct vnd_tcprun *r, struct vnd_tcpconn *c, int dir, const struct vnd_pkt *pk,
    uint32_t len)
{
	struct vnd_tcplivedir *d = &c->x->d[dir];
	/* a SYN takes a number of its own: its data (TCP Fast Open, RFC 7413) follows */
	uint32_t first = pk->seq + ((pk->tcp_flags & VND_TH_SYN) ? 1 : 0);
	struct vnd_pkt data;

	if (len > 0 && first != pk->seq) {
		data = *pk;
		data.seq = first;
		segment(r, c, dir, &data, len);
	} else if (len > 0)
		segment(r, c, dir, pk, len);
	if ((pk->tcp_flags & VND_TH_FIN) && d->started &&
	    vnd_seq_lt(d->high, first + len + 1))
		d->high = first + len + 1;
}
