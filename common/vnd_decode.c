/* vnd_decode.c: link, network and transport headers of one frame into a struct vnd_pkt. */
#include <string.h>

#include "vnd_cursor.h"
#include "vnd_decode.h"

/* LINKTYPE_ values (https://www.tcpdump.org/linktypes.html). */
#define LT_NULL		0
#define LT_EN10MB	1
#define LT_PPP		9
#define LT_FDDI		10
#define LT_RAW12	12	/* DLT_RAW on OpenBSD-era files */
#define LT_RAW14	14
#define LT_PPP_HDLC	50
#define LT_PPP_ETHER	51
#define LT_RAW		101
#define LT_C_HDLC	104
#define LT_IEEE802_11	105
#define LT_LOOP		108
#define LT_LINUX_SLL	113
#define LT_RADIOTAP	127
#define LT_PPI		192
#define LT_IPV4		228
#define LT_IPV6		229
#define LT_NFLOG	239
#define LT_PKTAP	258
#define LT_SUNATM	123	/* also ERF ATM: a 4-byte cell header, then LLC */
#define LT_LINUX_SLL2	276

#define ET_IPV4		0x0800
#define ET_IPV6		0x86dd
#define ET_VLAN		0x8100
#define ET_QINQ		0x88a8
#define ET_QINQ_OLD	0x9100
#define ET_MPLS		0x8847
#define ET_MPLS_MC	0x8848
#define ET_PPPOE_SESS	0x8864
#define ET_TEB		0x6558	/* transparent Ethernet bridging (RFC 1701) */
#define ET_ERSPAN2	0x88be
#define ET_CMD		0x8909	/* Cisco MetaData (SGT tag) */
#define ET_ERSPAN3	0x22eb

#define MAX_DEPTH	8	/* nested encapsulations before we stop */

struct dctx {
	struct vnd_pkt	*pk;
	int		 cut;	/* bytes missing by snap length, not by malformation */
	int		 depth;
	int		 inner;	/* in a tunnel, no inner IP header decoded yet */
	const uint8_t	*hp;	/* what the payload's hash is made of, */
	uint32_t	 hn;	/* once the frame is decoded */
};

static int	decode_link(struct dctx *, int, struct vnd_cursor *);
static int	decode_ether(struct dctx *, struct vnd_cursor *);
static int	decode_ethertype(struct dctx *, uint16_t, struct vnd_cursor *);
static int	decode_ip(struct dctx *, struct vnd_cursor *);
static int	decode_ipv4(struct dctx *, struct vnd_cursor *);
static int	decode_ipv6(struct dctx *, struct vnd_cursor *);
static int	decode_l4(struct dctx *, uint8_t, struct vnd_cursor *, uint32_t);
static int	decode_ppp(struct dctx *, struct vnd_cursor *);
static int	decode_80211(struct dctx *, struct vnd_cursor *);

/* Headers ran out: a snap-length cut ends decoding quietly, anything else is malformed. */
static int
short_hdr(struct dctx *d, const char *why)
{
	if (d->cut)
		return 0;
	d->pk->malformed = why;
	return -1;
}

static int
bad(struct dctx *d, const char *why)
{
	d->pk->malformed = why;
	return -1;
}

/* Entering a tunnel: what the outer headers said about L3/L4 is forgotten. */
static void
forget_l3(struct vnd_pkt *pk)
{
	static const int cols[] = {
		VND_COL_SRC_IP, VND_COL_DST_IP, VND_COL_IP_PROTO, VND_COL_IP_ID,
		VND_COL_TTL, VND_COL_IP_BYTES, VND_COL_SRC_PORT, VND_COL_DST_PORT,
		VND_COL_TCP_FLAGS, VND_COL_SEQ, VND_COL_ACK, VND_COL_WIN,
		VND_COL_PAYLOAD_BYTES, VND_COL_MSS, VND_COL_WSCALE, VND_COL_TSVAL,
		VND_COL_TSECR, VND_COL_SACK, VND_COL_PKT_ID, VND_COL_PAYLOAD_HASH,
		VND_COL_SACK_OK, VND_COL_FRAG_OFF, VND_COL_FRAG_MORE,
		VND_COL_ICMP_TYPE, VND_COL_ICMP_CODE,
	};
	size_t i;

	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		pk->set &= ~((uint64_t)1 << cols[i]);
	pk->ip_ver = 0;
	pk->nsack = 0;
	pk->payload = NULL;
	pk->payload_cap = 0;
}

static int
enter_tunnel(struct dctx *d, int kind, int has_id, uint32_t id)
{
	if (++d->depth > MAX_DEPTH)
		return bad(d, "too many encapsulations");
	/* The outer headers stand until an inner IP header replaces them. */
	d->inner = 1;
	d->pk->tunnel = (uint8_t)kind;
	VND_SET(d->pk, VND_COL_TUNNEL);
	if (has_id) {
		d->pk->vni = id;
		VND_SET(d->pk, VND_COL_VNI);
	} else
		d->pk->set &= ~((uint64_t)1 << VND_COL_VNI);
	return 0;
}

