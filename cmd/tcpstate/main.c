/* vnd-tcpstate: what each TCP connection did and what limited it, from packets at one point. */
#include <err.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "vnd_flowtab.h"
#include "vnd_pktsrc.h"
#include "vnd_meta.h"
#include "vnd_operands.h"
#include "vnd_num.h"
#include "vnd_point.h"
#include "vnd_table.h"

/*
 * The hypervisor TCP inference of the papers (Dapper's workshop version):
 * per connection the constants of its handshake, counters, and a calculated
 * state. Per direction of data, at every packet, the sender was
 *   receiver-limited	when what it has in flight fills the receiver's
 *			advertised window (less one MSS) or the window is 0;
 *   network-limited	when what is in flight reaches the congestion window's
 *			lower bound (the most it had in flight since its last
 *			loss), and the receiver's window is not the limit;
 *   sender-limited	otherwise: the window allowed more, and it sent less;
 * and the time until the next packet counts for that state. The verdict is
 * the state with the largest share of the connection's active time.
 * Retransmissions: a segment below the highest sequence sent is sent again;
 * after three duplicate ACKs (or SACKs reporting loss) it is a fast
 * retransmit, else a timeout; the same segment with the same IP ID is the
 * capture's duplicate, not a retransmission.
 */

enum { L_SENDER, L_RECEIVER, L_NETWORK, L_N };

/*
 * The congestion state of a sender, as its packets show it: slow start until
 * its first loss, fast recovery from three duplicate ACKs (or SACK news) until
 * the recovery point is acknowledged, timeout recovery likewise after an RTO,
 * congestion avoidance between losses. Each change is an event.
 */
enum { CC_NONE, CC_SLOW_START, CC_AVOIDANCE, CC_FAST_RECOVERY, CC_TIMEOUT };
static const char *const ccname[] = {
	"-", "slow_start", "congestion_avoidance", "fast_recovery",
	"timeout_recovery",
};
static const char *const lname[] = { "sender", "receiver", "network" };

struct dir {				/* one direction of data */
	int		 started;
	uint32_t	 isn, high, acked;	/* sequence space */
	int		 acked_any;
	uint64_t	 pkts, bytes, unique, retx, retx_fast, retx_timeout;
	uint64_t	 dup_capture, dupacks, dup3, zero_win, zw_probes, win_full;
	uint32_t	 last_ack;	/* of the receiver, for duplicates */
	int		 ndup;
	int		 recovery;	/* after 3 dup-ACKs, or SACK news: fast */
	int		 cc;		/* congestion state, CC_x */
	int		 had_loss;	/* slow start ends at the first loss */
	uint64_t	 spurious;	/* retransmissions a D-SACK or the timestamps
					   said were not needed */
	int		 recov_retx;	/* retransmissions in this recovery */
	int		 eifel;		/* a retransmission waits for its ACK ... */
	uint32_t	 eifel_seq, eifel_end, eifel_tsval;	/* ... this one */
	uint32_t	 spurious_seq;	/* the last found spurious ... */
	int		 spurious_by;	/* ... by 0: none, 1: Eifel, 2: D-SACK */
	int		 spurious_twice;	/* ... and found by the other too */
	uint32_t	 max_seg;	/* largest segment: the MSS when no SYN was seen */
	uint32_t	 gap_lo[64], gap_hi[64];	/* sequence never seen here ... */
	int64_t		 gap_ts[64];	/* ... since when */
	int		 ngap;
	uint64_t	 reordered, lost_upstream;
	uint64_t	 last_fill_frame;
	struct {
		uint32_t seq, len, ipid, tsval;
		int has_ts;
		int64_t ts;
	}		 recent[32];	/* the last segments, to know a duplicate */
	unsigned	 nrecent;
	uint32_t	 recovery_point;	/* ... until this is acknowledged */
	uint32_t	 last_seq;
	uint32_t	 last_ipid;
	int64_t		 last_data_ts;
	int64_t		 last_ack_ts;	/* the peer's last ACK went by */
	int64_t		 last_adv_ts;	/* ... and the last that acked new data */
	int64_t		 prev_adv_ts;	/* ... and the one before that */
	int		 ack_seen;
	int64_t		 rtt_fwd;	/* least time from data to its ACK here */
	int64_t		 rtt_back;	/* least time from an ACK to new data */
	uint32_t	 flight_max;	/* since the last loss: the cwnd bound */
	uint32_t	 flight_peak;	/* of the connection */
	uint32_t	 rwnd;		/* the receiver's window, scaled */
	int		 rwnd_known;
	int		 state;		/* the limitation now */
	int64_t		 state_ts;
	int64_t		 lim[L_N];	/* ns spent in each */
	int64_t		 done[L_N];	/* the same when all it sent was acked */
	struct tslot {
		int64_t	 start;
		int64_t	 lim[L_N];
	}		*slots;		/* -i: the same per time slot */
	size_t		 nslots, capslots;
	size_t		 done_nslots;	/* slots when all it sent was acked */
	struct tslot	 done_slot;	/* ... and the last of them then */
	uint32_t	 done_high;	/* ... and what it had sent then */
	int		 done_valid;
	int		 active;
};

struct conn {
	struct vnd_flowkey k;		/* k.src: the client */
	uint64_t	 first_ord;	/* its first packet's place in the input */
	int64_t		 first_ts, last_ts;
	int64_t		 syn_ts, hs_rtt;	/* the handshake's round trip */
	int		 syn, synack, est, fin[2], rst[2], rst_first;
	uint16_t	 mss[2];	/* announced by each side */
	int		 wscale[2];	/* -1: none */
	int		 sack_ok[2], ts_ok[2];
	struct dir	 d[2];		/* [0]: client's data, [1]: server's */
};

