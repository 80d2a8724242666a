/* vnd_operands.h: the points of a one-pass tool, every operand's packets in turn. */
#ifndef VND_OPERANDS_H
#define VND_OPERANDS_H

#include "vnd_meta.h"
#include "vnd_pkt.h"
#include "vnd_pktsrc.h"

struct vnd_operands {
	int			 n;	/* operands opened so far */
	char			**names;
	struct vnd_pktsrc	*srcs;	/* .status, .err: how each ended */
	struct vnd_meta_point	*meta;	/* for the artifact's meta table */
};

/* A packet of point `point`; -1 stops the reading. */
typedef int (*vnd_packet_fn)(void *arg, const struct vnd_pkt *, const char *point);

/*
 * Read the operands (a capture or a packets table; a file, '-', or
 * NAME=file) one after the other, every packet to fn. A table names the
 * point of each row unless NAME= chose one. Returns 0 when every operand was
 * read to its end (srcs[i].status 1: cut short, with srcs[i].err), -1 when
 * one could not be opened or read (errbuf names it) or fn stopped.
 */
int	 vnd_operands_read(struct vnd_operands *, char **ops, int nops,
	    vnd_packet_fn, void *arg, char *errbuf);

/*
 * The same on nj threads, a packet's connection (its 5-tuple either way
 * round) choosing which: worker w calls fn(args[w], ...), each connection's
 * packets in their order, and pk->ord numbers every packet in the order of
 * all, so that the workers' findings can be put back in the order one
 * thread finds them. A plain pcap or pcapng file is read in parts by all
 * threads (vnd_shard; pk->payload is then NULL); other inputs by this one.
 */
int	 vnd_operands_read_j(struct vnd_operands *, char **ops, int nops, int nj,
	    vnd_packet_fn fn, void **args, char *errbuf);

void	 vnd_operands_free(struct vnd_operands *);

#endif
