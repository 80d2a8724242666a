/* vnd-report: the incident on one page: the analyses run as the tools, their tables and figures in one HTML file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vnd.h"
#include "vnd_cli.h"
#include "vnd_proc.h"
#include "vnd_tsvread.h"
#include "report.h"

#include "usage.h"	/* the Makefile makes it of usage.txt */

static int
read_opts(struct vnd_cli *cli, void *ctx)
{
	struct report *r = ctx;

	return vnd_cli_get_seconds(cli, 'i', &r->slot_ns) < 0 ? -1 : 0;
}

/* A job's argument that is a file of the temporary directory. */
static int
job_tmp(struct report *r, int j, const char *name)
{
	char *p = job_path(r, name);
	int ret;

	if (p == NULL)
		return report_fail(r, "out of memory");
	ret = job_arg(r, j, p);
	free(p);
	return ret;
}

/*
 * A figure of vnd-plot: of the table job `from` wrote (-1: none), or of
 * the points when ops is set.
 */
static int
figure(struct report *r, const char *name, int from, const char *table,
    int ops, const char *const *args)
{
	int j = job_new(r, "vnd-plot", name), i;

	if (j < 0)
		return -1;
	for (i = 0; args[i] != NULL; i++)
		if (job_arg(r, j, args[i]) < 0)
			return -1;
	r->jobs[j].from = r->jobs[j].after = from;
	r->jobs[j].prio = 1;
	if (from >= 0) {
		r->jobs[j].tmparg = r->jobs[j].argc;
		if ((table ? job_arg(r, j, table) : job_tmp(r, j, "tcp.db")) < 0)
			return -1;
	}
	return ops && job_ops(r, j) < 0 ? -1 : j;
}

/*
 * The runs: the analyses, each a pass over the captures (vnd-tcpstate
 * first: the busy connections' figures wait for it), then what reads their
 * tables. The busy connections' figures are added when it ends (busy_runs).
 */
static int
plan_runs(struct report *r)
{
	char slot[32];
	int j;

	snprintf(slot, sizeof(slot), "%.9g", (double)r->slot_ns / VND_NS_PER_SEC);
	r->jhops = r->jcnt = r->jcause[0] = r->jcause[1] = r->jhfig = -1;
	r->jlim = r->jseq = -1;
	/* connections and slots in one run; shown as the slots on stdout */
	if ((r->jtcp = job_new(r, "vnd-tcpstate", NULL)) < 0 ||
	    job_arg(r, r->jtcp, "-i") < 0 || job_arg(r, r->jtcp, slot) < 0 ||
	    job_arg(r, r->jtcp, r->ops[0]) < 0)
		return -1;
	r->jobs[r->jtcp].hide = r->jobs[r->jtcp].argc;
	if (job_arg(r, r->jtcp, "-o") < 0 || job_tmp(r, r->jtcp, "tcp.db") < 0)
		return -1;
	if (r->nops >= 2 && ((r->jhops = job_new(r, "vnd-hoploss", "hops.tsv")) < 0 ||
	    job_arg(r, r->jhops, "-q") < 0 || job_ops(r, r->jhops) < 0))
		return -1;
	if ((r->jrtt = job_new(r, "vnd-rtt", "rtt.tsv")) < 0 ||
	    job_ops(r, r->jrtt) < 0)
		return -1;
	if ((r->jtput = figure(r, "tput.svg", -1, NULL, 1,
	    (const char *const[]){ "throughput", NULL })) < 0)
		return -1;
	r->jobs[r->jtput].prio = 1;
	if (r->counters != NULL && (r->jcnt = figure(r, "counters.svg", -1, NULL, 0,
	    (const char *const[]){ "counters", r->counters, NULL })) < 0)
		return -1;
	/*
	 * Two rankings, as an operator runs them: the path's hops (named
	 * after the chain's elements), and the counters' drops.
	 */
	if (r->jhops >= 0) {
		if ((j = r->jcause[0] = job_new(r, "vnd-rootcause", "causes.tsv")) < 0 ||
		    job_arg(r, j, "--hops") < 0 || job_arg(r, j,
		    r->jobs[r->jhops].out) < 0)
			return -1;
		r->jobs[j].from = r->jobs[j].after = r->jhops;
		r->jobs[j].tmparg = r->jobs[j].argc - 1;
		r->jobs[j].dash = 1;	/* shown as read from the pipe */
		if (r->chain != NULL && (job_arg(r, j, "--chain") < 0 ||
		    job_arg(r, j, r->chain) < 0))
			return -1;
		if ((r->jhfig = figure(r, "hops.svg", r->jhops,
		    r->jobs[r->jhops].out, 0, (const char *const[]){ "hops",
		    NULL })) < 0)
			return -1;
	}
	if (r->counters != NULL && ((j = r->jcause[1] = job_new(r,
	    "vnd-rootcause", "drops.tsv")) < 0 || job_arg(r, j, "-c") < 0 ||
	    job_arg(r, j, r->counters) < 0))
		return -1;
	if ((r->jrfig = figure(r, "rtt.svg", r->jrtt, r->jobs[r->jrtt].out, 0,
	    (const char *const[]){ "rtt", NULL })) < 0)
		return -1;
	return 0;
}

