/* vnd_tcpconn_ack.c: TCP connections, the receiver's part: the window it advertises and its ACKs of the other side's data. */
#include "vnd_tcpconn.h"

/*
 * A direction caught mid-stream, its SYN not seen, starts at the first
 * packet either way: an ACK of its receiver, before any of its data, says
 * where its sequence is (nothing in flight), and the window with it what it
 * may send. Its data, when it comes, numbers the bytes (data.c).
 */
static void
ack_start(struct vnd_tcplivedir *o, const struct vnd_pkt *pk)
{
	o->started = 1;
	o->from_ack = 1;
	o->isn = pk->ack - 1;
	o->high = pk->ack;
}

/*
 * The shift of the windows the side dir advertises, RFC 7323 2.2: both
 * sides offered scaling in their SYNs, or a side did not (0); a SYN-ACK
 * offers it only to a SYN that did. -1: not known, a SYN not seen.
 */
static int
shift_of(const struct vnd_tcpconn *c, int dir)
{
	int ws = c->wscale[dir];

	if (ws >= 0 && (c->wscale[!dir] >= 0 ||
	    (dir == 1 && c->synack && !c->hs[0])))
		return ws > MAX_WSCALE ? MAX_WSCALE : ws;
	if ((c->hs[0] && c->wscale[0] < 0) || (c->hs[1] && c->wscale[1] < 0))
		return 0;
	return -1;
}

/* A SYN went by: the shifts of both sides' windows, as far as known. */
void
vnd_tcpconn_shifts(struct vnd_tcpconn *c)
{
	c->shift[0] = shift_of(c, 0);
	c->shift[1] = shift_of(c, 1);
}

/*
 * A window whose shift is not known is taken at the least shift the data
 * of its sender allows: a sender sends no further than the receiver's last
 * window lets it (RFC 9293 3.8.6), so what it has in flight, flight, is at
 * most the last window the point saw, scaled. A window of 0 is 0 at any
 * shift.
 */
void
vnd_tcpconn_ws_infer(struct vnd_tcplivedir *d, uint32_t flight)
{
	while (d->win_raw > 0 && d->ws_lo < MAX_WSCALE &&
	    ((uint32_t)d->win_raw << d->ws_lo) < flight)
		d->ws_lo++;
	d->rwnd = (uint32_t)d->win_raw << d->ws_lo;
}

/* The window the side dir advertises limits the other side's data. */
static void
on_window(struct vnd_tcprun *r, struct vnd_tcpconn *c, int dir, const struct vnd_pkt *pk,
    int syn)
{
	struct vnd_tcplivedir *o = &c->x->d[!dir];
	int ws = syn ? 0 : c->shift[dir];

	o->win_raw = pk->win;
	o->vnd_tcpconn_ws_infer = ws < 0;
	o->rwnd = (uint32_t)pk->win << (ws < 0 ? o->ws_lo : ws);
	o->rwnd_known = 1;
	if (pk->win == 0 && o->started) {
		o->n->zero_win++;
		vnd_tcpconn_event(r, c, !dir, pk->ts_ns, "zero_window", pk->frame, 0);
	}
}

/*
 * A retransmission of seq found not needed, by Eifel (1) or a D-SACK (2).
 * The one retransmission both find counts once: the second finding of the
 * same segment by the other way is taken as the first's; a segment sent
 * three times can still be reported twice by D-SACK.
 */
static void
spurious(struct vnd_tcprun *r, struct vnd_tcpconn *c, int dir, int by, uint32_t seq,
    const struct vnd_pkt *pk)
{
	struct vnd_tcplivedir *d = &c->x->d[dir];

	if (d->n->retx <= d->n->spurious)
		return;
	if (d->spurious_by != 0 && d->spurious_by != by &&
	    d->spurious_seq == seq && !d->spurious_twice) {
		d->spurious_twice = 1;
		return;
	}
	d->n->spurious++;
	d->spurious_seq = seq;
	d->spurious_by = by;
	d->spurious_twice = 0;
	vnd_tcpconn_event(r, c, dir, pk->ts_ns, "spurious_retx", pk->frame, seq - d->isn);
}

