/* vnd_pktrow.c: how each packets-table column of a struct vnd_pkt is written. */
#include <string.h>

#include "vnd_pktrow.h"

static void
put_sack(struct vnd_table *t, const struct vnd_pkt *pk)
{
	char buf[VND_MAX_SACK * 24], *p = buf;
	int i;

	for (i = 0; i < pk->nsack; i++) {
		if (i)
			*p++ = ';';
		p += vnd_fmt_u64(p, pk->sack[i][0]);
		*p++ = '-';
		p += vnd_fmt_u64(p, pk->sack[i][1]);
	}
	vnd_put_text(t, buf, (size_t)(p - buf));
}

void
vnd_pkt_put(struct vnd_table *t, const struct vnd_pkt *pk, int col,
    const char *point)
{
	char buf[64];
	int64_t v;

	if (col == VND_COL_POINT) {
		vnd_put_str(t, point);
		return;
	}
	if (col == VND_COL_MALFORMED) {
		vnd_put_str(t, pk->malformed);
		return;
	}
	if (!VND_ISSET(pk, col)) {
		vnd_put_null(t);
		return;
	}
	switch (col) {
	case VND_COL_FRAME:		v = (int64_t)pk->frame; break;
	case VND_COL_TS_NS:		v = pk->ts_ns; break;
	case VND_COL_WIRE_BYTES:	v = pk->wire_bytes; break;
	case VND_COL_CAP_BYTES:		v = pk->cap_bytes; break;
	case VND_COL_VLAN:		v = pk->vlan; break;
	case VND_COL_TUNNEL:
		vnd_put_str(t, vnd_tunnel_name(pk->tunnel));
		return;
	case VND_COL_VNI:		v = pk->vni; break;
	case VND_COL_SRC_IP:
		vnd_put_text(t, buf, vnd_ip_fmt(buf, pk->ip_ver, pk->src_ip));
		return;
	case VND_COL_DST_IP:
		vnd_put_text(t, buf, vnd_ip_fmt(buf, pk->ip_ver, pk->dst_ip));
		return;
	case VND_COL_IP_PROTO:		v = pk->ip_proto; break;
	case VND_COL_IP_ID:		v = pk->ip_id; break;
	case VND_COL_TTL:		v = pk->ttl; break;
	case VND_COL_IP_BYTES:		v = pk->ip_bytes; break;
	case VND_COL_SRC_PORT:		v = pk->src_port; break;
	case VND_COL_DST_PORT:		v = pk->dst_port; break;
	case VND_COL_TCP_FLAGS:		v = pk->tcp_flags; break;
	case VND_COL_SEQ:		v = pk->seq; break;
	case VND_COL_ACK:		v = pk->ack; break;
	case VND_COL_WIN:		v = pk->win; break;
	case VND_COL_PAYLOAD_BYTES:	v = pk->payload_bytes; break;
	case VND_COL_MSS:		v = pk->mss; break;
	case VND_COL_WSCALE:		v = pk->wscale; break;
	case VND_COL_TSVAL:		v = pk->tsval; break;
	case VND_COL_TSECR:		v = pk->tsecr; break;
	case VND_COL_SACK:
		put_sack(t, pk);
		return;
	case VND_COL_PKT_ID:		v = (int64_t)pk->pkt_id; break;
	case VND_COL_PAYLOAD_HASH:	v = (int64_t)pk->payload_hash; break;
	case VND_COL_SACK_OK:		v = 1; break;
	case VND_COL_FRAG_OFF:		v = pk->frag_off; break;
	case VND_COL_FRAG_MORE:		v = pk->frag_more; break;
	case VND_COL_ICMP_TYPE:		v = pk->icmp_type; break;
	case VND_COL_ICMP_CODE:		v = pk->icmp_code; break;
	default:
		vnd_put_null(t);
		return;
	}
	vnd_put_int(t, v);
}

/* A value of pk if its column is set, else "-". */
#define PUT_IF(col, v) do {						\
	if (VND_ISSET(pk, col))						\
		vnd_put_int(t, (int64_t)(v));				\
	else								\
		vnd_put_null(t);					\
} while (0)

/*
 * The whole packets-table row, straight through: the table every capture
 * becomes, so no per-column lookup on its path (a third of vnd-parse's
 * time went to dispatch before).
 */
void
vnd_pkt_row(struct vnd_table *t, const struct vnd_pkt *pk, const char *point)
{
	char buf[64];

	vnd_put_int(t, (int64_t)pk->frame);
	vnd_put_raw(t, point, strlen(point));
	if (VND_ISSET(pk, VND_COL_TS_NS))
		vnd_put_ns(t, pk->ts_ns);
	else
		vnd_put_null(t);
	vnd_put_int(t, pk->wire_bytes);
	vnd_put_int(t, pk->cap_bytes);
	PUT_IF(VND_COL_VLAN, pk->vlan);
	if (VND_ISSET(pk, VND_COL_TUNNEL)) {
		vnd_put_str(t, vnd_tunnel_name(pk->tunnel));
		PUT_IF(VND_COL_VNI, pk->vni);
	} else {
		vnd_put_null(t);
		vnd_put_null(t);
	}
	if (VND_ISSET(pk, VND_COL_SRC_IP))
		vnd_put_raw(t, buf, vnd_ip_fmt(buf, pk->ip_ver, pk->src_ip));
	else
		vnd_put_null(t);
	if (VND_ISSET(pk, VND_COL_DST_IP))
		vnd_put_raw(t, buf, vnd_ip_fmt(buf, pk->ip_ver, pk->dst_ip));
	else
		vnd_put_null(t);
	PUT_IF(VND_COL_IP_PROTO, pk->ip_proto);
	PUT_IF(VND_COL_IP_ID, pk->ip_id);
	PUT_IF(VND_COL_TTL, pk->ttl);
	PUT_IF(VND_COL_IP_BYTES, pk->ip_bytes);
	PUT_IF(VND_COL_SRC_PORT, pk->src_port);
	PUT_IF(VND_COL_DST_PORT, pk->dst_port);
	PUT_IF(VND_COL_TCP_FLAGS, pk->tcp_flags);
	PUT_IF(VND_COL_SEQ, pk->seq);
	PUT_IF(VND_COL_ACK, pk->ack);
	PUT_IF(VND_COL_WIN, pk->win);
	PUT_IF(VND_COL_PAYLOAD_BYTES, pk->payload_bytes);
	PUT_IF(VND_COL_MSS, pk->mss);
	PUT_IF(VND_COL_WSCALE, pk->wscale);
	PUT_IF(VND_COL_TSVAL, pk->tsval);
	PUT_IF(VND_COL_TSECR, pk->tsecr);
	if (VND_ISSET(pk, VND_COL_SACK))
		put_sack(t, pk);
	else
		vnd_put_null(t);
	PUT_IF(VND_COL_PKT_ID, pk->pkt_id);
	PUT_IF(VND_COL_PAYLOAD_HASH, pk->payload_hash);
	vnd_put_str(t, pk->malformed);
	PUT_IF(VND_COL_SACK_OK, 1);
	PUT_IF(VND_COL_FRAG_OFF, pk->frag_off);
	PUT_IF(VND_COL_FRAG_MORE, pk->frag_more);
	PUT_IF(VND_COL_ICMP_TYPE, pk->icmp_type);
	PUT_IF(VND_COL_ICMP_CODE, pk->icmp_code);
}