enum { B_SIP, B_SPORT, B_DIP, B_DPORT, B_SENDER, B_BYTES, B_RETX, B_FAST,
	B_RTO, B_VERDICT, B_N };
static const char *const busy_cols[B_N] = {
	"src_ip", "src_port", "dst_ip", "dst_port", "sender", "data_bytes",
	"retx_pkts", "retx_fast", "retx_timeout", "verdict",
};

static void
busy_set(struct busy *b, const struct vnd_tsvread *t, const int *c)
{
	const char *v[B_N];
	int i;

	for (i = 0; i < B_N; i++)
		if ((v[i] = vnd_tsvread_get(t, c[i])) == NULL)
			v[i] = "-";
	snprintf(b->flow, sizeof(b->flow), strchr(v[B_SIP], ':') ?
	    "[%s]:%s>[%s]:%s" : "%s:%s>%s:%s", v[B_SIP], v[B_SPORT], v[B_DIP],
	    v[B_DPORT]);
	snprintf(b->sender, sizeof(b->sender), "%s", v[B_SENDER]);
	snprintf(b->data_bytes, sizeof(b->data_bytes), "%s", v[B_BYTES]);
	snprintf(b->retx, sizeof(b->retx), "%s", v[B_RETX]);
	snprintf(b->retx_fast, sizeof(b->retx_fast), "%s", v[B_FAST]);
	snprintf(b->retx_timeout, sizeof(b->retx_timeout), "%s", v[B_RTO]);
	snprintf(b->verdict, sizeof(b->verdict), "%s", v[B_VERDICT]);
}

/*
 * The busy connections: the directions of data at the first point that
 * carried the most bytes, at most MAX_BUSY, none under a tenth of the first.
 */
static int
find_busy(struct report *r)
{
	struct vnd_tsvread *t;
	char *db = job_path(r, "tcp.db");
	int64_t bytes[MAX_BUSY], n;
	int c[B_N], i, k, ret;

	if (db == NULL || vnd_tsvread_open(&t, db, "connections", r->err) < 0) {
		free(db);
		return db == NULL ? report_fail(r, "out of memory") : -1;
	}
	free(db);
	for (i = 0; i < B_N; i++)
		c[i] = vnd_tsvread_col(t, busy_cols[i]);
	while ((ret = vnd_tsvread_next(t, r->err)) > 0) {
		if (vnd_tsvread_int(t, c[B_BYTES], &n) < 0 || n <= 0)
			continue;
		for (k = r->nbusy; k > 0 && bytes[k - 1] < n; k--)
			if (k < MAX_BUSY) {
				bytes[k] = bytes[k - 1];
				r->busy[k] = r->busy[k - 1];
			}
		if (k == MAX_BUSY)
			continue;
		bytes[k] = n;
		busy_set(&r->busy[k], t, c);
		if (r->nbusy < MAX_BUSY)
			r->nbusy++;
	}
	vnd_tsvread_close(t);
	while (r->nbusy > 1 && bytes[r->nbusy - 1] < bytes[0] / 10)
		r->nbusy--;
	return ret < 0 ? -1 : 0;
}

/*
 * When vnd-tcpstate has ended: the busy connections, and one figure of
 * their limits and one of their time-sequence graphs, a panel each
 * (vnd-plot reads the points once for all), the latter first: the longest.
 */
