/* vnd_pktrow.c: how each packets-table column of a struct vnd_pkt is written. */
#include <string.h>

#include "vnd_pktrow.h"

/* The text of the SACK blocks: 4 x (10 + 1 + 10) + 3, and the overwrite. */
#define SACK_ROOM	(VND_MAX_SACK * 22 + VND_FMT_ROOM)

/* The SACK blocks as text ("l-r;l-r"), at p; returns the end. */
static char *
sack_text(char *p, const struct vnd_pkt *pk)
{
	int i;

	for (i = 0; i < pk->nsack; i++) {
		if (i)
			*p++ = ';';
		p += vnd_fmt_u32(p, pk->sack[i][0]);
		*p++ = '-';
		p += vnd_fmt_u32(p, pk->sack[i][1]);
	}
	return p;
}

static void
put_sack(struct vnd_table *t, const struct vnd_pkt *pk)
{
	char buf[SACK_ROOM];

	vnd_put_text(t, buf, (size_t)(sack_text(buf, pk) - buf));
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
 * time went to dispatch before). SQLite, and TSV rows too long for
 * row_tsv().
 */
static void
put_row(struct vnd_table *t, const struct vnd_pkt *pk, const char *point)
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

/*
 * TSV rows are written whole at one pointer (no length and column count
 * stored back after every value), each value by a function inlined where
 * its column is, so the branches of one column predict its own values.
 */

/* A row's room but for its text values: every value a tab and a number. */
#define ROW_ROOM	(VND_NCOLS * (1 + VND_FMT_ROOM) + 2 * VND_IPNAME_TEXT + \
			    SACK_ROOM)

static inline char *
tab_unset(struct vnd_unset u, char *p)
{
	*p++ = '\t';
	return vnd_unset_put(u, p);
}

static inline char *
tab_u32(char *p, uint32_t v)
{
	*p++ = '\t';
	return p + vnd_fmt_u32(p, v);
}

/*
 * A 32-bit value that is mostly below 10^4 (a length), or 2^16 (an IP
 * ID): four digits or five cost half the eight of vnd_fmt_u32(), and the
 * branch, one a column, is mostly taken the same way.
 */
static inline __attribute__((always_inline)) char *
tab_short(char *p, uint32_t v)
{
	*p++ = '\t';
	if (v < 10000)
		return p + vnd_fmt_upto4(p, v);
	if (v < 65536)
		return p + vnd_fmt_u16(p, (uint16_t)v);
	return p + vnd_fmt_u32(p, v);
}

static inline char *
tab_u16(char *p, uint16_t v)
{
	*p++ = '\t';
	return p + vnd_fmt_u16(p, v);
}

static inline char *
tab_u8(char *p, uint8_t v)
{
	*p++ = '\t';
	return p + vnd_fmt_u8(p, v);
}

static inline char *
tab_i64(char *p, int64_t v)
{
	*p++ = '\t';
	return vnd_tsv_int(p, v);
}

/* A tab and text that may hold anything (vnd_put_str()). */
static inline char *
tab_str(const struct vnd_table *t, struct vnd_unset u, char *p, const char *s)
{
	if (s == NULL)
		return tab_unset(u, p);
	*p++ = '\t';
	return vnd_tsv_text(t, p, s, strlen(s));
}

/* The address's text from the cache, made on a miss; a tab before it. */
static inline char *
tab_ip(struct vnd_pktfmt *f, char *p, int ver, const uint8_t *a)
{
	struct vnd_ipname *e;
	uint64_t k0, k1;

	memcpy(&k0, a, 8);
	memcpy(&k1, a + 8, 8);
	e = &f->ip[((k0 ^ k1 * 31 ^ (uint64_t)ver) * 0x9e3779b97f4a7c15ULL) >>
	    (64 - VND_IPNAMES_LOG2)];
	if (e->len == 0 || e->ver != ver || memcmp(e->addr, a, 16) != 0) {
		memcpy(e->addr, a, 16);
		e->ver = (uint8_t)ver;
		e->len = (uint8_t)vnd_ip_fmt(e->text, ver, a);
	}
	*p++ = '\t';
	memcpy(p, e->text, sizeof(e->text));	/* fixed size: no call */
	return p + e->len;
}

