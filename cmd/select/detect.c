/* detect.c: pass 1 at the selector: its connections as they close, those kept, the picks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd_cli.h"
#include "vnd_grow.h"
#include "vnd_match.h"
#include "select.h"

/*
 * A connection is unfinished and idle this long: closed (Zeek's
 * tcp_inactivity_timeout), its slot free. A SYN sent again and again
 * (Linux: 127 s for 6 tries) is one connection still.
 */
#define IDLE_NS		(300 * VND_NS_PER_SEC)

/* A pass over the selector: its engine, and what it saw of each slot. */
struct sweep {
	struct sel	*s;
	struct vnd_tcprun run;
	struct info	*live;		/* by the engine's slot */
	size_t		 caplive;
	int		 scans;		/* pass 1b: the scanners' connections */
};

/* What the pass saw of connection c: made anew when its slot is. */
static struct info *
live_info(struct sweep *w, const struct vnd_tcpconn *c)
{
	size_t slot = (size_t)(c - w->run.c), old = w->caplive;
	struct info *in, *ni;

	if (slot >= w->caplive) {
		if ((ni = vnd_grow(w->live, &w->caplive, slot, sizeof(*ni),
		    256)) == NULL)
			return NULL;
		w->live = ni;
		memset(&w->live[old], 0, (w->caplive - old) * sizeof(*ni));
	}
	in = &w->live[slot];
	if (in->gen1 != c->gen + 1) {
		memset(in, 0, sizeof(*in));
		in->gen1 = c->gen + 1;
	}
	return in;
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
	struct info *in;
	int e;

	(void)dir;
	(void)value;
	if ((e = vnd_event_of_tcp(kind)) < 0)
		return 0;
	if ((in = live_info(t->ev_arg, c)) == NULL) {
		snprintf(t->err, sizeof(t->err), "out of memory");
		return -1;
	}
	note(in, e, ts, frame, kind);
	return 0;
}

/*
 * Pass 1: connection c closed. Its events final (slow: the ACK that ended
 * the handshake; unanswered: its first packet), its source's tries
 * tallied, and it is kept when a flow it may be picked, else forgotten.
 */
static int
close1(struct sel *s, const struct vnd_tcpconn *c, struct info *in)
{
	uint32_t others = s->events & ~(1u << VND_E_ELEPHANT | 1u << VND_E_SCAN);
	int elephants = s->events & 1u << VND_E_ELEPHANT;
	long k = -1;

	if (vnd_event_slow(c, &s->conf))
		note(in, VND_E_SLOW, c->syn_ts + vnd_event_rtt(c), 0, NULL);
	if (vnd_event_unanswered(c))
		note(in, VND_E_UNANSWERED, c->first_ts, 0, NULL);
	if ((s->events & 1u << VND_E_SCAN) && vnd_event_try(&s->tries, c) < 0)
		return -1;
	in->elephant = elephants && vnd_event_above(c, &s->conf);
	if (((others & in->seen) || in->elephant || hop_flow(s, &c->k)) &&
	    (k = keep_flow(s, c, in)) < 0)
		return -1;
	return elephants ? offer_elephant(s, c, in, k) : 0;
}

/* Pass 1b: connection c closed; kept, when a scanner opened it. */
static int
close_scan(struct sel *s, const struct vnd_tcpconn *c, struct info *in)
{
	const struct vnd_event_scan *sc;
	long k;

	if (!c->syn || (sc = vnd_event_scanner(&s->tries, c->k.ver,
	    c->k.src)) == NULL)
		return 0;
	if ((k = kept_find(s, c->first_ord)) < 0 &&
	    (k = keep_flow(s, c, in)) < 0)
		return -1;
	s->kept[k].in.scan = *sc;
	return 0;
}

static int
on_close(struct vnd_tcprun *t, const struct vnd_tcpconn *c)
{
	struct sweep *w = t->ev_arg;
	struct info *in;

	if ((in = live_info(w, c)) == NULL ||
	    (w->scans ? close_scan(w->s, c, in) : close1(w->s, c, in)) < 0) {
		snprintf(t->err, sizeof(t->err), "out of memory");
		return -1;
	}
	return 0;
}

/* A packet at the selector: the engine's, then its connection's fingerprints. */
static int
see1(struct sel *s, struct point *p, const struct vnd_frame *f,
    const struct vnd_pkt *pk)
{
	struct sweep *w = s->pass;
	struct info *in;
	uint64_t key;

	(void)f;
	if (w->scans && !(vnd_pkt_tcp(pk) && is_scanner_pkt(s, pk))) {
		if (vnd_tcprun_tick(&w->run, pk->ts_ns) < 0)
			goto fail;
		return 0;
	}
	if (vnd_tcpconn_see(&w->run, pk, p->name) < 0)
		goto fail;
	if (w->run.cur == NULL)
		return 0;
	if ((in = live_info(w, w->run.cur)) == NULL) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	if (in->nkeys < NKEYS && vnd_match_key(pk, &key) == 0)
		in->key[in->nkeys++] = key;
	return 0;
fail:
	snprintf(s->err, sizeof(s->err), "%s", w->run.err);
	return -1;
}