/* An event kept for later, when workers find them (-j): merged by ord. */
struct evrec {
	uint64_t	 ord;		/* of the packet that showed it */
	uint64_t	 frame;
	int64_t		 ts, value;
	const char	*kind;		/* a string constant */
	uint32_t	 conn;
	int		 dir;
};

/* One thread's connections: all of them, or with -j those of its shard. */
struct run {
	struct conn	*c;
	size_t		 n, cap;
	struct vnd_flowtab ft;		/* over c */
	struct vnd_table *ev;		/* events written as found, or ... */
	int		 keep_events;	/* ... kept in evs */
	struct evrec	*evs;
	size_t		 nev, evcap;
	uint64_t	 ord;		/* of the packet being seen */
	int		 failed;
	char		 err[VND_ERRBUF_SIZE];
};

static const struct option longopts[] = {
	{ "events", no_argument, NULL, 'e' },
	{ "help", no_argument, NULL, 'h' },
	{ "interval", required_argument, NULL, 'i' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "no-header", no_argument, NULL, 'H' },
	{ "output", required_argument, NULL, 'o' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: vnd-tcpstate [-HV] [--events] [-i seconds] [-j threads] [-o file.db]\n"
"                    [point ...]\n"
"      --events          every event in time order instead of the connections\n"
"  -i, --interval SECS   the limitation shares per time slot of SECS seconds\n"
"                        instead of the connections\n"
"  -j, --jobs N          decode and analyse on N threads, connections shared\n"
"                        out by 5-tuple; the output is the same (default 1)\n"
"  -H, --no-header       omit the TSV header line\n"
"  -h, --help            this help\n"
"  -o, --output FILE     write SQLite database FILE (tables connections,\n"
"                        events, and slots with -i)\n"
"  -V, --version         print the version\n"
"A point is a capture or vnd-parse's packets table (TSV or SQLite), a file or\n"
"'-'; NAME=file names it, or picks a table's rows of that point.\n");
}

static int
seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static const struct vnd_flowkey *
conn_key(void *arg, size_t i)
{
	return &((struct run *)arg)->c[i].k;
}

static struct conn *
conn_of(struct run *r, const struct vnd_pkt *pk, const char *point, int *dir)
{
	struct conn *c, *nc;
	long i;

	/* a 5-tuple used again, after or even during the last: a new SYN */
	if ((i = vnd_flowtab_find(&r->ft, pk, point, dir)) >= 0 &&
	    !vnd_flow_new_syn(pk, *dir == 0 && r->c[i].syn, r->c[i].d[0].isn,
	    r->c[i].d[0].pkts || r->c[i].d[1].pkts || r->c[i].fin[0] ||
	    r->c[i].fin[1] || r->c[i].rst[0] || r->c[i].rst[1]))
		return &r->c[i];
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		if ((nc = realloc(r->c, r->cap * sizeof(*nc))) == NULL)
			return NULL;
		r->c = nc;
	}
	c = &r->c[r->n];
	memset(c, 0, sizeof(*c));
	vnd_flowkey_init(&c->k, pk, point, dir);
	c->first_ord = pk->ord;
	c->first_ts = pk->ts_ns;
	c->wscale[0] = c->wscale[1] = -1;
	r->ft.key = conn_key;
	r->ft.arg = r;
	if (i >= 0)
		vnd_flowtab_retarget(&r->ft, (size_t)i, r->n);
	else if (vnd_flowtab_add(&r->ft, r->n) < 0)
		return NULL;
	r->n++;
	return c;
}

static int
put_event(struct vnd_table *t, const struct conn *c, int dir, int64_t ts,
    const char *kind, uint64_t frame, int64_t value, char *errbuf)
{
	vnd_put_str(t, c->k.point);
	vnd_put_int(t, ts);
	vnd_put_int(t, (int64_t)frame);
	vnd_flowkey_put(t, &c->k, dir);
	vnd_put_str(t, kind);
	vnd_put_int(t, value);
	return vnd_row_end(t, errbuf);
}

static void
event(struct run *r, const struct conn *c, int dir, int64_t ts, const char *kind,
    uint64_t frame, int64_t value)
{
	struct evrec *ne, *e;

	if (r->failed)
		return;
	if (r->ev != NULL) {
		if (put_event(r->ev, c, dir, ts, kind, frame, value, r->err) < 0)
			r->failed = 1;
		return;
	}
	if (!r->keep_events)
		return;
	if (r->nev == r->evcap) {
		size_t nc = r->evcap ? r->evcap * 2 : 256;

		if ((ne = realloc(r->evs, nc * sizeof(*ne))) == NULL) {
			snprintf(r->err, sizeof(r->err), "out of memory");
			r->failed = 1;
			return;
		}
		r->evs = ne;
		r->evcap = nc;
	}
	e = &r->evs[r->nev++];
	e->ord = r->ord;
	e->frame = frame;
	e->ts = ts;
	e->value = value;
	e->kind = kind;
	e->conn = (uint32_t)(c - r->c);
	e->dir = dir;
}