/* Decode the frame into d->pk; the payload's hash, if any, is left to make of d->hp. */
static int
decode_frame(struct dctx *d, struct vnd_pkt *pk, int dlt, const uint8_t *data,
    uint32_t caplen)
{
	struct vnd_cursor c;

	pk->set = (uint64_t)1 << VND_COL_FRAME | (uint64_t)1 << VND_COL_TS_NS |
	    (uint64_t)1 << VND_COL_WIRE_BYTES | (uint64_t)1 << VND_COL_CAP_BYTES;
	pk->malformed = NULL;
	pk->tunnel = VND_TUN_NONE;
	pk->ip_ver = 0;
	pk->nsack = 0;
	pk->payload = NULL;
	pk->payload_cap = 0;
	d->pk = pk;
	d->cut = pk->cap_bytes < pk->wire_bytes;
	d->depth = 0;
	d->inner = 0;
	d->hp = NULL;
	d->hn = 0;
	c.p = data;
	c.len = caplen;
	pk->linktype = dlt;
	return decode_link(d, dlt, &c);
}

int
vnd_decode(struct vnd_pkt *pk, int dlt, const uint8_t *data, uint32_t caplen)
{
	struct dctx d;
	int r = decode_frame(&d, pk, dlt, data, caplen);

	if (VND_ISSET(pk, VND_COL_PAYLOAD_HASH))
		pk->payload_hash = vnd_hash(d.hp, d.hn);
	return r;
}

int
vnd_decode_nohash(struct vnd_pkt *pk, int dlt, const uint8_t *data,
    uint32_t caplen)
{
	struct dctx d;
	int r = decode_frame(&d, pk, dlt, data, caplen);

	pk->set &= ~((uint64_t)1 << VND_COL_PAYLOAD_HASH);
	return r;
}

static int
decode_null(struct dctx *d, struct vnd_cursor *c, int loop)
{
	uint32_t af;

	if (!vnd_cur_has(c, 4))
		return short_hdr(d, "short null header");
	/* DLT_NULL is in the writer's byte order; DLT_LOOP is big-endian. */
	af = loop ? vnd_cur_be32at(c, 0) : vnd_cur_le32at(c, 0);
	if (!loop && (af & 0xffff0000))
		af = vnd_cur_be32at(c, 0);
	vnd_cur_skip(c, 4);
	switch (af) {
	case 2:
		return decode_ipv4(d, c);
	case 10: case 24: case 28: case 30:	/* AF_INET6 of Linux, BSDs, Darwin */
		return decode_ipv6(d, c);
	}
	/* Some writers put an Ethernet type in the low half instead. */
	if ((af & 0xffff) == ET_IPV4 || (af & 0xffff) == ET_IPV6)
		return decode_ip(d, c);
	return 0;
}

static int
decode_sll(struct dctx *d, struct vnd_cursor *c)
{
	uint16_t proto, hatype;

	if (!vnd_cur_has(c, 16))
		return short_hdr(d, "short sll header");
	hatype = vnd_cur_be16at(c, 2);
	proto = vnd_cur_be16at(c, 14);
	vnd_cur_skip(c, 16);
	if (hatype == 824 || hatype == 778) {	/* netlink, GRE: no ethertype */
		return 0;
	}
	if (proto == 0x0004) {			/* 802.2 LLC frames */
		return 0;
	}
	return decode_ethertype(d, proto, c);
}

static int
decode_sll2(struct dctx *d, struct vnd_cursor *c)
{
	uint16_t proto;

	if (!vnd_cur_has(c, 20))
		return short_hdr(d, "short sll2 header");
	proto = vnd_cur_be16at(c, 0);
	vnd_cur_skip(c, 20);
	return decode_ethertype(d, proto, c);
}

/* LLC/SNAP (IEEE 802.2, RFC 1042) after an 802.3 length, FDDI or 802.11 header. */
static int
decode_llc(struct dctx *d, struct vnd_cursor *c)
{
	uint16_t type;

	if (!vnd_cur_has(c, 3))
		return short_hdr(d, "short llc header");
	if (vnd_cur_u8at(c, 0) != 0xaa || vnd_cur_u8at(c, 1) != 0xaa ||
	    vnd_cur_u8at(c, 2) != 0x03)
		return 0;			/* not SNAP: no IP to find */
	if (!vnd_cur_has(c, 8))
		return short_hdr(d, "short snap header");
	type = vnd_cur_be16at(c, 6);
	vnd_cur_skip(c, 8);
	return decode_ethertype(d, type, c);
}

static int
decode_ether(struct dctx *d, struct vnd_cursor *c)
{
	uint16_t type;

	if (!vnd_cur_has(c, 14))
		return short_hdr(d, "short ethernet header");
	type = vnd_cur_be16at(c, 12);
	vnd_cur_skip(c, 14);
	if (type <= 1500)
		return decode_llc(d, c);
	return decode_ethertype(d, type, c);
}

static int
decode_mpls(struct dctx *d, struct vnd_cursor *c)
{
	uint32_t lse;
	int n;

	for (n = 0;; n++) {
		if (n > 16)
			return bad(d, "mpls label stack too deep");
		if (!vnd_cur_has(c, 4))
			return short_hdr(d, "short mpls header");
		lse = vnd_cur_be32at(c, 0);
		vnd_cur_skip(c, 4);
		if (lse & 0x100)		/* bottom of stack */
			break;
	}
	/* RFC 4448 says nothing of what follows; the first nibble tells IP. */
	if (!vnd_cur_has(c, 1))
		return short_hdr(d, "short mpls payload");
	switch (vnd_cur_u8at(c, 0) >> 4) {
	case 4:
		return decode_ipv4(d, c);
	case 6:
		return decode_ipv6(d, c);
	case 0:
		/* RFC 4385 control word, then an Ethernet pseudowire (RFC 4448) */
		if (vnd_cur_skip(c, 4) < 0)
			return short_hdr(d, "short pseudowire control word");
		return decode_ether(d, c);
	}
	return 0;
}