/* A pass over the selector, every connection closed at its end. */
static int
sweep(struct sel *s, int scans, char *err)
{
	struct sweep w;
	int status;

	memset(&w, 0, sizeof(w));
	w.s = s;
	w.scans = scans;
	w.run.on_event = scans ? NULL : on_event;
	w.run.ev_arg = &w;
	vnd_tcprun_reuse(&w.run, on_close, IDLE_NS);
	s->pass = &w;
	status = read_point(s, &s->pts[s->at], see1, err);
	if (status >= 0 && vnd_tcprun_end(&w.run) < 0) {
		snprintf(err, VND_ERRBUF_SIZE, "%s", w.run.err);
		status = VND_RUN_ABORT;
	}
	s->pass = NULL;
	vnd_tcprun_free(&w.run);
	free(w.live);
	return status;
}

int
add_pick(struct sel *s, const struct pick *pk)
{
	struct pick *np;
	struct info *in = info_of(s, pk->conn);

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

/*
 * Kept connection i, against the events asked. When each was first seen:
 * the engine's event, or as close1() noted it; for scan the connection's
 * first packet; for elephant the first packet past the bar (set by
 * time_elephants()).
 */
static int
pick_flow(struct sel *s, size_t i)
{
	const struct vnd_tcpconn *c = &s->kept[i].c;
	struct info *in = &s->kept[i].in;
	int e;

	if (in->scan.targets)
		note(in, VND_E_SCAN, c->first_ts, 0, NULL);
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

/*
 * Elephants: when each reached the bar, the bytes of the least of them (the
 * bound, or the N-th largest): a pass over the selector again, each
 * packet's data counted as the engine counts it.
 */
int
see_bytes(struct sel *s, struct point *p, const struct vnd_frame *f,
    const struct vnd_pkt *pk)
{
	struct info *in;
	long i;

	(void)f;
	if ((i = kept_of(s, p, pk)) < 0)
		return 0;
	in = &s->kept[i].in;
	if (!in->rank || in->bytes_seen >= s->bar)
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
	for (i = 0; i < s->nkept; i++)
		if (s->kept[i].in.rank && vnd_event_bytes(&s->kept[i].c) <
		    s->bar)
			s->bar = vnd_event_bytes(&s->kept[i].c);
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
		pk->ts = info_of(s, pk->conn)->ts[VND_E_ELEPHANT];
		pk->frame = info_of(s, pk->conn)->frame[VND_E_ELEPHANT];
	}
	if (s->npicks)
		qsort(s->picks, s->npicks, sizeof(*s->picks), cmp_pick);
}

/* Status st into status: the worse of the two. */
static int
worse(int status, int st)
{
	return st < 0 || status == VND_RUN_OK ? st : status;
}

/*
 * The losses on --at's hops first (which connections to keep), then pass
 * 1, and pass 1b for the scanners' connections once the scanners are
 * known; then the picks.
 */
int
detect(struct sel *s, char *err)
{
	int hops = s->nhop > 1 && (s->events & 1u << VND_E_LOSS);
	int status = VND_RUN_OK, st;
	size_t i;

	if (hops && (status = hop_detect(s, err)) < 0)
		return status;
	if ((st = sweep(s, 0, err)) != VND_RUN_OK && (status = worse(status,
	    st)) < 0)
		return status;
	if (settle_top(s) < 0)
		goto oom;
	if ((s->events & 1u << VND_E_SCAN) && vnd_event_scanners(&s->tries, &s->conf) > 0 &&
	    (st = sweep(s, 1, err)) < 0)
		return st;
	if (settle_kept(s) < 0)
		goto oom;
	if ((s->events & 1u << VND_E_ELEPHANT) && time_elephants(s, err) < 0)
		return VND_RUN_ABORT;
	for (i = 0; i < s->nkept; i++)
		if (pick_flow(s, i) < 0)
			goto oom;
	if (hops && hop_picks(s, err) < 0)
		return VND_RUN_ABORT;
	if (s->npicks)
		qsort(s->picks, s->npicks, sizeof(*s->picks), cmp_pick);
	return status;
oom:
	snprintf(err, VND_ERRBUF_SIZE, "out of memory");
	return VND_RUN_ABORT;
}
