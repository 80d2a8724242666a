/* vnd_tcpconn_see.c: one packet of a connection: its handshake, its close, then each side's part. */
#include <stdio.h>

#include "vnd_tcpconn.h"

/* A SYN or SYN-ACK: the constants of the side dir, and its sequence space. */
static void
on_syn(struct vnd_tcprun *r, struct vnd_tcpconn *c, int dir, const struct vnd_pkt *pk,
    int ack)
{
	struct vnd_tcplivedir *d = &c->x->d[dir];

	if (dir == 0 && !ack) {
		c->syn = 1;
		c->syn_ts = pk->ts_ns;
	}
	if (dir == 1 && ack)
		c->synack = 1;
	c->hs[dir] = 1;
	if (VND_ISSET(pk, VND_COL_MSS))
		c->mss[dir] = pk->mss;
	c->wscale[dir] = VND_ISSET(pk, VND_COL_WSCALE) ? pk->wscale : -1;
	vnd_tcpconn_shifts(c);
	c->sack_ok[dir] = VND_ISSET(pk, VND_COL_SACK_OK);
	c->ts_ok[dir] = VND_ISSET(pk, VND_COL_TSVAL);
	/* the MSS it offers; 0 when it offers none */
	vnd_tcpconn_event(r, c, dir, pk->ts_ns, ack ? "synack" : "syn", pk->frame,
	    VND_ISSET(pk, VND_COL_MSS) ? pk->mss : 0);
	d->started = 1;
	d->isn = pk->seq;
	d->high = pk->seq + 1;
}

/* The first FIN and the first RST of each side. */
static void
on_close(struct vnd_tcprun *r, struct vnd_tcpconn *c, int dir, const struct vnd_pkt *pk)
{
	if ((pk->tcp_flags & VND_TH_FIN) && !c->fin[dir]) {
		c->fin[dir] = 1;
		vnd_tcpconn_event(r, c, dir, pk->ts_ns, "fin", pk->frame, 0);
	}
	if ((pk->tcp_flags & VND_TH_RST) && !c->rst[dir]) {
		c->rst[dir] = 1;
		if (!c->rst[!dir])
			c->rst_first = dir + 1;
		vnd_tcpconn_event(r, c, dir, pk->ts_ns, "rst", pk->frame, 0);
	}
}

static void
see(struct vnd_tcprun *r, const struct vnd_pkt *pk, const char *point)
{
	struct vnd_tcpconn *c;
	uint32_t len;
	int dir, syn, ack;

	/* where this packet's events are merged (-j) */
	r->ord = pk->ord;
	r->cur = NULL;
	if (!vnd_pkt_tcp(pk) || (c = vnd_tcpconn_of(r, pk, point, &dir)) == NULL)
		return;
	r->cur = c;
	syn = (pk->tcp_flags & VND_TH_SYN) != 0;
	ack = (pk->tcp_flags & VND_TH_ACK) != 0;
	c->last_ts = pk->ts_ns;
	c->last_ord = pk->ord;
	if (pk->ts_ns > c->hi_ts)
		c->hi_ts = pk->ts_ns;
	if (syn)
		on_syn(r, c, dir, pk, ack);
	on_close(r, c, dir, pk);
	/* the handshake's round trip: the client's SYN to its first ACK */
	if (ack && !syn && dir == 0 && c->syn && c->synack && c->hs_rtt == 0 &&
	    pk->ts_ns > c->syn_ts)
		c->hs_rtt = pk->ts_ns - c->syn_ts;
	/* this side's part as the other's receiver, then as a sender */
	vnd_tcpconn_receiver(r, c, dir, pk);
	if ((len = vnd_tcp_payload_len(pk)) > 0 || (pk->tcp_flags & VND_TH_FIN))
		vnd_tcpconn_sender(r, c, dir, pk, len);
	/* after this packet, what limits each side's sending */
	vnd_tcpconn_limits(c, r->slot_ns, pk->ts_ns);
	/* (a FIN each way or a RST: asked then only) */
	if (!c->closing && (c->rst[0] || c->rst[1] || (c->fin[0] && c->fin[1])))
		vnd_tcpconn_closing(r, c);
}

int
vnd_tcpconn_see(void *arg, const struct vnd_pkt *pk, const char *point)
{
	struct vnd_tcprun *r = arg;

	see(r, pk, point);
	return r->failed ? -1 : 0;
}