static int
decode_ethertype(struct dctx *d, uint16_t type, struct vnd_cursor *c)
{
	if (++d->depth > MAX_DEPTH)
		return bad(d, "too many encapsulations");
	switch (type) {
	case ET_IPV4:
		return decode_ipv4(d, c);
	case ET_IPV6:
		return decode_ipv6(d, c);
	case ET_VLAN: case ET_QINQ: case ET_QINQ_OLD:
		/* IEEE 802.1Q: the tag nearest the payload is the tenant's. */
		if (!vnd_cur_has(c, 4))
			return short_hdr(d, "short vlan tag");
		d->pk->vlan = vnd_cur_be16at(c, 0) & 0x0fff;
		VND_SET(d->pk, VND_COL_VLAN);
		type = vnd_cur_be16at(c, 2);
		vnd_cur_skip(c, 4);
		if (type <= 1500)
			return decode_llc(d, c);
		return decode_ethertype(d, type, c);
	case ET_MPLS: case ET_MPLS_MC:
		return decode_mpls(d, c);
	case ET_PPPOE_SESS:
		/* RFC 2516: 6-byte PPPoE header, then the PPP protocol field. */
		if (!vnd_cur_has(c, 6))
			return short_hdr(d, "short pppoe header");
		vnd_cur_skip(c, 6);
		return decode_ppp(d, c);
	case ET_TEB:
		return decode_ether(d, c);
	case ET_CMD:
		/* version, length, option type, SGT, then the next ethertype */
		if (!vnd_cur_has(c, 8))
			return short_hdr(d, "short cisco metadata");
		type = vnd_cur_be16at(c, 6);
		vnd_cur_skip(c, 8);
		return decode_ethertype(d, type, c);
	}
	return 0;
}

/* PPP (RFC 1661), with or without the HDLC address and control bytes (RFC 1662). */
static int
decode_ppp(struct dctx *d, struct vnd_cursor *c)
{
	uint16_t proto;

	if (!vnd_cur_has(c, 2))
		return short_hdr(d, "short ppp header");
	if (vnd_cur_u8at(c, 0) == 0xff && vnd_cur_u8at(c, 1) == 0x03) {
		vnd_cur_skip(c, 2);
		if (!vnd_cur_has(c, 1))
			return short_hdr(d, "short ppp header");
	}
	/* Protocol-field compression: an odd first byte is a 1-byte protocol. */
	if (vnd_cur_u8at(c, 0) & 1) {
		proto = vnd_cur_u8at(c, 0);
		vnd_cur_skip(c, 1);
	} else {
		if (!vnd_cur_has(c, 2))
			return short_hdr(d, "short ppp header");
		proto = vnd_cur_be16at(c, 0);
		vnd_cur_skip(c, 2);
	}
	switch (proto) {
	case 0x0021:
		return decode_ipv4(d, c);
	case 0x0057:
		return decode_ipv6(d, c);
	case 0x0281:
		return decode_mpls(d, c);
	}
	return 0;
}

/* IEEE 802.11 data frames: the header, then LLC/SNAP. */
static int
decode_80211(struct dctx *d, struct vnd_cursor *c)
{
	uint16_t fc;
	size_t hl;

	if (!vnd_cur_has(c, 2))
		return short_hdr(d, "short 802.11 header");
	fc = vnd_cur_le16at(c, 0);
	if (((fc >> 2) & 3) != 2)		/* not a data frame */
		return 0;
	if (fc & 0x4000)			/* protected: payload is ciphertext */
		return 0;
	hl = 24;
	if ((fc & 0x0300) == 0x0300)		/* ToDS and FromDS: 4 addresses */
		hl += 6;
	if ((fc >> 4) & 0x8)			/* QoS data subtypes */
		hl += 2;
	if ((fc >> 4) & 0x4)			/* null function: no payload */
		return 0;
	if (fc & 0x8000)			/* +HTC */
		hl += 4;
	if (vnd_cur_skip(c, hl) < 0)
		return short_hdr(d, "short 802.11 header");
	return decode_llc(d, c);
}

static int
decode_radiotap(struct dctx *d, struct vnd_cursor *c)
{
	uint16_t len;

	if (!vnd_cur_has(c, 4))
		return short_hdr(d, "short radiotap header");
	len = vnd_cur_le16at(c, 2);
	if (len < 8)
		return bad(d, "bad radiotap length");
	if (vnd_cur_skip(c, len) < 0)
		return short_hdr(d, "short radiotap header");
	return decode_80211(d, c);
}

/* NFLOG (Linux nfnetlink_log): a 4-byte header, then TLVs in host order. */
static int
decode_nflog(struct dctx *d, struct vnd_cursor *c)
{
	uint16_t tlen, ttype;
	uint8_t family;

	if (!vnd_cur_has(c, 4))
		return short_hdr(d, "short nflog header");
	family = vnd_cur_u8at(c, 0);
	vnd_cur_skip(c, 4);
	while (vnd_cur_has(c, 4)) {
		tlen = vnd_cur_le16at(c, 0);
		ttype = vnd_cur_le16at(c, 2) & 0x7fff;
		if (tlen < 4)
			return bad(d, "bad nflog tlv length");
		if (ttype == 9) {		/* NFULA_PAYLOAD */
			struct vnd_cursor in = { c->p + 4, 0 };
			in.len = c->len - 4 < (size_t)(tlen - 4) ? c->len - 4 :
			    (size_t)(tlen - 4);
			if (family == 10)
				return decode_ipv6(d, &in);
			return decode_ip(d, &in);
		}
		/* padded to 4 bytes: in 32 bits, as 0xfffd + 3 must not wrap to 0 */
		if (vnd_cur_skip(c, ((uint32_t)tlen + 3) & ~3u) < 0)
			return short_hdr(d, "short nflog tlv");
	}
	return 0;
}

