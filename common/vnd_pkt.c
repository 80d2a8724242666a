/* vnd_pkt.c: the packets table's columns, names of link types and tunnels, the payload hash. */
#include <stdio.h>
#include <string.h>

#include "vnd_pkt.h"

const struct vnd_colspec vnd_packet_cols[VND_NCOLS] = {
	[VND_COL_FRAME] = { "frame", VND_INT },
	[VND_COL_POINT] = { "point", VND_TEXT },
	[VND_COL_TS_NS] = { "ts_ns", VND_INT },
	[VND_COL_WIRE_BYTES] = { "wire_bytes", VND_INT },
	[VND_COL_CAP_BYTES] = { "cap_bytes", VND_INT },
	[VND_COL_VLAN] = { "vlan", VND_INT },
	[VND_COL_TUNNEL] = { "tunnel", VND_TEXT },
	[VND_COL_VNI] = { "vni", VND_INT },
	[VND_COL_SRC_IP] = { "src_ip", VND_TEXT },
	[VND_COL_DST_IP] = { "dst_ip", VND_TEXT },
	[VND_COL_IP_PROTO] = { "ip_proto", VND_INT },
	[VND_COL_IP_ID] = { "ip_id", VND_INT },
	[VND_COL_TTL] = { "ttl", VND_INT },
	[VND_COL_IP_BYTES] = { "ip_bytes", VND_INT },
	[VND_COL_SRC_PORT] = { "src_port", VND_INT },
	[VND_COL_DST_PORT] = { "dst_port", VND_INT },
	[VND_COL_TCP_FLAGS] = { "tcp_flags", VND_INT },
	[VND_COL_SEQ] = { "seq", VND_INT },
	[VND_COL_ACK] = { "ack", VND_INT },
	[VND_COL_WIN] = { "win", VND_INT },
	[VND_COL_PAYLOAD_BYTES] = { "payload_bytes", VND_INT },
	[VND_COL_MSS] = { "mss", VND_INT },
	[VND_COL_WSCALE] = { "wscale", VND_INT },
	[VND_COL_TSVAL] = { "tsval", VND_INT },
	[VND_COL_TSECR] = { "tsecr", VND_INT },
	[VND_COL_SACK] = { "sack", VND_TEXT },
	[VND_COL_PKT_ID] = { "pkt_id", VND_INT },
	[VND_COL_PAYLOAD_HASH] = { "payload_hash", VND_INT },
	[VND_COL_MALFORMED] = { "malformed", VND_TEXT },
	[VND_COL_SACK_OK] = { "sack_ok", VND_INT },
	[VND_COL_FRAG_OFF] = { "frag_off", VND_INT },
	[VND_COL_FRAG_MORE] = { "frag_more", VND_INT },
	[VND_COL_ICMP_TYPE] = { "icmp_type", VND_INT },
	[VND_COL_ICMP_CODE] = { "icmp_code", VND_INT },
};

int
vnd_pkt_tcp(const struct vnd_pkt *pk)
{
	return VND_ISSET(pk, VND_COL_TCP_FLAGS) && pk->ip_proto == 6 &&
	    !(VND_ISSET(pk, VND_COL_FRAG_OFF) && pk->frag_off);
}

int
vnd_col_lookup(const char *name)
{
	int i;

	for (i = 0; i < VND_NCOLS; i++)
		if (strcmp(vnd_packet_cols[i].name, name) == 0)
			return i;
	return -1;
}

const char *
vnd_tunnel_name(int tunnel)
{
	switch (tunnel) {
	case VND_TUN_VXLAN:
		return "vxlan";
	case VND_TUN_GENEVE:
		return "geneve";
	case VND_TUN_GRE:
		return "gre";
	case VND_TUN_NVGRE:
		return "nvgre";
	case VND_TUN_IPIP:
		return "ipip";
	case VND_TUN_GTP:
		return "gtp";
	case VND_TUN_MPLS:
		return "mpls";
	}
	return "-";
}

const char *
vnd_dlt_name(int dlt, char *buf, size_t len)
{
	static const struct { int dlt; const char *name; } t[] = {
		{ 0, "NULL" }, { 1, "EN10MB" }, { 9, "PPP" }, { 10, "FDDI" },
		{ 12, "RAW" }, { 14, "RAW" }, { 50, "PPP_HDLC" },
		{ 51, "PPP_ETHER" }, { 101, "RAW" }, { 104, "C_HDLC" },
		{ 105, "IEEE802_11" }, { 108, "LOOP" }, { 113, "LINUX_SLL" },
		{ 127, "IEEE802_11_RADIO" }, { 192, "PPI" }, { 228, "IPV4" },
		{ 229, "IPV6" }, { 239, "NFLOG" }, { 253, "NETLINK" },
		{ 258, "PKTAP" }, { 276, "LINUX_SLL2" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].dlt == dlt)
			return t[i].name;
	snprintf(buf, len, "DLT_%d", dlt);
	return buf;
}

