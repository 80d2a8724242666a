/* vnd_match.h: the same packets at two capture points (VND 3.5 fingerprint): passed, lost, created, duplicated. */
#ifndef VND_MATCH_H
#define VND_MATCH_H

#include <stdint.h>

#include "vnd_flowtab.h"
#include "vnd_pkt.h"

/* Directions of a hop: packets from the client end (P1) or the server end. */
enum { VND_DIR_FWD, VND_DIR_BWD };

/* What is kept of a packet while it waits for its match. */
struct vnd_sighting {
	uint64_t	 key;
	int64_t		 ts;		/* corrected to the first point's clock */
	uint64_t	 frame;
	uint64_t	 seqno;		/* order of arrival, for expiry */
	uint8_t		 side;		/* 0: seen at the hop's start, 1: its end */
	uint8_t		 repeat;	/* its key waited already at its side */
	uint8_t		 proto;
	struct vnd_flowkey fk;		/* src: its sender; point NULL */
	uint32_t	 seq, paylen;
	uint64_t	 pkt_id;
	uint64_t	 tag;		/* the caller's, given to vnd_match_see() */
};

/* What became of a packet at a hop. */
enum { VND_EV_PASSED, VND_EV_LOST, VND_EV_CREATED, VND_EV_DUP };

/*
 * One event: `in`, the sighting where the hop starts for that direction (for
 * VND_EV_CREATED, where it ends: there is no other); for VND_EV_PASSED also
 * `out`, the twin where it ends, and the one-hop delay.
 */
typedef void (*vnd_match_event_fn)(void *arg, int hop, int dir, int kind,
    const struct vnd_sighting *in, const struct vnd_sighting *out,
    int64_t delay);

struct vnd_match;

struct vnd_match *vnd_match_new(int index, int64_t window_ns, vnd_match_event_fn, void *arg);
void	 vnd_match_free(struct vnd_match *);

/* A packet's addresses and ports as it was sent (src: its sender; point NULL). */
void	 vnd_match_flowkey(struct vnd_flowkey *, const struct vnd_pkt *);

/*
 * k, or with reverse its other direction, into r (r and k apart), field by
 * field: r's padding zeroed, fit for hashing and memcmp().
 */
void	 vnd_match_flowkey_copy(struct vnd_flowkey *r,
	    const struct vnd_flowkey *k, int reverse);

/* The key a packet is known by at every point: -1 when it cannot cross a hop. */
int	 vnd_match_key(const struct vnd_pkt *, uint64_t *key);

/* A packet seen at the hop's start (side 0) or end (side 1), time corrected. */
int	 vnd_match_see(struct vnd_match *, int side, const struct vnd_pkt *,
	    uint64_t key, int64_t ts, uint64_t tag);

/*
 * How far a time-corrected delay may be from the true one (the clock's
 * slack, 0 until set): a pair whose delay is further than that from 0 tells
 * which way its flow goes.
 */
void	 vnd_match_slack(struct vnd_match *, int64_t ns);

/*
 * A key seen again at one side while it waits there: on, another packet
 * (sent twice alike: its copies pair in order with the other side's, and
 * one left without a twin is the capture's duplicate); off (the default,
 * for payloads that repeat across connections), the capture's duplicate at
 * once.
 */
void	 vnd_match_repeats(struct vnd_match *, int on);

/* Pairs matched so far, and those whose delay, corrected, was negative. */
void	 vnd_match_counts(const struct vnd_match *, uint64_t *pairs,
	    uint64_t *negative);

/* Everything that waited longer than the window before now is settled. */
void	 vnd_match_expire(struct vnd_match *, int64_t now);

/* End of input: settle all. */
void	 vnd_match_flush(struct vnd_match *);

#endif