static int
decode_link(struct dctx *d, int dlt, struct vnd_cursor *c)
{
	uint32_t hl, inner;

	switch (dlt) {
	case LT_EN10MB:
		return decode_ether(d, c);
	case LT_RAW: case LT_RAW12: case LT_RAW14:
	case LT_IPV4: case LT_IPV6:
		/* The version nibble decides, as a frame may lie about its type. */
		return decode_ip(d, c);
	case LT_NULL:
		return decode_null(d, c, 0);
	case LT_LOOP:
		return decode_null(d, c, 1);
	case LT_LINUX_SLL:
		return decode_sll(d, c);
	case LT_LINUX_SLL2:
		return decode_sll2(d, c);
	case LT_PPP: case LT_PPP_HDLC:
		return decode_ppp(d, c);
	case LT_PPP_ETHER:
		if (vnd_cur_skip(c, 6) < 0)
			return short_hdr(d, "short pppoe header");
		return decode_ppp(d, c);
	case LT_C_HDLC:
		/* Cisco HDLC: address, control, then an Ethernet type. */
		if (!vnd_cur_has(c, 4))
			return short_hdr(d, "short chdlc header");
		hl = vnd_cur_be16at(c, 2);
		vnd_cur_skip(c, 4);
		return decode_ethertype(d, (uint16_t)hl, c);
	case LT_FDDI:
		/* Frame control, destination, source; then LLC. */
		if (vnd_cur_skip(c, 13) < 0)
			return short_hdr(d, "short fddi header");
		return decode_llc(d, c);
	case LT_IEEE802_11:
		return decode_80211(d, c);
	case LT_SUNATM:
		if (vnd_cur_skip(c, 4) < 0)
			return short_hdr(d, "short atm header");
		return decode_llc(d, c);
	case LT_RADIOTAP:
		return decode_radiotap(d, c);
	case LT_NFLOG:
		return decode_nflog(d, c);
	case LT_PPI:
		/* Per-Packet Information: little-endian length and inner DLT. */
		if (!vnd_cur_has(c, 8))
			return short_hdr(d, "short ppi header");
		hl = vnd_cur_le16at(c, 2);
		inner = vnd_cur_le32at(c, 4);
		if (hl < 8)
			return bad(d, "bad ppi length");
		if (vnd_cur_skip(c, hl) < 0)
			return short_hdr(d, "short ppi header");
		if (inner == LT_PPI || inner == LT_PKTAP || ++d->depth > MAX_DEPTH)
			return bad(d, "nested ppi");
		return decode_link(d, (int)inner, c);
	case LT_PKTAP:
		/* Darwin PKTAP: host-order header length, then the inner DLT. */
		if (!vnd_cur_has(c, 8))
			return short_hdr(d, "short pktap header");
		hl = vnd_cur_le32at(c, 0);
		inner = vnd_cur_le32at(c, 4);
		if (hl < 8)
			return bad(d, "bad pktap length");
		if (vnd_cur_skip(c, hl) < 0)
			return short_hdr(d, "short pktap header");
		if (inner == LT_PPI || inner == LT_PKTAP || ++d->depth > MAX_DEPTH)
			return bad(d, "nested pktap");
		return decode_link(d, (int)inner, c);
	}
	return 0;
}

int
vnd_decode_knows(int dlt)
{
	switch (dlt) {
	case LT_EN10MB: case LT_RAW: case LT_RAW12: case LT_RAW14:
	case LT_IPV4: case LT_IPV6: case LT_NULL: case LT_LOOP:
	case LT_LINUX_SLL: case LT_LINUX_SLL2: case LT_PPP: case LT_PPP_HDLC:
	case LT_PPP_ETHER: case LT_C_HDLC: case LT_FDDI: case LT_IEEE802_11:
	case LT_RADIOTAP: case LT_NFLOG: case LT_PPI: case LT_PKTAP:
	case LT_SUNATM:
		return 1;
	}
	return 0;
}

static int
decode_ip(struct dctx *d, struct vnd_cursor *c)
{
	if (!vnd_cur_has(c, 1))
		return short_hdr(d, "short ip header");
	switch (vnd_cur_u8at(c, 0) >> 4) {
	case 4:
		return decode_ipv4(d, c);
	case 6:
		return decode_ipv6(d, c);
	}
	return bad(d, "bad ip version");
}