/*
 * A tab and a 10-digit number that mostly repeats (an ACK's sequence
 * number, a data segment's acknowledgement, the time stamps), from the
 * cache when it holds it. A new one is made in registers and stored to the
 * row and to the cache from them (vnd_fmt_u32w()).
 */
static inline __attribute__((always_inline)) char *
tab_wide(struct vnd_numtext *c, char *p, uint32_t v)
{
	struct vnd_numtext *e = &c[(v * 0x9e3779b1U) >> (32 - VND_NUMTEXTS_LOG2)];
	uint64_t w[2];
	size_t n;

	*p++ = '\t';
	if (e->len != 0 && e->v == v) {
		memcpy(p, e, sizeof(*e));	/* fixed size: no call */
		return p + e->len;
	}
	n = vnd_fmt_u32w(w, v);
	memcpy(p, w, sizeof(w));
	/* text, len and v of the entry, in two words: w[1] holds 2 bytes */
	w[1] |= (uint64_t)n << 24 | (uint64_t)v << 32;
	memcpy(e, w, sizeof(w));
	return p + n;
}

/*
 * The frame number, made anew: counting up the last one's text in place
 * loaded a word over the byte just stored (a dozen cycles a row).
 */
static inline char *
frame_text(char *p, uint64_t frame)
{
	if (frame < 100000000)
		return p + vnd_fmt_upto8(p, (uint32_t)frame);
	return vnd_tsv_int(p, (int64_t)frame);
}

/* The point's name, a copy of fixed size when it is short (no call). */
static inline char *
point_text(const struct vnd_table *t, const struct vnd_pktfmt *f, char *p)
{
	if (f->pointlen == 0)
		return vnd_tsv_unset(t, p);
	if (f->pointlen <= sizeof(f->pointtext))
		memcpy(p, f->pointtext, sizeof(f->pointtext));
	else
		memcpy(p, f->point, f->pointlen);
	return p + f->pointlen;
}

#define U32_IF(col, v)	(p = VND_ISSET(pk, col) ? tab_u32(p, (v)) : tab_unset(u, p))
#define SHORT_IF(col, v) (p = VND_ISSET(pk, col) ? tab_short(p, (v)) : \
			    tab_unset(u, p))
#define WIDE_IF(col, nt, v) (p = VND_ISSET(pk, col) ? \
			    tab_wide(f->num[nt], p, (v)) : tab_unset(u, p))
#define U16_IF(col, v)	(p = VND_ISSET(pk, col) ? tab_u16(p, (v)) : tab_unset(u, p))
#define U8_IF(col, v)	(p = VND_ISSET(pk, col) ? tab_u8(p, (v)) : tab_unset(u, p))
#define I64_IF(col, v)	(p = VND_ISSET(pk, col) ? tab_i64(p, (int64_t)(v)) : \
			    tab_unset(u, p))
#define IP_IF(col, a)	(p = VND_ISSET(pk, col) ? \
			    tab_ip(f, p, pk->ip_ver, (a)) : tab_unset(u, p))

/*
 * The row of pk at p, as put_row() writes it; returns its end. Not inlined:
 * its many registers would be saved and restored for SQLite's rows too.
 */
