/* vnd_path.h: capture points along a path: their clocks, and one walk of all of them through the hops' matchers. */
#ifndef VND_PATH_H
#define VND_PATH_H

#include <stddef.h>
#include <stdint.h>

#include "vnd_clock.h"
#include "vnd_match.h"
#include "vnd_pkt.h"
#include "vnd_pktsrc.h"

/*
 * vnd-hoploss's reading of a path (VND 3.3.1), one definition for every
 * tool that counts what a hop lost: the points in path order from the
 * client end, each clock against the point before it, then all points read
 * at once in time order on the first point's clock, each packet seen where
 * the hop before its point ends and where the hop after it starts. Memory:
 * one packet a point, and what the matchers hold (a window of packets, the
 * flows alive).
 */
struct vnd_path_point {
	const char	*name;
	const char	*path;
	int		 owned;		/* name made from the path: not a table's */
	int		 given;		/* its offset stated (--offset) */
	int64_t		 given_ns;
	int64_t		 offset;	/* this clock minus the first point's */
	struct vnd_clock clock;		/* against the point before it */
	char		 how[192];	/* how the offset was found */
	struct vnd_pktsrc src;
	int		 open;
	struct vnd_pkt	 pk;		/* the next packet, read ahead */
	int		 have;
};

/* Clock modes, as vnd-hoploss --clock names them. */
#define VND_PATH_AUTO		'a'	/* one clock where the stamps allow it */
#define VND_PATH_SYNC		's'	/* one clock, as stated */
#define VND_PATH_ESTIMATE	'e'	/* an offset estimated at every hop */

/*
 * Every point's offset from the first point's clock, each against the one
 * before it (a given offset, or from the data within window); -1 with
 * errbuf when a point cannot be read.
 */
int	 vnd_path_clocks(struct vnd_path_point *, int npts, int mode,
	    int64_t window, char *errbuf);

/* "clock of B = clock of A +0.000000000 s (how)", of point i >= 1. */
void	 vnd_path_clock_line(const struct vnd_path_point *, int i, char *buf,
	    size_t len);

/*
 * The matcher of every hop (npts - 1), packets sent twice alike paired in
 * order, each hop's slack its clock's; NULL: no memory.
 */
struct vnd_match **vnd_path_hops(const struct vnd_path_point *, int npts,
	    int64_t window, vnd_match_event_fn, void *arg);
void	 vnd_path_hops_free(struct vnd_match **, int npts);

/* Open every point, its first packet read ahead; -1 with errbuf. */
int	 vnd_path_open(struct vnd_path_point *, int npts, char *errbuf);

/*
 * All points at once in time order through the hops, then everything
 * settled: -1 when out of memory, or when *stop became set (by the
 * matchers' event function).
 */
int	 vnd_path_walk(struct vnd_path_point *, int npts, struct vnd_match **,
	    const int *stop);

/* Close the points opened (their names stay the caller's). */
void	 vnd_path_close(struct vnd_path_point *, int npts);

#endif
