/* conn.h: the connections seen at one capture point, oriented from the side that opened them. */
#ifndef CONN_H
#define CONN_H

#include <stdint.h>

#include "vnd_flowtab.h"
#include "vnd_pkt.h"

/* One direction of a connection: [0] from its opener, [1] back. */
struct conn_dir {
	int64_t		 first_data_ts, last_data_ts;	/* 0: no data */
	int64_t		 fin_ts;	/* its first FIN or RST, 0: none */
	uint32_t	 isn, high;	/* its SYN's sequence number, highest end */
	int		 isn_seen, high_seen;
};

struct conn {
	struct vnd_flowkey k;		/* k.src opened it (sent the SYN) */
	uint8_t		 proto;
	int64_t		 first_ts;
	int64_t		 syn_ts;	/* its SYN, 0 when not seen */
	int64_t		 open_ts;	/* the ACK that completed the handshake */
	uint64_t	 pkts;
	int		 syn_seen, synack_seen, open_seen;
	int		 mapped;	/* a packet of it matched the other point */
	int		 closed;	/* FIN or RST seen: a new SYN is a new one */
	size_t		 links;		/* at the input: its latest link + 1, 0 none */
	struct conn_dir	 d[2];
};

struct conns {
	struct conn	*v;
	size_t		 n, cap;
	struct vnd_flowtab ft;
	char		 proto_point[256];	/* the key's point: one per protocol */
};

/*
 * The connection of pk (created on first sight, oriented by the SYN or by
 * the first packet), its index, and whether pk goes the connection's way.
 * -1 on a packet without ports or addresses, or out of memory (*forward
 * then says which: 1 no ports, 0 memory).
 */
long	 conns_see(struct conns *, const struct vnd_pkt *, int64_t ts,
	    int *forward);

/* Bytes carried one way (0 from the opener), by sequence numbers; -1: unknown. */
int64_t	 conn_bytes(const struct conn *, int dir);

void	 conns_free(struct conns *);

#endif
