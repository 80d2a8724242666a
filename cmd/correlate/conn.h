/* conn.h: the connections seen at one capture point, oriented from the side that opened them. */
#ifndef CONN_H
#define CONN_H

#include <stdint.h>

#include "vnd_pkt.h"

struct conn {
	uint8_t		 ver, proto;
	uint8_t		 src[16], dst[16];	/* src opened it (sent the SYN) */
	uint16_t	 sport, dport;
	int64_t		 first_ts;
	int64_t		 syn_ts;	/* its SYN, 0 when not seen */
	int64_t		 open_ts;	/* the ACK that completed the handshake */
	uint64_t	 pkts;
	int		 syn_seen, synack_seen, open_seen;
	int		 mapped;	/* a packet of it matched the other point */
	int		 closed;	/* FIN or RST seen: a new SYN is a new one */
	int		 gone;		/* replaced by a newer one of its 5-tuple */
};

struct conns {
	struct conn	*v;
	size_t		 n, cap;
	uint32_t	*tab;		/* index + 1, by directed 5-tuple */
	size_t		 tcap;
};

/*
 * The connection of pk (created on first sight, oriented by the SYN or by
 * the first packet), its index, and whether pk goes the connection's way.
 * -1 on a packet without ports or addresses, or out of memory.
 */
long	 conns_see(struct conns *, const struct vnd_pkt *, int64_t ts,
	    int *forward);

void	 conns_free(struct conns *);

#endif
