/* vnd_in_pcap.c: the pcap and pcapng capture formats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "vnd_input_int.h"

/* --- pcap (https://www.tcpdump.org/manpages/pcap-savefile.5.html) --- */

int
vnd_pcap_open(struct vnd_input *in, const uint8_t *h, char *errbuf)
{
	uint32_t magic = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
	    (uint32_t)h[2] << 8 | h[3];
	uint16_t major;

	in->rechdr = 16;
	switch (magic) {
	case 0xa1b2c3d4: in->swap = 1; break;
	case 0xd4c3b2a1: in->swap = 0; break;
	case 0xa1b23c4d: in->swap = 1; in->nsec = 1; break;
	case 0x4d3cb2a1: in->swap = 0; in->nsec = 1; break;
	case 0xa1b2cd34: in->swap = 1; in->rechdr = 24; break;	/* Kuznetzov */
	case 0x34cdb2a1: in->swap = 0; in->rechdr = 24; break;
	}
	major = vnd_in_g16(in, h + 4);
	if (major != 2) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "unsupported pcap version %u.%u", major, vnd_in_g16(in, h + 6));
		return -1;
	}
	/*
	 * Before 2.3, some writers put the lengths the other way round; as
	 * libpcap does, a record with caplen > len is read swapped (always,
	 * below 2.3; for 2.3 when it must be).
	 */
	in->lenswap = vnd_in_g16(in, h + 6) < 3 ? 2 : vnd_in_g16(in, h + 6) == 3 ? 1 : 0;
	/* The upper bits carry FCS length and reserved flags (pcap-savefile(5)). */
	in->linktype = (int)(vnd_in_g32(in, h + 20) & 0x03ffffff);
	in->beg += 24;
	snprintf(in->name, sizeof(in->name), "%s", in->nsec ? "pcap-ns" : "pcap");
	return 0;
}

int
vnd_pcap_next(struct vnd_input *in, struct vnd_frame *f, char *errbuf)
{
	const uint8_t *h;
	uint32_t sec, frac, incl, orig;
	ssize_t got;

	if ((got = vnd_in_need(in, (size_t)in->rechdr, errbuf)) < in->rechdr)
		return vnd_in_short(in, got, "record header", errbuf);
	h = in->buf + in->beg;
	sec = vnd_in_g32(in, h);
	frac = vnd_in_g32(in, h + 4);
	incl = vnd_in_g32(in, h + 8);
	orig = vnd_in_g32(in, h + 12);
	if (in->lenswap && incl > orig) {
		uint32_t t = incl;

		incl = orig;
		orig = t;
	}
	if (incl > REC_MAX) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "bad record length %u at byte %llu", incl,
		    (unsigned long long)vnd_in_here(in));
		return VND_IN_ERR;
	}
	if ((got = vnd_in_need(in, in->rechdr + (size_t)incl, errbuf)) <
	    (ssize_t)in->rechdr + (ssize_t)incl)
		return vnd_in_short(in, got < 0 ? -1 : 1, "record", errbuf);
	h = in->buf + in->beg;
	f->offset = vnd_in_here(in);
	f->ts_ns = (int64_t)sec * 1000000000 +
	    (in->nsec ? (int64_t)frac : (int64_t)frac * 1000);
	f->caplen = incl;
	f->wirelen = orig;
	f->linktype = in->linktype;
	f->data = h + in->rechdr;
	in->beg += in->rechdr + incl;
	return VND_IN_FRAME;
}

/*
 * Do records seem to start at p (n bytes, the file's end when eof)? Their
 * headers must hold together: a fraction of a second, a captured length
 * no larger than the wire's and than libpcap's largest snapshot, and the
 * next header where the record ends, up to 8 of them or the end of the
 * bytes. Random bytes pass one header about once in 10^10; a capture of a
 * pcap file's bytes might: the caller checks.
 */
