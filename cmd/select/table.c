/* table.c: the selected table: a row per pick, with what shows its event. */
#include <inttypes.h>
#include <stdio.h>

#include "select.h"

/* What shows the event e in connection c: counts, the side, a time. */
static void
evidence(const struct sel *s, const struct pick *pk, char *buf, size_t len)
{
	const struct vnd_tcpconn *c;
	const struct info *in;
	const struct vnd_tcpdir *d;

	if (pk->to >= 0) {
		snprintf(buf, len, "hoplost=%" PRIu64 " hop=%s>%s", pk->hoplost,
		    s->pts[pk->pt].name, s->pts[pk->to].name);
		return;
	}
	c = &s->kept[pk->conn].c;
	in = &s->kept[pk->conn].in;
	d = c->d;
	switch (pk->e) {
	case VND_E_LOSS:
		snprintf(buf, len, "retx=%" PRIu64 " fast=%" PRIu64 " timeout=%"
		    PRIu64 " upstream=%" PRIu64 " first=%s", d[0].retx +
		    d[1].retx, d[0].retx_fast + d[1].retx_fast,
		    d[0].retx_timeout + d[1].retx_timeout, d[0].lost_upstream +
		    d[1].lost_upstream, in->kind[pk->e]);
		break;
	case VND_E_RESET:
		snprintf(buf, len, "first_rst=%s", c->rst_first == 2 ? "server" :
		    "client");
		break;
	case VND_E_ZERO_WINDOW:
		snprintf(buf, len, "from_client=%" PRIu64 " from_server=%" PRIu64,
		    d[1].zero_win, d[0].zero_win);
		break;
	case VND_E_SLOW:
		snprintf(buf, len, "rtt_ns=%" PRId64, vnd_event_rtt(c));
		break;
	case VND_E_ELEPHANT:
		snprintf(buf, len, "bytes=%" PRIu64 " rank=%u",
		    vnd_event_bytes(c), in->rank);
		break;
	case VND_E_SCAN:
		snprintf(buf, len, "targets=%u failed=%u", in->scan.targets,
		    in->scan.failed);
		break;
	default:
		snprintf(buf, len, "answer=%s", c->rst[1] ? "rst" : "none");
	}
}

int
put_picks(struct sel *s, struct vnd_table *t, char *err)
{
	const struct pick *pk;
	char buf[160];
	size_t i;

	for (i = 0; i < s->npicks; i++) {
		pk = &s->picks[i];
		vnd_put_str(t, s->pts[pk->pt].name);
		vnd_flowkey_put(t, flow_key(s, pk->conn), 0);
		vnd_put_int(t, flow_proto(s, pk->conn));
		vnd_put_str(t, vnd_event_name(pk->e));
		vnd_put_int(t, pk->ts);
		if (pk->frame)
			vnd_put_int(t, (int64_t)pk->frame);
		else
			vnd_put_null(t);
		evidence(s, pk, buf, sizeof(buf));
		vnd_put_str(t, buf);
		if (vnd_row_end(t, err) < 0)
			return -1;
	}
	return 0;
}
