/* vnd_flowtab.h: connections at a point, found by their 5-tuple either way round. */
#ifndef VND_FLOWTAB_H
#define VND_FLOWTAB_H

#include <stddef.h>
#include <stdint.h>

#include "vnd.h"
#include "vnd_pkt.h"
#include "vnd_table.h"

/* A connection's key, oriented from its client. */
struct vnd_flowkey {
	const char	*point;		/* interned: the same point, the same pointer */
	uint8_t		 ver;
	uint8_t		 src[16], dst[16];	/* src: the client */
	uint16_t	 sport, dport;
};

/*
 * An index over the caller's array of connections: the caller keeps the
 * connections (each with its key), the table only their positions. key(arg,
 * i) gives the key of the caller's connection i.
 */
struct vnd_flowtab {
	uint32_t	*tab;		/* position + 1, by hash; 0: free */
	size_t		 tcap, n;
	const struct vnd_flowkey *(*key)(void *arg, size_t i);
	void		*arg;
};

/* The position of pk's connection at point, *dir 0 from its client; -1: none. */
long	 vnd_flowtab_find(const struct vnd_flowtab *, const struct vnd_pkt *,
	    const char *point, int *dir);

/* The same for a packet of k's 5-tuple from its client (k's point unused). */
long	 vnd_flowtab_find_key(const struct vnd_flowtab *,
	    const struct vnd_flowkey *k, const char *point, int *dir);

/*
 * The key of pk's new connection: its client is the sender of pk, or the
 * receiver when pk is a SYN-ACK; *dir as for vnd_flowtab_find.
 */
void	 vnd_flowkey_init(struct vnd_flowkey *, const struct vnd_pkt *,
	    const char *point, int *dir);

/* Index the caller's connection at position pos; -1: no memory. */
int	 vnd_flowtab_add(struct vnd_flowtab *, size_t pos);

/*
 * Index the caller's new connection at position pos: in place of the one at
 * old when old >= 0 (vnd_flowtab_retarget), else as another (vnd_flowtab_add);
 * -1: no memory.
 */
int	 vnd_flowtab_place(struct vnd_flowtab *, long old, size_t pos);

/*
 * A 5-tuple used again: its key now finds the caller's connection at pos
 * (same key), no longer the one at old, which stays the caller's.
 */
void	 vnd_flowtab_retarget(struct vnd_flowtab *, size_t old, size_t pos);

/*
 * The caller's connection at pos no longer indexed (its key still given
 * by key(arg, pos) during the call); nothing when it is not (retargeted).
 */
void	 vnd_flowtab_del(struct vnd_flowtab *, size_t pos);

/*
 * Does pk open a new connection on a 5-tuple that has one? A SYN (no ACK,
 * no RST) from a sender whose own SYN the connection had with another
 * initial sequence number isn (the same one: the SYN sent again), or whose
 * SYN it did not have when it carried data, a FIN or a RST already (before:
 * a simultaneous or split handshake).
 */
int	 vnd_flow_new_syn(const struct vnd_pkt *, int had_syn, uint32_t isn,
	    int carried);

/*
 * Which of n threads pk's connection belongs to: its addresses and ports
 * hashed, the same either way round (no point: any run, any point).
 */
int	 vnd_flow_shard(const struct vnd_pkt *, int n);

void	 vnd_flowtab_free(struct vnd_flowtab *);

/*
 * Order two keys member by member (point by pointer, then version,
 * addresses, ports): 0 when they are the same flow direction. Keys are
 * compared so, never as bytes: the struct has padding.
 */
int	 vnd_flowkey_cmp(const struct vnd_flowkey *, const struct vnd_flowkey *);

/* Write src_ip, src_port, dst_ip, dst_port of direction dir (1: from the server). */
void	 vnd_flowkey_put(struct vnd_table *, const struct vnd_flowkey *, int dir);

/*
 * How long a finished connection (both FINs acknowledged, or a RST) is kept
 * after its last packet: its late packets (a FIN or an ACK sent again, a RST
 * answering them, data in flight past a RST, a RST sent again) still count
 * for it. Later, its 5-tuple opens a new connection. As long as Linux's
 * conntrack keeps a closed 5-tuple (TIME_WAIT, twice an MSL of 60 s): on
 * the corpus, 10 s (Zeek's tcp_close_delay is 5 s) splits connections of 6
 * captures, 60 s of one (RSTs sent again 64 s apart), 120 s of none.
 */
