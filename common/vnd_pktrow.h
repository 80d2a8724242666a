/* vnd_pktrow.h: a decoded frame's columns into a table row. */
#ifndef VND_PKTROW_H
#define VND_PKTROW_H

#include "vnd_pkt.h"
#include "vnd_table.h"

/* Put column col of pk (point names the capture point) into t. */
void	 vnd_pkt_put(struct vnd_table *t, const struct vnd_pkt *pk, int col,
	    const char *point);

/* Every packets-table column of pk, in order (vnd_packet_cols); no row end. */
void	 vnd_pkt_row(struct vnd_table *t, const struct vnd_pkt *pk,
	    const char *point);

#endif