int
vnd_pcap_plausible(const struct vnd_input *in, const uint8_t *p, size_t n,
    int eof)
{
	uint32_t frac, incl, orig;
	size_t at = 0;
	int k;

	for (k = 0; k < 8; k++) {
		if (n - at < (size_t)in->rechdr)
			return k > 0 && (k >= 2 || (eof && at == n));
		frac = vnd_in_g32(in, p + at + 4);
		incl = vnd_in_g32(in, p + at + 8);
		orig = vnd_in_g32(in, p + at + 12);
		if (in->lenswap && incl > orig) {
			uint32_t t = incl;

			incl = orig;
			orig = t;
		}
		if (frac >= (in->nsec ? 1000000000u : 1000000u) ||
		    incl > orig || incl > 262144 || orig > REC_MAX)
			return 0;
		at += (size_t)in->rechdr + incl;
		if (at > n)
			return k >= 1;
	}
	return 1;
}

/* --- pcapng (draft-ietf-opsawg-pcapng) --- */

#define BT_SHB	0x0a0d0d0a
#define BT_IDB	0x00000001
#define BT_OPB	0x00000002
#define BT_SPB	0x00000003
#define BT_EPB	0x00000006
#define BT_CB_COPY	0x00000bad
#define BT_CB_NOCOPY	0x40000bad

/*
 * Do blocks seem to start at p (n bytes, the file's end when eof)? A type
 * a writer uses, a length of at least 12, a multiple of 4, repeated at the
 * block's end, and the next block there, for up to 8 of them or the end of
 * the bytes; in the byte order of the section the reader is in.
 */
int
vnd_pcapng_plausible(const struct vnd_input *in, const uint8_t *p, size_t n,
    int eof)
{
	uint32_t type, blen;
	size_t at = 0;
	int k;

	for (k = 0; k < 8; k++) {
		if (n - at < 12)
			return k > 0 && (k >= 2 || (eof && at == n));
		type = vnd_in_g32(in, p + at);
		blen = vnd_in_g32(in, p + at + 4);
		if ((type > 0x100 && type != BT_SHB && type != BT_CB_COPY &&
		    type != BT_CB_NOCOPY) || type == 0 || blen < 12 ||
		    blen % 4 != 0 || blen > REC_MAX)
			return 0;
		if (n - at < blen)
			return k >= 1;
		if (vnd_in_g32(in, p + at + blen - 4) != blen)
			return 0;
		at += blen;
	}
	return 1;
}

/* Walk the options of a block body; -1 when one runs past the end. */
static int
pcapng_opts(struct vnd_input *in, const uint8_t *p, size_t len,
    struct iface *ifc)
{
	uint16_t code, olen;
	size_t pad;

	while (len >= 4) {
		code = vnd_in_g16(in, p);
		olen = vnd_in_g16(in, p + 2);
		if (code == 0)
			return 0;		/* opt_endofopt */
		pad = ((size_t)olen + 3) & ~(size_t)3;
		if (4 + pad > len)
			return -1;
		if (ifc != NULL && code == 9 && olen >= 1) {	/* if_tsresol */
			ifc->tsres = p[4] & 0x7f;
			ifc->pow2 = (p[4] & 0x80) != 0;
		}
		if (ifc != NULL && code == 14 && olen >= 8)	/* if_tsoffset */
			ifc->tsoff = (int64_t)((uint64_t)vnd_in_g32(in, p + 4 + (in->swap ? 0 : 4)) << 32 |
			    vnd_in_g32(in, p + 4 + (in->swap ? 4 : 0)));
		p += 4 + pad;
		len -= 4 + pad;
	}
	return 0;
}

static int
pcapng_shb(struct vnd_input *in, const uint8_t *b, uint32_t blen, char *errbuf)
{
	uint16_t major, minor;

	major = vnd_in_g16(in, b + 12);
	minor = vnd_in_g16(in, b + 14);
	/* libpcap and Wireshark read 1.0, and 1.2 as 1.0 (pcapng draft, 4.1). */
	if (major != 1 || (minor != 0 && minor != 2)) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "unsupported pcapng version %u.%u", major, minor);
		return -1;
	}
	if (pcapng_opts(in, b + 24, blen - 28, NULL) < 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "corrupt pcapng section header options at byte %llu",
		    (unsigned long long)vnd_in_here(in));
		return -1;
	}
	free(in->ifs);
	in->ifs = NULL;
	in->nifs = 0;
	return 0;
}