#ifndef VND_FLOW_QUIET_NS
#define VND_FLOW_QUIET_NS	(120 * VND_NS_PER_SEC)
#endif

/*
 * A finished connection this quiet (after its last packet) has had what
 * was in flight: what it kept to know segments and their ACKs again is
 * forgotten, the rest kept until VND_FLOW_QUIET_NS.
 */
#ifndef VND_FLOW_SETTLE_NS
#define VND_FLOW_SETTLE_NS	(10 * VND_NS_PER_SEC)
#endif

/*
 * Connections waiting for a due time, by id: a heap, the least due first
 * (those due alike in the order they were queued), so that a time stamp
 * far ahead (a clock stepped, a record written badly) holds back none of
 * the others, as it would at the head of a queue.
 */
struct vnd_flowq {
	struct vnd_flowqe {
		uint64_t	 id;
		int64_t		 due;
		uint64_t	 seq;	/* queued before those of higher seq */
	}		*q;
	size_t		 n, cap;	/* q[0] the least */
	uint64_t	 seq;
};

/* Queue id, due at due; -1: no memory. */
int	 vnd_flowq_push(struct vnd_flowq *, uint64_t id, int64_t due);

/*
 * 1 and the id of the entry due first when its due time is not after now, 0
 * when none is due. The caller checks the connection again: one that had
 * packets since is queued again, due later.
 */
int	 vnd_flowq_pop(struct vnd_flowq *, int64_t now, uint64_t *id);
void	 vnd_flowq_free(struct vnd_flowq *);

/*
 * The queued connections due by now given to gone(arg, id), which closes
 * them (and takes them out of the index), or queues them elsewhere for a
 * next step. due(arg, id): when it is due, which packets since it was
 * queued make later (then it is queued again); INT64_MIN when it is closed
 * already. -1: no memory.
 */
int	 vnd_flowq_expire(struct vnd_flowq *, int64_t now,
	    int64_t (*due)(void *, uint64_t), void (*gone)(void *, uint64_t),
	    void *arg);

/* Is an entry due by now? (vnd_flowq_expire has work: asked every packet) */
static inline int
vnd_flowq_due(const struct vnd_flowq *fq, int64_t now)
{
	return fq->n > 0 && fq->q[0].due <= now;
}

/*
 * When a finished connection is due, after its last packet at last_ts: a
 * little quiet (closing 1: what was in flight has come), then quiet
 * (closing 2); INT64_MIN when it is closed already (open 0).
 */
static inline int64_t
vnd_flow_due(int open, int64_t last_ts, int closing)
{
	if (!open)
		return INT64_MIN;
	return last_ts + (closing == 1 ? VND_FLOW_SETTLE_NS : VND_FLOW_QUIET_NS);
}

/*
 * A finished connection's two steps, by now: those in closing that are
 * due to settled(arg, id) (which forgets what it kept to know segments
 * again and queues the connection in quiet), those in quiet to gone(arg,
 * id). Asked every packet: nothing but two comparisons when none is due.
 * -1: no memory.
 */
static inline int
vnd_flowq_expire_both(struct vnd_flowq *closing, struct vnd_flowq *quiet,
    int64_t now, int64_t (*due)(void *, uint64_t),
    void (*settled)(void *, uint64_t), void (*gone)(void *, uint64_t),
    void *arg)
{
	if (vnd_flowq_due(closing, now) &&
	    vnd_flowq_expire(closing, now, due, settled, arg) < 0)
		return -1;
	if (vnd_flowq_due(quiet, now) &&
	    vnd_flowq_expire(quiet, now, due, gone, arg) < 0)
		return -1;
	return 0;
}

/*
 * The caller's connections by id, in the order they came: an array a of
 * elements of size bytes holding ids *c0 to n - 1, those before base
 * dropped (written and done with). Room for id n: the array with the
 * dropped ones given back once as many are dropped as kept (each moves
 * once, on average), grown if full; *moved set when the elements moved.
 * NULL: no memory (a as it was).
 */
void	*vnd_flowwin_room(void *a, size_t size, size_t *c0, size_t base,
	    size_t n, size_t *cap, int *moved);

#endif
