/* vnd-select: the flows an event selected at one capture point, and their packets at every point. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd_cli.h"
#include "vnd_cols.h"
#include "vnd_num.h"
#include "vnd_point.h"
#include "select.h"

/*
 * MOZART (SOSR 2016) on recordings: a selector point finds the flows that
 * show an event (detect.c, by vnd_event's definitions on vnd-tcpstate's
 * engine), and every point gives the packets of those flows, found through
 * NAT by their fingerprints (extract.c); --monitor simulates MOZART's
 * monitors on the same recordings (monitor.c).
 */

/* the letters of the long-only options, as vnd_tool.longonly gives them */
enum {
	O_AFTER = 'A', O_BEFORE = 'B', O_BYTES = 'b', O_DELAY = 'd',
	O_ENTRIES = 'n', O_MONITOR = 'm', O_SCAN_FAILED = 'F',
	O_SCAN_TARGETS = 'T', O_SLOW = 's', O_TOP = 't',
};

#include "usage.h"	/* the Makefile makes it of usage.txt */

static int
opt_events(struct vnd_cli *cli, struct sel *s, char *arg)
{
	char *tok, *save = NULL;
	int e;

	for (tok = strtok_r(arg, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((e = vnd_event_lookup(tok)) < 0)
			return vnd_cli_bad(cli, "-e '%s': loss, reset, zero-window,"
			    " slow, elephant, scan or unanswered", tok);
		s->events |= 1u << e;
	}
	return 0;
}

/* -e EVENTS, which may be given again: the events add up. */
static int
option(struct vnd_cli *cli, void *ctx, int ch, char *arg)
{
	return ch == 'e' ? opt_events(cli, ctx, arg) : 0;
}

/* The options given once, as the frame kept them. */
static int
read_opts(struct vnd_cli *cli, void *ctx)
{
	struct sel *s = ctx;
	int64_t bytes = 0, targets = s->conf.scan_targets;
	int64_t top = s->conf.elephant_top;

	s->at_name = vnd_cli_str(cli, 'a', NULL);
	s->dir = vnd_cli_str(cli, 'w', NULL);
	s->monitor = vnd_cli_flag(cli, O_MONITOR);
	if (vnd_cli_get_ratio(cli, 'p', &s->prob) < 0 ||
	    vnd_cli_get_seconds0(cli, O_AFTER, &s->after) < 0 ||
	    vnd_cli_get_seconds0(cli, O_BEFORE, &s->before) < 0 ||
	    (s->bytes_set = vnd_cli_get_int(cli, O_BYTES, 1, INT64_MAX,
	    &bytes)) < 0 ||
	    vnd_cli_get_seconds0(cli, O_DELAY, &s->delay_ns) < 0 ||
	    vnd_cli_get_int(cli, O_ENTRIES, 1, 100000000, &s->entries) < 0 ||
	    vnd_cli_get_ratio(cli, O_SCAN_FAILED, &s->conf.scan_failed) < 0 ||
	    vnd_cli_get_int(cli, O_SCAN_TARGETS, 1, 1000000, &targets) < 0 ||
	    vnd_cli_get_seconds0(cli, O_SLOW, &s->conf.slow_ns) < 0 ||
	    (s->top_set = vnd_cli_get_int(cli, O_TOP, 0, 100000000,
	    &top)) < 0)
		return -1;
	if (s->bytes_set)
		s->conf.elephant_bytes = (uint64_t)bytes;
	s->conf.scan_targets = (int)targets;
	s->conf.elephant_top = (int)top;
	return 0;
}

/* The operands as points: names, files, and the selector among them. */
static int
points(struct vnd_cli *cli, struct sel *s)
{
	const char *name, *path;
	int i, j;

	if ((s->pts = calloc((size_t)cli->nops, sizeof(*s->pts))) == NULL)
		return vnd_cli_bad(cli, "out of memory");
	s->npts = cli->nops;
	for (i = 0; i < cli->nops; i++) {
		vnd_point_split(cli->ops[i], &name, &path);
		if (strcmp(path, "-") == 0)
			return vnd_cli_bad(cli, "'-': captures are read twice, "
			    "standard input cannot be");
		s->pts[i].path = path;
		if ((s->pts[i].name = name ? strdup(name) :
		    vnd_point_name(path)) == NULL)
			return vnd_cli_bad(cli, "out of memory");
		if (!vnd_point_valid(s->pts[i].name))
			return vnd_cli_bad(cli, "'%s': not a point name", name);
		for (j = 0; j < i; j++)
			if (strcmp(s->pts[j].name, s->pts[i].name) == 0)
				return vnd_cli_bad(cli, "point '%s' twice",
				    s->pts[i].name);
	}
	return hop_points(s, cli->err);
}

static int
check(struct vnd_cli *cli, void *ctx)
{
	struct sel *s = ctx;

	if (s->events == 0)
		return vnd_cli_bad(cli, "no event: -e loss, reset, zero-window, "
		    "slow, elephant, scan or unanswered");
	/* --bytes alone is the bound alone */
	if (s->bytes_set && !s->top_set)
		s->conf.elephant_top = 0;
	if (!s->monitor && (s->entries || s->prob >= 0))
		return vnd_cli_bad(cli, "--entries and -p are --monitor's");
	if (s->monitor && cli->nops < 2)
		return vnd_cli_bad(cli, "--monitor: monitors are the other "
		    "points; give two or more");
	return points(cli, s);
}

/* The meta table of a SQLite artifact: the points as read. */
static void
set_meta(struct vnd_cli *cli, struct sel *s)
{
	int i;

	if ((s->meta = calloc((size_t)s->npts, sizeof(*s->meta))) == NULL)
		return;
	for (i = 0; i < s->npts; i++) {
		s->meta[i].name = s->pts[i].name;
		s->meta[i].file = s->pts[i].path;
		s->meta[i].format = s->pts[i].format;
		s->meta[i].packets = s->pts[i].packets;
	}
	cli->meta = s->meta;
	cli->nmeta = s->npts;
}

static int
run_all(struct vnd_cli *cli, struct sel *s)
{
	struct vnd_table *t;
	int status, st;

	s->quiet = cli->quiet;
	if ((t = s->monitor ? vnd_cli_table(cli, "monitors", VND_COLS(monitors)) :
	    vnd_cli_table(cli, "selected", VND_COLS(selected))) == NULL)
		return VND_RUN_SINK;
	s->late_elephants = s->dir != NULL && !s->monitor && s->before < 0 &&
	    s->after < 0;
	if ((status = detect(s, cli->err)) < 0)
		return status;
	if (s->monitor)
		return (st = monitor(s, t, cli->err)) != VND_RUN_OK ? st : status;
	if (s->dir != NULL && (st = extract(s, cli->err)) != VND_RUN_OK) {
		if (st < 0)
			return st;
		status = st;
	}
	if (s->late_elephants)
		retime_picks(s);
	if (s->dir != NULL && put_manifest(s, cli->err) < 0)
		return VND_RUN_ABORT;
	if (put_picks(s, t, cli->err) < 0)
		return VND_RUN_SINK;
	return status;
}

static int
run(struct vnd_cli *cli, void *ctx)
{
	struct sel *s = ctx;
	int status = run_all(cli, s);

	set_meta(cli, s);
	return status;
}

static void
fini(void *ctx)
{
	struct sel *s = ctx;
	int i;

	for (i = 0; s->pts != NULL && i < s->npts; i++) {
		free((char *)s->pts[i].name);
		free(s->pts[i].file);
	}
	free(s->pts);
	free(s->meta);
	free_kept(s);
	free(s->picks);
	free(s->fp);
	free(s->fpconn);
	free(s->img);
	vnd_flowtab_free(&s->ft);
	hop_free(s);
}

static struct sel sel_ctx = {
	.conf = VND_EVENT_CONF_DEFAULTS,
	.before = -1, .after = -1, .prob = -1,
	.delay_ns = 10 * VND_NS_PER_MS,
};

const struct vnd_tool vnd_tool = {
	.name = "vnd-select", .usage = usage,
	.longonly = "after=A before=B bytes=b delay=d entries=n monitor=m "
	    "scan-failed=F scan-targets=T slow=s top=t",
	.flags = VND_CLI_TABLE | VND_CLI_QUIET,
	.min_ops = 1,
	.option = option, .opts = read_opts, .check = check, .run = run,
	.fini = fini,
	.ctx = &sel_ctx,
};
