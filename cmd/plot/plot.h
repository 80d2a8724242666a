/* plot.h: vnd-plot's kinds, its gnuplot script, and the thinning of series to pixels. */
#ifndef PLOT_H
#define PLOT_H

#include <stdint.h>
#include <stdio.h>

#include "vnd.h"
#include "vnd_errf.h"

#define PLOT_FLOWS	4	/* -f given more than once: seq's panels */

/* The options of a run, and the script being built. */
struct plot {
	const char	*kind;
	const char	*output;	/* -o, NULL: standard output */
	int		 png, script, logy;
	int		 width, height;
	const char	*flow[PLOT_FLOWS];	/* -f, each a connection */
	int		 nflow;
	int		 by_flow;	/* --by flow */
	int64_t		 slot_ns;	/* -i */
	const char	*title;
	const char	*attr;		/* counters: -a */
	const char	*range;		/* seq: -r FROM:TO seconds */
	char		**ops;		/* the inputs */
	int		 nops;
	FILE		*gp;		/* the gnuplot script, in memory */
	char		*gpbuf;
	size_t		 gplen;
	int		 nblocks;	/* data blocks written */
	char		 err[VND_ERRBUF_SIZE];
};

/* The run of a kind: 0, or -1 with p->err. */
int	 plot_seq(struct plot *);
int	 plot_throughput(struct plot *);
int	 plot_rtt(struct plot *);
int	 plot_cdf(struct plot *);
int	 plot_hops(struct plot *);
int	 plot_limits(struct plot *);
int	 plot_counters(struct plot *);

/* gp.c: the script. */
int	 gp_begin(struct plot *);		/* the terminal and the style */
void	 gp_str(struct plot *, const char *);	/* a quoted gnuplot string */
void	 gp_title(struct plot *, const char *deflt);
void	 gp_xtime(struct plot *, int64_t t0);	/* x: seconds since t0 */
int	 gp_block(struct plot *);		/* "$dN << EOD": returns N */
void	 gp_block_end(struct plot *);
const char *gp_color(int i);
int	 gp_finish(struct plot *);		/* --script, or run gnuplot */
void	 gp_free(struct plot *);

/* Fail with a message: -1. */
#define plot_fail(p, ...)	vnd_errf((p)->err, __VA_ARGS__)

/*
 * thin.c: a series brought down to what the picture's pixel columns can
 * show, streaming: buckets of a width that doubles (neighbours merged)
 * whenever the series outgrows the columns. A line keeps per column its
 * first, lowest, highest and last point (M4), a bar series (vertical
 * segments) its lowest start and highest end, so that no peak and no gap is
 * lost. Marks are kept one by one up to MARKS_MAX, then one per pixel.
 */
#define MARKS_MAX	1000

struct pt {
	double		 x, y;
};

struct bucket {
	struct pt	 first, last, lo, hi;
	int		 used;
};

struct thin {
	struct bucket	*b;
	int		 ncol;
	int		 bars;		/* lo.y .. hi.y segments, not a line */
	double		 x0, w;		/* the first bucket's start, width */
	struct pt	*m;		/* marks */
	size_t		 nm, mcap;
	uint64_t	 n;		/* points given */
};

int	 thin_init(struct thin *, int ncol, int bars);
void	 thin_add(struct thin *, double x, double y);
void	 thin_bar(struct thin *, double x, double lo, double hi);
int	 thin_mark(struct thin *, double x, double y);
/* Write the series as rows "x y" (a bar: "x lo hi"); marks: "x y". */
void	 thin_write(const struct thin *, FILE *);
void	 thin_write_marks(struct thin *, FILE *, int ncol, int nrow);
void	 thin_free(struct thin *);

/* Seconds since t0, as the x of every time axis. */
static inline double
plot_sec(int64_t ts, int64_t t0)
{
	return (double)(ts - t0) / (double)VND_NS_PER_SEC;
}

#endif
