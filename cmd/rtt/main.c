/* vnd-rtt: round-trip times at one capture point, by Karn's rule, with the rule behind each sample. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "vnd_cli.h"
#include "vnd_grow.h"
#include "vnd_flowtab.h"
#include "vnd_pktsrc.h"
#include "vnd_meta.h"
#include "vnd_operands.h"
#include "vnd_num.h"
#include "vnd_point.h"
#include "vnd_stats.h"
#include "vnd_table.h"

/*
 * A capture point sees a segment go by toward its receiver and the ACK that
 * covers it come back: the time between is the round trip from the point to
 * the receiver and back (RFC 6298 takes samples the same way, Karn's rule
 * included: none from a segment sent twice, which ACK answered is ambiguous).
 * The handshake gives one each way (SYN to SYN-ACK: to the server; SYN-ACK
 * to ACK: to the client), and TCP timestamps (RFC 7323) one more per ACK of
 * new data: TSval seen going out, echoed in TSecr. Echoes of packets sent
 * before an idle time are not taken (pping counts the idle time as RTT).
 */

#define MAX_SEGS	65536	/* outstanding segments kept per direction, at most */

struct seg {
	uint32_t	 seq, end;
	int64_t		 ts;
	uint64_t	 frame;
	int		 retx;		/* sent more than once: Karn */
	int		 sacked;	/* timed by a SACK block already */
	uint32_t	 tsval;
	int		 has_ts;
};

#define NTSV	64	/* TSvals remembered per direction */

struct tsv {				/* a TSval sent, with when first seen */
	uint32_t	 val;
	int64_t		 ts;
	uint64_t	 frame;
};

struct half {				/* one direction: its data, the other's ACKs */
	struct tsv	*tsv;		/* NTSV, made at the first; freed settled */
	size_t		 ntsv;		/* 0 while tsv is NULL */
	struct seg	*segs;
	size_t		 head, n, cap;	/* ring, grown as the window opens */
	uint32_t	 high;		/* highest end sent */
	uint32_t	 acked;		/* highest ACK from the receiver */
	int		 started, acked_any;
	struct vnd_stats st;
	uint64_t	 rejected;
};

/* -i: a direction's samples in one time slot */
struct slot {
	int64_t		 start;
	struct vnd_stats st;
	uint64_t	 rejected;
};

/* What a flow needs while alive. */
struct flowx {
	struct half	 h[2];		/* [0]: client's data, [1]: server's */
	int64_t		 syn_ts, synack_ts;	/* set with their frames (from 1) */
	uint32_t	 syn_seq;	/* the client's initial sequence number */
	int		 carried;	/* data, a FIN or a RST went by */
	uint64_t	 syn_frame, synack_frame;
	int		 syn_retx, synack_retx;
	int		 fin[2], rst;	/* its close */
	struct slot	*sl[2];		/* -i: each direction's, by start */
	size_t		 nsl[2], capsl[2];
};

/* A row of the flows table: a direction's samples, in a slot with -i. */
struct frow {
	int		 dir;
	int64_t		 slot;
	uint64_t	 n, rejected;
	int64_t		 min, p50, mean, p99, max;
};

/*
 * A flow: what stays of it once closed (its rows of the flows table, until
 * they are written), and x while it is alive.
 */
struct flow {
	struct vnd_flowkey k;		/* k.src: the client (SYN) */
	uint8_t		 proto;
	int8_t		 closing;	/* finished: 1, then 2 once a little quiet */
	int64_t		 last_ts;	/* the latest of its packets' times */
	struct flowx	*x;		/* NULL: closed */
	struct frow	*rows;
	size_t		 nrows;
};

