/* select.h: what the parts of vnd-select share: the points, the selector's flows, the picks. */
#ifndef SELECT_H
#define SELECT_H

#include <stddef.h>
#include <stdint.h>

#include "vnd.h"
#include "vnd_event.h"
#include "vnd_flowtab.h"
#include "vnd_htab.h"
#include "vnd_input.h"
#include "vnd_meta.h"
#include "vnd_table.h"
#include "vnd_tcpconn.h"

#define NKEYS	4		/* fingerprints kept of a connection's first packets */

struct point {
	const char	*name;		/* interned: flow keys compare it by pointer */
	const char	*path;
	char		 format[32];	/* vnd_input_format() */
	uint64_t	 packets;	/* read */
	uint64_t	 out_pkts, out_bytes;	/* written (-w) */
	uint32_t	 flows;		/* selected flows seen here */
	int		 warned;	/* its cut said */
	char		*file;		/* -w: DIR/NAME.pcap */
};

/* The selector's view of one of its connections, beside the engine's. */
struct info {
	uint32_t	 gen1;		/* pass 1: its engine slot's gen + 1 */
	uint32_t	 seen;		/* bit per VND_E_x shown */
	int64_t		 ts[VND_E_N];	/* when first shown */
	uint64_t	 frame[VND_E_N];
	const char	*kind[VND_E_N];	/* the engine's event kind, or NULL */
	uint64_t	 key[NKEYS];	/* fingerprints of its first packets */
	int		 nkeys;
	int		 elephant;	/* above the bound, or among the top */
	uint32_t	 rank;		/* elephant: 1 = most bytes */
	struct vnd_event_scan scan;
	int		 picked;	/* selected, by any event asked */
	int64_t		 sel_ts;	/* first selected at */
	uint64_t	 bytes_seen;	/* pass 2: bytes so far (elephant's time) */
};

/*
 * A connection of the selector's kept once closed: one an event may pick.
 * The others are forgotten as they close (memory follows the connections
 * alive, and the few kept).
 */
struct flow {
	struct vnd_tcpconn c;		/* closed: c.x NULL */
	struct info	 in;
	long		 prev;		/* the one kept before of its 5-tuple, -1 */
};

/* One of the top N elephants so far (vnd_event_top's record). */
struct elephant {
	long		 kept;		/* its place among the kept, or -1: */
	struct flow	 f;		/* ... its copy */
};

/* A selected flow and the event that selected it: a row of the table. */
struct pick {
	size_t		 conn;
	int		 e;
	int64_t		 ts;
	uint64_t	 frame;		/* at point pt */
	int		 pt;		/* where it was seen: the selector, or */
	int		 to;		/* ... a hop's start, this its end; -1 */
	uint64_t	 hoplost;	/* packets lost on that hop */
};

/* A flow that lost on a hop and that the selector's engine does not follow. */
struct hflow {
	struct vnd_flowkey k;		/* from the client end; the selector's */
	uint8_t		 proto;
	struct info	 in;
};

/* An image of a selected connection at some point: its 5-tuple there. */
struct image {
	struct vnd_flowkey k;
	size_t		 conn;
};

