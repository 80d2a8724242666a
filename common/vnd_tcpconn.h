/* vnd_tcpconn.h: TCP connections rebuilt from packets at one point: state, counters, events. */
#ifndef VND_TCPCONN_H
#define VND_TCPCONN_H

#include <stddef.h>
#include <stdint.h>

#include "vnd.h"
#include "vnd_flowtab.h"
#include "vnd_pkt.h"

/* What held a sender back at a moment (see vnd_tcpconn_limit.c). */
enum { L_SENDER, L_RECEIVER, L_NETWORK, L_N };

/*
 * The congestion state of a sender, as its packets show it: slow start until
 * its first loss, fast recovery from three duplicate ACKs (or SACK news) until
 * the recovery point is acknowledged, timeout recovery likewise after an RTO,
 * congestion avoidance between losses. Each change is an event.
 */
enum { CC_NONE, CC_SLOW_START, CC_AVOIDANCE, CC_FAST_RECOVERY, CC_TIMEOUT };

#define NRECENT		32	/* segments remembered to know a duplicate */
#define NGAP		64	/* holes in the sequence space remembered */
#define REORDER_NS	(3 * VND_NS_PER_MS)	/* a hole filled sooner: reordering */
#define DEFAULT_MSS	536	/* RFC 9293 3.7.1, when none was announced */
#define MAX_MSS		8960	/* of a 9000-byte jumbo frame, less 40 */
#define MAX_WSCALE	14	/* RFC 7323 2.3 */

struct vnd_tcpslot {				/* -i: the time of one slot in each state */
	int64_t		 start;
	int64_t		 lim[L_N];
};

struct vnd_tcpgap {				/* a hole in a sender's sequence here */
	uint32_t	 lo, hi;
	int64_t		 ts;		/* ... since when */
};

struct vnd_tcprecent {				/* a data segment, to know it again */
	uint32_t	 seq, len, ipid, tsval;
	int		 has_ts;
	int64_t		 ts;
};

/*
 * A direction's counters and, once it is closed, its time in each state:
 * what stays of it when its connection is forgotten (vnd_tcprun_expire).
 */
struct vnd_tcpdir {
	uint64_t	 pkts, bytes, unique, retx, retx_fast, retx_timeout;
	uint64_t	 dup_capture, dupacks, dup3, zero_win, zw_probes, win_full;
	uint64_t	 reordered, lost_upstream;
	uint64_t	 spurious;	/* retransmissions a D-SACK or the timestamps
					   said were not needed */
	uint32_t	 max_seg;	/* largest segment: the MSS when no SYN was seen */
	uint32_t	 flight_peak;	/* of the connection */
	int64_t		 lim[L_N];	/* closed: ns spent in each state, the idle
					   tail after all was acked left out */
	struct vnd_tcpslot	*slots;	/* closed, -i: the same per time slot */
	size_t		 nslots;
};

struct vnd_tcplivedir {				/* one direction of data, while alive */
	struct vnd_tcpdir	*n;		/* its counters */
	int		 started;	/* its sequence space is known */
	int		 from_ack;	/* ... from the receiver's ACK, no data yet */
	uint32_t	 isn, high, acked;	/* sequence space */
	int		 acked_any;
	int		 ndup;		/* duplicate ACKs in a row */
	int		 recovery;	/* after 3 dup-ACKs, or SACK news: fast */
	int		 cc;		/* congestion state, CC_x */
	int		 recov_retx;	/* retransmissions in this recovery */
	int		 eifel;		/* a retransmission waits for its ACK ... */
	uint32_t	 eifel_seq, eifel_end, eifel_tsval;	/* ... this one */
	uint32_t	 spurious_seq;	/* the last found spurious ... */
	int		 spurious_by;	/* ... by 0: none, 1: Eifel, 2: D-SACK */
	int		 spurious_twice;	/* ... and found by the other too */
	struct vnd_tcpgap	*gap;	/* sequence never seen here (NGAP, made
					   at the first jump) ... */
	int		 ngap;
	struct vnd_tcprecent	*recent;	/* the last segments (NRECENT, made
					   at the first, freed once quiet) */
	unsigned	 nrecent;	/* 0 while recent is NULL */
	uint32_t	 recovery_point;	/* ... until this is acknowledged */
	int64_t		 last_data_ts;
	int64_t		 last_ack_ts;	/* the peer's last ACK went by */
	int64_t		 last_adv_ts;	/* ... and the last that acked new data */
	int64_t		 prev_adv_ts;	/* ... and the one before that */
	int		 ack_seen;
	int64_t		 rtt_fwd;	/* least time from data to its ACK here */
	int64_t		 rtt_back;	/* least time from an ACK to new data */
	uint32_t	 flight_max;	/* since the last loss: the cwnd bound */
	uint32_t	 rwnd;		/* the receiver's window, scaled */
	int		 rwnd_known;
	uint16_t	 win_raw;	/* ... as the field said */
	int		 vnd_tcpconn_ws_infer;	/* ... its scale not known: ... */
	int		 ws_lo;		/* ... the least its sender's data allows */
	int		 state;		/* the limitation now */
	int64_t		 state_ts;
	int64_t		 lim[L_N];	/* ns spent in each */
	int64_t		 done[L_N];	/* the same when all it sent was acked */
	struct vnd_tcpslot	*slots;		/* -i: the same per time slot */
	size_t		 nslots, capslots;
	size_t		 done_nslots;	/* slots when all it sent was acked */
	struct vnd_tcpslot	 done_slot;	/* ... and the last of them then */
	uint32_t	 done_high;	/* ... and what it had sent then */
	int		 done_valid;
	int		 active;
};