/* The flows by id (the order they came): f0 .. n - 1 in f, as vnd_tcprun. */
struct run {
	struct flow	*f;
	size_t		 f0, n, cap, base;
	int64_t		 slot_ns;	/* -i, 0 for none */
	struct vnd_flowtab ft;		/* the alive ones' ids */
	struct vnd_flowq closing;	/* the finished ones, until settled ... */
	struct vnd_flowq quiet;		/* ... then until quiet */
	struct vnd_table *t;
	struct vnd_table *flows;	/* written as the flows close */
	int		 all, summary;
	int		 per_flow;	/* the flows table is written: keep its stats */
	int		 failed;
	char		 err[VND_ERRBUF_SIZE];
};

#include "usage.h"	/* the Makefile makes it of usage.txt */

static const struct vnd_colspec sample_cols[] = {
	{ "point", VND_TEXT }, { "ts_ns", VND_INT },
	{ "src_ip", VND_TEXT }, { "src_port", VND_INT },
	{ "dst_ip", VND_TEXT }, { "dst_port", VND_INT }, { "ip_proto", VND_INT },
	{ "far_end", VND_TEXT }, { "kind", VND_TEXT }, { "rtt_ns", VND_INT },
	{ "rule", VND_TEXT }, { "data_frame", VND_INT }, { "ack_frame", VND_INT },
	{ "seq", VND_INT }, { "ack", VND_INT },
};

static const struct vnd_colspec flow_cols[] = {
	{ "point", VND_TEXT },
	{ "src_ip", VND_TEXT }, { "src_port", VND_INT },
	{ "dst_ip", VND_TEXT }, { "dst_port", VND_INT }, { "ip_proto", VND_INT },
	{ "far_end", VND_TEXT }, { "samples", VND_INT }, { "rejected", VND_INT },
	{ "rtt_min_ns", VND_INT }, { "rtt_p50_ns", VND_INT },
	{ "rtt_mean_ns", VND_INT }, { "rtt_p99_ns", VND_INT },
	{ "rtt_max_ns", VND_INT },
};

static struct flow *
flow_at(const struct run *r, size_t id)
{
	return &r->f[id - r->f0];
}

static const struct vnd_flowkey *
flow_key(void *arg, size_t i)
{
	return &flow_at(arg, i)->k;
}

/* A run out of memory: it stops, saying so. */
static void
nomem(struct run *r)
{
	snprintf(r->err, sizeof(r->err), "out of memory");
	r->failed = 1;
}

/* A new flow of pk at point, *dir as vnd_flowkey_init says. */
static int
flow_init(struct flow *f, const struct vnd_pkt *pk, const char *point,
    int *dir, int stats)
{
	int i;

	memset(f, 0, sizeof(*f));
	if ((f->x = calloc(1, sizeof(*f->x))) == NULL)
		return -1;
	vnd_flowkey_init(&f->k, pk, point, dir);
	f->proto = pk->ip_proto;
	f->last_ts = pk->ts_ns;
	/* only for the flows table */
	for (i = 0; stats && i < 2; i++)
		if (vnd_stats_init(&f->x->h[i].st, 8) < 0)
			return -1;
	return 0;
}

static void
flowx_free(struct flowx *x)
{
	size_t k;
	int i;

	for (i = 0; i < 2; i++) {
		free(x->h[i].segs);
		free(x->h[i].tsv);
		vnd_stats_free(&x->h[i].st);
		for (k = 0; k < x->nsl[i]; k++)
			vnd_stats_free(&x->sl[i][k].st);
		free(x->sl[i]);
	}
	free(x);
}

/* The row of a direction's samples, st, in the slot at start with -i. */
static void
row_of(struct frow *w, int dir, int64_t start, const struct vnd_stats *st,
    uint64_t rejected)
{
	const struct vnd_hist *h = &st->delay;

	memset(w, 0, sizeof(*w));
	w->dir = dir;
	w->slot = start;
	w->n = h->n;
	w->rejected = rejected;
	if (h->n == 0)
		return;
	w->min = h->min;
	w->p50 = vnd_hist_quantile(h, 0.5);
	w->mean = h->sum / (int64_t)h->n;
	w->p99 = vnd_hist_quantile(h, 0.99);
	w->max = h->max;
}