/* IPv4 (RFC 791). */
static int
decode_ipv4(struct dctx *d, struct vnd_cursor *c)
{
	struct vnd_pkt *pk = d->pk;
	struct vnd_cursor l4;
	uint32_t hl, tot, foff;
	uint16_t frag;

	if (!vnd_cur_has(c, 20))
		return short_hdr(d, "short ipv4 header");
	if (vnd_cur_u8at(c, 0) >> 4 != 4)
		return bad(d, "bad ip version");
	if (d->inner) {
		forget_l3(pk);
		d->inner = 0;
	}
	hl = (uint32_t)(vnd_cur_u8at(c, 0) & 0x0f) * 4;
	if (hl < 20)
		return bad(d, "bad ipv4 header length");
	tot = vnd_cur_be16at(c, 2);
	pk->ip_ver = 4;
	/* the rest zeroed: addresses compare as 16 bytes whatever the version */
	memset(pk->src_ip, 0, sizeof(pk->src_ip));
	memset(pk->dst_ip, 0, sizeof(pk->dst_ip));
	memcpy(pk->src_ip, c->p + 12, 4);
	memcpy(pk->dst_ip, c->p + 16, 4);
	pk->ip_id = vnd_cur_be16at(c, 4);
	pk->ttl = vnd_cur_u8at(c, 8);
	pk->ip_proto = vnd_cur_u8at(c, 9);
	pk->set |= (uint64_t)1 << VND_COL_SRC_IP | (uint64_t)1 << VND_COL_DST_IP |
	    (uint64_t)1 << VND_COL_IP_ID | (uint64_t)1 << VND_COL_TTL |
	    (uint64_t)1 << VND_COL_IP_PROTO | (uint64_t)1 << VND_COL_PKT_ID;
	pk->pkt_id = pk->ip_id;
	if (tot == 0 && !d->cut) {
		/* TCP segmentation offload: the capture saw the length unset. */
		tot = (uint32_t)c->len;
	}
	pk->ip_bytes = tot;
	VND_SET(pk, VND_COL_IP_BYTES);
	if (tot < hl)
		return bad(d, "bad ipv4 total length");
	if (!vnd_cur_has(c, hl))
		return short_hdr(d, "short ipv4 options");
	frag = vnd_cur_be16at(c, 6);
	foff = (uint32_t)(frag & 0x1fff) * 8;
	if (foff || (frag & 0x2000)) {
		pk->frag_off = foff;
		pk->frag_more = (frag & 0x2000) != 0;
		VND_SET(pk, VND_COL_FRAG_OFF);
		VND_SET(pk, VND_COL_FRAG_MORE);
	}
	l4.p = c->p + hl;
	l4.len = c->len - hl;
	if (l4.len > tot - hl)
		l4.len = tot - hl;		/* link padding is not payload */
	else if (l4.len < tot - hl && !d->cut)
		pk->malformed = "ipv4 length beyond frame";
	if (foff)
		return 0;			/* no transport header here */
	return decode_l4(d, pk->ip_proto, &l4, tot - hl) < 0 ? -1 :
	    (pk->malformed ? -1 : 0);
}

/* IPv6 (RFC 8200) and its extension headers. */
static int
decode_ipv6(struct dctx *d, struct vnd_cursor *c)
{
	struct vnd_pkt *pk = d->pk;
	struct vnd_cursor l4;
	uint32_t plen, hl, left;
	uint8_t nh;
	uint16_t fo;
	int n;

	if (!vnd_cur_has(c, 40)) {
		if (!d->cut || !vnd_cur_has(c, 24) || vnd_cur_u8at(c, 0) >> 4 != 6)
			return short_hdr(d, "short ipv6 header");
		/* Cut by the snap length inside the header: the source survives. */
		if (d->inner) {
			forget_l3(pk);
			d->inner = 0;
		}
		pk->ip_ver = 6;
		pk->ttl = vnd_cur_u8at(c, 7);
		memcpy(pk->src_ip, c->p + 8, 16);
		VND_SET(pk, VND_COL_TTL);
		VND_SET(pk, VND_COL_SRC_IP);
		return 0;
	}
	if (vnd_cur_u8at(c, 0) >> 4 != 6)
		return bad(d, "bad ip version");
	if (d->inner) {
		forget_l3(pk);
		d->inner = 0;
	}
	plen = vnd_cur_be16at(c, 4);
	nh = vnd_cur_u8at(c, 6);
	pk->ip_ver = 6;
	pk->ttl = vnd_cur_u8at(c, 7);
	memcpy(pk->src_ip, c->p + 8, 16);
	memcpy(pk->dst_ip, c->p + 24, 16);
	pk->ip_id = 0;
	pk->pkt_id = 0;
	pk->set |= (uint64_t)1 << VND_COL_SRC_IP | (uint64_t)1 << VND_COL_DST_IP |
	    (uint64_t)1 << VND_COL_TTL | (uint64_t)1 << VND_COL_IP_PROTO |
	    (uint64_t)1 << VND_COL_PKT_ID | (uint64_t)1 << VND_COL_IP_BYTES;
	if (plen == 0 && !d->cut)
		plen = (uint32_t)(c->len - 40);	/* jumbogram or offload */
	pk->ip_bytes = 40 + plen;
	pk->ip_proto = nh;
	l4.p = c->p + 40;
	l4.len = c->len - 40;
	if (l4.len > plen)
		l4.len = plen;
	else if (l4.len < plen && !d->cut)
		pk->malformed = "ipv6 length beyond frame";
	left = plen;
	for (n = 0; n < 256; n++) {
		switch (nh) {
		case 0: case 43: case 60: case 135: case 139: case 140:
			/* hop-by-hop, routing, destination, mobility, HIP, shim6 */
			if (!vnd_cur_has(&l4, 2))
				return short_hdr(d, "short ipv6 extension header");
			hl = ((uint32_t)vnd_cur_u8at(&l4, 1) + 1) * 8;
			break;
		case 51:			/* authentication header (RFC 4302) */
			if (!vnd_cur_has(&l4, 2))
				return short_hdr(d, "short ipv6 extension header");
			hl = ((uint32_t)vnd_cur_u8at(&l4, 1) + 2) * 4;
			break;
		case 44:			/* fragment */
			if (!vnd_cur_has(&l4, 8))
				return short_hdr(d, "short ipv6 fragment header");
			fo = vnd_cur_be16at(&l4, 2);
			pk->ip_id = vnd_cur_be32at(&l4, 4);
			pk->pkt_id = pk->ip_id;
			VND_SET(pk, VND_COL_IP_ID);
			pk->frag_off = (uint32_t)(fo & 0xfff8);
			pk->frag_more = fo & 1;
			VND_SET(pk, VND_COL_FRAG_OFF);
			VND_SET(pk, VND_COL_FRAG_MORE);
			hl = 8;
			break;
		default:
			pk->ip_proto = nh;
			if (VND_ISSET(pk, VND_COL_FRAG_OFF) && pk->frag_off)
				return pk->malformed ? -1 : 0;
			return decode_l4(d, nh, &l4, left) < 0 ? -1 :
			    (pk->malformed ? -1 : 0);
		}
		if (hl > left)
			return bad(d, "ipv6 extension header beyond payload");
		nh = vnd_cur_u8at(&l4, 0);
		left -= hl;
		if (vnd_cur_skip(&l4, hl) < 0)
			return short_hdr(d, "short ipv6 extension header");
		pk->ip_proto = nh;
	}
	return bad(d, "too many ipv6 extension headers");
}

