/* correlate.h: what vnd-correlate's files share: methods, links between connections, output rows. */
#ifndef CORRELATE_H
#define CORRELATE_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"

/* Methods, as bits of -m (see main.c). */
enum { M_FP = 1, M_PAYLOAD = 2, M_ORDER = 4, M_TIME = 8,
	M_AUTO = M_FP | M_PAYLOAD | M_TIME };

/* A pair of connections, one each side, and how many packets tie them. */
struct link {
	long		 in, out;
	uint64_t	 n[M_PAYLOAD + 1];	/* by method: [M_FP], [M_PAYLOAD] */
	size_t		 next;		/* the in connection's link before, + 1 */
};

/* A row of the flow map. */
struct row {
	long		 in, out;
	int		 method;
	uint64_t	 n;
	double		 conf;
};

/* What the time method is given. */
struct vc_time {
	const struct conns *ci, *co;	/* the input and output connections */
	const struct link *links;	/* payload evidence */
	size_t		 nlinks;
	double		 payload_weight;	/* nats per packet a payload match tied */
	int		 payload_decides;	/* payload rows keep their name */
	int64_t		 window;	/* -w: how far apart two opens may be */
};

/*
 * The time method: the TCP connections no fingerprint tied, paired one to
 * one over the whole capture by least cost (timing.c). Appends to rows
 * (room for ci->n more); -1 with errbuf when memory ran out.
 */
int	 vc_time_rows(const struct vc_time *, struct row *rows, size_t *nr,
	    char *errbuf);

#endif
