/* vnd-check: for cron: silent while the path is well, one line per threshold crossed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vnd.h"
#include "vnd_cli.h"
#include "vnd_errf.h"
#include "vnd_num.h"
#include "vnd_proc.h"
#include "vnd_tsvread.h"
#include "check.h"

/*
 * The checks are the tools' own analyses, run as programs on the points
 * (vnd-hoploss on the path, vnd-rootcause on its hops, vnd-rtt and
 * vnd-tcpstate at the first point, the client end): the same numbers an
 * engineer finds when running them by hand, and no second implementation.
 * Only their tables' rows that cross a threshold are printed.
 */

#include "usage.h"	/* the Makefile makes it of usage.txt */

/* The thresholds given; the defaults are tool_ctx's. */
static int
read_opts(struct vnd_cli *cli, void *ctx)
{
	struct check *c = ctx;

	c->chain = vnd_cli_str(cli, 'C', NULL);
	c->counters = vnd_cli_str(cli, 'c', NULL);
	if (vnd_cli_get_seconds(cli, 'd', &c->delay_ns) < 0 ||
	    vnd_cli_get_ratio(cli, 'l', &c->loss) < 0 ||
	    vnd_cli_get_int(cli, 'm', 0, INT64_MAX, &c->min_pkts) < 0 ||
	    vnd_cli_get_ratio(cli, 'r', &c->retx) < 0)
		return -1;
	return vnd_cli_get_seconds(cli, 't', &c->rtt_ns) < 0 ? -1 : 0;
}

/* A point of the tools' command lines, once. */
static int
add_point(struct check *c, const char *name, const char *path)
{
	char *p;
	int i;

	if ((name != NULL ? asprintf(&p, "%s=%s", name, path) :
	    asprintf(&p, "%s", path)) < 0)
		return vnd_errf(c->err, "out of memory");
	for (i = 0; i < c->npoints; i++)
		if (strcmp(c->points[i], p) == 0) {
			free(p);
			return 0;
		}
	if (c->npoints == MAX_POINTS) {
		free(p);
		return vnd_errf(c->err, "at most %d points", MAX_POINTS);
	}
	c->points[c->npoints++] = p;
	return 0;
}

/* A database's points, as NAME=file.db, in the order vnd-parse loaded them. */
static int
db_points(struct check *c, const char *db)
{
	struct vnd_tsvread *t;
	const char *name;
	int col, r;

	if (vnd_tsvread_open(&t, db, "meta", c->err) < 0)
		return -1;
	col = vnd_tsvread_col(t, "point");
	while ((r = vnd_tsvread_next(t, c->err)) > 0)
		if ((name = vnd_tsvread_get(t, col)) != NULL &&
		    add_point(c, name, db) < 0) {
			r = -1;
			break;
		}
	vnd_tsvread_close(t);
	return r;
}

static int
points(struct vnd_cli *cli, struct check *c)
{
	int i;

	if (cli->nops == 1 && vnd_path_is_sqlite(cli->ops[0]))
		return db_points(c, cli->ops[0]);
	for (i = 0; i < cli->nops; i++)
		if (add_point(c, NULL, cli->ops[i]) < 0)
			return -1;
	return 0;
}

/* Run a tool into dir/out, then judge that table. */
static int
run_judge(struct check *c, const char *out, char *const argv[],
    const struct judge *j)
{
	char *path = tool_path(c, out);
	int r;

	if (path == NULL)
		return vnd_errf(c->err, "out of memory");
	r = tool_run(c, out, argv) < 0 || judge(c, j, path) < 0 ? -1 : 0;
	free(path);
	return r;
}