/* The payload; its hash is made once the frame is decoded (vnd_decode()). */
static void
set_payload(struct dctx *d, const struct vnd_cursor *c, uint32_t len)
{
	struct vnd_pkt *pk = d->pk;

	pk->payload_bytes = len;
	VND_SET(pk, VND_COL_PAYLOAD_BYTES);
	pk->payload = c->p;
	pk->payload_cap = c->len < len ? (uint32_t)c->len : len;
	if (pk->payload_cap > 0) {
		d->hp = pk->payload;
		d->hn = pk->payload_cap;
		VND_SET(pk, VND_COL_PAYLOAD_HASH);
	}
}

/* TCP options (RFC 9293 3.2, RFC 7323, RFC 2018). */
static int
decode_tcpopts(struct dctx *d, struct vnd_cursor o)
{
	struct vnd_pkt *pk = d->pk;
	uint8_t kind, len;
	int i;

	while (o.len > 0) {
		kind = vnd_cur_u8at(&o, 0);
		if (kind == 0)
			break;
		if (kind == 1) {
			vnd_cur_skip(&o, 1);
			continue;
		}
		if (!vnd_cur_has(&o, 2))
			return short_hdr(d, "short tcp option");
		len = vnd_cur_u8at(&o, 1);
		if (len < 2)
			return bad(d, "bad tcp option length");
		if (!vnd_cur_has(&o, len))
			return short_hdr(d, "tcp option beyond header");
		switch (kind) {
		case 2:
			if (len == 4) {
				pk->mss = vnd_cur_be16at(&o, 2);
				VND_SET(pk, VND_COL_MSS);
			}
			break;
		case 3:
			if (len == 3) {
				pk->wscale = vnd_cur_u8at(&o, 2);
				VND_SET(pk, VND_COL_WSCALE);
			}
			break;
		case 4:
			VND_SET(pk, VND_COL_SACK_OK);
			break;
		case 5:
			for (i = 0; 2 + 8 * (i + 1) <= len && i < VND_MAX_SACK; i++) {
				pk->sack[i][0] = vnd_cur_be32at(&o, 2 + 8 * i);
				pk->sack[i][1] = vnd_cur_be32at(&o, 6 + 8 * i);
			}
			pk->nsack = (uint8_t)i;
			if (i > 0)
				VND_SET(pk, VND_COL_SACK);
			break;
		case 8:
			if (len == 10) {
				pk->tsval = vnd_cur_be32at(&o, 2);
				pk->tsecr = vnd_cur_be32at(&o, 6);
				VND_SET(pk, VND_COL_TSVAL);
				VND_SET(pk, VND_COL_TSECR);
			}
			break;
		}
		vnd_cur_skip(&o, len);
	}
	return 0;
}

