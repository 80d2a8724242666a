/* report.h: vnd-report's runs of the other tools, and the page or text it makes of their tables. */
#ifndef REPORT_H
#define REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "vnd.h"
#include "vnd_errf.h"

#define MAX_ARGS	64
#define MAX_JOBS	32
#define MAX_BUSY	3	/* connections drawn, the busiest first */

/* One run of a vnd tool: its arguments, its standard output into a file. */
struct job {
	char		*argv[MAX_ARGS];	/* argv[0]: "vnd-rtt" */
	int		 argc;
	char		*out;		/* standard output to this file */
	char		*errf;		/* standard error kept here */
	int		 pid;
	int		 started, done;
	int		 after;		/* the job that must end first, -1: none */
	int		 prio;		/* 0 first: the analyses and the long figures */
	int		 from;		/* the job whose table it reads, -1: none */
	int		 tmparg;	/* that table's argument, hidden when shown */
	int		 dash;		/* ... or shown as '-' */
	int		 hide;		/* arguments from here on are not shown */
};

struct busy {
	char		 flow[160];	/* SRC:PORT>DST:PORT, the data's sender first */
	char		 verdict[32], sender[16];
	char		 data_bytes[32], retx[32], retx_fast[32], retx_timeout[32];
};

struct report {
	const char	*output;	/* -o */
	const char	*chain, *counters;
	int		 text;
	int64_t		 slot_ns;
	char		**ops;
	int		 nops;
	const char	*command;
	char		 dir[64];	/* the temporary directory */
	char		 bindir[4096];	/* where the other tools are */
	struct job	 jobs[MAX_JOBS];
	int		 njobs;
	int		 jhops, jrtt, jtcp, jtput, jcnt;	/* -1: not run */
	int		 jcause[2];	/* rootcause of the hops, of the counters */
	int		 jhfig, jrfig;
	struct busy	 busy[MAX_BUSY];
	int		 nbusy;
	int		 jlim, jseq;	/* their figures: a panel each */
	char		 err[VND_ERRBUF_SIZE];
};

/* jobs.c */
int	 job_new(struct report *, const char *tool, const char *out);
int	 job_arg(struct report *, int j, const char *arg);
int	 job_ops(struct report *, int j);	/* the points, as given */
/* Run every job, two at a time; done(r, j) may add jobs when job j ends. */
int	 jobs_run(struct report *, int (*done)(struct report *, int));
char	*job_command(const struct report *, int j);	/* "vnd rtt a.pcap" */
char	*job_path(const struct report *, const char *name);	/* in dir */
void	 jobs_free(struct report *);

/* page.c and text.c */
int	 page_write(struct report *, FILE *);
int	 text_write(struct report *, FILE *);

/* Fail with a message: -1. */
#define report_fail(r, ...)	vnd_errf((r)->err, __VA_ARGS__)

#endif