/* The rows of flow f: a direction with a sample, or each slot with -i. */
static int
rows_of(struct flow *f)
{
	const struct flowx *x = f->x;
	size_t k, n = x->nsl[0] + x->nsl[1] + 2;
	int d;

	if ((f->rows = calloc(n, sizeof(*f->rows))) == NULL)
		return -1;
	for (d = 0; d < 2; d++) {
		for (k = 0; k < x->nsl[d]; k++)
			row_of(&f->rows[f->nrows++], d, x->sl[d][k].start,
			    &x->sl[d][k].st, x->sl[d][k].rejected);
		if (x->nsl[d] == 0 && (x->h[d].st.delay.n || x->h[d].rejected))
			row_of(&f->rows[f->nrows++], d, 0, &x->h[d].st,
			    x->h[d].rejected);
	}
	return 0;
}

/* Flow f is over: the rows of the flows table kept of it, the rest freed. */
static void
flow_close(struct run *r, struct flow *f)
{
	if (f->x == NULL)
		return;
	if (r->per_flow && rows_of(f) < 0)
		nomem(r);
	flowx_free(f->x);
	f->x = NULL;
}

/*
 * When flow id is due (vnd_flow_due); INT64_MIN: closed already, or
 * written and dropped (a flow a new SYN replaced while it was queued).
 */
static int64_t
flow_due(void *arg, uint64_t id)
{
	const struct run *r = arg;
	const struct flow *f;

	if (id < r->base || id >= r->n)
		return INT64_MIN;
	f = flow_at(r, id);
	return vnd_flow_due(f->x != NULL, f->last_ts, f->closing);
}

/*
 * Flow id finished and a little quiet: all it sent is acknowledged or
 * will not be, its segments and TSvals are forgotten (3 kB), and it waits
 * to be quiet.
 */
static void
flow_settled(void *arg, uint64_t id)
{
	struct run *r = arg;
	struct flow *f = flow_at(r, id);
	int i;

	for (i = 0; i < 2; i++) {
		struct half *h = &f->x->h[i];

		free(h->segs);
		free(h->tsv);
		h->segs = NULL;
		h->tsv = NULL;
		h->head = h->n = h->cap = h->ntsv = 0;
	}
	f->closing = 2;
	if (vnd_flowq_push(&r->quiet, id, f->last_ts + VND_FLOW_QUIET_NS) < 0)
		nomem(r);
}

/* Flow id finished and quiet: a packet of its 5-tuple opens a new one. */
static void
flow_gone(void *arg, uint64_t id)
{
	struct run *r = arg;

	vnd_flowtab_del(&r->ft, id);
	flow_close(r, flow_at(r, id));
}

/* Both FINs acknowledged, or a RST: what follows is late. */
static int
finished(const struct flowx *x)
{
	int d;

	if (x->rst)
		return 1;
	for (d = 0; d < 2; d++)
		if (!x->fin[d] || !x->h[d].acked_any ||
		    vnd_seq_lt(x->h[d].acked, x->h[d].high))
			return 0;
	return 1;
}

static struct flow *
flow_of(struct run *r, const struct vnd_pkt *pk, const char *point, int *dir)
{
	struct flow *f, *nf;
	long k;
	int moved;

	if (vnd_flowq_expire_both(&r->closing, &r->quiet, pk->ts_ns, flow_due,
	    flow_settled, flow_gone, r) < 0 || r->failed)
		return NULL;
	/* a 5-tuple used again, after or even during the last: a new SYN */
	if ((k = vnd_flowtab_find(&r->ft, pk, point, dir)) >= 0) {
		f = flow_at(r, (size_t)k);
		/* (asked of SYNs only: the others are never one) */
		if (!(pk->tcp_flags & VND_TH_SYN) || !vnd_flow_new_syn(pk,
		    *dir == 0 && f->x->syn_frame != 0, f->x->syn_seq,
		    f->x->carried))
			return f;
	}
	if ((nf = vnd_flowwin_room(r->f, sizeof(*nf), &r->f0, r->base, r->n,
	    &r->cap, &moved)) == NULL)
		return NULL;
	r->f = nf;
	f = flow_at(r, r->n);
	if (flow_init(f, pk, point, dir, r->per_flow) < 0)
		return NULL;
	r->ft.key = flow_key;
	r->ft.arg = r;
	if (vnd_flowtab_place(&r->ft, k, r->n) < 0)
		return NULL;
	r->n++;
	/* the last one of the 5-tuple no longer sees a packet */
	if (k >= 0)
		flow_close(r, flow_at(r, (size_t)k));
	return f;
}