/* What a connection needs while alive: its directions' state (4 KiB and more). */
struct vnd_tcplive {
	struct vnd_tcplivedir d[2];
	uint32_t	 id;		/* the connection's */
};

/*
 * A connection: what stays of it (a few hundred bytes) once it is closed
 * and forgotten; x while it is alive.
 */
struct vnd_tcpconn {
	struct vnd_flowkey k;		/* k.src: the client */
	uint64_t	 first_ord;	/* its first packet's place in the input */
	uint64_t	 last_ord;	/* ... and its last's */
	int64_t		 first_ts, last_ts;
	int64_t		 hi_ts;		/* the latest of its packets' times */
	int64_t		 syn_ts, hs_rtt;	/* the handshake's round trip */
	struct vnd_tcplive *x;		/* NULL: closed */
	int8_t		 syn, synack, fin[2], rst[2], rst_first;
	int8_t		 hs[2];		/* each side's SYN (or SYN-ACK) seen */
	int16_t		 wscale[2];	/* -1: none */
	int8_t		 shift[2];	/* of each side's windows; -1: not known */
	int8_t		 sack_ok[2], ts_ok[2];
	int8_t		 closing;	/* finished: 1, then 2 once a little quiet */
	int8_t		 idle;		/* closed as idle (reuse), still indexed */
	uint16_t	 mss[2];	/* announced by each side */
	uint32_t	 gen;		/* its slot's uses before it (vnd_tcprun_reuse) */
	struct vnd_tcpdir	 d[2];		/* [0]: client's data, [1]: server's */
};

/*
 * The engine of vnd-tcpstate, and the one definition of what a connection
 * shows (a retransmission, a reset, a zero window ...) that vnd-select
 * selects by. Each event goes to on_event as it is found: kind is a string
 * constant ("retx_fast", "rst", "zero_window", ...), value its number (a
 * relative sequence number, an MSS); on_event's -1 fails the run.
 */
struct vnd_tcprun;
typedef int (*vnd_tcpconn_event_fn)(struct vnd_tcprun *,
    const struct vnd_tcpconn *, int dir, int64_t ts, const char *kind,
    uint64_t frame, int64_t value);

/* A connection closed and forgotten, to a run that reuses slots; -1 fails it. */
typedef int (*vnd_tcpconn_close_fn)(struct vnd_tcprun *,
    const struct vnd_tcpconn *);

/*
 * One thread's connections: all of them, or with -j those of its shard. A
 * connection's id is its place in the order they came (first_ord's order);
 * c holds those from c0 to n - 1, and the caller may drop the closed ones at
 * the front (vnd_tcprun_drop). A finished connection, once quiet, is closed
 * and forgotten: its live state freed, its 5-tuple no longer indexed.
 *
 * A caller that needs no order (vnd-select) has each connection given to
 * on_close as it is closed and forgotten (vnd_tcprun_reuse), and its slot
 * used again: ids are slots, c0 and base stay 0, and memory follows the
 * connections alive, even while one of them lives as long as the trace.
 */
struct vnd_tcprun {
	struct vnd_tcpconn *c;
	size_t		 c0, n, cap;	/* ids c0 .. n - 1 in c; cap: of c */
	size_t		 base;		/* the first not dropped (>= c0) */
	struct vnd_flowtab ft;		/* the alive ones' ids */
	struct vnd_flowq closing;	/* the finished ones, until settled ... */
	struct vnd_flowq quiet;		/* ... then until quiet */
	int64_t		 slot_ns;	/* -i, 0 for none */
	vnd_tcpconn_event_fn on_event;	/* NULL: events are not wanted */
	void		*ev_arg;	/* the caller's */
	vnd_tcpconn_close_fn on_close;	/* set: slots are used again */
	int64_t		 idle_ns;	/* ... and an unfinished connection this
					   quiet is closed too (0: never) */
	struct vnd_flowq idle;		/* ... their queue */
	int64_t		 last_now;	/* the time of the packet before */
	int64_t		 idle_now;	/* ... or this one's, the earlier */
	size_t		*free;		/* ... the slots free, nfree of them */
	size_t		 nfree, capfree;
	uint64_t	 ord;		/* of the packet being seen */
	struct vnd_tcpconn *cur;	/* ... its connection, NULL: none */
	int		 failed;
	char		 err[VND_ERRBUF_SIZE];
};

