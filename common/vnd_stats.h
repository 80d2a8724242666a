/* vnd_stats.h: what a hop did to a group of packets: counts and a delay histogram. */
#ifndef VND_STATS_H
#define VND_STATS_H

#include <stdint.h>

/*
 * Delays in log buckets: `sub` per power of two (32: about 3% wide, for the
 * totals; 8: about 12%, for the many groups of --by flow and -i). Min and
 * max are exact. Each side holds only the range of buckets its delays
 * fell in (a flow's round trips span a few powers of two: a few hundred
 * bytes, where all 64 powers took 4 KiB), made at its first.
 */
struct vnd_hist_side {
	uint32_t	*b;		/* buckets lo .. lo + n - 1 */
	int		 lo, n;
};

struct vnd_hist {
	int		 sub;
	struct vnd_hist_side pos;	/* delays >= 0 */
	struct vnd_hist_side neg;	/* delays < 0: clock error, or a switch
					 * that stamps output before input */
	int64_t		 min, max;
	int64_t		 sum;		/* for the mean */
	uint64_t	 n;
};

struct vnd_stats {
	uint64_t	 in_pkts;	/* seen where the hop starts, for its end */
	uint64_t	 out_pkts;	/* seen where it ends, coming from its start */
	uint64_t	 lost;
	uint64_t	 created;	/* at the end without passing the start */
	uint64_t	 dups;		/* capture duplicates, counted once */
	struct vnd_hist	 delay;
};

int	 vnd_stats_init(struct vnd_stats *, int sub);
void	 vnd_stats_free(struct vnd_stats *);
/* -1: no memory (the delay not counted). */
int	 vnd_hist_add(struct vnd_hist *, int64_t d);
int64_t	 vnd_hist_quantile(const struct vnd_hist *, double q);

#endif