static int
pcapng_idb(struct vnd_input *in, const uint8_t *b, uint32_t blen, char *errbuf)
{
	struct iface ifc, *n;

	if (blen < 20) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "short interface description block at byte %llu",
		    (unsigned long long)vnd_in_here(in));
		return -1;
	}
	if (in->nifs >= MAX_IFACES) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "more than %d interfaces",
		    MAX_IFACES);
		return -1;
	}
	memset(&ifc, 0, sizeof(ifc));
	ifc.linktype = vnd_in_g16(in, b + 8);
	ifc.tsres = 6;
	if (pcapng_opts(in, b + 16, blen - 20, &ifc) < 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "corrupt interface options at byte %llu",
		    (unsigned long long)vnd_in_here(in));
		return -1;
	}
	if ((!ifc.pow2 && ifc.tsres > 19) || (ifc.pow2 && ifc.tsres > 63)) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "unsupported timestamp resolution at byte %llu",
		    (unsigned long long)vnd_in_here(in));
		return -1;
	}
	if (ifc.pow2)
		ifc.units = (uint64_t)1 << ifc.tsres;
	else {
		int i;

		for (ifc.units = 1, i = 0; i < ifc.tsres; i++)
			ifc.units *= 10;
	}
	if ((n = realloc(in->ifs, (in->nifs + 1) * sizeof(*n))) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	in->ifs = n;
	in->ifs[in->nifs++] = ifc;
	return 0;
}

/*
 * Timestamps are unsigned in the format, but writers store times before the
 * epoch as negative numbers; unsigned arithmetic wraps (defined), and the
 * conversion back to int64 gives the signed time they meant.
 */
static int64_t
pcapng_ts(const struct iface *ifc, uint64_t ts)
{
	uint64_t sec = ts / ifc->units, frac = ts % ifc->units;
	uint64_t ns = (uint64_t)((unsigned __int128)frac * 1000000000u / ifc->units);

	int64_t s;

	/* the seconds meant, signed: beyond the limit, the limit */
	if (__builtin_add_overflow(ifc->units > (uint64_t)INT64_MAX ? 0 :
	    (int64_t)ts / (int64_t)ifc->units, ifc->tsoff, &s))
		s = ifc->tsoff > 0 ? INT64_MAX : INT64_MIN;
	if (s > VND_TS_LIMIT / 1000000000 || s < -VND_TS_LIMIT / 1000000000)
		return s > 0 ? VND_TS_LIMIT : -VND_TS_LIMIT;
	return (int64_t)((sec + (uint64_t)ifc->tsoff) * 1000000000u + ns);
}

