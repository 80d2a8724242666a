/* vnd_pktrow.h: a decoded frame's columns into a table row. */
#ifndef VND_PKTROW_H
#define VND_PKTROW_H

#include "vnd_pkt.h"
#include "vnd_table.h"

/* Put column col of pk (point names the capture point) into t. */
void	 vnd_pkt_put(struct vnd_table *t, const struct vnd_pkt *pk, int col,
	    const char *point);

/* The text of an address written lately, found by a hash of the address. */
#define VND_IPNAME_TEXT	46		/* INET6_ADDRSTRLEN */
struct vnd_ipname {
	uint8_t		 addr[16];
	uint8_t		 ver;
	uint8_t		 len;		/* 0: empty slot */
	char		 text[VND_IPNAME_TEXT];
};

#define VND_IPNAMES_LOG2 6

/*
 * The text of a 32-bit number written lately, found by a hash of it; 16
 * bytes, stored and copied as two words.
 */
struct vnd_numtext {
	char		 text[11];
	uint8_t		 len;		/* 0: empty slot */
	uint32_t	 v;
};
_Static_assert(sizeof(struct vnd_numtext) == 16, "a number's text is two words");

#define VND_NUMTEXTS_LOG2 4

/* The wide columns that repeat from packet to packet of a flow. */
enum { VND_NT_SEQ, VND_NT_ACK, VND_NT_TSVAL, VND_NT_TSECR, VND_NT_N };

/*
 * What a writer of packets rows keeps from one row to the next (zeroed at
 * first): a packet's two addresses are mostly those of the rows before it.
 */
struct vnd_pktfmt {
	struct vnd_ipname ip[1 << VND_IPNAMES_LOG2];
	struct vnd_numtext num[VND_NT_N][1 << VND_NUMTEXTS_LOG2];
	const char	*point;		/* the last point name, and its length */
	size_t		 pointlen;
	char		 pointtext[32];	/* its text when it fits (fixed copies) */
};

/*
 * The row of pk with every packets-table column, in order (vnd_packet_cols),
 * ended; -1 with errbuf when it cannot be written.
 */
int	 vnd_pkt_row(struct vnd_table *t, struct vnd_pktfmt *f,
	    const struct vnd_pkt *pk, const char *point, char *errbuf);

#endif
