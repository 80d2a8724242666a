/* detect.c: pass 1 at the selector: the connections, their events, the flows picked. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd_cli.h"
#include "vnd_grow.h"
#include "vnd_match.h"
#include "select.h"

/* The selector's view of flow i, made as the engine makes it. */
struct info *
info_of(struct sel *s, size_t i)
{
	struct info *ni;

	while (s->ninfo <= i) {
		if ((ni = vnd_grow(s->info, &s->capinfo, s->ninfo, sizeof(*ni),
		    256)) == NULL)
			return NULL;
		s->info = ni;
		memset(&s->info[s->ninfo++], 0, sizeof(*ni));
	}
	return &s->info[i];
}

static void
note(struct info *in, int e, int64_t ts, uint64_t frame, const char *kind)
{
	if (in->seen & 1u << e)
		return;
	in->seen |= 1u << e;
	in->ts[e] = ts;
	in->frame[e] = frame;
	in->kind[e] = kind;
}

/* The engine's events: those that show one of the selector's. */
static int
on_event(struct vnd_tcprun *t, const struct vnd_tcpconn *c, int dir,
    int64_t ts, const char *kind, uint64_t frame, int64_t value)
{
	struct sel *s = t->ev_arg;
	struct info *in;
	int e;

	(void)dir;
	(void)value;
	if ((e = vnd_event_of_tcp(kind)) < 0)
		return 0;
	if ((in = info_of(s, (size_t)(c - t->c))) == NULL) {
		snprintf(t->err, sizeof(t->err), "out of memory");
		return -1;
	}
	note(in, e, ts, frame, kind);
	return 0;
}

/* A packet at the selector: the engine's, then its connection's fingerprints. */
static int
see1(struct sel *s, struct point *p, const struct vnd_frame *f,
    const struct vnd_pkt *pk)
{
	struct info *in;
	uint64_t key;
	long i;
	int dir;

	(void)f;
	if (vnd_tcpconn_see(&s->run, pk, p->name) < 0) {
		snprintf(s->err, sizeof(s->err), "%s", s->run.err);
		return -1;
	}
	if (!vnd_pkt_tcp(pk) ||
	    (i = vnd_flowtab_find(&s->run.ft, pk, p->name, &dir)) < 0)
		return 0;
	if ((in = info_of(s, (size_t)i)) == NULL) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	if (in->nkeys < NKEYS && vnd_match_key(pk, &key) == 0)
		in->key[in->nkeys++] = key;
	return 0;
}

int
add_pick(struct sel *s, const struct pick *pk)
{
	struct pick *np;
	struct info *in = &s->info[pk->conn];

	if ((np = vnd_grow(s->picks, &s->cappicks, s->npicks, sizeof(*np),
	    64)) == NULL)
		return -1;
	s->picks = np;
	s->picks[s->npicks++] = *pk;
	if (!in->picked || pk->ts < in->sel_ts)
		in->sel_ts = pk->ts;
	in->picked = 1;
	return 0;
}

/* Flows: the selector's connections, then those only a hop's loss showed. */
size_t
nflows(const struct sel *s)
{
	return s->run.n + s->nhf;
}

const struct vnd_flowkey *
flow_key(const struct sel *s, size_t conn)
{
	return conn < s->run.n ? &s->run.c[conn].k : &s->hf[conn - s->run.n].k;
}

static int
flow_proto(const struct sel *s, size_t conn)
{
	return conn < s->run.n ? 6 : s->hf[conn - s->run.n].proto;
}

/* A flow's time at the selector: a hop's flow has no bound but the options. */
int64_t
flow_first(const struct sel *s, size_t conn)
{
	return conn < s->run.n ? s->run.c[conn].first_ts : INT64_MIN / 4;
}

int64_t
flow_last(const struct sel *s, size_t conn)
{
	return conn < s->run.n ? s->run.c[conn].last_ts : INT64_MAX / 4;
}

/*
 * Connection i, against the events asked. When each was first seen: the
 * engine's event; for slow the ACK that ended the handshake; for scan and
 * unanswered the connection's first packet; for elephant the first packet
 * past the bar (set by time_elephants()).
 */
static int
pick_conn(struct sel *s, size_t i)
{
	const struct vnd_tcpconn *c = &s->run.c[i];
	struct info *in = &s->info[i];
	int e;

	if (vnd_event_slow(c, &s->conf))
		note(in, VND_E_SLOW, c->syn_ts + vnd_event_rtt(c), 0, NULL);
	if (in->scan.targets)
		note(in, VND_E_SCAN, c->first_ts, 0, NULL);
	if (vnd_event_unanswered(c))
		note(in, VND_E_UNANSWERED, c->first_ts, 0, NULL);
	if (in->rank)
		note(in, VND_E_ELEPHANT, in->ts[VND_E_ELEPHANT],
		    in->frame[VND_E_ELEPHANT], NULL);
	for (e = 0; e < VND_E_N; e++)
		if ((s->events & in->seen & 1u << e) &&
		    add_pick(s, &(struct pick){ i, e, in->ts[e], in->frame[e],
		    s->at, -1, 0 }) < 0)
			return -1;
	return 0;
}

