/* vnd_in_peek.c: the Peek classic capture format (EtherPeek V5, V6, V7). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "vnd_input_int.h"

/*
 * There is no public specification; the layout is the one Wireshark's
 * wiretap/peekclassic.c and tcptrace's etherpeek.c read, and the
 * timestamps were checked against tshark 4.0. Everything is big-endian
 * (the format comes from Mac OS).
 *
 * File header, 50 bytes:
 *	0	version (5, 6 or 7; EtherHelp sets the 0x80 bit)
 *	1	status
 *	2	file length, packet count
 *	10	timeDate: capture start, seconds since 1904-01-01
 *	14	start time, stop time
 *	22	media type (0 Ethernet, 1 Token Ring)
 *	26	physical medium (0 native, 1 802.11)
 *	30	application version, link speed
 *	38	three reserved words, zero
 *
 * V5/V6 record, 26-byte header: length, slice length (0: whole frame),
 * flags, status, timestamp (u32 milliseconds since timeDate), destination,
 * source and protocol numbers, protocol name (8), filter number.
 * V7 record, 16-byte header: protocol number, length, slice length,
 * flags, status, timestamp (u64 microseconds since 1904), and the frame is
 * padded to an even length.
 */

#define PEEK_HDR	50
#define PEEK_V56_REC	26
#define PEEK_V7_REC	16
#define MAC2UNIX	2082844800LL	/* seconds from 1904-01-01 to 1970-01-01 */

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * With no magic number, this is what Wireshark checks too: a known version,
 * zero reserved words and a media combination it knows. Only the first 24
 * bytes may be at hand, so the rest is checked when there.
 */
int
vnd_peek_probe(const uint8_t *h, size_t n)
{
	uint8_t v;
	uint32_t media, phys;

	if (n < 24)
		return 0;
	v = h[0] & 0x7f;
	if (v < 5 || v > 7)
		return 0;
	/* Media type is 0 or 1: its high half, in the first 24 bytes, is zero. */
	if (h[22] != 0 || h[23] != 0)
		return 0;
	if (n < PEEK_HDR)
		return 1;
	media = be32(h + 22);
	phys = be32(h + 26);
	if (be32(h + 38) != 0 || be32(h + 42) != 0 || be32(h + 46) != 0)
		return 0;
	return (phys == 0 && media <= 1) || (phys == 1 && media == 0);
}

int
vnd_peek_open(struct vnd_input *in, const uint8_t *h, size_t n, char *errbuf)
{
	struct iface *ifc;
	uint32_t media, phys;
	ssize_t got;
	int v;

	/* need() may move the buffer: h is read again below. */
	(void)n;
	if ((got = vnd_in_need(in, PEEK_HDR, errbuf)) < 0)
		return -1;
	if (got < PEEK_HDR) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "truncated peek classic file header");
		return -1;
	}
	h = in->buf + in->beg;
	in->swap = 1;
	v = h[0] & 0x7f;
	media = vnd_in_g32(in, h + 22);
	phys = vnd_in_g32(in, h + 26);
	if (v < 5 || v > 7) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "unsupported peek classic version %d", v);
		return -1;
	}
	if (vnd_in_g32(in, h + 38) != 0 || vnd_in_g32(in, h + 42) != 0 ||
	    vnd_in_g32(in, h + 46) != 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "not a peek classic file (reserved header words set)");
		return -1;
	}
	/*
	 * Token Ring and AiroPeek's 802.11 (whose V7 frames carry a radio
	 * header of Peek's own) are not read: nothing in vnd decodes them.
	 */
	if (phys != 0 || media != 0) {
		if (phys == 0)
			snprintf(errbuf, VND_ERRBUF_SIZE,
			    "unsupported peek media type %u%s", media,
			    media == 1 ? " (token ring)" : "");
		else
			snprintf(errbuf, VND_ERRBUF_SIZE,
			    "unsupported peek media type %u on physical "
			    "medium %u%s", media, phys,
			    phys == 1 ? " (802.11)" : "");
		return -1;
	}
	/* The one interface carries the clock: units and the epoch. */
	if ((ifc = calloc(1, sizeof(*ifc))) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	ifc->linktype = 1;		/* LINKTYPE_ETHERNET */
	if (v == 7) {
		ifc->units = 1000000;
		ifc->tsoff = -MAC2UNIX;
		in->rechdr = PEEK_V7_REC;
	} else {
		/* V5/V6 stamps count from the capture start in the header. */
		ifc->units = 1000;
		ifc->tsoff = (int64_t)vnd_in_g32(in, h + 10) - MAC2UNIX;
		in->rechdr = PEEK_V56_REC;
	}
	free(in->ifs);
	in->ifs = ifc;
	in->nifs = 1;
	in->linktype = ifc->linktype;
	in->beg += PEEK_HDR;
	snprintf(in->name, sizeof(in->name), "peekclassic%d", v);
	return 0;
}

int
vnd_peek_next(struct vnd_input *in, struct vnd_frame *f, char *errbuf)
{
	const struct iface *ifc = in->ifs;
	const uint8_t *h;
	uint64_t ts, sec;
	int64_t s;
	uint32_t len, slice;
	size_t hl = (size_t)in->rechdr, pad = 0;
	ssize_t got;

	if (ifc == NULL || in->nifs != 1)
		return VND_IN_ERR;
	if ((got = vnd_in_need(in, hl, errbuf)) < (ssize_t)hl)
		return vnd_in_short(in, got, "record header", errbuf);
	h = in->buf + in->beg;
	if (hl == PEEK_V7_REC) {
		len = vnd_in_g16(in, h + 2);
		slice = vnd_in_g16(in, h + 4);
		ts = (uint64_t)vnd_in_g32(in, h + 8) << 32 |
		    vnd_in_g32(in, h + 12);
	} else {
		len = vnd_in_g16(in, h);
		slice = vnd_in_g16(in, h + 2);
		ts = vnd_in_g32(in, h + 6);
	}
	/* A slice length of 0 means the frame was kept whole. */
	if (slice == 0)
		slice = len;
	if (hl == PEEK_V7_REC)
		pad = slice & 1;
	/*
	 * Lengths are 16 bits, so none is absurd; a slice longer than the
	 * frame is passed on as pcap passes on caplen > len, and as tshark does.
	 */
	if ((got = vnd_in_need(in, hl + slice + pad, errbuf)) <
	    (ssize_t)(hl + slice + pad)) {
		/* The last frame's pad byte may be missing. */
		if (pad && got == (ssize_t)(hl + slice) && in->eof)
			pad = 0;
		else
			return vnd_in_short(in, got < 0 ? -1 : 1, "record",
			    errbuf);
	}
	h = in->buf + in->beg;
	/* 2^64 microseconds would overflow nanoseconds: corrupt, not late. */
	sec = ts / ifc->units;
	s = (int64_t)sec + ifc->tsoff;
	if (sec > (uint64_t)INT64_MAX / 2 || s > INT64_MAX / 1000000000 - 1 ||
	    s < INT64_MIN / 1000000000 + 1) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "peek timestamp out of range at byte %llu",
		    (unsigned long long)vnd_in_here(in));
		return VND_IN_ERR;
	}
	f->offset = vnd_in_here(in);
	f->ts_ns = vnd_ts_clamp(s * 1000000000 +
	    (int64_t)(ts % ifc->units) * (int64_t)(1000000000 / ifc->units));
	f->caplen = slice;
	f->wirelen = len;
	f->linktype = ifc->linktype;
	f->data = h + hl;
	in->beg += hl + slice + pad;
	return VND_IN_FRAME;
}
