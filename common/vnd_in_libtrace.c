/* vnd_in_libtrace.c: frames from libtrace 3 for the formats vnd does not read itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libtrace.h>

#include "vnd.h"
#include "vnd_in_libtrace.h"

struct vnd_lt {
	libtrace_t		*trace;
	libtrace_packet_t	*pkt;
	uint64_t		 n;
	char			 fmt[32];
};

static void
lt_err(libtrace_t *t, char *errbuf)
{
	libtrace_err_t e = trace_get_err(t);

	snprintf(errbuf, VND_ERRBUF_SIZE, "%s", e.problem[0] ? e.problem :
	    "libtrace cannot read it");
}

int
vnd_lt_open(struct vnd_lt **lp, const char *uri, char *errbuf)
{
	struct vnd_lt *l;
	const char *colon;

	*lp = NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	l->trace = trace_create(uri);
	if (trace_is_err(l->trace)) {
		lt_err(l->trace, errbuf);
		goto fail;
	}
	if (trace_start(l->trace) < 0) {
		lt_err(l->trace, errbuf);
		goto fail;
	}
	if ((l->pkt = trace_create_packet()) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		goto fail;
	}
	colon = strchr(uri, ':');
	if (colon != NULL && (size_t)(colon - uri) < sizeof(l->fmt))
		snprintf(l->fmt, sizeof(l->fmt), "%.*s", (int)(colon - uri), uri);
	else
		snprintf(l->fmt, sizeof(l->fmt), "erf");
	*lp = l;
	return 0;
fail:
	vnd_lt_close(l);
	return -1;
}

/* ERF's 32.32 fixed-point seconds to nanoseconds, rounded to nearest. */
static int64_t
erf_to_ns(uint64_t ts)
{
	uint64_t frac = ((ts & 0xffffffffULL) * 1000000000ULL + 0x80000000ULL) >> 32;

	return (int64_t)((ts >> 32) * 1000000000ULL + frac);
}

/* libtrace's link types that vnd_decode() reads, as LINKTYPE_ values. */
static int
lt_to_dlt(libtrace_linktype_t lt)
{
	switch (lt) {
	case TRACE_TYPE_ETH:
		return 1;
	case TRACE_TYPE_NONE:
		return 101;
	case TRACE_TYPE_LINUX_SLL:
		return 113;
	case TRACE_TYPE_PPP:
		return 9;
	case TRACE_TYPE_80211:
		return 105;
	case TRACE_TYPE_80211_RADIO:
		return 127;
	case TRACE_TYPE_OPENBSD_LOOP:
		return 108;
	default:
		return -1;
	}
}

int
vnd_lt_next(struct vnd_lt *l, struct vnd_frame *f, char *errbuf)
{
	libtrace_linktype_t lt;
	uint32_t rem = 0;
	uint16_t et = 0;
	void *p;
	int r;

	r = trace_read_packet(l->trace, l->pkt);
	if (r == 0)
		return VND_IN_EOF;
	if (r < 0) {
		lt_err(l->trace, errbuf);
		return l->n ? VND_IN_TRUNC : VND_IN_ERR;
	}
	l->n++;
	f->ts_ns = erf_to_ns(trace_get_erf_timestamp(l->pkt));
	f->wirelen = (uint32_t)trace_get_wire_length(l->pkt);
	f->caplen = (uint32_t)trace_get_capture_length(l->pkt);
	f->offset = 0;
	p = trace_get_layer2(l->pkt, &lt, &rem);
	if (p != NULL && (f->linktype = lt_to_dlt(lt)) >= 0) {
		f->data = p;
		f->caplen = rem;
		return VND_IN_FRAME;
	}
	/* Link layers vnd does not decode itself: libtrace finds layer 3. */
	p = trace_get_layer3(l->pkt, &et, &rem);
	f->data = p;
	f->caplen = p ? rem : 0;
	f->linktype = 101;
	if (p == NULL || (et != 0x0800 && et != 0x86dd))
		f->caplen = 0, f->data = (const uint8_t *)"";
	return VND_IN_FRAME;
}

const char *
vnd_lt_format(const struct vnd_lt *l)
{
	return l->fmt;
}

void
vnd_lt_close(struct vnd_lt *l)
{
	if (l == NULL)
		return;
	if (l->pkt != NULL)
		trace_destroy_packet(l->pkt);
	if (l->trace != NULL)
		trace_destroy(l->trace);
	free(l);
}