/* The connection of id i (c0 <= i < n). */
static inline struct vnd_tcpconn *
vnd_tcprun_conn(const struct vnd_tcprun *r, size_t i)
{
	return &r->c[i - r->c0];
}

static inline size_t
vnd_tcprun_id(const struct vnd_tcprun *r, const struct vnd_tcpconn *c)
{
	return r->c0 + (size_t)(c - r->c);
}

static inline uint32_t
vnd_tcp_payload_len(const struct vnd_pkt *pk)
{
	return VND_ISSET(pk, VND_COL_PAYLOAD_BYTES) ? pk->payload_bytes : 0;
}

/*
 * The MSS of the data toward the side receiver: as it announced it in its
 * SYN, the default if that had none; its SYN not seen, the largest segment
 * seen so far (the papers' inference), unless larger than a jumbo frame's:
 * a segmentation offload's (TSO, GRO), many segments in one.
 */
static inline uint32_t
vnd_tcpconn_mss_to(const struct vnd_tcpconn *c, int receiver)
{
	uint32_t seg = c->d[!receiver].max_seg;

	if (c->mss[receiver])
		return c->mss[receiver];
	return !c->hs[receiver] && seg && seg <= MAX_MSS ? seg : DEFAULT_MSS;
}

/* vnd_tcpconn.c: the connections of a run and their events; NULL: the run failed */
struct vnd_tcpconn	*vnd_tcpconn_of(struct vnd_tcprun *, const struct vnd_pkt *, const char *point,
		    int *dir);
void		 vnd_tcpconn_event(struct vnd_tcprun *, const struct vnd_tcpconn *, int dir, int64_t ts,
		    const char *kind, uint64_t frame, int64_t value);
void		 vnd_tcpconn_cc(struct vnd_tcprun *, const struct vnd_tcpconn *, int dir, struct vnd_tcplivedir *,
		    int cc, int64_t ts, uint64_t frame);
void		 vnd_tcprun_free(struct vnd_tcprun *);

/* After a packet of c: finished, it is queued to be closed once quiet. */
void		 vnd_tcpconn_closing(struct vnd_tcprun *, struct vnd_tcpconn *);

/*
 * The end of the input: every connection still alive closed (counters and
 * shares final, as at its last packet), and the index rebuilt over all
 * that are kept, each 5-tuple finding its last connection, as a later pass
 * over the same input finds them. -1: no memory.
 */
int		 vnd_tcprun_end(struct vnd_tcprun *);

/* The closed connections before id upto, written, freed. */
void		 vnd_tcprun_drop(struct vnd_tcprun *, size_t upto);

/*
 * Before the first packet: every connection given to on_close once closed
 * and forgotten, its slot then used again, and an unfinished one closed
 * once quiet for idle_ns (0: never): a packet of its 5-tuple after such a
 * gap opens a connection of its own (its client the same), whether or not
 * the connection was freed yet. vnd_tcprun_end closes those left.
 */
void		 vnd_tcprun_reuse(struct vnd_tcprun *, vnd_tcpconn_close_fn,
		    int64_t idle_ns);

/* Time passes to now without a packet for the run: those due are closed. */
int		 vnd_tcprun_tick(struct vnd_tcprun *, int64_t now);

/* vnd_tcpconn_see.c: one packet, a vnd_packet_fn over a run: -1 when the run failed */
int		 vnd_tcpconn_see(void *run, const struct vnd_pkt *, const char *point);

/* vnd_tcpconn_ack.c: the receiver's part: its window and its ACKs of the other's data */
void		 vnd_tcpconn_shifts(struct vnd_tcpconn *);
void		 vnd_tcpconn_receiver(struct vnd_tcprun *, struct vnd_tcpconn *, int dir,
		    const struct vnd_pkt *);
void		 vnd_tcpconn_ws_infer(struct vnd_tcplivedir *, uint32_t flight);

/* vnd_tcpconn_data.c: the sender's part: its segments */
void		 vnd_tcpconn_sender(struct vnd_tcprun *, struct vnd_tcpconn *, int dir,
		    const struct vnd_pkt *, uint32_t len);

/* vnd_tcpconn_limit.c: what held each sender back, and for how long */
void		 vnd_tcpconn_limits(struct vnd_tcpconn *, int64_t slot_ns, int64_t now);

/* The shares of each direction closed at its last packet, into its sums. */
void		 vnd_tcpconn_final(struct vnd_tcpconn *, int64_t slot_ns);

#endif
