/* hop.h: matching the packets of two adjacent capture points: loss, delay, duplicates. */
#ifndef HOP_H
#define HOP_H

#include <stdint.h>

#include "vnd_pkt.h"

/* Directions of a hop: packets from the client end (P1) or the server end. */
enum { DIR_FWD, DIR_BWD };

/* Delays in log buckets: 32 per power of two, about 2% wide. */
#define HIST_SUB	32
#define HIST_N		(64 * HIST_SUB)

struct hopstats {
	uint64_t	 in_pkts;	/* seen where the hop starts, for its end */
	uint64_t	 out_pkts;	/* seen where it ends, coming from its start */
	uint64_t	 matched;
	uint64_t	 lost;
	uint64_t	 created;	/* at the end without passing the start */
	uint64_t	 dups;		/* capture duplicates, not counted */
	int64_t		 dmin, dmax;
	uint32_t	 pos[HIST_N];	/* delays >= 0 */
	uint32_t	 neg[HIST_N];	/* delays < 0 (clock error, or a switch
					 * that stamps output before input) */
};

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

/* A packet lost or created, as --lost lists it. */
typedef void (*hop_report_fn)(void *arg, int hop, int dir, int lost,
    const struct sighting *);

struct hop;

struct hop *hop_new(int index, int64_t window_ns, hop_report_fn, void *arg);
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

const struct hopstats *hop_stats(const struct hop *, int dir);

/* Quantile q (0..1) of the delays, from the buckets (about 2%). */
int64_t	 hop_quantile(const struct hopstats *, double q);

#endif