/* When the ACKs came: the times the sender's timer and round trip go by. */
static void
ack_times(struct vnd_tcplivedir *o, const struct vnd_pkt *pk, int newdata)
{
	/* all it sent acknowledged: here to the receiver and back */
	if (newdata && o->n->pkts && vnd_seq_le(o->high, pk->ack) &&
	    pk->ts_ns >= o->last_data_ts && (o->rtt_fwd == 0 ||
	    pk->ts_ns - o->last_data_ts < o->rtt_fwd))
		o->rtt_fwd = pk->ts_ns - o->last_data_ts + 1;
	o->last_ack_ts = pk->ts_ns;
	if (newdata || !o->ack_seen) {
		o->prev_adv_ts = o->ack_seen ? o->last_adv_ts : pk->ts_ns;
		o->last_adv_ts = pk->ts_ns;
	}
	o->ack_seen = 1;
}

/* An ACK of nothing new while data is in flight (of the side odir). */
static void
dupack(struct vnd_tcprun *r, struct vnd_tcpconn *c, int odir, const struct vnd_pkt *pk)
{
	struct vnd_tcplivedir *o = &c->x->d[odir];

	o->n->dupacks++;
	if (++o->ndup == 3) {
		o->n->dup3++;
		vnd_tcpconn_event(r, c, odir, pk->ts_ns, "triple_dupack", pk->frame,
		    pk->ack - o->isn);
	}
	/* RFC 6675: three duplicates, or a SACK of data above the hole,
	 * starts loss recovery */
	if (!o->recovery && (o->ndup >= 3 || VND_ISSET(pk, VND_COL_SACK))) {
		o->recovery = 1;
		o->recov_retx = 0;
		o->recovery_point = o->high;
		vnd_tcpconn_cc(r, c, odir, o, CC_FAST_RECOVERY, pk->ts_ns, pk->frame);
	}
}

/* An ACK of new data (of the side odir). */
static void
newack(struct vnd_tcprun *r, struct vnd_tcpconn *c, int odir, const struct vnd_pkt *pk)
{
	struct vnd_tcplivedir *o = &c->x->d[odir];
	uint32_t a = pk->ack;

	/* RFC 3522 (Eifel): the first ACK to cover a retransmitted segment
	 * echoes the original's timestamp, older than the retransmission's:
	 * the original arrived, and the retransmission was not needed */
	if (o->eifel && vnd_seq_le(o->eifel_end, a)) {
		if (VND_ISSET(pk, VND_COL_TSECR) &&
		    (int32_t)(pk->tsecr - o->eifel_tsval) < 0)
			spurious(r, c, odir, 1, o->eifel_seq, pk);
		o->eifel = 0;
	}
	o->ndup = 0;
	o->acked = a;
	o->acked_any = 1;
	if (o->recovery && !vnd_seq_lt(a, o->recovery_point)) {
		o->recovery = 0;
		o->recov_retx = 0;
		vnd_tcpconn_cc(r, c, odir, o, CC_AVOIDANCE, pk->ts_ns, pk->frame);
	}
}

/* An ACK, from the side dir, of the other side's data. */
static void
on_ack(struct vnd_tcprun *r, struct vnd_tcpconn *c, int dir, const struct vnd_pkt *pk)
{
	struct vnd_tcplivedir *o = &c->x->d[!dir];
	uint32_t a = pk->ack;
	int newdata = !o->acked_any || vnd_seq_lt(o->acked, a);

	ack_times(o, pk, newdata);
	if (!newdata && vnd_tcp_payload_len(pk) == 0 &&
	    !(pk->tcp_flags & VND_TH_FIN) && o->acked_any && a == o->acked &&
	    vnd_seq_lt(a, o->high))
		dupack(r, c, !dir, pk);
	else if (newdata)
		newack(r, c, !dir, pk);
	/* RFC 2883: a first SACK block below the cumulative ACK reports data
	 * received twice; if it was sent twice, once was spurious */
	if (VND_ISSET(pk, VND_COL_SACK) && pk->nsack > 0 &&
	    vnd_seq_le(pk->sack[0][1], a))
		spurious(r, c, !dir, 2, pk->sack[0][0], pk);
}

/* The packet of the side dir as the receiver of the other side's data. */
void
vnd_tcpconn_receiver(struct vnd_tcprun *r, struct vnd_tcpconn *c, int dir, const struct vnd_pkt *pk)
{
	int syn = (pk->tcp_flags & VND_TH_SYN) != 0;
	int ack = (pk->tcp_flags & VND_TH_ACK) != 0 && !syn;
	int rst = (pk->tcp_flags & VND_TH_RST) != 0;

	if (ack && !rst && !c->x->d[!dir].started)
		ack_start(&c->x->d[!dir], pk);
	if (!rst)
		on_window(r, c, dir, pk, syn);
	if (ack && c->x->d[!dir].started)
		on_ack(r, c, dir, pk);
}
