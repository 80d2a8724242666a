/* vnd_decode.h: the decoder, link to transport headers of one frame into a struct vnd_pkt. */
#ifndef VND_DECODE_H
#define VND_DECODE_H

#include <stdint.h>

#include "vnd_pkt.h"

/*
 * Decode a frame of link type `dlt` (a LINKTYPE_/DLT_ value) into pk; the
 * caller has set frame, ts_ns, wire_bytes and cap_bytes, the rest is reset.
 * Never reads past caplen; a frame that breaks its own headers gets a reason
 * in pk->malformed. Returns 0, or -1 when pk->malformed was set.
 */
int	 vnd_decode(struct vnd_pkt *pk, int dlt, const uint8_t *data,
	    uint32_t caplen);

/*
 * As vnd_decode(), but the payload's hash is not made: VND_COL_PAYLOAD_HASH
 * stays unset, pk->payload and payload_cap say what it would be of. For a
 * reader that wants it of few packets (vnd_match_key() makes it when it is
 * not set): it was a quarter of vnd-select's time.
 */
int	 vnd_decode_nohash(struct vnd_pkt *pk, int dlt, const uint8_t *data,
	    uint32_t caplen);

/* Is this link type one vnd_decode() understands? */
int	 vnd_decode_knows(int dlt);

#endif