static void
put_flow_cols(struct vnd_table *t, const struct flow *f, int dir)
{
	/* a sample's flow is the direction of the data it timed */
	vnd_flowkey_put(t, &f->k, dir);
	vnd_put_int(t, f->proto);
}

/* -i: the slot at start of a direction of x, made when new. */
static struct slot *
slot_of(struct flowx *x, int dir, int64_t start)
{
	struct slot *ns;
	size_t i = x->nsl[dir];

	/* the samples come in time order, but for a clock's jumps */
	while (i > 0 && x->sl[dir][i - 1].start > start)
		i--;
	if (i > 0 && x->sl[dir][i - 1].start == start)
		return &x->sl[dir][i - 1];
	if ((ns = vnd_grow(x->sl[dir], &x->capsl[dir], x->nsl[dir], sizeof(*ns),
	    4)) == NULL)
		return NULL;
	x->sl[dir] = ns;
	memmove(&ns[i + 1], &ns[i], (x->nsl[dir] - i) * sizeof(*ns));
	memset(&ns[i], 0, sizeof(*ns));
	ns[i].start = start;
	if (vnd_stats_init(&ns[i].st, 8) < 0) {
		memmove(&ns[i], &ns[i + 1], (x->nsl[dir] - i) * sizeof(*ns));
		return NULL;
	}
	x->nsl[dir]++;
	return &ns[i];
}

static void
sample(struct run *r, struct flow *f, int dir, const char *kind,
    const char *rule, int ok, int64_t rtt, int64_t ts, uint64_t dframe,
    uint64_t aframe, uint32_t seq, uint32_t ack)
{
	/* the answer stamped before the question: the capture's clock jumped */
	if (ok && rtt < 0) {
		ok = 0;
		rule = "backwards";
	}
	if (!ok)
		f->x->h[dir].rejected++;
	else if (r->per_flow && vnd_hist_add(&f->x->h[dir].st.delay, rtt) < 0) {
		nomem(r);
		return;
	}
	if (r->slot_ns) {
		struct slot *sl = slot_of(f->x, dir, vnd_slot(ts, r->slot_ns));

		if (sl == NULL) {
			nomem(r);
			return;
		}
		if (!ok)
			sl->rejected++;
		else if (vnd_hist_add(&sl->st.delay, rtt) < 0) {
			nomem(r);
			return;
		}
	}
	if (r->summary || (!ok && !r->all) || r->t == NULL || r->failed)
		return;
	vnd_put_str(r->t, f->k.point);
	vnd_put_int(r->t, ts);
	put_flow_cols(r->t, f, dir);
	vnd_put_str(r->t, dir ? "client" : "server");
	vnd_put_str(r->t, kind);
	vnd_put_int(r->t, rtt);
	vnd_put_str(r->t, rule);
	vnd_put_int(r->t, (int64_t)dframe);
	vnd_put_int(r->t, (int64_t)aframe);
	vnd_put_int(r->t, seq);
	vnd_put_int(r->t, ack);
	if (vnd_row_end(r->t, r->err) < 0)
		r->failed = 1;
}

