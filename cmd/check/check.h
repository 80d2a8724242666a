/* check.h: vnd-check's runs of the analysis tools and its judgement of their tables. */
#ifndef CHECK_H
#define CHECK_H

#include <stdint.h>

#include "vnd.h"

#define MAX_POINTS	64

/* The thresholds, and what a run found. */
struct check {
	double		 loss;		/* hop loss_ratio */
	int64_t		 delay_ns;	/* hop delay_p99_ns */
	int64_t		 rtt_ns;	/* flow rtt_p99_ns */
	double		 retx;		/* connection retx_pkts / data_pkts */
	int64_t		 min_pkts;	/* fewer are not judged */
	const char	*counters, *chain;	/* for vnd-rootcause */
	char		*points[MAX_POINTS];	/* operands of the tools */
	int		 npoints;
	char		 dir[64];	/* the tools' tables */
	char		 bindir[4096];	/* where the tools are */
	int		 found;		/* findings printed */
	char		 hops[MAX_POINTS * 2][160];	/* "in->out" found lossy or slow */
	int		 nhops;
	char		 err[VND_ERRBUF_SIZE];
};

/* tools.c: run a tool with its standard output into dir/out; 0, or -1 with err. */
int	 tool_run(struct check *, const char *out, char *const argv[]);
char	*tool_path(const struct check *, const char *name);	/* in dir */

/*
 * judge.c: the findings of each table at path, one line each on standard
 * output: 0, or -1 with err. The judges of vnd-hoploss's hops, vnd-rtt's
 * flows, vnd-tcpstate's connections and vnd-rootcause's causes.
 */
struct judge;
extern const struct judge judge_hops, judge_rtt, judge_retx, judge_causes;
int	 judge(struct check *, const struct judge *, const char *path);

#endif
