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
#include "vnd_sorted.h"
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

struct half {				/* one direction: its data, the other's ACKs */
	uint32_t	 tsv[NTSV];	/* TSvals sent, with when first seen */
	int64_t		 tsv_ts[NTSV];
	uint64_t	 tsv_frame[NTSV];
	size_t		 ntsv;
	struct seg	*segs;
	size_t		 head, n, cap;	/* ring, grown as the window opens */
	uint32_t	 high;		/* highest end sent */
	uint32_t	 acked;		/* highest ACK from the receiver */
	int		 started, acked_any;
	struct vnd_stats st;
	uint64_t	 rejected;
};

struct flow {
	struct vnd_flowkey k;		/* k.src: the client (SYN) */
	uint8_t		 proto;
	struct half	 h[2];		/* [0]: client's data, [1]: server's */
	int64_t		 syn_ts, synack_ts;	/* set with their frames (from 1) */
	uint32_t	 syn_seq;	/* the client's initial sequence number */
	int		 carried;	/* data, a FIN or a RST went by */
	uint64_t	 syn_frame, synack_frame;
	int		 syn_retx, synack_retx;
};

/* -i: a flow's direction in one time slot */
struct slot {
	size_t		 flow;
	int		 dir;
	int64_t		 start;
	struct vnd_stats st;
	uint64_t	 rejected;
	int		 used;
};

