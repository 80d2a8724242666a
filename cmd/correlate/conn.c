/* conn.c: the connections at a point by 5-tuple (vnd_flowtab), with the times a proxy carries over. */
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "vnd_grow.h"

static const struct vnd_flowkey *
conn_key(void *arg, size_t i)
{
	return &((struct conns *)arg)->v[i].k;
}

/* A new connection for pk; the same 5-tuple's older one (old >= 0) stays, out of the index. */
static long
conn_new(struct conns *cs, const struct vnd_pkt *pk, int64_t ts, long old,
    int *forward)
{
	struct conn *c, *nv;
	int dir;

	if ((nv = vnd_grow(cs->v, &cs->cap, cs->n, sizeof(*nv), 256)) == NULL)
		return -1;
	cs->v = nv;
	c = &cs->v[cs->n];
	memset(c, 0, sizeof(*c));
	/* a SYN-ACK's sender is the server; anything else opens it */
	vnd_flowkey_init(&c->k, pk, &cs->proto_point[pk->ip_proto], &dir);
	if (dir && !(pk->ip_proto == 6 && VND_ISSET(pk, VND_COL_TCP_FLAGS))) {
		/* the flags were another packet's: only TCP has them */
		struct vnd_flowkey t = c->k;

		memcpy(c->k.src, t.dst, 16);
		memcpy(c->k.dst, t.src, 16);
		c->k.sport = t.dport;
		c->k.dport = t.sport;
		dir = 0;
	}
	*forward = !dir;
	c->proto = pk->ip_proto;
	c->first_ts = ts;
	cs->ft.key = conn_key;
	cs->ft.arg = cs;
	if (vnd_flowtab_place(&cs->ft, old, cs->n) < 0)
		return -1;
	return (long)cs->n++;
}

/* What a TCP segment tells of its connection's life, one way. */
static void
see_tcp(struct conn *c, const struct vnd_pkt *pk, int64_t ts, int fwd)
{
	struct conn_dir *d = &c->d[!fwd];
	int syn = (pk->tcp_flags & VND_TH_SYN) != 0;
	int ack = (pk->tcp_flags & VND_TH_ACK) != 0;
	uint32_t len = VND_ISSET(pk, VND_COL_PAYLOAD_BYTES) ? pk->payload_bytes : 0;

	if (pk->tcp_flags & (VND_TH_FIN | VND_TH_RST)) {
		c->closed = 1;
		if (d->fin_ts == 0)
			d->fin_ts = ts;
	}
	if (syn) {
		d->isn = pk->seq;
		d->isn_seen = 1;
	}
	if (len > 0) {
		if (d->first_data_ts == 0)
			d->first_data_ts = ts;
		d->last_data_ts = ts;
		if (!d->high_seen || (int32_t)(pk->seq + len - d->high) > 0)
			d->high = pk->seq + len;
		d->high_seen = 1;
	}
	if (syn && !ack && fwd && !c->syn_seen) {
		c->syn_seen = 1;
		c->syn_ts = ts;
	} else if (syn && ack && !fwd)
		c->synack_seen = 1;
	else if (ack && !syn && fwd && c->synack_seen && !c->open_seen) {
		c->open_seen = 1;
		c->open_ts = ts;
	}
}

long
conns_see(struct conns *cs, const struct vnd_pkt *pk, int64_t ts, int *forward)
{
	struct conn *c;
	long k;
	int dir = 0, tcp;

	*forward = 1;
	if (!VND_ISSET(pk, VND_COL_SRC_IP) || !VND_ISSET(pk, VND_COL_SRC_PORT))
		return -1;
	tcp = pk->ip_proto == 6 && VND_ISSET(pk, VND_COL_TCP_FLAGS);
	k = vnd_flowtab_find(&cs->ft, pk, &cs->proto_point[pk->ip_proto], &dir);
	/* the same 5-tuple opened again: after a close, or a new SYN */
	if (k < 0 || (tcp && (pk->tcp_flags & (VND_TH_SYN | VND_TH_ACK |
	    VND_TH_RST)) == VND_TH_SYN && (cs->v[k].closed ||
	    vnd_flow_new_syn(pk, dir == 0 && cs->v[k].syn_seen,
	    cs->v[k].d[0].isn, cs->v[k].closed || cs->v[k].d[0].high_seen ||
	    cs->v[k].d[1].high_seen)))) {
		if ((k = conn_new(cs, pk, ts, k, forward)) < 0) {
			*forward = 0;
			return -1;
		}
	} else
		*forward = !dir;
	c = &cs->v[k];
	c->pkts++;
	if (tcp)
		see_tcp(c, pk, ts, *forward);
	return k;
}

int64_t
conn_bytes(const struct conn *c, int dir)
{
	const struct conn_dir *d = &c->d[dir];

	if (!d->isn_seen)
		return -1;
	return d->high_seen ? (int64_t)(uint32_t)(d->high - d->isn - 1) : 0;
}

void
conns_free(struct conns *cs)
{
	free(cs->v);
	vnd_flowtab_free(&cs->ft);
	memset(cs, 0, sizeof(*cs));
}
