/* hop.h: matching the packets of two adjacent capture points: loss, delay, duplicates. */
#ifndef HOP_H
#define HOP_H

#include <stdint.h>

#include "vnd_pkt.h"

/* Directions of a hop: packets from the client end (P1) or the server end. */
enum { DIR_FWD, DIR_BWD };

/* What is kept of a packet while it waits for its match. */
struct sighting {
	uint64_t	 key;
	int64_t		 ts;		/* corrected to the first point's clock */
	uint64_t	 frame;
	uint64_t	 seqno;		/* order of arrival, for expiry */
	uint8_t		 side;		/* 0: seen at the hop's start, 1: its end */
	uint8_t		 ver;
	uint8_t		 proto;
	uint8_t		 src[16], dst[16];
	uint16_t	 sport, dport;
	uint32_t	 seq, paylen;
	uint64_t	 pkt_id;
};

/* What became of a packet at a hop. */
enum { EV_PASSED, EV_LOST, EV_CREATED, EV_DUP };

/*
 * One event: the sighting where the hop starts for that direction (for
 * EV_CREATED, where it ends: there is no other), and for EV_PASSED the
 * one-hop delay.
 */
typedef void (*hop_event_fn)(void *arg, int hop, int dir, int kind,
    const struct sighting *, int64_t delay);

struct hop;

struct hop *hop_new(int index, int64_t window_ns, hop_event_fn, void *arg);
void	 hop_free(struct hop *);

/* The key a packet is known by at every point: -1 when it cannot cross a hop. */
int	 hop_key(const struct vnd_pkt *, uint64_t *key);

/* A packet seen at the hop's start (side 0) or end (side 1), time corrected. */
int	 hop_see(struct hop *, int side, const struct vnd_pkt *, uint64_t key,
	    int64_t ts);

/* Everything that waited longer than the window before now is settled. */
void	 hop_expire(struct hop *, int64_t now);

/* End of input: settle all. */
void	 hop_flush(struct hop *);

#endif