struct sel {
	struct point	*pts;
	struct vnd_meta_point *meta;	/* the meta table's points */
	int		 npts, at;	/* at: the selector */
	uint32_t	 events;	/* bit per VND_E_x asked */
	struct vnd_event_conf conf;
	const char	*at_name;	/* --at */
	int		 bytes_set, top_set;	/* --bytes, --top given */
	const char	*dir;		/* -w */
	int64_t		 before, after;	/* -1: no bound */
	struct flow	*kept;		/* in the order they came, once pass 1 ends */
	size_t		 nkept, capkept;
	struct vnd_htab	 byord;		/* ... by first_ord, while pass 1 runs */
	struct vnd_flowtab kt;		/* ... by 5-tuple, the last of each */
	struct vnd_event_top top;	/* the top N elephants so far */
	struct vnd_event_tries tries;	/* scan: each source's */
	uint64_t	 bar;		/* elephant: the least one's bytes */
	int		 late_elephants;	/* ... timed in pass 2 */
	struct pick	*picks;
	size_t		 npicks, cappicks;
	/* --at A,B,...: loss on the hops between them (hop.c) */
	int		*hop;		/* the points in --at's order */
	int		 nhop;
	struct vnd_htab	 hrecs;		/* each flow's loss on a hop, one way */
	struct hflow	*hf;		/* flows nkept + i */
	size_t		 nhf, caphf;
	struct vnd_flowtab hft;		/* over hf */
	/* pass 2 */
	uint64_t	*fp;		/* fingerprint -> conn + 1, open addressing */
	uint32_t	*fpconn;
	size_t		 fpcap;
	struct image	*img;
	size_t		 nimg, capimg;
	struct vnd_flowtab ft;		/* over img */
	/* --monitor */
	int		 monitor;
	int64_t		 entries;	/* N, 0: sweep */
	double		 prob;		/* p, < 0: sweep */
	int64_t		 delay_ns;
	int64_t		 stop_ts;	/* pass 2: no selected packet after this */
	void		*pass;		/* the pass's own state */
	int		 quiet;		/* -q */
	int		 failed;
	char		 err[VND_ERRBUF_SIZE];
};

/* A frame of a point, decoded: the record as read, and its packet; 1 stops. */
typedef int (*frame_fn)(struct sel *, struct point *, const struct vnd_frame *,
    const struct vnd_pkt *);

/* read.c: every frame of a point to fn; VND_RUN_x (err set) */
int	 read_point(struct sel *, struct point *, frame_fn, char *err);

/* detect.c: pass 1 at the selector, then the picks */
int	 detect(struct sel *, char *err);
int	 add_pick(struct sel *, const struct pick *);
int	 see_bytes(struct sel *, struct point *, const struct vnd_frame *,
	    const struct vnd_pkt *);
void	 retime_picks(struct sel *);

/* kept.c: the connections kept, ranked, tallied; the flows of the picks */
long	 keep_flow(struct sel *, const struct vnd_tcpconn *, const struct info *);
long	 kept_find(const struct sel *, uint64_t first_ord);
long	 kept_of(const struct sel *, const struct point *, const struct vnd_pkt *);
int	 offer_elephant(struct sel *, const struct vnd_tcpconn *,
	    const struct info *, long kept);
int	 is_scanner_pkt(const struct sel *, const struct vnd_pkt *);
int	 settle_top(struct sel *);
int	 settle_kept(struct sel *);
size_t	 nflows(const struct sel *);
struct info *info_of(struct sel *, size_t conn);
const struct vnd_flowkey *flow_key(const struct sel *, size_t conn);
int	 flow_proto(const struct sel *, size_t conn);
int64_t	 flow_sel_ts(const struct sel *, size_t conn);
int64_t	 flow_first(const struct sel *, size_t conn);
int64_t	 flow_last(const struct sel *, size_t conn);
void	 free_kept(struct sel *);

/* table.c: the rows of the picks */
int	 put_picks(struct sel *, struct vnd_table *, char *err);

/* hop.c: --at's points in its order; the flows that lost on their hops */
int	 hop_points(struct sel *, char *err);
int	 hop_detect(struct sel *, char *err);
int	 hop_flow(const struct sel *, const struct vnd_flowkey *);
int	 hop_picks(struct sel *, char *err);
void	 hop_free(struct sel *);

/* extract.c: pass 2, every point's packets of the picked flows */
int	 index_picks(struct sel *);
int	 extract(struct sel *, char *err);
int	 put_manifest(struct sel *, char *err);
long	 conn_at(struct sel *, struct point *, const struct vnd_pkt *);
int64_t	 window_lo(const struct sel *, size_t conn, int here);
int64_t	 window_hi(const struct sel *, size_t conn, int here);

/* monitor.c: MOZART's monitors simulated on the recordings */
int	 monitor(struct sel *, struct vnd_table *, char *err);

#endif
