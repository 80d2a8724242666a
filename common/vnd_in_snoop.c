/* vnd_in_snoop.c: the snoop capture format (RFC 1761). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "vnd_input_int.h"

/* --- snoop (RFC 1761) --- */

int
vnd_snoop_open(struct vnd_input *in, const uint8_t *h, char *errbuf)
{
	uint32_t ver, dl;

	in->swap = 1;
	ver = vnd_in_g32(in, h + 8);
	dl = vnd_in_g32(in, h + 12);
	if (ver != 2) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "unsupported snoop version %u",
		    ver);
		return -1;
	}
	switch (dl) {
	case 4:
		in->linktype = 1;	/* Ethernet */
		break;
	case 8:
		in->linktype = 10;	/* FDDI */
		break;
	default:
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "unsupported snoop datalink type %u", dl);
		return -1;
	}
	in->beg += 16;
	snprintf(in->name, sizeof(in->name), "snoop");
	return 0;
}

int
vnd_snoop_next(struct vnd_input *in, struct vnd_frame *f, char *errbuf)
{
	const uint8_t *h;
	uint32_t orig, incl, rlen;
	ssize_t got;

	if ((got = vnd_in_need(in, 24, errbuf)) < 24)
		return vnd_in_short(in, got, "record header", errbuf);
	h = in->buf + in->beg;
	orig = vnd_in_g32(in, h);
	incl = vnd_in_g32(in, h + 4);
	rlen = vnd_in_g32(in, h + 8);
	if (rlen < 24 + incl || rlen > REC_MAX) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "bad snoop record length at byte %llu",
		    (unsigned long long)vnd_in_here(in));
		return VND_IN_ERR;
	}
	if ((got = vnd_in_need(in, rlen, errbuf)) < (ssize_t)rlen) {
		/* The last record's padding may be missing. */
		if (got >= 24 + (ssize_t)incl && in->eof)
			rlen = (uint32_t)got;
		else
			return vnd_in_short(in, got < 0 ? -1 : 1, "record", errbuf);
	}
	h = in->buf + in->beg;
	f->offset = vnd_in_here(in);
	f->ts_ns = (int64_t)vnd_in_g32(in, h + 16) * 1000000000 +
	    (int64_t)vnd_in_g32(in, h + 20) * 1000;
	f->caplen = incl;
	f->wirelen = orig;
	f->linktype = in->linktype;
	f->data = h + 24;
	in->beg += rlen;
	return VND_IN_FRAME;
}