/* A segment from the sender of half h: new data, or data sent again. */
static void
on_data(struct half *h, const struct vnd_pkt *pk, uint32_t len)
{
	uint32_t seq = pk->seq, end = pk->seq + len;
	struct seg *s;
	size_t i;

	if (h->started && vnd_seq_lt(seq, h->high)) {
		/*
		 * Sent before: every outstanding segment it overlaps is
		 * ambiguous (Karn). And the segments after it waited for it at
		 * the receiver: their ACK times the hole, not the path (at a
		 * point past the loss the original was never seen at all).
		 */
		for (i = 0; i < h->n; i++) {
			s = &h->segs[(h->head + i) % h->cap];
			if (vnd_seq_lt(seq, s->end) && vnd_seq_lt(s->seq, end))
				s->retx = 1;
			else if (!vnd_seq_lt(s->seq, seq) && !s->retx)
				s->retx = 2;
		}
		if (vnd_seq_le(end, h->high))
			return;
		seq = h->high;		/* new bytes after the old ones */
	}
	if (h->n == h->cap && h->cap < MAX_SEGS) {
		size_t nc = h->cap ? h->cap * 2 : 8;
		struct seg *ns = malloc(nc * sizeof(*ns));

		if (ns != NULL) {
			for (i = 0; i < h->n; i++)
				ns[i] = h->segs[(h->head + i) % h->cap];
			free(h->segs);
			h->segs = ns;
			h->cap = nc;
			h->head = 0;
		}
	}
	if (h->cap == 0)
		return;			/* out of memory: this one goes untimed */
	if (h->n == h->cap) {		/* the oldest can no longer be timed */
		h->head = (h->head + 1) % h->cap;
		h->n--;
	}
	s = &h->segs[(h->head + h->n++) % h->cap];
	s->seq = seq;
	s->end = end;
	s->ts = pk->ts_ns;
	s->frame = pk->frame;
	s->retx = seq != pk->seq;	/* partly old: ambiguous too */
	s->sacked = 0;
	s->has_ts = VND_ISSET(pk, VND_COL_TSVAL);
	s->tsval = pk->tsval;

	if (!h->started || vnd_seq_lt(h->high, end))
		h->high = end;
	h->started = 1;
}

/*
 * A SACK block above the cumulative ACK (RFC 2018): its first block holds the
 * segment whose arrival sent this ACK, the one that ends where the block
 * ends. It times that segment on arrival, even above a hole, when no
 * cumulative ACK can (rule sack); a segment sent twice is still ambiguous
 * (karn). Every segment the block covers is marked: its cumulative ACK,
 * later, times the wait for the hole, not the path (rule sacked).
 */
static void
on_sack(struct run *r, struct flow *f, int dir, const struct vnd_pkt *pk)
{
	struct half *h = &f->x->h[dir];
	uint32_t le = pk->sack[0][0], re = pk->sack[0][1];
	struct seg *s, *hit = NULL;
	size_t i, lo = 0, hi = h->n;

	/* the ring is in sequence order: the first segment at or past le */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (vnd_seq_lt(h->segs[(h->head + mid) % h->cap].seq, le))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < h->n; i++) {
		s = &h->segs[(h->head + i) % h->cap];
		if (!vnd_seq_le(s->end, re))
			break;
		if (s->sacked)
			continue;
		s->sacked = 1;
		if (s->end == re)
			hit = s;
	}
	if (hit != NULL)
		sample(r, f, dir, "data", hit->retx == 1 ? "karn" : "sack",
		    hit->retx != 1, pk->ts_ns - hit->ts, pk->ts_ns, hit->frame,
		    pk->frame, hit->seq, pk->ack);
}

