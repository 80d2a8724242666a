/* vnd_pkt.h: one decoded frame, and the columns of the packets table. */
#ifndef VND_PKT_H
#define VND_PKT_H

#include <stddef.h>
#include <stdint.h>

/* Columns of the packets table, in DESIGN.md order; new ones are appended. */
enum vnd_col {
	VND_COL_FRAME, VND_COL_POINT, VND_COL_TS_NS, VND_COL_WIRE_BYTES,
	VND_COL_CAP_BYTES, VND_COL_VLAN, VND_COL_TUNNEL, VND_COL_VNI,
	VND_COL_SRC_IP, VND_COL_DST_IP, VND_COL_IP_PROTO, VND_COL_IP_ID,
	VND_COL_TTL, VND_COL_IP_BYTES, VND_COL_SRC_PORT, VND_COL_DST_PORT,
	VND_COL_TCP_FLAGS, VND_COL_SEQ, VND_COL_ACK, VND_COL_WIN,
	VND_COL_PAYLOAD_BYTES, VND_COL_MSS, VND_COL_WSCALE, VND_COL_TSVAL,
	VND_COL_TSECR, VND_COL_SACK, VND_COL_PKT_ID, VND_COL_PAYLOAD_HASH,
	VND_COL_MALFORMED,
	VND_COL_SACK_OK, VND_COL_FRAG_OFF, VND_COL_FRAG_MORE,
	VND_COL_ICMP_TYPE, VND_COL_ICMP_CODE,
	VND_NCOLS
};

/* Column value kinds, as SQLite stores them. */
enum vnd_coltype { VND_INT, VND_TEXT, VND_REAL };

struct vnd_colspec {
	const char	*name;
	enum vnd_coltype type;
};

extern const struct vnd_colspec vnd_packet_cols[VND_NCOLS];

/* Tunnel kinds, the values of the tunnel column. */
enum vnd_tunnel {
	VND_TUN_NONE, VND_TUN_VXLAN, VND_TUN_GENEVE, VND_TUN_GRE,
	VND_TUN_NVGRE, VND_TUN_IPIP, VND_TUN_GTP, VND_TUN_MPLS
};

#define VND_MAX_SACK	4

/*
 * A decoded frame. Which fields hold a value is in `set`, a bit per column
 * (1 << VND_COL_x); the others print as "-".
 */
struct vnd_pkt {
	uint64_t	 set;
	uint64_t	 frame;
	int64_t		 ts_ns;
	uint32_t	 wire_bytes;
	uint32_t	 cap_bytes;
	int		 linktype;	/* DLT of the frame */
	uint16_t	 vlan;
	uint8_t		 tunnel;
	uint32_t	 vni;
	uint8_t		 ip_ver;	/* 4 or 6 */
	uint8_t		 src_ip[16];	/* IPv4 in the first 4 bytes, then zeros */
	uint8_t		 dst_ip[16];
	uint8_t		 ip_proto;
	uint8_t		 ttl;
	uint32_t	 ip_id;
	uint32_t	 ip_bytes;
	uint16_t	 src_port;
	uint16_t	 dst_port;
	uint16_t	 tcp_flags;
	uint32_t	 seq;
	uint32_t	 ack;
	uint16_t	 win;
	uint32_t	 payload_bytes;
	uint16_t	 mss;
	uint8_t		 wscale;
	uint8_t		 nsack;
	uint32_t	 tsval;
	uint32_t	 tsecr;
	uint32_t	 sack[VND_MAX_SACK][2];
	uint64_t	 pkt_id;
	uint64_t	 payload_hash;
	const char	*malformed;	/* static string, NULL when well formed */
	uint32_t	 frag_off;
	uint8_t		 frag_more;
	uint8_t		 icmp_type;
	uint8_t		 icmp_code;
	const uint8_t	*payload;	/* captured L4 payload, payload_cap bytes */
	uint32_t	 payload_cap;
	uint64_t	 ord;		/* 0, 1, ...: the packet's place among all
					   a tool reads (vnd_operands) */
};

#define VND_SET(pk, col)	((pk)->set |= (uint64_t)1 << (col))
#define VND_ISSET(pk, col)	(((pk)->set >> (col)) & 1)

/* TCP flag bits (RFC 9293, RFC 3168). */
#define VND_TH_FIN	0x01
#define VND_TH_SYN	0x02
#define VND_TH_RST	0x04
#define VND_TH_PUSH	0x08
#define VND_TH_ACK	0x10
#define VND_TH_URG	0x20
#define VND_TH_ECE	0x40
#define VND_TH_CWR	0x80
#define VND_TH_AE	0x100

/* The name of a link type, as pcap names it ("EN10MB"), or "DLT_<n>". */
const char *vnd_dlt_name(int dlt, char *buf, size_t len);

const char *vnd_tunnel_name(int tunnel);

/* Write an address of family 4 or 6 as text; returns the length. */
size_t	 vnd_ip_fmt(char *buf, int ver, const uint8_t *addr);

/*
 * Is pk a TCP segment whose header was read: flags known, not a later
 * fragment? What the TCP state machines look at.
 */
int	 vnd_pkt_tcp(const struct vnd_pkt *pk);

/* Parse a column name; -1 when unknown. */
int	 vnd_col_lookup(const char *name);

/* 64-bit hash of a payload, 63 bits kept so SQLite stores it as an integer. */
uint64_t vnd_hash(const uint8_t *p, size_t n);

/* RFC 1982 serial number arithmetic on sequence numbers: a before b. */
static inline int
vnd_seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline int
vnd_seq_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

#endif