struct run {
	struct flow	*f;
	size_t		 cap, n;
	int64_t		 slot_ns;	/* -i, 0 for none */
	struct slot	*slots;
	size_t		 scap, sn;
	struct vnd_flowtab ft;		/* over f */
	struct vnd_table *t;
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

static const struct vnd_flowkey *
flow_key(void *arg, size_t i)
{
	return &((struct run *)arg)->f[i].k;
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
	vnd_flowkey_init(&f->k, pk, point, dir);
	f->proto = pk->ip_proto;
	/* 4 KiB a direction: only for the flows table */
	for (i = 0; stats && i < 2; i++)
		if (vnd_stats_init(&f->h[i].st, 8) < 0)
			return -1;
	return 0;
}

static struct flow *
flow_of(struct run *r, const struct vnd_pkt *pk, const char *point, int *dir)
{
	struct flow *f, *nf;
	long k;

	/* a 5-tuple used again, after or even during the last: a new SYN */
	if ((k = vnd_flowtab_find(&r->ft, pk, point, dir)) >= 0 &&
	    !vnd_flow_new_syn(pk, *dir == 0 && r->f[k].syn_frame != 0,
	    r->f[k].syn_seq, r->f[k].carried))
		return &r->f[k];
	if ((nf = vnd_grow(r->f, &r->cap, r->n, sizeof(*nf), 64)) == NULL)
		return NULL;
	r->f = nf;
	f = &r->f[r->n];
	if (flow_init(f, pk, point, dir, r->per_flow) < 0)
		return NULL;
	r->ft.key = flow_key;
	r->ft.arg = r;
	if (vnd_flowtab_place(&r->ft, k, r->n) < 0)
		return NULL;
	r->n++;
	return f;
}

static void
put_flow_cols(struct vnd_table *t, const struct flow *f, int dir)
{
	/* a sample's flow is the direction of the data it timed */
	vnd_flowkey_put(t, &f->k, dir);
	vnd_put_int(t, f->proto);
}

static struct slot *
slot_of(struct run *r, size_t flow, int dir, int64_t start)
{
	struct slot *ns;
	uint64_t w[3];
	size_t i, j, ncap;

	if (r->sn * 2 + 2 > r->scap) {
		ncap = r->scap ? r->scap * 2 : 256;
		if ((ns = calloc(ncap, sizeof(*ns))) == NULL)
			return NULL;
		for (i = 0; i < r->scap; i++) {
			if (!r->slots[i].used)
				continue;
			w[0] = r->slots[i].flow;
			w[1] = (uint64_t)r->slots[i].dir;
			w[2] = (uint64_t)r->slots[i].start;
			for (j = vnd_hash((const uint8_t *)w, sizeof(w)) & (ncap - 1);
			    ns[j].used; j = (j + 1) & (ncap - 1))
				;
			ns[j] = r->slots[i];
		}
		free(r->slots);
		r->slots = ns;
		r->scap = ncap;
	}
	w[0] = flow;
	w[1] = (uint64_t)dir;
	w[2] = (uint64_t)start;
	for (i = vnd_hash((const uint8_t *)w, sizeof(w)) & (r->scap - 1);
	    r->slots[i].used; i = (i + 1) & (r->scap - 1))
		if (r->slots[i].flow == flow && r->slots[i].dir == dir &&
		    r->slots[i].start == start)
			return &r->slots[i];
	if (vnd_stats_init(&r->slots[i].st, 8) < 0)
		return NULL;
	r->slots[i].flow = flow;
	r->slots[i].dir = dir;
	r->slots[i].start = start;
	r->slots[i].used = 1;
	r->sn++;
	return &r->slots[i];
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
		f->h[dir].rejected++;
	else if (r->per_flow)
		vnd_hist_add(&f->h[dir].st.delay, rtt);
	if (r->slot_ns) {
		struct slot *sl = slot_of(r, (size_t)(f - r->f), dir,
		    vnd_slot(ts, r->slot_ns));

		if (sl == NULL) {
			nomem(r);
			return;
		}
		if (ok)
			vnd_hist_add(&sl->st.delay, rtt);
		else
			sl->rejected++;
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
	struct half *h = &f->h[dir];
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
	struct half *h = &f->h[dir];
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

			if (h->tsv[j] == pk->tsecr) {
				sample(r, f, dir, "ts", "ts_echo", 1,
				    pk->ts_ns - h->tsv_ts[j], pk->ts_ns,
				    h->tsv_frame[j], pk->frame, 0, a);
				break;
			}
		}
	h->acked = a;
	h->acked_any = 1;
}

static void
see(struct run *r, const struct vnd_pkt *pk, const char *point)
{
	struct flow *f;
	uint32_t len;
	int dir, syn, ackf, fin;

	if (!vnd_pkt_tcp(pk))
		return;
	if ((f = flow_of(r, pk, point, &dir)) == NULL) {
		nomem(r);
		return;
	}
	syn = (pk->tcp_flags & VND_TH_SYN) != 0;
	ackf = (pk->tcp_flags & VND_TH_ACK) != 0;
	fin = (pk->tcp_flags & VND_TH_FIN) != 0;
	/* the handshake: SYN to SYN-ACK times the server side, SYN-ACK to ACK the client */
	if (syn && !ackf && dir == 0) {
		if (f->syn_frame)
			f->syn_retx = 1;
		f->syn_ts = pk->ts_ns;
		f->syn_frame = pk->frame;
		f->syn_seq = pk->seq;
	} else if (syn && ackf && dir == 1) {
		if (f->synack_frame)
			f->synack_retx = 1;
		if (f->syn_frame && !f->synack_frame)
			sample(r, f, 0, "syn", f->syn_retx ? "karn" : "handshake",
			    !f->syn_retx, pk->ts_ns - f->syn_ts, pk->ts_ns,
			    f->syn_frame, pk->frame, 0, pk->ack);
		f->synack_ts = pk->ts_ns;
		f->synack_frame = pk->frame;
	} else if (!syn && ackf && dir == 0 && f->synack_frame &&
	    !f->h[1].acked_any) {
		sample(r, f, 1, "synack", f->synack_retx ? "karn" : "handshake",
		    !f->synack_retx, pk->ts_ns - f->synack_ts, pk->ts_ns,
		    f->synack_frame, pk->frame, 0, pk->ack);
	}
	/* the first time each TSval of this direction went by */
	if (VND_ISSET(pk, VND_COL_TSVAL)) {
		struct half *h = &f->h[dir];

		if (h->ntsv == 0 || h->tsv[(h->ntsv - 1) % NTSV] != pk->tsval) {
			h->tsv[h->ntsv % NTSV] = pk->tsval;
			h->tsv_ts[h->ntsv % NTSV] = pk->ts_ns;
			h->tsv_frame[h->ntsv % NTSV] = pk->frame;
			h->ntsv++;
		}
	}
	/* the ACK times the other direction's data; then this packet's own */
	if (ackf && !syn)
		on_ack(r, f, !dir, pk);
	len = VND_ISSET(pk, VND_COL_PAYLOAD_BYTES) ? pk->payload_bytes : 0;
	if (fin)
		len++;
	if (len > 0 || (pk->tcp_flags & VND_TH_RST))
		f->carried = 1;
	if (len > 0 && !syn)
		on_data(&f->h[dir], pk, len);
	else if (syn) {
		/* the SYN's sequence number counts one: data starts after it */
		f->h[dir].high = pk->seq + 1;
		f->h[dir].started = 1;
		f->h[dir].acked = pk->seq;
		f->h[dir].acked_any = 0;
	}
}

static int
put_stats(struct vnd_table *t, const struct run *r, const struct flow *f,
    int d, const int64_t *slot, const struct vnd_stats *st, uint64_t rejected,
    char *errbuf)
{
	vnd_put_str(t, f->k.point);
	if (r->slot_ns)
		vnd_put_int(t, *slot);
	put_flow_cols(t, f, d);
	vnd_put_str(t, d ? "client" : "server");
	vnd_put_int(t, (int64_t)st->delay.n);
	vnd_put_int(t, (int64_t)rejected);
	if (st->delay.n) {
		vnd_put_int(t, st->delay.min);
		vnd_put_int(t, vnd_hist_quantile(&st->delay, 0.5));
		vnd_put_int(t, st->delay.sum / (int64_t)st->delay.n);
		vnd_put_int(t, vnd_hist_quantile(&st->delay, 0.99));
		vnd_put_int(t, st->delay.max);
	} else {
		vnd_put_null(t);
		vnd_put_null(t);
		vnd_put_null(t);
		vnd_put_null(t);
		vnd_put_null(t);
	}
	return vnd_row_end(t, errbuf);
}

static int
cmp_slot(const void *a, const void *b)
{
	const struct slot *x = *(const void *const *)a;
	const struct slot *y = *(const void *const *)b;

	if (x->flow != y->flow)
		return x->flow < y->flow ? -1 : 1;
	if (x->dir != y->dir)
		return x->dir < y->dir ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* With -i: a row a flow, direction and slot. */
static int
put_slot(struct vnd_table *t, void *arg, const void *entry, char *errbuf)
{
	const struct run *r = arg;
	const struct slot *s = entry;

	return put_stats(t, r, &r->f[s->flow], s->dir, &s->start, &s->st,
	    s->rejected, errbuf);
}

/* Without -i: a row a flow and direction, those with a sample. */
static int
put_totals(struct run *r, struct vnd_table *t, char *errbuf)
{
	size_t i;
	int d;

	for (i = 0; i < r->n; i++)
		for (d = 0; d < 2; d++) {
			const struct half *h = &r->f[i].h[d];

			if (h->st.delay.n == 0 && h->rejected == 0)
				continue;
			if (put_stats(t, r, &r->f[i], d, NULL, &h->st,
			    h->rejected, errbuf) < 0)
				return -1;
		}
	return 0;
}

static int
put_flows(struct run *r, struct vnd_table *t, char *errbuf)
{
	if (!r->slot_ns)
		return put_totals(r, t, errbuf);
	return vnd_sorted_each(t, r->slots, r->scap, sizeof(*r->slots),
	    offsetof(struct slot, used), cmp_slot, put_slot, r, errbuf);
}

static int
see_one(void *arg, const struct vnd_pkt *pk, const char *point)
{
	struct run *r = arg;

	see(r, pk, point);
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
	struct vnd_table *flows = NULL;
	int status;

	r->per_flow = cli->output != NULL || r->summary;
	if ((cli->output || !r->summary) && (r->t = vnd_cli_table(cli,
	    "samples", sample_cols, VND_NELEM(sample_cols))) == NULL)
		return VND_RUN_SINK;
	if ((cli->output || r->summary) && (flows = vnd_cli_table(cli, "flows",
	    cols, flows_cols(r, cols))) == NULL)
		return VND_RUN_SINK;
	if ((status = vnd_cli_read(cli, see_one, r)) == VND_RUN_ABORT &&
	    r->failed) {
		snprintf(cli->err, sizeof(cli->err), "%s", r->err);
		return VND_RUN_SINK;
	}
	if (status == VND_RUN_ABORT)
		return status;
	if (flows != NULL && put_flows(r, flows, cli->err) < 0)
		return VND_RUN_SINK;
	return status;
}

static void
run_free(void *ctx)
{
	struct run *r = ctx;
	size_t k;
	int i;

	for (k = 0; k < r->n; k++)
		for (i = 0; i < 2; i++) {
			free(r->f[k].h[i].segs);
			vnd_stats_free(&r->f[k].h[i].st);
		}
	free(r->f);
	vnd_flowtab_free(&r->ft);
	for (k = 0; k < r->scap; k++)
		if (r->slots[k].used)
			vnd_stats_free(&r->slots[k].st);
	free(r->slots);
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