/* An ACK from the receiver of half h (dir: the data's direction). */
static void
on_ack(struct run *r, struct flow *f, int dir, const struct vnd_pkt *pk)
{
	struct half *h = &f->x->h[dir];
	uint32_t a = pk->ack;
	struct seg *s, *last = NULL;
	size_t i;
	size_t covered = 0;

	if (VND_ISSET(pk, VND_COL_SACK) && pk->nsack > 0 &&
	    vnd_seq_lt(a, pk->sack[0][0]))
		on_sack(r, f, dir, pk);
	if (h->acked_any && !vnd_seq_lt(h->acked, a))
		return;			/* a duplicate or old ACK times nothing */
	/* the segments this ACK covers whole, oldest first */
	while (h->n > 0) {
		s = &h->segs[h->head];
		if (!vnd_seq_le(s->end, a))
			break;
		covered++;
		last = s;
		h->head = (h->head + 1) % h->cap;
		h->n--;
	}
	if (last != NULL) {
		/*
		 * One sample, for the segment the ACK names (its last one), and
		 * by that segment's own story: sent twice, or waiting at the
		 * receiver for a retransmission sent after it. An older segment
		 * it covers that was sent again before it changes nothing: the
		 * ACK could not come before this one arrived.
		 */
		if (last->sacked)
			sample(r, f, dir, "data", "sacked", 0, pk->ts_ns -
			    last->ts, pk->ts_ns, last->frame, pk->frame,
			    last->seq, a);
		else if (last->retx)
			sample(r, f, dir, "data",
			    last->retx == 1 ? "karn" : "hole", 0,
			    pk->ts_ns - last->ts, pk->ts_ns, last->frame,
			    pk->frame, last->seq, a);
		else
			sample(r, f, dir, "data", covered > 1 ? "cumulative" :
			    "ack", 1, pk->ts_ns - last->ts, pk->ts_ns,
			    last->frame, pk->frame, last->seq, a);
	} else if (h->n > 0 && vnd_seq_lt(h->segs[h->head].seq, a))
		/* inside a segment: part of it acknowledged (TSO, or lost tail) */
		sample(r, f, dir, "data", "partial", 0,
		    pk->ts_ns - h->segs[h->head].ts, pk->ts_ns,
		    h->segs[h->head].frame, pk->frame, h->segs[h->head].seq, a);
	/*
	 * RFC 7323: the TSecr of an ACK of new data names the transmission it
	 * answers, even one sent twice; an ACK that acknowledges nothing new may
	 * echo a TSval from before an idle time, and is not taken.
	 */
	if ((last != NULL || covered) && VND_ISSET(pk, VND_COL_TSECR))
		for (i = 0; i < h->ntsv && i < NTSV; i++) {
			size_t j = (h->ntsv - 1 - i) % NTSV;

			if (h->tsv[j].val == pk->tsecr) {
				sample(r, f, dir, "ts", "ts_echo", 1,
				    pk->ts_ns - h->tsv[j].ts, pk->ts_ns,
				    h->tsv[j].frame, pk->frame, 0, a);
				break;
			}
		}
	h->acked = a;
	h->acked_any = 1;
}

/* The handshake: SYN to SYN-ACK times the server side, SYN-ACK to ACK the client. */
static void
handshake(struct run *r, struct flow *f, int dir, const struct vnd_pkt *pk,
    int syn, int ackf)
{
	struct flowx *x = f->x;

	if (syn && !ackf && dir == 0) {
		if (x->syn_frame)
			x->syn_retx = 1;
		x->syn_ts = pk->ts_ns;
		x->syn_frame = pk->frame;
		x->syn_seq = pk->seq;
	} else if (syn && ackf && dir == 1) {
		if (x->synack_frame)
			x->synack_retx = 1;
		if (x->syn_frame && !x->synack_frame)
			sample(r, f, 0, "syn", x->syn_retx ? "karn" : "handshake",
			    !x->syn_retx, pk->ts_ns - x->syn_ts, pk->ts_ns,
			    x->syn_frame, pk->frame, 0, pk->ack);
		x->synack_ts = pk->ts_ns;
		x->synack_frame = pk->frame;
	} else if (!syn && ackf && dir == 0 && x->synack_frame &&
	    !x->h[1].acked_any) {
		sample(r, f, 1, "synack", x->synack_retx ? "karn" : "handshake",
		    !x->synack_retx, pk->ts_ns - x->synack_ts, pk->ts_ns,
		    x->synack_frame, pk->frame, 0, pk->ack);
	}
}