size_t
vnd_ip_fmt(char *buf, int ver, const uint8_t *a)
{
	static const char hex[] = "0123456789abcdef";
	uint16_t w[8];
	int i, best = -1, bestlen = 0, run, n;
	char *p = buf;

	if (ver == 4) {
		for (i = 0; i < 4; i++) {
			unsigned v = a[i];

			if (i)
				*p++ = '.';
			/* one digit, two or three: no division but by constants */
			if (v >= 100) {
				*p++ = (char)('0' + v / 100);
				v %= 100;
				*p++ = (char)('0' + v / 10);
			} else if (v >= 10)
				*p++ = (char)('0' + v / 10);
			*p++ = (char)('0' + v % 10);
		}
		*p = '\0';
		return (size_t)(p - buf);
	}
	/* RFC 5952: longest run of two or more zero groups becomes "::". */
	for (i = 0; i < 8; i++)
		w[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
	for (i = 0; i < 8; i += run ? run : 1) {
		for (run = 0; i + run < 8 && w[i + run] == 0; run++)
			;
		if (run > bestlen && run >= 2) {
			best = i;
			bestlen = run;
		}
	}
	/* IPv4-mapped addresses keep their dotted quad (RFC 5952 5). */
	if (best == 0 && bestlen == 5 && w[5] == 0xffff) {
		memcpy(p, "::ffff:", 7);
		return 7 + vnd_ip_fmt(p + 7, 4, a + 12);
	}
	for (i = 0; i < 8; i++) {
		if (i == best) {
			*p++ = ':';
			if (i == 0)
				*p++ = ':';
			i += bestlen - 1;
			continue;
		}
		n = 0;
		if (w[i] >> 12)
			p[n++] = hex[w[i] >> 12];
		if (w[i] >> 8)
			p[n++] = hex[(w[i] >> 8) & 15];
		if (w[i] >> 4)
			p[n++] = hex[(w[i] >> 4) & 15];
		p[n++] = hex[w[i] & 15];
		p += n;
		if (i < 7)
			*p++ = ':';
	}
	*p = '\0';
	return (size_t)(p - buf);
}

static inline uint64_t
rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t
rotl(uint64_t x, int r)
{
	return x << r | x >> (64 - r);
}

/* The last r < 8 bytes of p[0..n), n >= 8, as one big-endian number (0 for none). */
static inline uint64_t
tail_be(const uint8_t *p, size_t n, size_t r)
{
	return r ? __builtin_bswap64(rd64(p + n - 8)) & (~0ULL >> (64 - 8 * r)) : 0;
}

/*
 * A word-at-a-time multiplicative hash (murmur-style mixing, our own
 * constants from the golden ratio and splitmix64). It only has to tell
 * payloads apart across capture points, fast; it is not cryptographic.
 * Its values are in databases: a faster loop must give the same ones
 * (two blocks of 16 bytes a turn, the last bytes read as one word).
 */
uint64_t
vnd_hash(const uint8_t *p, size_t n)
{
	const uint64_t m1 = 0x9e3779b97f4a7c15ULL, m2 = 0xbf58476d1ce4e5b9ULL;
	uint64_t h = 0x94d049bb133111ebULL ^ (n * m1), t = 0;
	size_t i = 0;

	for (; i + 32 <= n; i += 32) {
		h = rotl(h ^ rd64(p + i) * m1, 29) * m2 + rotl(rd64(p + i + 8) * m2, 31);
		h = rotl(h ^ rd64(p + i + 16) * m1, 29) * m2 +
		    rotl(rd64(p + i + 24) * m2, 31);
	}
	if (i + 16 <= n) {
		h = rotl(h ^ rd64(p + i) * m1, 29) * m2 + rotl(rd64(p + i + 8) * m2, 31);
		i += 16;
	}
	if (i + 8 <= n) {
		h = rotl(h ^ (rd64(p + i) * m1), 29) * m2;
		i += 8;
	}
	if (n >= 8)
		t = tail_be(p, n, n - i);
	else
		for (; i < n; i++)
			t = t << 8 | p[i];
	h ^= t * m1;
	/* splitmix64 finaliser */
	h ^= h >> 30;
	h *= m2;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h >> 1;
}