/* TCP (RFC 9293); seglen is the segment's length by the IP header. */
static int
decode_tcp(struct dctx *d, struct vnd_cursor *c, uint32_t seglen)
{
	struct vnd_pkt *pk = d->pk;
	struct vnd_cursor o;
	uint32_t off;
	int r = 0;

	if (!vnd_cur_has(c, 20)) {
		/* Cut by the snap length: keep the fields that were captured. */
		if (!d->cut)
			return bad(d, "short tcp header");
		if (vnd_cur_has(c, 4)) {
			pk->src_port = vnd_cur_be16at(c, 0);
			pk->dst_port = vnd_cur_be16at(c, 2);
			VND_SET(pk, VND_COL_SRC_PORT);
			VND_SET(pk, VND_COL_DST_PORT);
		}
		if (vnd_cur_has(c, 8)) {
			pk->seq = vnd_cur_be32at(c, 4);
			pk->pkt_id = (uint64_t)pk->ip_id + ((uint64_t)pk->seq << 16);
			VND_SET(pk, VND_COL_SEQ);
		}
		return 0;
	}
	pk->src_port = vnd_cur_be16at(c, 0);
	pk->dst_port = vnd_cur_be16at(c, 2);
	pk->seq = vnd_cur_be32at(c, 4);
	pk->ack = vnd_cur_be32at(c, 8);
	off = (uint32_t)(vnd_cur_u8at(c, 12) >> 4) * 4;
	pk->tcp_flags = (uint16_t)((vnd_cur_u8at(c, 12) & 0x0f) << 8 |
	    vnd_cur_u8at(c, 13));
	pk->win = vnd_cur_be16at(c, 14);
	pk->pkt_id = (uint64_t)pk->ip_id + ((uint64_t)pk->seq << 16);
	pk->set |= (uint64_t)1 << VND_COL_SRC_PORT | (uint64_t)1 << VND_COL_DST_PORT |
	    (uint64_t)1 << VND_COL_SEQ | (uint64_t)1 << VND_COL_ACK |
	    (uint64_t)1 << VND_COL_TCP_FLAGS | (uint64_t)1 << VND_COL_WIN;
	if (off < 20 || off > seglen)
		return bad(d, "bad tcp header length");
	o.p = c->p + 20;
	o.len = (c->len < off ? c->len : off) - 20;
	if (c->len < off && !d->cut)
		r = bad(d, "short tcp options");
	if (decode_tcpopts(d, o) < 0)
		r = -1;
	if (c->len >= off)
		vnd_cur_skip(c, off);
	else
		vnd_cur_skip(c, c->len);
	set_payload(d, c, seglen - off);
	return r;
}

/* VXLAN (RFC 7348) and Geneve (RFC 8926) inside UDP. */
static int
decode_udp_tunnel(struct dctx *d, struct vnd_cursor *c)
{
	struct vnd_pkt *pk = d->pk;
	uint32_t hl;
	uint16_t proto;

	if (pk->dst_port == 4789) {
		if (!vnd_cur_has(c, 8))
			return short_hdr(d, "short vxlan header");
		if (!(vnd_cur_u8at(c, 0) & 0x08))
			return 0;		/* VNI flag clear: not for us */
		if (enter_tunnel(d, VND_TUN_VXLAN, 1, vnd_cur_be32at(c, 4) >> 8) < 0)
			return -1;
		vnd_cur_skip(c, 8);
		return decode_ether(d, c);
	}
	if (pk->dst_port == 6635) {
		/* MPLS in UDP (RFC 7510) */
		if (enter_tunnel(d, VND_TUN_MPLS, 0, 0) < 0)
			return -1;
		return decode_mpls(d, c);
	}
	if (pk->dst_port == 2152 || pk->src_port == 2152) {
		/* GTP-U v1 (3GPP TS 29.281): G-PDUs carry the user's IP packet. */
		uint8_t fl, nx;

		if (!vnd_cur_has(c, 8))
			return short_hdr(d, "short gtp header");
		fl = vnd_cur_u8at(c, 0);
		if (fl >> 5 != 1 || !(fl & 0x10) || vnd_cur_u8at(c, 1) != 0xff)
			return 0;		/* not a G-PDU of GTPv1 */
		if (enter_tunnel(d, VND_TUN_GTP, 1, vnd_cur_be32at(c, 4)) < 0)
			return -1;
		hl = 8;
		if (fl & 0x07) {
			if (!vnd_cur_has(c, 12))
				return short_hdr(d, "short gtp header");
			nx = (fl & 0x04) ? vnd_cur_u8at(c, 11) : 0;
			hl = 12;
			while (nx != 0) {	/* extension headers, 4-byte units */
				uint32_t el;

				if (!vnd_cur_has(c, hl + 1))
					return short_hdr(d, "short gtp extension");
				el = (uint32_t)vnd_cur_u8at(c, hl) * 4;
				if (el == 0)
					return bad(d, "bad gtp extension length");
				if (!vnd_cur_has(c, hl + el))
					return short_hdr(d, "short gtp extension");
				nx = vnd_cur_u8at(c, hl + el - 1);
				hl += el;
			}
		}
		vnd_cur_skip(c, hl);
		return decode_ip(d, c);
	}
	if (pk->dst_port == 6081) {
		if (!vnd_cur_has(c, 8))
			return short_hdr(d, "short geneve header");
		if (vnd_cur_u8at(c, 0) >> 6 != 0)
			return 0;		/* unknown version */
		hl = 8 + (uint32_t)(vnd_cur_u8at(c, 0) & 0x3f) * 4;
		proto = vnd_cur_be16at(c, 2);
		if (enter_tunnel(d, VND_TUN_GENEVE, 1, vnd_cur_be32at(c, 4) >> 8) < 0)
			return -1;
		if (vnd_cur_skip(c, hl) < 0)
			return short_hdr(d, "short geneve options");
		if (proto == ET_TEB)
			return decode_ether(d, c);
		return decode_ethertype(d, proto, c);
	}
	return 0;
}