int
vnd_pcapng_next(struct vnd_input *in, struct vnd_frame *f, char *errbuf)
{
	const uint8_t *b;
	uint32_t type, blen, ifid, incl, orig;
	uint64_t ts;
	ssize_t got;

	for (;;) {
		if ((got = vnd_in_need(in, 12, errbuf)) < 12)
			return vnd_in_short(in, got, "block header", errbuf);
		b = in->buf + in->beg;
		type = vnd_in_g32(in, b);
		if (type == BT_SHB) {
			/* A new section may change the byte order. */
			if ((got = vnd_in_need(in, 28, errbuf)) < 28)
				return vnd_in_short(in, got < 0 ? -1 : 1,
				    "section header", errbuf);
			b = in->buf + in->beg;
			if (memcmp(b + 8, "\x1a\x2b\x3c\x4d", 4) == 0)
				in->swap = 1;
			else if (memcmp(b + 8, "\x4d\x3c\x2b\x1a", 4) == 0)
				in->swap = 0;
			else {
				snprintf(errbuf, VND_ERRBUF_SIZE,
				    "bad pcapng byte-order magic at byte %llu",
				    (unsigned long long)vnd_in_here(in));
				return VND_IN_ERR;
			}
		}
		blen = vnd_in_g32(in, b + 4);
		if (blen < 12 || blen % 4 != 0 || blen > REC_MAX ||
		    (type == BT_SHB && blen < 28)) {
			snprintf(errbuf, VND_ERRBUF_SIZE,
			    "bad pcapng block length %u at byte %llu", blen,
			    (unsigned long long)vnd_in_here(in));
			return VND_IN_ERR;
		}
		if ((got = vnd_in_need(in, blen, errbuf)) < (ssize_t)blen)
			return vnd_in_short(in, got < 0 ? -1 : 1, "block", errbuf);
		b = in->buf + in->beg;
		if (vnd_in_g32(in, b + blen - 4) != blen) {
			snprintf(errbuf, VND_ERRBUF_SIZE,
			    "pcapng block lengths disagree at byte %llu",
			    (unsigned long long)vnd_in_here(in));
			return VND_IN_ERR;
		}
		f->offset = vnd_in_here(in);
		switch (type) {
		case BT_SHB:
			if (pcapng_shb(in, b, blen, errbuf) < 0)
				return VND_IN_ERR;
			break;
		case BT_IDB:
			if (pcapng_idb(in, b, blen, errbuf) < 0)
				return VND_IN_ERR;
			break;
		case BT_EPB:
		case BT_OPB:
			if (blen < 32)
				goto badblock;
			if (type == BT_EPB)
				ifid = vnd_in_g32(in, b + 8);
			else
				ifid = vnd_in_g16(in, b + 8);
			ts = (uint64_t)vnd_in_g32(in, b + 12) << 32 | vnd_in_g32(in, b + 16);
			incl = vnd_in_g32(in, b + 20);
			orig = vnd_in_g32(in, b + 24);
			if (incl > blen - 32)
				goto badblock;
			if (ifid >= in->nifs) {
				snprintf(errbuf, VND_ERRBUF_SIZE,
				    "packet on undeclared interface %u at byte %llu",
				    ifid, (unsigned long long)vnd_in_here(in));
				return VND_IN_ERR;
			}
			f->ts_ns = pcapng_ts(&in->ifs[ifid], ts);
			f->caplen = incl;
			f->wirelen = orig;
			f->linktype = in->ifs[ifid].linktype;
			f->data = b + 28;
			in->beg += blen;
			return VND_IN_FRAME;
		case BT_CB_COPY:
		case BT_CB_NOCOPY:
			/*
			 * Custom blocks carry no packet, but Wireshark numbers
			 * them as frames; so does vnd, so that "frame N" is the
			 * same frame in both.
			 */
			if (blen < 16)
				goto badblock;
			f->ts_ns = VND_NO_TS;
			f->caplen = f->wirelen = blen - 16;
			f->linktype = VND_LT_NONE;
			f->data = b + 12;
			in->beg += blen;
			return VND_IN_FRAME;
		case BT_SPB:
			if (blen < 16)
				goto badblock;
			if (in->nifs == 0) {
				snprintf(errbuf, VND_ERRBUF_SIZE,
				    "simple packet block before any interface");
				return VND_IN_ERR;
			}
			orig = vnd_in_g32(in, b + 8);
			incl = orig < blen - 16 ? orig : blen - 16;
			f->ts_ns = VND_NO_TS;		/* a simple packet has none */
			f->caplen = incl;
			f->wirelen = orig;
			f->linktype = in->ifs[0].linktype;
			f->data = b + 12;
			in->beg += blen;
			return VND_IN_FRAME;
		}
		in->beg += blen;
	}
badblock:
	snprintf(errbuf, VND_ERRBUF_SIZE, "corrupt packet block at byte %llu",
	    (unsigned long long)vnd_in_here(in));
	return VND_IN_ERR;
}

