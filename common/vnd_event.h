/* vnd_event.h: the events flows are selected by, one definition each, on vnd_tcpconn's connections. */
#ifndef VND_EVENT_H
#define VND_EVENT_H

#include <stddef.h>
#include <stdint.h>

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
 * Elephants among n connections: rank[i] (1 = most bytes) for those above
 * the bound or among the top N, 0 for the others. -1: no memory.
 */
int	 vnd_event_elephants(const struct vnd_tcpconn *, size_t n,
	    const struct vnd_event_conf *, uint32_t *rank);

/* A connection of a scanning source: what its source tried, and failed. */
struct vnd_event_scan {
	uint32_t	 targets, failed;
};

/*
 * Scans among n connections: sc[i] set for the connections of a scanning
 * source (targets 0 for the others). -1: no memory.
 */
int	 vnd_event_scans(const struct vnd_tcpconn *, size_t n,
	    const struct vnd_event_conf *, struct vnd_event_scan *sc);

#endif