/* GRE (RFC 2784, RFC 2890), NVGRE (RFC 7637), enhanced GRE of PPTP (RFC 2637). */
static int
decode_gre(struct dctx *d, struct vnd_cursor *c)
{
	uint16_t fl, proto;
	uint32_t hl = 4, key = 0;
	int haskey, ver;

	if (!vnd_cur_has(c, 4))
		return short_hdr(d, "short gre header");
	fl = vnd_cur_be16at(c, 0);
	proto = vnd_cur_be16at(c, 2);
	ver = fl & 7;
	if (ver > 1)
		return 0;
	if (fl & 0x8000)
		hl += 4;			/* checksum and reserved */
	haskey = (fl & 0x2000) != 0;
	if (haskey) {
		if (!vnd_cur_has(c, hl + 4))
			return short_hdr(d, "short gre header");
		key = vnd_cur_be32at(c, hl);
		hl += 4;
	}
	if (fl & 0x1000)
		hl += 4;			/* sequence number */
	if (ver == 1 && (fl & 0x0080))
		hl += 4;			/* acknowledgment number */
	if (vnd_cur_skip(c, hl) < 0)
		return short_hdr(d, "short gre header");
	if (proto == ET_TEB && haskey) {
		if (enter_tunnel(d, VND_TUN_NVGRE, 1, key >> 8) < 0)
			return -1;
		return decode_ether(d, c);
	}
	if (enter_tunnel(d, VND_TUN_GRE, haskey && ver == 0, key) < 0)
		return -1;
	if (ver == 1 || proto == 0x880b)
		return decode_ppp(d, c);
	if (proto == ET_CMD) {
		/* Cisco MetaData in GRE puts the next ethertype first. */
		if (!vnd_cur_has(c, 8))
			return short_hdr(d, "short cisco metadata");
		proto = vnd_cur_be16at(c, 0);
		vnd_cur_skip(c, 8);
	}
	if (proto == 0x8200)			/* Aruba WLAN: an 802.11 frame */
		return decode_80211(d, c);
	if (proto == ET_ERSPAN2) {
		/* ERSPAN type II has an 8-byte header; type I (no GRE sequence) none. */
		if ((fl & 0x1000) && vnd_cur_skip(c, 8) < 0)
			return short_hdr(d, "short erspan header");
		return decode_ether(d, c);
	}
	if (proto == ET_ERSPAN3) {
		/* ERSPAN type III: 12 bytes, and 8 more when the O bit is set. */
		if (!vnd_cur_has(c, 12))
			return short_hdr(d, "short erspan header");
		hl = (vnd_cur_u8at(c, 11) & 1) ? 20 : 12;
		if (vnd_cur_skip(c, hl) < 0)
			return short_hdr(d, "short erspan header");
		return decode_ether(d, c);
	}
	return decode_ethertype(d, proto, c);
}

/* UDP (RFC 768). */
static int
decode_udp(struct dctx *d, struct vnd_cursor *c, uint32_t seglen)
{
	struct vnd_pkt *pk = d->pk;
	uint32_t ulen;

	if (!vnd_cur_has(c, 8))
		return short_hdr(d, "short udp header");
	pk->src_port = vnd_cur_be16at(c, 0);
	pk->dst_port = vnd_cur_be16at(c, 2);
	ulen = vnd_cur_be16at(c, 4);
	VND_SET(pk, VND_COL_SRC_PORT);
	VND_SET(pk, VND_COL_DST_PORT);
	if (ulen == 0 && pk->ip_ver == 6)
		ulen = seglen;			/* jumbogram (RFC 2675) */
	if (ulen < 8)
		return bad(d, "bad udp length");
	if (ulen > seglen) {
		/* The first fragment of a datagram holds only part of it. */
		if (VND_ISSET(pk, VND_COL_FRAG_MORE) && pk->frag_more) {
			vnd_cur_skip(c, 8);
			set_payload(d, c, ulen - 8);
			return 0;
		}
		set_payload(d, c, 0);
		return bad(d, "udp length beyond ip payload");
	}
	vnd_cur_skip(c, 8);
	if (c->len > ulen - 8)
		c->len = ulen - 8;
	set_payload(d, c, ulen - 8);
	if (pk->dst_port == 4789 || pk->dst_port == 6081 ||
	    pk->dst_port == 2152 || pk->src_port == 2152 ||
	    pk->dst_port == 6635) {
		if (VND_ISSET(pk, VND_COL_FRAG_MORE) && pk->frag_more)
			return 0;		/* the inner frame is not all here */
		return decode_udp_tunnel(d, c);
	}
	return 0;
}

/* ICMP (RFC 792) and ICMPv6 (RFC 4443): an error is reported by its own header. */
static int
decode_icmp(struct dctx *d, struct vnd_cursor *c, uint32_t seglen)
{
	struct vnd_pkt *pk = d->pk;

	if (!vnd_cur_has(c, 4))
		return short_hdr(d, "short icmp header");
	pk->icmp_type = vnd_cur_u8at(c, 0);
	pk->icmp_code = vnd_cur_u8at(c, 1);
	VND_SET(pk, VND_COL_ICMP_TYPE);
	VND_SET(pk, VND_COL_ICMP_CODE);
	if (seglen < 8)
		return bad(d, "short icmp message");
	if (vnd_cur_skip(c, 8) < 0)
		vnd_cur_skip(c, c->len);
	set_payload(d, c, seglen - 8);
	return 0;
}

static int
decode_l4(struct dctx *d, uint8_t proto, struct vnd_cursor *c, uint32_t seglen)
{
	switch (proto) {
	case 6:
		return decode_tcp(d, c, seglen);
	case 17:
		return decode_udp(d, c, seglen);
	case 1: case 58:
		return decode_icmp(d, c, seglen);
	case 47:
		return decode_gre(d, c);
	case 4:
		if (enter_tunnel(d, VND_TUN_IPIP, 0, 0) < 0)
			return -1;
		return decode_ipv4(d, c);
	case 41:
		if (enter_tunnel(d, VND_TUN_IPIP, 0, 0) < 0)
			return -1;
		return decode_ipv6(d, c);
	}
	return 0;
}