/* The first time each TSval of the direction of h went by. */
static void
tsval_seen(struct half *h, const struct vnd_pkt *pk)
{
	if (!VND_ISSET(pk, VND_COL_TSVAL))
		return;
	if (h->tsv == NULL && (h->tsv = calloc(NTSV, sizeof(*h->tsv))) == NULL)
		return;			/* not remembered: its echo untimed */
	if (h->ntsv == 0 || h->tsv[(h->ntsv - 1) % NTSV].val != pk->tsval)
		h->tsv[h->ntsv++ % NTSV] = (struct tsv){ pk->tsval, pk->ts_ns,
		    pk->frame };
}

/* After a packet of f: finished, it is queued to be closed once quiet. */
static void
closing(struct run *r, struct flow *f, int dir, const struct vnd_pkt *pk)
{
	if (pk->tcp_flags & VND_TH_FIN)
		f->x->fin[dir] = 1;
	if (pk->tcp_flags & VND_TH_RST)
		f->x->rst = 1;
	if (f->closing || !(f->x->rst || (f->x->fin[0] && f->x->fin[1])) ||
	    !finished(f->x))
		return;
	f->closing = 1;
	if (vnd_flowq_push(&r->closing, (uint64_t)(f - r->f) + r->f0,
	    f->last_ts + VND_FLOW_SETTLE_NS) < 0)
		nomem(r);
}

static void
see(struct run *r, const struct vnd_pkt *pk, const char *point)
{
	struct flow *f;
	struct flowx *x;
	uint32_t len;
	int dir, syn, ackf;

	if (!vnd_pkt_tcp(pk))
		return;
	if ((f = flow_of(r, pk, point, &dir)) == NULL) {
		nomem(r);
		return;
	}
	x = f->x;
	/* the latest: one packet stamped in the past does not make it quiet */
	if (pk->ts_ns > f->last_ts)
		f->last_ts = pk->ts_ns;
	syn = (pk->tcp_flags & VND_TH_SYN) != 0;
	ackf = (pk->tcp_flags & VND_TH_ACK) != 0;
	handshake(r, f, dir, pk, syn, ackf);
	tsval_seen(&x->h[dir], pk);
	/* the ACK times the other direction's data; then this packet's own */
	if (ackf && !syn)
		on_ack(r, f, !dir, pk);
	len = VND_ISSET(pk, VND_COL_PAYLOAD_BYTES) ? pk->payload_bytes : 0;
	if (pk->tcp_flags & VND_TH_FIN)
		len++;
	if (len > 0 || (pk->tcp_flags & VND_TH_RST))
		x->carried = 1;
	if (len > 0 && !syn)
		on_data(&x->h[dir], pk, len);
	else if (syn) {
		/* the SYN's sequence number counts one: data starts after it */
		x->h[dir].high = pk->seq + 1;
		x->h[dir].started = 1;
		x->h[dir].acked = pk->seq;
		x->h[dir].acked_any = 0;
	}
	closing(r, f, dir, pk);
}

static int
put_row(struct vnd_table *t, const struct run *r, const struct flow *f,
    const struct frow *w, char *errbuf)
{
	vnd_put_str(t, f->k.point);
	if (r->slot_ns)
		vnd_put_int(t, w->slot);
	put_flow_cols(t, f, w->dir);
	vnd_put_str(t, w->dir ? "client" : "server");
	vnd_put_int(t, (int64_t)w->n);
	vnd_put_int(t, (int64_t)w->rejected);
	if (w->n) {
		vnd_put_int(t, w->min);
		vnd_put_int(t, w->p50);
		vnd_put_int(t, w->mean);
		vnd_put_int(t, w->p99);
		vnd_put_int(t, w->max);
	} else {
		vnd_put_null(t);
		vnd_put_null(t);
		vnd_put_null(t);
		vnd_put_null(t);
		vnd_put_null(t);
	}
	return vnd_row_end(t, errbuf);
}

/*
 * The flows closed so far, as far as none before them is still alive:
 * their rows written (a row a flow and direction, or with -i a flow,
 * direction and slot, in the order the flows came), and dropped.
 */
