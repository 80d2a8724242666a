/* vnd_pktsrc.c: a capture's frames, decoded, with their frame numbers. */
#include <stdio.h>
#include <string.h>

#include "vnd.h"
#include "vnd_pktsrc.h"

int
vnd_pktsrc_open(struct vnd_pktsrc *s, const char *path, char *errbuf)
{
	memset(s, 0, sizeof(*s));
	s->path = path;
	return vnd_input_open(&s->in, path, NULL, errbuf);
}

int
vnd_pktsrc_next(struct vnd_pktsrc *s, struct vnd_pkt *pk)
{
	struct vnd_frame f;
	int r;

	if (s->done)
		return 0;
	r = vnd_input_next(s->in, &f, s->err);
	if (r != VND_IN_FRAME) {
		s->done = 1;
		s->status = r == VND_IN_EOF ? 0 : r == VND_IN_TRUNC || s->frame ?
		    1 : -1;
		return 0;
	}
	pk->frame = ++s->frame;
	pk->ts_ns = f.ts_ns == VND_NO_TS ? 0 : f.ts_ns;
	pk->wire_bytes = f.wirelen;
	pk->cap_bytes = f.caplen;
	vnd_decode(pk, f.linktype, f.data, f.caplen);
	return 1;
}

void
vnd_pktsrc_close(struct vnd_pktsrc *s)
{
	vnd_input_close(s->in);
	s->in = NULL;
}