/* -j: the workers' events, each list in order, merged into one. */
static int
put_events(struct run *runs, int nj, struct vnd_table *t, char *errbuf)
{
	size_t *at;
	int w, best;

	if ((at = calloc((size_t)nj, sizeof(*at))) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	for (;;) {
		const struct evrec *e;

		best = -1;
		for (w = 0; w < nj; w++)
			if (at[w] < runs[w].nev && (best < 0 ||
			    runs[w].evs[at[w]].ord < runs[best].evs[at[best]].ord))
				best = w;
		if (best < 0)
			break;
		e = &runs[best].evs[at[best]++];
		if (put_event(t, &runs[best].c[e->conn], e->dir, e->ts, e->kind,
		    e->frame, e->value, errbuf) < 0) {
			free(at);
			return -1;
		}
	}
	free(at);
	return 0;
}

static void
cc_set(struct run *r, const struct conn *c, int dir, struct dir *d, int cc,
    int64_t ts, uint64_t frame)
{
	if (d->cc == cc)
		return;
	d->cc = cc;
	event(r, c, dir, ts, ccname[cc], frame, 0);
}

static int64_t slot_ns;		/* -i, 0 for none */

/* Time [from, to) in state st, split over the time slots it spans. */
static void
slot_add(struct dir *d, int st, int64_t from, int64_t to)
{
	struct tslot *ns;
	int64_t start, end;

	while (from < to) {
		start = from - ((from % slot_ns) + slot_ns) % slot_ns;
		end = start + slot_ns < to ? start + slot_ns : to;
		if (d->nslots == 0 || d->slots[d->nslots - 1].start != start) {
			if (d->nslots == d->capslots) {
				size_t nc = d->capslots ? d->capslots * 2 : 8;

				if ((ns = realloc(d->slots, nc * sizeof(*ns))) == NULL)
					return;		/* the slots lose this time */
				d->slots = ns;
				d->capslots = nc;
			}
			memset(&d->slots[d->nslots], 0, sizeof(*d->slots));
			d->slots[d->nslots++].start = start;
		}
		d->slots[d->nslots - 1].lim[st] += end - from;
		from = end;
	}
}

/* The sender of d was in state s from now: the time since goes to the old one. */
static void
set_state(struct dir *d, int s, int64_t now)
{
	if (d->active && now > d->state_ts && slot_ns)
		slot_add(d, d->state, d->state_ts, now);
	if (d->active && now > d->state_ts)
		d->lim[d->state] += now - d->state_ts;
	d->state = s;
	d->state_ts = now;
	d->active = 1;
}

static void
classify(struct conn *c, int dir, int64_t now, uint32_t mss)
{
	struct dir *d = &c->d[dir];
	uint32_t flight = d->acked_any ? d->high - d->acked : 0;

	if (!d->started || !d->acked_any)
		return;
	if (flight == 0 && d->rwnd_known && d->rwnd >= mss) {
		/*
		 * Nothing in flight, a segment's room in the window: the
		 * sender has nothing to send. (Less room than a segment is the
		 * receiver's limit: a sender avoids silly windows, RFC 9293
		 * 3.8.6.2.1.) If it never sends again it was done, not
		 * limited: the shares are kept as they are now, and used if no
		 * data follows.
		 */
		set_state(d, L_SENDER, now);
		memcpy(d->done, d->lim, sizeof(d->done));
		d->done_nslots = d->nslots;
		if (d->nslots)
			d->done_slot = d->slots[d->nslots - 1];
		d->done_high = d->high;
		d->done_valid = 1;
		return;
	}
	if (d->rwnd_known && (d->rwnd == 0 || d->rwnd < flight + mss))
		set_state(d, L_RECEIVER, now);
	else if (flight + mss > d->flight_max)
		set_state(d, L_NETWORK, now);
	else
		set_state(d, L_SENDER, now);
}

static int
seq_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

/*
 * The same segment twice at one point: the capture's duplicate, not a
 * retransmission (a retransmission has a new IP ID, or a new TSval).
 */
static int
is_dup(const struct dir *d, const struct vnd_pkt *pk, uint32_t len)
{
	unsigned i, n = d->nrecent < 32 ? d->nrecent : 32;
	int ts = VND_ISSET(pk, VND_COL_TSVAL);

	for (i = 0; i < n; i++)
		if (d->recent[i].seq == pk->seq && d->recent[i].len == len &&
		    ((pk->ip_ver == 4 && pk->ip_id != 0 &&
		    d->recent[i].ipid == pk->ip_id) ||
		    (ts && d->recent[i].has_ts && d->recent[i].tsval == pk->tsval &&
		    (pk->ip_ver == 6 || pk->ip_id == 0))))
			return 1;
	return 0;
}

/* Was this segment just taken as filling a gap (counted already)? */
static int
gap_filled(const struct dir *d, const struct vnd_pkt *pk)
{
	return d->last_fill_frame == pk->frame;
}

/*
 * A retransmission of seq found not needed, by Eifel (1) or a D-SACK (2).
 * The one retransmission both find counts once: the second finding of the
 * same segment by the other way is taken as the first's; a segment sent
 * three times can still be reported twice by D-SACK.
 */
static void
spurious(struct run *r, struct conn *c, int dir, struct dir *d, int by,
    uint32_t seq, const struct vnd_pkt *pk)
{
	if (d->retx <= d->spurious)
		return;
	if (d->spurious_by != 0 && d->spurious_by != by &&
	    d->spurious_seq == seq && !d->spurious_twice) {
		d->spurious_twice = 1;
		return;
	}
	d->spurious++;
	d->spurious_seq = seq;
	d->spurious_by = by;
	d->spurious_twice = 0;
	event(r, c, dir, pk->ts_ns, "spurious_retx", pk->frame, seq - d->isn);
}

/*
 * The round trip the connection shows at this point: its handshake's (SYN
 * to the client's first ACK), or else the least time from data to its ACK
 * added to the least from an ACK to new data. 0: not known yet.
 */
static int64_t
round_trip(const struct conn *c, const struct dir *d)
{
	if (c->hs_rtt)
		return c->hs_rtt;
	if (d->rtt_fwd && d->rtt_back)
		return d->rtt_fwd + d->rtt_back - 2;
	return 0;
}

/*
 * Was a retransmission sent by the timer? One the ACKs prompted (three
 * duplicates, SACK, a partial ACK) follows an ACK at once at the sender, a
 * round trip after it at the receiver: the time from here to the sender and
 * back, "back". The timer restarts when an ACK acknowledges new data and
 * when the segment is sent again (RFC 6298, 5.3 and 5.5), not at duplicate
 * ACKs: a timeout comes later than that by more than back and 150 ms (below
 * any sender's least RTO: Linux's is 200 ms beyond its smoothed round trip,
 * RFC 6298's 1 s).
 */
static int
by_timer(const struct conn *c, const struct dir *d, const struct vnd_pkt *pk,
    uint32_t end)
{
	int64_t from = d->ack_seen ? d->last_adv_ts : c->first_ts, back;
	unsigned i, n = d->nrecent < 32 ? d->nrecent : 32;

	back = d->rtt_back ? d->rtt_back - 1 : round_trip(c, d);
	/*
	 * Data acknowledged already: the ACK that did it crossed the
	 * retransmission on the way, the timer had fired before it came.
	 */
	if (d->ack_seen && d->acked_any && seq_le(end, d->acked))
		from = d->prev_adv_ts;
	else if (d->ack_seen && pk->ts_ns - d->last_ack_ts <= back + 10000000)
		return 0;		/* an ACK just came */
	for (i = 0; i < n; i++)		/* sent before, lately */
		if (d->recent[i].seq == pk->seq && d->recent[i].ts > from)
			from = d->recent[i].ts;
	return pk->ts_ns - from > back + 150000000;
}

static void
see(struct run *r, const struct vnd_pkt *pk, const char *point)
{
	struct conn *c;
	struct dir *d, *o;
	uint32_t len, end, mss;
	int dir, syn, ack, fin, rst;

	if (!VND_ISSET(pk, VND_COL_TCP_FLAGS) || pk->ip_proto != 6 ||
	    (VND_ISSET(pk, VND_COL_FRAG_OFF) && pk->frag_off))
		return;
	r->ord = pk->ord;
	if ((c = conn_of(r, pk, point, &dir)) == NULL) {
		snprintf(r->err, sizeof(r->err), "out of memory");
		r->failed = 1;
		return;
	}
	syn = (pk->tcp_flags & VND_TH_SYN) != 0;
	ack = (pk->tcp_flags & VND_TH_ACK) != 0;
	fin = (pk->tcp_flags & VND_TH_FIN) != 0;
	rst = (pk->tcp_flags & VND_TH_RST) != 0;
	c->last_ts = pk->ts_ns;
	d = &c->d[dir];
	o = &c->d[!dir];
	if (syn) {
		if (dir == 0 && !ack) {
			c->syn = 1;
			c->syn_ts = pk->ts_ns;
		}
		if (dir == 1 && ack)
			c->synack = 1;
		if (VND_ISSET(pk, VND_COL_MSS))
			c->mss[dir] = pk->mss;
		c->wscale[dir] = VND_ISSET(pk, VND_COL_WSCALE) ? pk->wscale : -1;
		c->sack_ok[dir] = VND_ISSET(pk, VND_COL_SACK_OK);
		c->ts_ok[dir] = VND_ISSET(pk, VND_COL_TSVAL);
		/* the MSS it offers; 0 when it offers none */
		event(r, c, dir, pk->ts_ns, ack ? "synack" : "syn", pk->frame,
		    VND_ISSET(pk, VND_COL_MSS) ? pk->mss : 0);
		d->started = 1;
		d->isn = pk->seq;
		d->high = pk->seq + 1;
		d->last_seq = pk->seq;
	}
	if (fin && !c->fin[dir]) {
		c->fin[dir] = 1;
		event(r, c, dir, pk->ts_ns, "fin", pk->frame, 0);
	}
	if (rst && !c->rst[dir]) {
		c->rst[dir] = 1;
		if (!c->rst[!dir])
			c->rst_first = dir + 1;
		event(r, c, dir, pk->ts_ns, "rst", pk->frame, 0);
	}
	/* the window this side advertises limits the other side's data */
	if (!rst) {
		int ws = c->wscale[dir] >= 0 && c->wscale[!dir] >= 0 && !syn ?
		    c->wscale[dir] : 0;

		o->rwnd = (uint32_t)pk->win << (ws > 14 ? 14 : ws);
		o->rwnd_known = 1;
		if (pk->win == 0 && o->started) {
			o->zero_win++;
			event(r, c, !dir, pk->ts_ns, "zero_window", pk->frame, 0);
		}
	}
	/* the handshake's round trip: the client's SYN to its first ACK */
	if (ack && !syn && dir == 0 && c->syn && c->synack && c->hs_rtt == 0 &&
	    pk->ts_ns > c->syn_ts)
		c->hs_rtt = pk->ts_ns - c->syn_ts;
	/* an ACK for the other side's data */
	if (ack && !syn && o->started) {
		uint32_t a = pk->ack;
		int newdata = !o->acked_any || seq_lt(o->acked, a);
		uint32_t len0 = VND_ISSET(pk, VND_COL_PAYLOAD_BYTES) ?
		    pk->payload_bytes : 0;

		/* all it sent acknowledged: here to the receiver and back */
		if (newdata && o->pkts && seq_le(o->high, a) &&
		    pk->ts_ns >= o->last_data_ts && (o->rtt_fwd == 0 ||
		    pk->ts_ns - o->last_data_ts < o->rtt_fwd))
			o->rtt_fwd = pk->ts_ns - o->last_data_ts + 1;
		o->last_ack_ts = pk->ts_ns;
		if (newdata || !o->ack_seen) {
			o->prev_adv_ts = o->ack_seen ? o->last_adv_ts : pk->ts_ns;
			o->last_adv_ts = pk->ts_ns;
		}
		o->ack_seen = 1;

		if (!newdata && len0 == 0 && !fin && o->acked_any &&
		    a == o->acked && seq_lt(a, o->high)) {
			o->dupacks++;
			if (++o->ndup == 3) {
				o->dup3++;
				event(r, c, !dir, pk->ts_ns, "triple_dupack",
				    pk->frame, a - o->isn);
			}
			/* RFC 6675: three duplicates, or a SACK of data above the
			 * hole, starts loss recovery */
			if (!o->recovery && (o->ndup >= 3 ||
			    VND_ISSET(pk, VND_COL_SACK))) {
				o->recovery = 1;
				o->recov_retx = 0;
				o->recovery_point = o->high;
				o->had_loss = 1;
				cc_set(r, c, !dir, o, CC_FAST_RECOVERY, pk->ts_ns,
				    pk->frame);
			}
		} else if (newdata) {
			/* RFC 3522 (Eifel): the first ACK to cover a
			 * retransmitted segment echoes the original's
			 * timestamp, older than the retransmission's: the
			 * original arrived, and the retransmission was not
			 * needed */
			if (o->eifel && seq_le(o->eifel_end, a)) {
				if (VND_ISSET(pk, VND_COL_TSECR) &&
				    (int32_t)(pk->tsecr - o->eifel_tsval) < 0)
					spurious(r, c, !dir, o, 1, o->eifel_seq,
					    pk);
				o->eifel = 0;
			}
			o->ndup = 0;
			o->acked = a;
			o->acked_any = 1;
			if (o->recovery && !seq_lt(a, o->recovery_point)) {
				o->recovery = 0;
				o->recov_retx = 0;
				cc_set(r, c, !dir, o, CC_AVOIDANCE, pk->ts_ns,
				    pk->frame);
			}
		}
		/* RFC 2883: a first SACK block below the cumulative ACK reports
		 * data received twice; if it was sent twice, once was spurious */
		if (VND_ISSET(pk, VND_COL_SACK) && pk->nsack > 0 &&
		    seq_le(pk->sack[0][1], a))
			spurious(r, c, !dir, o, 2, pk->sack[0][0], pk);
	}
	/* this side's data */
	len = VND_ISSET(pk, VND_COL_PAYLOAD_BYTES) ? pk->payload_bytes : 0;
	mss = c->mss[!dir] ? c->mss[!dir] : 536;
	if (len > 0 && !d->started) {
		/* first seen mid-stream: its data starts here */
		d->started = 1;
		d->isn = pk->seq - 1;
		d->high = pk->seq;
		d->last_seq = pk->seq;
	}
	if (len > 0 && d->started) {
		int filled = 0, g;

		end = pk->seq + len;
		/* a jump past the highest sequence: bytes this point never saw */
		if (seq_lt(d->high, pk->seq) && d->ngap < 64) {
			d->gap_lo[d->ngap] = d->high;
			d->gap_hi[d->ngap] = pk->seq;
			d->gap_ts[d->ngap] = pk->ts_ns;
			d->ngap++;
		}
		/* filling such a gap: never sent past here before, so not a
		 * retransmission seen twice; soon after: reordering, later: a
		 * retransmission of a loss before this point */
		for (g = 0; g < d->ngap && !filled; g++)
			if (!seq_lt(pk->seq, d->gap_lo[g]) &&
			    seq_lt(pk->seq, d->gap_hi[g])) {
				filled = 1;
				if (pk->ts_ns - d->gap_ts[g] < 3000000) {
					d->reordered++;
					event(r, c, dir, pk->ts_ns, "reordered",
					    pk->frame, pk->seq - d->isn);
				} else {
					d->lost_upstream++;
					d->retx++;
					event(r, c, dir, pk->ts_ns,
					    "retx_lost_upstream", pk->frame,
					    pk->seq - d->isn);
				}
				if (seq_le(end, d->gap_hi[g]) && pk->seq == d->gap_lo[g])
					d->gap_lo[g] = end;	/* the front filled */
				if (!seq_lt(d->gap_lo[g], d->gap_hi[g])) {
					d->gap_lo[g] = d->gap_lo[d->ngap - 1];
					d->gap_hi[g] = d->gap_hi[d->ngap - 1];
					d->gap_ts[g] = d->gap_ts[d->ngap - 1];
					d->ngap--;
				}
			}
		if (filled) {
			d->pkts++;
			d->bytes += len;
			d->unique += len;
			d->last_fill_frame = pk->frame;
		}
	}
	if (len > 0 && d->started && d->cc == CC_NONE)
		cc_set(r, c, dir, d, CC_SLOW_START, pk->ts_ns, pk->frame);
	if (len > d->max_seg)
		d->max_seg = len;
	if (len > 0 && d->started && !gap_filled(d, pk)) {
		end = pk->seq + len;
		d->pkts++;
		d->bytes += len;
		if (seq_lt(pk->seq, d->high)) {
			if (is_dup(d, pk, len)) {
				d->dup_capture++;
				event(r, c, dir, pk->ts_ns, "capture_duplicate",
				    pk->frame, pk->seq - d->isn);
			} else if (d->rwnd_known && d->rwnd == 0 && len <= 1) {
				d->zw_probes++;
				event(r, c, dir, pk->ts_ns, "zero_window_probe",
				    pk->frame, pk->seq - d->isn);
			} else {
				d->retx++;
				/*
				 * Eifel's: the first retransmission of a
				 * recovery, of the first unacknowledged byte.
				 * Only for it does the receiver echo the
				 * timestamp of what it got: for a later one,
				 * it echoes the earliest segment its ACK
				 * covers (RFC 7323, 4.3), which says nothing.
				 */
				if ((!d->recovery || d->recov_retx == 0) &&
				    d->acked_any && pk->seq == d->acked &&
				    VND_ISSET(pk, VND_COL_TSVAL)) {
					d->eifel = 1;
					d->eifel_seq = pk->seq;
					d->eifel_end = end;
					d->eifel_tsval = pk->tsval;
				}
				d->recov_retx++;
				/* loss: the congestion window's bound starts again */
				d->flight_max = d->acked_any ? d->high - d->acked : 0;
				if (!by_timer(c, d, pk, end)) {
					/* the loss was seen by ACKs: three
					 * duplicates, SACK, a partial ACK (RFC
					 * 6582), or RACK's timing of them */
					if (!d->recovery) {
						d->recovery = 1;
						d->recov_retx = 1;
						d->recovery_point = d->high;
						d->had_loss = 1;
						cc_set(r, c, dir, d,
						    CC_FAST_RECOVERY, pk->ts_ns,
						    pk->frame);
					}
					d->retx_fast++;
					event(r, c, dir, pk->ts_ns, "retx_fast",
					    pk->frame, pk->seq - d->isn);
				} else {
					/* RTO: what was in flight counts lost, and
					 * what is sent again up to high is repair */
					d->recovery = 1;
					d->recov_retx = 1;
					d->recovery_point = d->high;
					d->had_loss = 1;
					cc_set(r, c, dir, d, CC_TIMEOUT, pk->ts_ns,
					    pk->frame);
					d->retx_timeout++;
					event(r, c, dir, pk->ts_ns, "retx_timeout",
					    pk->frame, pk->seq - d->isn);
				}
			}
		}
		if (seq_lt(d->high, end)) {
			/* new data: the least time since an ACK is from here
			 * to the sender and back */
			if (d->ack_seen && pk->ts_ns >= d->last_ack_ts &&
			    (d->rtt_back == 0 ||
			    pk->ts_ns - d->last_ack_ts < d->rtt_back))
				d->rtt_back = pk->ts_ns - d->last_ack_ts + 1;
			d->unique += end - (seq_lt(pk->seq, d->high) ? d->high : pk->seq);
			d->high = end;
		}
		d->last_seq = pk->seq;
		d->last_ipid = pk->ip_id;
		d->recent[d->nrecent % 32].seq = pk->seq;
		d->recent[d->nrecent % 32].len = len;
		d->recent[d->nrecent % 32].ipid = pk->ip_id;
		d->recent[d->nrecent % 32].tsval = pk->tsval;
		d->recent[d->nrecent % 32].has_ts = VND_ISSET(pk, VND_COL_TSVAL);
		d->recent[d->nrecent % 32].ts = pk->ts_ns;
		d->nrecent++;
		d->last_data_ts = pk->ts_ns;
		if (d->acked_any) {
			uint32_t flight = d->high - d->acked;

			if (flight > d->flight_max)
				d->flight_max = flight;
			if (flight > d->flight_peak)
				d->flight_peak = flight;
			if (d->rwnd_known && d->rwnd < flight + mss && d->rwnd > 0) {
				d->win_full++;
			}
		}
	}
	if (fin && d->started)
		d->high = pk->seq + len + 1 > d->high ? pk->seq + len + 1 : d->high;
	/* after this packet, what limits each side's sending */
	if (d->bytes)
		classify(c, dir, pk->ts_ns, mss);
	if (o->bytes)
		classify(c, !dir, pk->ts_ns, c->mss[dir] ? c->mss[dir] : 536);
}

/* Zeek's conn_state, from what was seen of the handshake and the close. */
static const char *
conn_state(const struct conn *c)
{
	if (!c->syn)
		return "OTH";
	if (c->rst_first == 2 && !c->synack)
		return "REJ";
	if (!c->synack)
		return c->rst[0] ? "RSTOS0" : "S0";
	if (c->rst_first == 1)
		return "RSTO";
	if (c->rst_first == 2)
		return "RSTR";
	if (c->fin[0] && c->fin[1])
		return "SF";
	if (c->fin[0])
		return "S2";
	if (c->fin[1])
		return "S3";
	return "S1";
}

static const struct vnd_colspec conn_cols[] = {
	{ "point", VND_TEXT }, { "src_ip", VND_TEXT }, { "src_port", VND_INT },
	{ "dst_ip", VND_TEXT }, { "dst_port", VND_INT }, { "ip_proto", VND_INT },
	{ "sender", VND_TEXT }, { "start_ts_ns", VND_INT }, { "end_ts_ns", VND_INT },
	{ "conn_state", VND_TEXT }, { "mss", VND_INT }, { "wscale_snd", VND_INT },
	{ "wscale_rcv", VND_INT }, { "sack_ok", VND_INT }, { "ts_ok", VND_INT },
	{ "data_pkts", VND_INT }, { "data_bytes", VND_INT },
	{ "unique_bytes", VND_INT }, { "retx_pkts", VND_INT },
	{ "retx_fast", VND_INT }, { "retx_timeout", VND_INT },
	{ "capture_dups", VND_INT }, { "dupacks", VND_INT },
	{ "triple_dupacks", VND_INT }, { "zero_windows", VND_INT },
	{ "zero_window_probes", VND_INT }, { "window_full", VND_INT },
	{ "max_flight_bytes", VND_INT }, { "sender_limited_ratio", VND_REAL },
	{ "receiver_limited_ratio", VND_REAL },
	{ "network_limited_ratio", VND_REAL }, { "verdict", VND_TEXT },
	{ "reordered_pkts", VND_INT }, { "retx_lost_upstream", VND_INT },
	{ "retx_spurious", VND_INT }, { "mss_inferred", VND_INT },
};

static const struct vnd_colspec slot_cols[] = {
	{ "point", VND_TEXT }, { "src_ip", VND_TEXT }, { "src_port", VND_INT },
	{ "dst_ip", VND_TEXT }, { "dst_port", VND_INT }, { "ip_proto", VND_INT },
	{ "sender", VND_TEXT }, { "slot_ts_ns", VND_INT },
	{ "sender_limited_ratio", VND_REAL }, { "receiver_limited_ratio", VND_REAL },
	{ "network_limited_ratio", VND_REAL }, { "verdict", VND_TEXT },
};

static const struct vnd_colspec ev_cols[] = {
	{ "point", VND_TEXT }, { "ts_ns", VND_INT }, { "frame", VND_INT },
	{ "src_ip", VND_TEXT }, { "src_port", VND_INT }, { "dst_ip", VND_TEXT },
	{ "dst_port", VND_INT }, { "event", VND_TEXT }, { "value", VND_INT },
};

/* -i: the shares of each time slot the direction was active in */
static int
put_slots(struct vnd_table *t, const struct conn *c, int dir, const struct dir *d,
    char *errbuf)
{
	size_t i, n = d->nslots;
	int done = d->done_valid && d->done_high == d->high, k, best;

	if (done)
		n = d->done_nslots;
	for (i = 0; i < n; i++) {
		const struct tslot *sl = done && i + 1 == n ? &d->done_slot :
		    &d->slots[i];
		int64_t tot = 0;

		for (k = 0; k < L_N; k++)
			tot += sl->lim[k];
		if (tot == 0)
			continue;
		vnd_put_str(t, c->k.point);
		vnd_flowkey_put(t, &c->k, dir);
		vnd_put_int(t, 6);
		vnd_put_str(t, dir ? "server" : "client");
		vnd_put_int(t, sl->start);
		best = 0;
		for (k = 0; k < L_N; k++) {
			vnd_put_real(t, (double)sl->lim[k] / (double)tot);
			if (sl->lim[k] > sl->lim[best])
				best = k;
		}
		vnd_put_str(t, lname[best]);
		if (vnd_row_end(t, errbuf) < 0)
			return -1;
	}
	return 0;
}

static int
put_conn(struct conn *c, struct vnd_table *t, struct vnd_table *st,
    char *errbuf)
{
	int dir, k, best;

	for (dir = 0; dir < 2; dir++) {
		struct dir *d = &c->d[dir];
		int64_t tot = 0;

		/* a row per direction that carried data, and one for a
		 * connection that carried none */
		if (d->bytes == 0 && (dir == 1 || c->d[1].bytes))
			continue;
		set_state(d, d->state, c->last_ts);
		if (st != NULL && put_slots(st, c, dir, d, errbuf) < 0)
			return -1;
		if (t == NULL)
			continue;
		/* the idle tail after the last of its data was acked is no limit */
		if (d->done_valid && d->done_high == d->high)
			memcpy(d->lim, d->done, sizeof(d->lim));
		for (k = 0; k < L_N; k++)
			tot += d->lim[k];
		vnd_put_str(t, c->k.point);
		vnd_flowkey_put(t, &c->k, dir);
		vnd_put_int(t, 6);
		vnd_put_str(t, dir ? "server" : "client");
		vnd_put_int(t, c->first_ts);
		vnd_put_int(t, c->last_ts);
		vnd_put_str(t, conn_state(c));
		if (c->mss[!dir])
			vnd_put_int(t, c->mss[!dir]);
		else if (d->max_seg)
			vnd_put_int(t, d->max_seg);
		else
			vnd_put_null(t);
		if (c->wscale[dir] >= 0 && c->wscale[!dir] >= 0) {
			vnd_put_int(t, c->wscale[dir]);
			vnd_put_int(t, c->wscale[!dir]);
		} else {
			vnd_put_null(t);
			vnd_put_null(t);
		}
		vnd_put_int(t, c->syn && c->synack ? c->sack_ok[0] && c->sack_ok[1] : 0);
		vnd_put_int(t, c->syn && c->synack ? c->ts_ok[0] && c->ts_ok[1] : 0);
		vnd_put_int(t, (int64_t)d->pkts);
		vnd_put_int(t, (int64_t)d->bytes);
		vnd_put_int(t, (int64_t)d->unique);
		vnd_put_int(t, (int64_t)d->retx);
		vnd_put_int(t, (int64_t)d->retx_fast);
		vnd_put_int(t, (int64_t)d->retx_timeout);
		vnd_put_int(t, (int64_t)d->dup_capture);
		vnd_put_int(t, (int64_t)d->dupacks);
		vnd_put_int(t, (int64_t)d->dup3);
		vnd_put_int(t, (int64_t)d->zero_win);
		vnd_put_int(t, (int64_t)d->zw_probes);
		vnd_put_int(t, (int64_t)d->win_full);
		vnd_put_int(t, d->flight_peak);
		best = -1;
		for (k = 0; k < L_N; k++) {
			if (tot > 0)
				vnd_put_real(t, (double)d->lim[k] / (double)tot);
			else
				vnd_put_null(t);
			if (tot > 0 && (best < 0 || d->lim[k] > d->lim[best]))
				best = k;
		}
		vnd_put_str(t, best >= 0 ? lname[best] : NULL);
		vnd_put_int(t, (int64_t)d->reordered);
		vnd_put_int(t, (int64_t)d->lost_upstream);
		vnd_put_int(t, (int64_t)d->spurious);
		/* no handshake seen: the largest segment is a lower bound */
		vnd_put_int(t, c->mss[!dir] ? 0 : 1);
		if (vnd_row_end(t, errbuf) < 0)
			return -1;
	}
	return 0;
}

/* The connections in the order their first packets came, in whichever run. */
static int
put_conns(struct run *runs, int nj, struct vnd_table *t, struct vnd_table *st,
    char *errbuf)
{
	size_t *at;
	int w, best;

	if ((at = calloc((size_t)nj, sizeof(*at))) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	for (;;) {
		best = -1;
		for (w = 0; w < nj; w++)
			if (at[w] < runs[w].n && (best < 0 ||
			    runs[w].c[at[w]].first_ord <
			    runs[best].c[at[best]].first_ord))
				best = w;
		if (best < 0)
			break;
		if (put_conn(&runs[best].c[at[best]++], t, st, errbuf) < 0) {
			free(at);
			return -1;
		}
	}
	free(at);
	return 0;
}

static int
see_one(void *arg, const struct vnd_pkt *pk, const char *point)
{
	struct run *r = arg;

	see(r, pk, point);
	return r->failed ? -1 : 0;
}

int
main(int argc, char **argv)
{
	char errbuf[VND_ERRBUF_SIZE];
	struct run *runs = NULL;
	void **args = NULL;
	struct vnd_sink *sink = NULL;
	struct vnd_table *conns = NULL, *slots = NULL, *evt = NULL;
	struct vnd_operands ops;
	char *command = NULL;
	const char *output = NULL;
	size_t k;
	int64_t v;
	int ch, i, r, w, nj = 1, header = 1, events = 0, status = VND_EXIT_OK;

	memset(&ops, 0, sizeof(ops));
	while ((ch = getopt_long(argc, argv, "hHi:j:o:V", longopts, NULL)) != -1) {
		switch (ch) {
		case 'e':
			events = 1;
			break;
		case 'h':
			usage(stdout);
			return VND_EXIT_OK;
		case 'H':
			header = 0;
			break;
		case 'i':
			if (vnd_strtons(optarg, &slot_ns) < 0) {
				warnx("-i '%s': seconds, from 0.000001 to 86400",
				    optarg);
				return VND_EXIT_USAGE;
			}
			break;
		case 'j':
			if (vnd_strtonum(optarg, 1, 64, &v, errbuf) < 0) {
				warnx("-j '%s': threads, from 1 to 64", optarg);
				return VND_EXIT_USAGE;
			}
			nj = (int)v;
			break;
		case 'o':
			output = strcmp(optarg, "-") == 0 ? NULL : optarg;
			break;
		case 'V':
			printf("vnd-tcpstate %s\n", VND_VERSION);
			return VND_EXIT_OK;
		default:
			usage(stderr);
			return VND_EXIT_USAGE;
		}
	}
	if (events && slot_ns && !output) {
		warnx("--events and -i are different tables; -o holds both");
		return VND_EXIT_USAGE;
	}
	if ((runs = calloc((size_t)nj, sizeof(*runs))) == NULL ||
	    (args = calloc((size_t)nj, sizeof(*args))) == NULL)
		err(VND_EXIT_FAIL, NULL);
	if ((output ? vnd_sink_sqlite(&sink, output, errbuf) :
	    vnd_sink_tsv(&sink, stdout, header, errbuf)) < 0)
		errx(VND_EXIT_FAIL, "'%s': %s", output ? output : "stdout", errbuf);
	if ((output || (!events && !slot_ns)) && (conns = vnd_sink_table(sink,
	    "connections",
	    conn_cols, (int)(sizeof(conn_cols) / sizeof(conn_cols[0])),
	    errbuf)) == NULL)
		goto fail;
	if (slot_ns && (slots = vnd_sink_table(sink, "slots", slot_cols,
	    (int)(sizeof(slot_cols) / sizeof(slot_cols[0])), errbuf)) == NULL)
		goto fail;
	if ((output || events) && (evt = vnd_sink_table(sink, "events",
	    ev_cols, (int)(sizeof(ev_cols) / sizeof(ev_cols[0])), errbuf)) == NULL)
		goto fail;
	/* one thread writes its events as found; workers keep theirs to merge */
	for (w = 0; w < nj; w++) {
		args[w] = &runs[w];
		runs[w].ev = nj == 1 ? evt : NULL;
		runs[w].keep_events = nj > 1 && evt != NULL;
	}
	if (optind == argc)
		argv[--optind] = "-";
	if ((command = vnd_command_line(argc, argv)) == NULL)
		err(VND_EXIT_FAIL, NULL);
	r = vnd_operands_read_j(&ops, argv + optind, argc - optind, nj, see_one,
	    args, errbuf);
	for (i = 0; i < ops.n; i++)
		if (ops.srcs[i].status > 0) {
			warnx("'%s': %s", ops.srcs[i].path, ops.srcs[i].err);
			status = VND_EXIT_FAIL;
		}
	for (w = 0; w < nj; w++)
		if (runs[w].failed) {
			snprintf(errbuf, sizeof(errbuf), "%s", runs[w].err);
			goto fail;
		}
	if (r < 0) {
		warnx("%s", errbuf);
		status = VND_EXIT_FAIL;
		goto abort;
	}
	if (nj > 1 && evt != NULL && put_events(runs, nj, evt, errbuf) < 0)
		goto fail;
	if ((conns != NULL || slots != NULL) &&
	    put_conns(runs, nj, conns, slots, errbuf) < 0)
		goto fail;
	if (output != NULL && vnd_meta_write(sink, "vnd-tcpstate", command, ops.meta,
	    ops.n, errbuf) < 0)
		goto fail;
	if (vnd_sink_close(sink, 1, errbuf) < 0) {
		sink = NULL;
		goto fail;
	}
	sink = NULL;
	goto out;
fail:
	warnx("'%s': %s", output ? output : "stdout", errbuf);
	status = VND_EXIT_FAIL;
abort:
	vnd_sink_close(sink, output == NULL, errbuf);
out:
	for (w = 0; w < nj; w++) {
		for (k = 0; k < runs[w].n; k++) {
			free(runs[w].c[k].d[0].slots);
			free(runs[w].c[k].d[1].slots);
		}
		free(runs[w].c);
		free(runs[w].evs);
		vnd_flowtab_free(&runs[w].ft);
	}
	free(runs);
	free(args);
	vnd_operands_free(&ops);
	free(command);
	if (fflush(stdout) != 0 || ferror(stdout))
		status = VND_EXIT_FAIL;
	return status;
}
