/* vnd_reasm.h: a TCP connection's two byte streams rebuilt from its segments, in bounded memory. */
#ifndef VND_REASM_H
#define VND_REASM_H

#include <stddef.h>
#include <stdint.h>

#include "vnd_pkt.h"

/*
 * Each direction's bytes are handed over once, in order (RFC 9293's
 * sequence space): a segment sent again, or the part of one that overlaps
 * bytes already handed over, is counted and dropped (the first copy seen
 * wins; a copy whose bytes differ counts as a conflict); a segment ahead of
 * the next byte owed is held, copied, until the bytes before it come.
 *
 * Bytes never seen are a gap, handed over as such (a NULL pointer and a
 * length), never made up. A gap is declared when it is known for sure:
 * the other side acknowledged bytes the capture never saw (the receiver
 * had them: the capture lost them); the bytes held reached the limit (the
 * hole before them is given up); the input or the connection ended with
 * bytes held; a segment was cut by the snapshot length. Memory: at most
 * `limit` bytes held per direction (and VND_REASM_SEGS segments), plus a
 * segment's copy.
 */

struct vnd_reasm_seg;

struct vnd_reasm_stats {
	uint64_t	 bytes;		/* handed over */
	uint64_t	 segs;		/* segments with payload */
	uint64_t	 retx_bytes;	/* seen again whole, dropped */
	uint64_t	 overlap_bytes;	/* seen again in part, dropped */
	uint64_t	 conflict_bytes;	/* of those, differing from the first copy */
	uint64_t	 ooo_segs;	/* held: ahead of the next byte owed */
	uint64_t	 gaps;		/* holes declared */
	uint64_t	 gap_bytes;	/* their bytes */
	uint64_t	 held_max;	/* most bytes held at once */
};

struct vnd_reasm_dir {
	int		 started;	/* next is known (a SYN or the first data) */
	int		 has_fin;
	uint32_t	 next;		/* sequence number of the next byte owed */
	uint32_t	 fin;		/* sequence number of the FIN */
	struct vnd_reasm_seg *held;	/* ahead of next, by sequence number */
	size_t		 held_bytes;
	size_t		 held_segs;
	struct vnd_reasm_stats st;
};

/*
 * Bytes of direction dir (0: the connection's client, as the caller's key
 * has it), with the capture time of the segment that carried them; p NULL:
 * a gap of n bytes. -1 stops (vnd_reasm_add() returns -1).
 */
typedef int (*vnd_reasm_fn)(void *arg, int dir, const uint8_t *p, size_t n,
	    int64_t ts_ns);

struct vnd_reasm {
	struct vnd_reasm_dir d[2];
	size_t		 limit;		/* bytes held per direction, at most */
	vnd_reasm_fn	 fn;
	void		*arg;
};

#define VND_REASM_LIMIT	(1024 * 1024)	/* a default limit */
#define VND_REASM_SEGS	4096		/* segments held per direction, at most */

void	 vnd_reasm_init(struct vnd_reasm *, size_t limit, vnd_reasm_fn fn,
	    void *arg);

/*
 * A TCP segment of direction dir: its SYN, data and FIN go to dir's stream,
 * its ACK tells what dir's peer received. 0, or -1 when fn stopped or memory
 * ran out (the segment is then counted as a gap once the hole is given up).
 */
int	 vnd_reasm_add(struct vnd_reasm *, int dir, const struct vnd_pkt *pk);

/* The input or the connection is over: what is held goes out, holes as gaps. */
int	 vnd_reasm_end(struct vnd_reasm *, int dir);

/* Has dir's stream reached its FIN? */
int	 vnd_reasm_finished(const struct vnd_reasm *, int dir);

/* The capture time of the earliest segment dir holds, INT64_MAX: none. */
int64_t	 vnd_reasm_held_ts(const struct vnd_reasm *, int dir);

void	 vnd_reasm_free(struct vnd_reasm *);

#endif
