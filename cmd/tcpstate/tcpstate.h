/* tcpstate.h: what the parts of vnd-tcpstate share: a thread's run, its events, the tables. */
#ifndef TCPSTATE_H
#define TCPSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "vnd.h"
#include "vnd_table.h"
#include "vnd_tcpconn.h"

/* An event kept for later, when workers find them (-j): merged by ord. */
struct evrec {
	uint64_t	 ord;		/* of the packet that showed it */
	uint64_t	 frame;
	int64_t		 ts, value;
	const char	*kind;		/* a string constant */
	uint32_t	 conn;
	int		 dir;
};

/* One thread's connections (the library's run) and what it does with events. */
struct run {
	struct vnd_tcprun t;		/* first: the engine's callbacks get it */
	struct vnd_table *conns, *slots;	/* one thread: written as they close */
	struct vnd_table *ev;		/* events written as found, or ... */
	int		 keep_events;	/* ... kept in evs */
	struct evrec	*evs;
	size_t		 nev, evcap;
};

/* events.c: the engine's events, written or kept (a vnd_tcpconn_event_fn) */
int		 on_event(struct vnd_tcprun *, const struct vnd_tcpconn *, int dir,
		    int64_t ts, const char *kind, uint64_t frame, int64_t value);
void		 run_free(struct run *);

/* output.c: the tables */
extern const struct vnd_colspec conn_cols[], slot_cols[], ev_cols[];
extern const int nconn_cols, nslot_cols, nev_cols;
int		 put_event(struct vnd_table *, const struct vnd_tcpconn *, int dir,
		    int64_t ts, const char *kind, uint64_t frame, int64_t value,
		    char *errbuf);
int		 put_events(struct run *, int nj, struct vnd_table *,
		    char *errbuf);
int		 put_conns(struct run *, int nj, struct vnd_table *conns,
		    struct vnd_table *slots, char *errbuf);
int		 put_closed(struct run *, char *errbuf);

#endif
