/* read.c: a point's frames as recorded, each with its decoded packet. */
#include <err.h>
#include <stdio.h>

#include "vnd_cli.h"
#include "vnd_decode.h"
#include "select.h"

/*
 * vnd-select copies records as they were, so it reads captures itself
 * (vnd_input: every format vnd reads), not vnd-parse's tables, and twice:
 * standard input cannot be read again.
 */
int
read_point(struct sel *s, struct point *p, frame_fn fn, char *err)
{
	struct vnd_input *in;
	struct vnd_frame f;
	struct vnd_pkt pk;
	char why[VND_ERRBUF_SIZE];
	uint64_t n = 0;
	int r, status = VND_RUN_OK;

	if (vnd_input_open(&in, p->path, NULL, why) < 0) {
		snprintf(err, VND_ERRBUF_SIZE, "'%.100s': %.140s", p->path, why);
		return VND_RUN_ABORT;
	}
	if (vnd_input_is_table(in)) {
		snprintf(err, VND_ERRBUF_SIZE,
		    "'%.100s': a packets table, not a capture", p->path);
		vnd_input_close(in);
		return VND_RUN_ABORT;
	}
	snprintf(p->format, sizeof(p->format), "%s", vnd_input_format(in));
	while ((r = vnd_input_next(in, &f, why)) == VND_IN_FRAME) {
		if (f.linktype == VND_LT_NONE)
			continue;
		pk.frame = ++n;
		pk.ord = n;		/* a connection is known by its first */
		pk.ts_ns = f.ts_ns == VND_NO_TS ? 0 : f.ts_ns;
		pk.wire_bytes = f.wirelen;
		pk.cap_bytes = f.caplen;
		/* the payload's hash only where a fingerprint wants it */
		vnd_decode_nohash(&pk, f.linktype, f.data, f.caplen);
		if ((r = fn(s, p, &f, &pk)) > 0)
			break;		/* nothing further is wanted */
		if (r < 0 || s->failed) {
			snprintf(err, VND_ERRBUF_SIZE, "%s", s->err);
			vnd_input_close(in);
			return VND_RUN_ABORT;
		}
	}
	if (r > 0) {
		/* the rest of the frames are counted, not decoded */
		while ((r = vnd_input_next(in, &f, why)) == VND_IN_FRAME)
			n++;
	}
	p->packets = n;
	if (r != VND_IN_EOF) {
		/* whole records before a cut count; a file that is none does not */
		snprintf(err, VND_ERRBUF_SIZE, "'%.100s': %.140s", p->path, why);
		status = r == VND_IN_TRUNC || n ? VND_RUN_PARTIAL : VND_RUN_ABORT;
		/* said once, however many passes read it */
		if (status == VND_RUN_PARTIAL && !s->quiet && !p->warned)
			warnx("%s", err);
		p->warned = 1;
	}
	vnd_input_close(in);
	return status;
}