/* Loss and delay at each hop (two points or more), and what vnd-rootcause makes of them. */
static int
check_path(struct check *c)
{
	char *argv[MAX_POINTS + 8];
	int n = 0, i;

	if (c->npoints >= 2) {
		argv[n++] = "vnd-hoploss";
		argv[n++] = "-q";
		for (i = 0; i < c->npoints; i++)
			argv[n++] = c->points[i];
		argv[n] = NULL;
		if (run_judge(c, "hops.tsv", argv, &judge_hops) < 0)
			return -1;
	}
	n = 0;
	argv[n++] = "vnd-rootcause";
	if (c->npoints >= 2) {
		argv[n++] = "--hops";
		argv[n++] = tool_path(c, "hops.tsv");
	}
	if (c->counters != NULL) {
		argv[n++] = "-c";
		argv[n++] = (char *)c->counters;
	}
	if (c->chain != NULL) {
		argv[n++] = "--chain";
		argv[n++] = (char *)c->chain;
	}
	argv[n] = NULL;
	i = n > 1 ? run_judge(c, "causes.tsv", argv, &judge_causes) : 0;
	if (c->npoints >= 2)
		free(argv[2]);
	return i;
}

/* RTT and retransmissions at the first point, the client end. */
static int
check_flows(struct check *c)
{
	char *rtt[] = { "vnd-rtt", "-q", "--summary", c->points[0], NULL };
	char *tcp[] = { "vnd-tcpstate", c->points[0], NULL };

	if (run_judge(c, "rtt.tsv", rtt, &judge_rtt) < 0)
		return -1;
	return run_judge(c, "conns.tsv", tcp, &judge_retx);
}

static void
clean_dir(struct check *c)
{
	static const char *const files[] = {
		"hops.tsv", "causes.tsv", "rtt.tsv", "conns.tsv", "stderr",
	};
	char *p;
	size_t i;

	for (i = 0; i < VND_NELEM(files); i++)
		if ((p = tool_path(c, files[i])) != NULL) {
			unlink(p);
			free(p);
		}
	rmdir(c->dir);
}

static int
run(struct vnd_cli *cli, void *ctx)
{
	struct check *c = ctx;
	const char *tmp = getenv("TMPDIR");
	int r;

	if (points(cli, c) < 0)
		return vnd_cli_fail(cli, VND_RUN_ABORT, c->err);
	if (c->npoints == 0) {
		snprintf(cli->err, sizeof(cli->err), "'%s': no point",
		    cli->ops[0]);
		return VND_RUN_ABORT;
	}
	vnd_proc_bindir(c->bindir, sizeof(c->bindir));
	snprintf(c->dir, sizeof(c->dir), "%s/vnd-check.XXXXXX",
	    tmp != NULL && *tmp != '\0' && strlen(tmp) < 40 ? tmp : "/tmp");
	if (mkdtemp(c->dir) == NULL) {
		snprintf(cli->err, sizeof(cli->err), "cannot make '%s': %m",
		    c->dir);
		return VND_RUN_ABORT;
	}
	r = check_path(c) < 0 || check_flows(c) < 0 ? -1 : 0;
	clean_dir(c);
	if (r < 0)
		return vnd_cli_fail(cli, VND_RUN_ABORT, c->err);
	/* a finding is not a failure, and the status says so */
	return c->found > 0 ? VND_RUN_FOUND : VND_RUN_OK;
}

static void
check_free(void *ctx)
{
	struct check *c = ctx;
	int i;

	for (i = 0; i < c->npoints; i++)
		free(c->points[i]);
	c->npoints = 0;
}

static struct check tool_ctx = {
	.loss = 0.01, .delay_ns = 10 * VND_NS_PER_MS,
	.rtt_ns = 200 * VND_NS_PER_MS, .retx = 0.05, .min_pkts = 20,
};

const struct vnd_tool vnd_tool = {
	.name = "vnd-check", .usage = usage,
	.longonly = "chain=C delay-p99=d loss=l min-pkts=m retx=r rtt-p99=t",
	.min_ops = 1, .max_ops = MAX_POINTS,
	.opts = read_opts, .run = run, .fini = check_free,
	.ctx = &tool_ctx,
};