static int
put_closed(struct run *r, char *errbuf)
{
	struct flow *f;
	size_t k;

	for (; r->base < r->n && (f = flow_at(r, r->base))->x == NULL; r->base++) {
		for (k = 0; r->flows != NULL && k < f->nrows; k++)
			if (put_row(r->flows, r, f, &f->rows[k], errbuf) < 0)
				return -1;
		free(f->rows);
		f->rows = NULL;
	}
	return 0;
}

/* The end of the input: the flows still alive closed, and the rest written. */
static int
end_flows(struct run *r, char *errbuf)
{
	size_t k;

	for (k = r->base; k < r->n; k++)
		flow_close(r, flow_at(r, k));
	if (r->failed) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "%s", r->err);
		return -1;
	}
	return put_closed(r, errbuf);
}

static int
see_one(void *arg, const struct vnd_pkt *pk, const char *point)
{
	struct run *r = arg;

	see(r, pk, point);
	/* (the oldest flow still alive: nothing to write, the common case) */
	if (!r->failed && r->base < r->n && flow_at(r, r->base)->x == NULL &&
	    put_closed(r, r->err) < 0)
		r->failed = 1;
	return r->failed ? -1 : 0;
}

/* The options, as the frame kept them: -i is a summary too. */
static int
check(struct vnd_cli *cli, void *ctx)
{
	struct run *r = ctx;

	r->all = vnd_cli_flag(cli, 'a');
	r->summary = vnd_cli_flag(cli, 's') || vnd_cli_flag(cli, 'i');
	return vnd_cli_get_seconds(cli, 'i', &r->slot_ns) < 0 ? -1 : 0;
}

/* The flows table's columns: -i puts the slot's start after the point. */
static int
flows_cols(const struct run *r, struct vnd_colspec *cols)
{
	size_t k;
	int nc = 0;

	for (k = 0; k < sizeof(flow_cols) / sizeof(flow_cols[0]); k++) {
		cols[nc++] = flow_cols[k];
		if (k == 0 && r->slot_ns)
			cols[nc++] = (struct vnd_colspec){ "slot_ts_ns", VND_INT };
	}
	return nc;
}

static int
run(struct vnd_cli *cli, void *ctx)
{
	struct run *r = ctx;
	struct vnd_colspec cols[32];
	int status;

	r->per_flow = cli->output != NULL || r->summary;
	if ((cli->output || !r->summary) && (r->t = vnd_cli_table(cli,
	    "samples", sample_cols, VND_NELEM(sample_cols))) == NULL)
		return VND_RUN_SINK;
	if ((cli->output || r->summary) && (r->flows = vnd_cli_table(cli,
	    "flows", cols, flows_cols(r, cols))) == NULL)
		return VND_RUN_SINK;
	if ((status = vnd_cli_read(cli, see_one, r)) == VND_RUN_ABORT &&
	    r->failed) {
		snprintf(cli->err, sizeof(cli->err), "%s", r->err);
		return VND_RUN_SINK;
	}
	if (status == VND_RUN_ABORT)
		return status;
	if (end_flows(r, cli->err) < 0)
		return VND_RUN_SINK;
	return status;
}

static void
run_free(void *ctx)
{
	struct run *r = ctx;
	size_t k;

	for (k = r->base; k < r->n; k++) {
		if (flow_at(r, k)->x != NULL)
			flowx_free(flow_at(r, k)->x);
		free(flow_at(r, k)->rows);
	}
	free(r->f);
	vnd_flowtab_free(&r->ft);
	vnd_flowq_free(&r->closing);
	vnd_flowq_free(&r->quiet);
}

static struct run tool_ctx;

const struct vnd_tool vnd_tool = {
	.name = "vnd-rtt", .usage = usage,
	.longonly = "all=a summary=s",
	.flags = VND_CLI_TABLE | VND_CLI_QUIET | VND_CLI_STDIN,
	.min_ops = 1,
	.check = check, .run = run, .fini = run_free,
	.ctx = &tool_ctx,
};
