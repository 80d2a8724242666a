/* vnd_event.h: the events flows are selected by, one definition each, on vnd_tcpconn's connections. */
#ifndef VND_EVENT_H
#define VND_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "vnd_htab.h"
#include "vnd_tcpconn.h"

/*
 * What a selector looks for in a connection. loss, reset and zero-window are
 * vnd-tcpstate's own events (retx_fast, retx_timeout, retx_lost_upstream;
 * rst; zero_window), found by the same engine; slow is the handshake's round
 * trip, SYN to the client's first ACK (vnd-tcpstate's hs_rtt, the sum of
 * vnd-rtt's two handshake samples); unanswered a SYN that never had its
 * SYN-ACK; elephant a connection's data bytes both ways (vnd-tcpstate's
 * data_bytes summed), above a bound or among the top N; scan a source that
 * tried many destinations (host, port), most of them refused or unanswered.
 */
enum {
	VND_E_LOSS, VND_E_RESET, VND_E_ZERO_WINDOW, VND_E_SLOW,
	VND_E_ELEPHANT, VND_E_SCAN, VND_E_UNANSWERED, VND_E_N
};

struct vnd_event_conf {
	int64_t		 slow_ns;	/* slow: round trip above this */
	uint64_t	 elephant_bytes;	/* elephant: at least (0: no bound) */
	int		 elephant_top;	/* ... or among the top N (0: none) */
	int		 scan_targets;	/* scan: distinct (host, port), at least */
	double		 scan_failed;	/* ... a share of them refused or unanswered */
};

#define VND_EVENT_SLOW_NS	(200 * VND_NS_PER_MS)
#define VND_EVENT_TOP		10
#define VND_EVENT_SCAN_TARGETS	20
#define VND_EVENT_SCAN_FAILED	0.5

/* A struct vnd_event_conf of the defaults above. */
#define VND_EVENT_CONF_DEFAULTS { VND_EVENT_SLOW_NS, 0, VND_EVENT_TOP, \
	VND_EVENT_SCAN_TARGETS, VND_EVENT_SCAN_FAILED }

/* "loss", "reset", ...; the event of a name, -1 for none. */
const char *vnd_event_name(int e);
int	 vnd_event_lookup(const char *name);

/* The event a vnd_tcpconn event kind shows ("retx_fast": loss), or -1. */
int	 vnd_event_of_tcp(const char *kind);

/* Bytes of data a connection carried, both ways (elephant's measure). */
uint64_t vnd_event_bytes(const struct vnd_tcpconn *);

/* Unanswered: a SYN seen, no SYN-ACK. */
int	 vnd_event_unanswered(const struct vnd_tcpconn *);

/* Slow: its handshake's round trip at this point, 0 when not known. */
int64_t	 vnd_event_rtt(const struct vnd_tcpconn *);
int	 vnd_event_slow(const struct vnd_tcpconn *, const struct vnd_event_conf *);

/*
 * Elephants, decided as connections close: above the bound, or among the
 * top N by bytes (ties to the one that came first: the lower first_ord);
 * a connection with no data is nobody's. The top N so far wait in a heap,
 * each with a record of the caller's (size bytes), the least first.
 */
int	 vnd_event_above(const struct vnd_tcpconn *, const struct vnd_event_conf *);

struct vnd_event_top {
	unsigned char	*e;		/* max + 1 entries (the last for swaps) */
	size_t		 n, max, size;	/* entries, N, the caller's record */
};

/* c offered with its record: 1 taken (among the top so far), 0 not, -1 no memory. */
int	 vnd_event_top_offer(struct vnd_event_top *, size_t max,
	    const struct vnd_tcpconn *c, const void *rec, size_t size);
void	*vnd_event_top_rec(const struct vnd_event_top *, size_t i);
void	 vnd_event_top_free(struct vnd_event_top *);

/* Does a rank before b: more bytes, or as many and came first? */
static inline int
vnd_event_before(uint64_t abytes, uint64_t aord, uint64_t bbytes, uint64_t bord)
{
	return abytes != bbytes ? abytes > bbytes : aord < bord;
}

/* A connection of a scanning source: what its source tried, and failed. */
struct vnd_event_scan {
	uint32_t	 targets, failed;
};

/*
 * Scans, tallied as connections close: each source's targets (host, port),
 * a target failed while none of its attempts (connections opened by a SYN)
 * was answered; a scanner tried at least scan_targets, a share scan_failed
 * of them failed. Memory follows the sources and their targets.
 */
struct vnd_event_tries {
	struct vnd_htab	 targets, sources;
	size_t		 scanners;
};

int	 vnd_event_try(struct vnd_event_tries *, const struct vnd_tcpconn *);

/* The input over: the scanners marked (the targets forgotten); how many. */
size_t	 vnd_event_scanners(struct vnd_event_tries *, const struct vnd_event_conf *);

/* The tries of scanner ip (16 bytes), NULL when it is not one. */
const struct vnd_event_scan *vnd_event_scanner(const struct vnd_event_tries *,
	    int ver, const uint8_t *ip);
void	 vnd_event_tries_free(struct vnd_event_tries *);

#endif