static int
busy_runs(struct report *r, int done)
{
	char slot[32], lsize[32], ssize[32];
	int i;

	if (done != r->jtcp)
		return 0;
	if (find_busy(r) < 0)
		return -1;
	if (r->nbusy == 0)
		return 0;
	snprintf(slot, sizeof(slot), "%.9g", (double)r->slot_ns / VND_NS_PER_SEC);
	snprintf(lsize, sizeof(lsize), "1000x%d", 100 + 260 * r->nbusy);
	snprintf(ssize, sizeof(ssize), "1000x%d", 60 + 440 * r->nbusy);
	if ((r->jseq = figure(r, "seq.svg", -1, NULL, 0,
	    (const char *const[]){ "-s", ssize, NULL })) < 0 ||
	    (r->jlim = figure(r, "limits.svg", -1, NULL, 0,
	    (const char *const[]){ "-s", lsize, "-i", slot, NULL })) < 0)
		return -1;
	r->jobs[r->jseq].prio = 0;
	for (i = 0; i < r->nbusy; i++)
		if (job_arg(r, r->jlim, "-f") < 0 ||
		    job_arg(r, r->jlim, r->busy[i].flow) < 0 ||
		    job_arg(r, r->jseq, "-f") < 0 ||
		    job_arg(r, r->jseq, r->busy[i].flow) < 0)
			return -1;
	if (job_arg(r, r->jlim, "limits") < 0 || job_tmp(r, r->jlim, "tcp.db") < 0 ||
	    job_arg(r, r->jseq, "seq") < 0 || job_ops(r, r->jseq) < 0)
		return -1;
	r->jobs[r->jlim].from = r->jtcp;
	r->jobs[r->jlim].tmparg = r->jobs[r->jlim].argc - 1;
	return 0;
}

/* The report into a file beside the output, renamed into place when whole. */
static int
write_out(struct report *r)
{
	char *tmp = NULL;
	FILE *fp = stdout;
	int ret;

	if (r->output != NULL && (asprintf(&tmp, "%s.tmp", r->output) < 0 ||
	    (fp = fopen(tmp, "w")) == NULL)) {
		report_fail(r, "cannot open '%s': %s", tmp ? tmp : r->output,
		    strerror(errno));
		free(tmp);
		return -1;
	}
	ret = r->text ? text_write(r, fp) : page_write(r, fp);
	if (fflush(fp) != 0 || ferror(fp))
		ret = report_fail(r, "'%s': %s", tmp ? tmp : "stdout",
		    strerror(errno));
	if (fp != stdout && fclose(fp) != 0 && ret == 0)
		ret = report_fail(r, "'%s': %s", tmp, strerror(errno));
	if (tmp != NULL && ret == 0 && rename(tmp, r->output) < 0)
		ret = report_fail(r, "cannot rename '%s': %s", tmp, strerror(errno));
	if (tmp != NULL && ret < 0)
		unlink(tmp);
	free(tmp);
	return ret;
}

static int
run(struct vnd_cli *cli, void *ctx)
{
	struct report *r = ctx;
	const char *tmpdir = getenv("TMPDIR");
	char *db;
	int ret = -1;

	r->ops = cli->ops;
	r->nops = cli->nops;
	r->command = cli->command;
	r->output = cli->output;
	r->chain = vnd_cli_str(cli, 'C', NULL);
	r->counters = vnd_cli_str(cli, 'c', NULL);
	r->text = vnd_cli_flag(cli, 'T');
	vnd_proc_bindir(r->bindir, sizeof(r->bindir));
	snprintf(r->dir, sizeof(r->dir), "%s/vnd-report.XXXXXX",
	    tmpdir && strlen(tmpdir) < 40 ? tmpdir : "/tmp");
	if (mkdtemp(r->dir) == NULL) {
		snprintf(cli->err, sizeof(cli->err), "cannot make a directory "
		    "in '%s': %s", tmpdir ? tmpdir : "/tmp", strerror(errno));
		return VND_RUN_ABORT;
	}
	if (plan_runs(r) == 0 && jobs_run(r, busy_runs) == 0)
		ret = write_out(r);
	jobs_free(r);
	if ((db = job_path(r, "tcp.db")) != NULL)
		unlink(db);
	free(db);
	rmdir(r->dir);
	if (ret < 0)
		return vnd_cli_fail(cli, VND_RUN_ABORT, r->err);
	return VND_RUN_OK;
}

static struct report tool_ctx = { .slot_ns = VND_NS_PER_SEC / 10 };

const struct vnd_tool vnd_tool = {
	.name = "vnd-report", .usage = usage,
	.longonly = "chain=C text=T",
	.flags = VND_CLI_OUTPUT,
	.min_ops = 1, .max_ops = 16,
	.opts = read_opts, .run = run,
	.ctx = &tool_ctx,
};