static int
cmp_pick(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->conn != y->conn)
		return x->conn < y->conn ? -1 : 1;
	if (x->e != y->e)
		return x->e - y->e;
	return x->pt != y->pt ? x->pt - y->pt : x->to - y->to;
}

/* Elephants and scans: over all connections, once pass 1 is over. */
static int
rank_all(struct sel *s)
{
	uint32_t *rank = NULL;
	struct vnd_event_scan *sc = NULL;
	size_t i, n = s->run.n;
	int ret = -1;

	if (n == 0)
		return 0;
	if ((rank = calloc(n, sizeof(*rank))) == NULL ||
	    (sc = calloc(n, sizeof(*sc))) == NULL)
		goto out;
	if ((s->events & 1u << VND_E_ELEPHANT) &&
	    vnd_event_elephants(s->run.c, n, &s->conf, rank) < 0)
		goto out;
	if ((s->events & 1u << VND_E_SCAN) &&
	    vnd_event_scans(s->run.c, n, &s->conf, sc) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		s->info[i].rank = rank[i];
		s->info[i].scan = sc[i];
	}
	ret = 0;
out:
	free(rank);
	free(sc);
	return ret;
}

/*
 * Elephants: when each reached the bar, the bytes of the least of them (the
 * bound, or the N-th largest): a pass over the selector again, each
 * packet's data counted as the engine counts it.
 */
int
see_bytes(struct sel *s, struct point *p, const struct vnd_frame *f,
    const struct vnd_pkt *pk)
{
	const struct vnd_tcpconn *c;
	struct info *in;
	long i;
	int dir;

	(void)f;
	if (!vnd_pkt_tcp(pk) ||
	    (i = vnd_flowtab_find(&s->run.ft, pk, p->name, &dir)) < 0)
		return 0;
	c = &s->run.c[i];
	in = &s->info[i];
	if (!in->rank || pk->ts_ns < c->first_ts || in->bytes_seen >= s->bar)
		return 0;
	in->bytes_seen += vnd_tcp_payload_len(pk);
	if (in->bytes_seen >= s->bar) {
		in->ts[VND_E_ELEPHANT] = pk->ts_ns;
		in->frame[VND_E_ELEPHANT] = pk->frame;
	}
	return 0;
}

static int
time_elephants(struct sel *s, char *err)
{
	size_t i;

	s->bar = UINT64_MAX;
	for (i = 0; i < s->run.n; i++)
		if (s->info[i].rank && vnd_event_bytes(&s->run.c[i]) < s->bar)
			s->bar = vnd_event_bytes(&s->run.c[i]);
	/*
	 * When -w reads the selector again anyway, and no --before or
	 * --after hangs on the time, that pass times them (retime_picks()).
	 */
	if (s->bar == UINT64_MAX || s->late_elephants)
		return 0;
	return read_point(s, &s->pts[s->at], see_bytes, err);
}

/* The elephants timed in pass 2: their rows, and the order of the rows. */
void
retime_picks(struct sel *s)
{
	struct pick *pk;
	size_t i;

	for (i = 0; i < s->npicks; i++) {
		pk = &s->picks[i];
		if (pk->e != VND_E_ELEPHANT)
			continue;
		pk->ts = s->info[pk->conn].ts[VND_E_ELEPHANT];
		pk->frame = s->info[pk->conn].frame[VND_E_ELEPHANT];
	}
	if (s->npicks)
		qsort(s->picks, s->npicks, sizeof(*s->picks), cmp_pick);
}

int
detect(struct sel *s, char *err)
{
	struct point *p = &s->pts[s->at];
	size_t i;
	int status, st;

	s->run.on_event = on_event;
	s->run.ev_arg = s;
	if ((status = read_point(s, p, see1, err)) < 0)
		return status;
	if (vnd_tcprun_end(&s->run) < 0 || info_of(s, s->run.n) == NULL ||
	    rank_all(s) < 0)
		goto oom;
	if ((s->events & 1u << VND_E_ELEPHANT) && time_elephants(s, err) < 0)
		return VND_RUN_ABORT;
	for (i = 0; i < s->run.n; i++)
		if (pick_conn(s, i) < 0)
			goto oom;
	if (s->nhop > 1 && (s->events & 1u << VND_E_LOSS) &&
	    (st = hop_detect(s, err)) != VND_RUN_OK) {
		if (st < 0)
			return st;
		status = st;
	}
	if (s->npicks)
		qsort(s->picks, s->npicks, sizeof(*s->picks), cmp_pick);
	return status;
oom:
	snprintf(err, VND_ERRBUF_SIZE, "out of memory");
	return VND_RUN_ABORT;
}

/* What shows the event e in connection c: counts, the side, a time. */
static void
evidence(const struct sel *s, const struct pick *pk, char *buf, size_t len)
{
	const struct vnd_tcpconn *c = &s->run.c[pk->conn];
	const struct info *in = &s->info[pk->conn];
	const struct vnd_tcpdir *d = c->d;

	switch (pk->e) {
	case VND_E_LOSS:
		if (pk->to >= 0) {
			snprintf(buf, len, "hoplost=%" PRIu64 " hop=%s>%s",
			    pk->hoplost, s->pts[pk->pt].name,
			    s->pts[pk->to].name);
			break;
		}
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
