/* vnd_in_erf.c: the Endace ERF record format (ERF types reference, Endace). */
#include <stdio.h>
#include <string.h>

#include "vnd.h"
#include "vnd_input_int.h"

/*
 * libtrace 3.0 reads ERF too, but refuses files whose first record is of a
 * type newer than it (provenance, META); reading it here costs 80 lines.
 *
 * A record: 8-byte little-endian 32.32 timestamp, type (bit 7: extension
 * headers follow), flags, big-endian rlen, lctr and wlen; 8-byte extension
 * headers while bit 7 of the previous one's first byte is set; for the
 * Ethernet types a 2-byte offset/pad; then the frame.
 */

#define ERF_HDLC_POS		1
#define ERF_ETH			2
#define ERF_ATM			3
#define ERF_AAL5		4
#define ERF_MC_HDLC		5
#define ERF_COLOR_HDLC_POS	10
#define ERF_COLOR_ETH		11
#define ERF_DSM_COLOR_HDLC_POS	15
#define ERF_DSM_COLOR_ETH	16
#define ERF_COLOR_HASH_POS	19
#define ERF_COLOR_HASH_ETH	20
#define ERF_IPV4		22
#define ERF_IPV6		23
#define ERF_META		27
#define ERF_PAD			48
#define ERF_TYPE_MAX		48

static int
is_eth(int t)
{
	return t == ERF_ETH || t == ERF_COLOR_ETH || t == ERF_DSM_COLOR_ETH ||
	    t == ERF_COLOR_HASH_ETH;
}

static int
is_pos(int t)
{
	return t == ERF_HDLC_POS || t == ERF_COLOR_HDLC_POS ||
	    t == ERF_DSM_COLOR_HDLC_POS || t == ERF_COLOR_HASH_POS;
}

/* One plausible record header at p: a known type and lengths that fit. */
static int
plausible(const uint8_t *p)
{
	unsigned type = p[8] & 0x7f;
	unsigned rlen = (unsigned)(p[10] << 8 | p[11]);
	uint32_t sec = (uint32_t)p[4] | (uint32_t)p[5] << 8 |
	    (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;

	if (type == 0 || type > ERF_TYPE_MAX)
		return 0;
	if (rlen < 16u + (p[8] & 0x80 ? 8u : 0u))
		return 0;
	if (type != ERF_PAD && sec == 0)
		return 0;
	return 1;
}

int
vnd_erf_probe(const uint8_t *h, size_t n)
{
	unsigned rlen;

	/* ERF has no magic: the first record must look right, and the second
	 * too when it is in the bytes we were shown. */
	if (n < 16 || !plausible(h))
		return 0;
	rlen = (unsigned)(h[10] << 8 | h[11]);
	if (n >= rlen + 16 && !plausible(h + rlen))
		return 0;
	return 1;
}

static int64_t
erf_ts(const uint8_t *p)
{
	uint64_t ts = 0, frac;
	int i;

	for (i = 7; i >= 0; i--)
		ts = ts << 8 | p[i];
	/* 32.32 fixed point to nanoseconds, rounded to nearest as Wireshark does */
	frac = ((ts & 0xffffffffULL) * 1000000000ULL + 0x80000000ULL) >> 32;
	return (int64_t)((ts >> 32) * 1000000000ULL + frac);
}

int
vnd_erf_next(struct vnd_input *in, struct vnd_frame *f, char *errbuf)
{
	const uint8_t *p;
	unsigned type, rlen, wlen, hl;
	ssize_t got;

	for (;;) {
		if ((got = vnd_in_need(in, 16, errbuf)) < 16)
			return vnd_in_short(in, got, "record header", errbuf);
		p = in->buf + in->beg;
		type = p[8] & 0x7f;
		rlen = (unsigned)(p[10] << 8 | p[11]);
		wlen = (unsigned)(p[14] << 8 | p[15]);
		if (rlen < 16) {
			snprintf(errbuf, VND_ERRBUF_SIZE,
			    "bad erf record length %u at byte %llu", rlen,
			    (unsigned long long)vnd_in_here(in));
			return VND_IN_ERR;
		}
		if ((got = vnd_in_need(in, rlen, errbuf)) < (ssize_t)rlen)
			return vnd_in_short(in, got < 0 ? -1 : 1, "record", errbuf);
		p = in->buf + in->beg;
		if (type == ERF_PAD) {
			in->beg += rlen;
			continue;
		}
		hl = 16;
		if (p[8] & 0x80) {
			do {
				if (hl + 8 > rlen)
					goto bad;
				hl += 8;
			} while (p[hl - 8] & 0x80);
		}
		if (is_eth(type))
			hl += 2;
		if (hl > rlen)
			goto bad;
		f->offset = vnd_in_here(in);
		f->ts_ns = erf_ts(p);
		f->data = p + hl;
		f->caplen = rlen - hl;
		f->wirelen = type == ERF_META ? f->caplen : wlen;
		if (f->caplen > f->wirelen)
			f->caplen = f->wirelen;	/* records are padded to 8 bytes */
		if (is_eth(type))
			f->linktype = 1;
		else if (is_pos(type))
			/* PPP in HDLC framing, or Cisco HDLC: the address byte tells. */
			f->linktype = f->caplen >= 2 && f->data[0] == 0xff &&
			    f->data[1] == 0x03 ? 50 : 104;
		else if (type == ERF_ATM || type == ERF_AAL5)
			f->linktype = 123;	/* a 4-byte cell header, then LLC */
		else if (type == ERF_IPV4 || type == ERF_IPV6)
			f->linktype = 101;
		else if (type == ERF_MC_HDLC) {
			/* a 4-byte multichannel header before the HDLC frame */
			f->data += f->caplen >= 4 ? 4 : f->caplen;
			f->caplen -= f->caplen >= 4 ? 4 : f->caplen;
			f->linktype = f->caplen >= 2 && f->data[0] == 0xff &&
			    f->data[1] == 0x03 ? 50 : 104;
		} else
			f->linktype = 197;	/* LINKTYPE_ERF: nothing to decode */
		in->beg += rlen;
		return VND_IN_FRAME;
	}
bad:
	snprintf(errbuf, VND_ERRBUF_SIZE, "corrupt erf record at byte %llu",
	    (unsigned long long)vnd_in_here(in));
	return VND_IN_ERR;
}
