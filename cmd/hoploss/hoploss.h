/* hoploss.h: what vnd-hoploss's reading (main.c) and its reports (rows.c) share. */
#ifndef HOPLOSS_H
#define HOPLOSS_H

#include <stdint.h>

#include "vnd.h"
#include "vnd_flowtab.h"
#include "vnd_htab.h"
#include "vnd_match.h"
#include "vnd_meta.h"
#include "vnd_path.h"
#include "vnd_stats.h"
#include "vnd_table.h"

/* A group of packets a row reports on: a hop and direction, maybe a slot, a flow. */
struct gkey {
	int		 hop, dir;
	int64_t		 slot;
	struct vnd_flowkey fk;		/* --by flow; point NULL */
	uint8_t		 proto;
};

struct group {
	struct gkey	 k;
	struct vnd_stats st;
	int		 used;
};

struct run {
	/* options */
	int64_t		 window;
	int64_t		 slot;		/* -i, 0 for none */
	int		 byflow, lost, path;
	int		 clock;		/* 'a'uto, 's'ync, 'e'stimate */
	/* the run */
	struct vnd_path_point *pts;
	int		 npts;
	struct vnd_meta_point *meta;
	struct vnd_match **hops;
	struct vnd_stats *total;	/* per hop and direction: [2 * hop + dir] */
	struct vnd_htab	 groups;	/* --by flow, -i: struct group */
	struct vnd_table *t;		/* hops, or lost */
	int		 failed;	/* out of memory, or the sink failed */
	char		 err[VND_ERRBUF_SIZE];
};

/* rows.c */
void	 hl_event(void *arg, int hop, int dir, int kind,
	    const struct vnd_sighting *in, const struct vnd_sighting *out,
	    int64_t delay);
int	 hl_hop_cols(const struct run *, struct vnd_colspec *cols, int max);
int	 hl_put_rows(struct vnd_table *, struct run *, char *errbuf);
void	 hl_path_report(const struct run *);
void	 hl_groups_free(struct run *);

#endif
