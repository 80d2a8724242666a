/* vnd_shard.h: one pcap or pcapng file read in parts by N threads, its packets handed out by connection. */
#ifndef VND_SHARD_H
#define VND_SHARD_H

#include <stdint.h>

#include "vnd_operands.h"
#include "vnd_pktsrc.h"

/*
 * Read src, a capture vnd_input_parts() can split, on nj threads (this one
 * included): each reads and decodes parts of the file, and worker w calls
 * fn(args[w], pk, point) with every packet whose 5-tuple hashes (either way
 * round) to w, in the file's order. The packets are numbered as one reader
 * numbers them (pk->frame from 1, pk->ord from *ord on); pk->payload is
 * NULL (its hash is there). src's frame, status and err end as
 * vnd_pktsrc_next() leaves them. Returns 0, or -1 when no thread or memory,
 * the file could not be read again, or a fn stopped (errbuf says which).
 */
int	 vnd_shard_read(int nj, struct vnd_pktsrc *src, const char *point,
	    uint64_t *ord, vnd_packet_fn fn, void **args, char *errbuf);

#endif