static char * __attribute__((noinline))
row_tsv(struct vnd_table *t, struct vnd_pktfmt *f, const struct vnd_pkt *pk,
    char *p)
{
	const struct vnd_unset u = vnd_tsv_unset_of(t);

	p = frame_text(p, pk->frame);
	*p++ = '\t';
	p = point_text(t, f, p);
	if (VND_ISSET(pk, VND_COL_TS_NS)) {
		*p++ = '\t';
		p = vnd_tsv_ns(t, p, pk->ts_ns);
	} else
		p = tab_unset(u, p);
	p = tab_short(p, pk->wire_bytes);
	p = tab_short(p, pk->cap_bytes);
	U16_IF(VND_COL_VLAN, pk->vlan);
	if (VND_ISSET(pk, VND_COL_TUNNEL)) {
		p = tab_str(t, u, p, vnd_tunnel_name(pk->tunnel));
		U32_IF(VND_COL_VNI, pk->vni);
	} else {
		p = tab_unset(u, p);
		p = tab_unset(u, p);
	}
	IP_IF(VND_COL_SRC_IP, pk->src_ip);
	IP_IF(VND_COL_DST_IP, pk->dst_ip);
	U8_IF(VND_COL_IP_PROTO, pk->ip_proto);
	SHORT_IF(VND_COL_IP_ID, pk->ip_id);
	U8_IF(VND_COL_TTL, pk->ttl);
	SHORT_IF(VND_COL_IP_BYTES, pk->ip_bytes);
	U16_IF(VND_COL_SRC_PORT, pk->src_port);
	U16_IF(VND_COL_DST_PORT, pk->dst_port);
	U16_IF(VND_COL_TCP_FLAGS, pk->tcp_flags);
	WIDE_IF(VND_COL_SEQ, VND_NT_SEQ, pk->seq);
	WIDE_IF(VND_COL_ACK, VND_NT_ACK, pk->ack);
	U16_IF(VND_COL_WIN, pk->win);
	SHORT_IF(VND_COL_PAYLOAD_BYTES, pk->payload_bytes);
	U16_IF(VND_COL_MSS, pk->mss);
	U8_IF(VND_COL_WSCALE, pk->wscale);
	WIDE_IF(VND_COL_TSVAL, VND_NT_TSVAL, pk->tsval);
	WIDE_IF(VND_COL_TSECR, VND_NT_TSECR, pk->tsecr);
	if (VND_ISSET(pk, VND_COL_SACK) && pk->nsack > 0) {
		*p++ = '\t';
		p = sack_text(p, pk);
	} else
		p = tab_unset(u, p);
	I64_IF(VND_COL_PKT_ID, pk->pkt_id);
	I64_IF(VND_COL_PAYLOAD_HASH, pk->payload_hash);
	p = tab_str(t, u, p, pk->malformed);
	U8_IF(VND_COL_SACK_OK, 1);
	U32_IF(VND_COL_FRAG_OFF, pk->frag_off);
	U8_IF(VND_COL_FRAG_MORE, pk->frag_more);
	U8_IF(VND_COL_ICMP_TYPE, pk->icmp_type);
	U8_IF(VND_COL_ICMP_CODE, pk->icmp_code);
	return p;
}

/* Text a row may hold beyond ROW_ROOM: tunnel name and malformed reason. */
static size_t
text_room(const struct vnd_pkt *pk)
{
	size_t n = 0;

	if (VND_ISSET(pk, VND_COL_TUNNEL))
		n += VND_TSV_TEXT_MAX;
	if (pk->malformed != NULL)
		n += VND_TSV_TEXT_MAX;
	return n;
}

int
vnd_pkt_row(struct vnd_table *t, struct vnd_pktfmt *f,
    const struct vnd_pkt *pk, const char *point, char *errbuf)
{
	char *p;

	if (point != f->point) {
		f->point = point;
		f->pointlen = strlen(point);
		if (f->pointlen <= sizeof(f->pointtext))
			memcpy(f->pointtext, point, f->pointlen);
	}
	/* point names are written raw up to 256 bytes, as vnd_put_raw() */
	if (f->pointlen <= 256 &&
	    (p = vnd_tsv_row(t, ROW_ROOM + f->pointlen + text_room(pk))) != NULL)
		return vnd_tsv_row_end(t, row_tsv(t, f, pk, p), errbuf);
	put_row(t, pk, point);
	return vnd_row_end(t, errbuf);
}
