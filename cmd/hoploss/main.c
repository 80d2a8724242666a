/* vnd-hoploss: loss and delay hop by hop along a path of capture points (VND 3.3.1, 5.1.1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd_cli.h"
#include "vnd_cols.h"
#include "vnd_num.h"
#include "vnd_point.h"
#include "hoploss.h"

/* the letters of the long-only options, as tool.longonly gives them */
enum { OPT_BY = 'b', OPT_CLOCK = 'k', OPT_LOST = 'l', OPT_OFFSET = 'O',
    OPT_PATH = 'P' };

#include "usage.h"	/* the Makefile makes it of usage.txt */

/* The options given once: the report and its clocks. */
static int
read_opts(struct vnd_cli *cli, void *ctx)
{
	struct run *r = ctx;
	const char *by = vnd_cli_str(cli, OPT_BY, NULL);
	const char *clock = vnd_cli_str(cli, OPT_CLOCK, "auto");

	if (by != NULL && strcmp(by, "flow") != 0)
		return vnd_cli_bad(cli, "--by '%s': only 'flow'", by);
	if (strcmp(clock, "auto") != 0 && strcmp(clock, "sync") != 0 &&
	    strcmp(clock, "estimate") != 0)
		return vnd_cli_bad(cli, "--clock '%s': auto, sync or "
		    "estimate", clock);
	r->byflow = by != NULL;
	r->clock = (unsigned char)clock[0];
	r->lost = vnd_cli_flag(cli, OPT_LOST);
	r->path = vnd_cli_flag(cli, OPT_PATH);
	if (vnd_cli_get_seconds(cli, 'i', &r->slot) < 0)
		return -1;
	return vnd_cli_get_seconds(cli, 'w', &r->window) < 0 ? -1 : 0;
}

/* The operands as points: names valid and distinct, no standard input. */
static int
check_points(struct vnd_cli *cli, struct run *r)
{
	const char *name, *path;
	int i, k;

	if ((r->pts = calloc((size_t)cli->nops, sizeof(*r->pts))) == NULL)
		return vnd_cli_bad(cli, "out of memory");
	for (i = 0; i < cli->nops; i++) {
		struct vnd_path_point *p = &r->pts[r->npts++];

		vnd_point_split(cli->ops[i], &name, &path);
		p->path = path;
		if (strcmp(path, "-") == 0)
			return vnd_cli_bad(cli, "points are read twice (clock "
			    "offsets first): standard input cannot be one");
		p->owned = name == NULL;
		if ((p->name = name ? name : vnd_point_name(path)) == NULL)
			return vnd_cli_bad(cli, "out of memory");
		if (!vnd_point_valid(p->name))
			return vnd_cli_bad(cli, "bad point name for '%s'", path);
		for (k = 0; k < i; k++)
			if (strcmp(p->name, r->pts[k].name) == 0)
				return vnd_cli_bad(cli, "point '%s' named twice; "
				    "name them NAME=file", p->name);
	}
	return 0;
}

/* Each --offset NAME=SECONDS onto its point. */
static int
check_offsets(struct vnd_cli *cli, struct run *r)
{
	int64_t ns;
	int i, k;

	for (i = 0; (k = vnd_cli_offset(cli, OPT_OFFSET, i, &r->pts[0].name,
	    sizeof(r->pts[0]), r->npts, &ns)) >= 0; i++) {
		r->pts[k].given = 1;
		r->pts[k].given_ns = ns;
	}
	return k == VND_CLI_NONE ? 0 : -1;
}

static int
check(struct vnd_cli *cli, void *ctx)
{
	struct run *r = ctx;

	if (cli->nops < 2)
		return vnd_cli_bad(cli, "two or more points, in path order, "
		    "are needed");
	if ((r->lost && r->path) || ((r->lost || r->path) &&
	    (r->byflow || r->slot)))
		return vnd_cli_bad(cli, "--lost, --path and the hop rows (with "
		    "--by, -i) are different reports; choose one");
	if (check_points(cli, r) < 0)
		return -1;
	return check_offsets(cli, r);
}

/* Every point's clock, first point's first; a line each on stderr. */
static int
clocks(struct vnd_cli *cli, struct run *r)
{
	char line[512];
	int i;

	if (vnd_path_clocks(r->pts, r->npts, r->clock, r->window, cli->err) < 0)
		return -1;
	for (i = 1; i < r->npts && !cli->quiet; i++) {
		vnd_path_clock_line(r->pts, i, line, sizeof(line));
		fprintf(stderr, "vnd-hoploss: %s\n", line);
	}
	return 0;
}

/* The matchers of the hops, and their totals. */
static int
hops_new(struct run *r)
{
	int i;

	if ((r->total = calloc(2 * (size_t)r->npts, sizeof(*r->total))) == NULL)
		return -1;
	for (i = 0; i < 2 * (r->npts - 1); i++)
		if (vnd_stats_init(&r->total[i], 32) < 0)
			return -1;
	r->hops = vnd_path_hops(r->pts, r->npts, r->window, hl_event, r);
	return r->hops == NULL ? -1 : 0;
}

static struct vnd_table *
open_table(struct vnd_cli *cli, struct run *r)
{
	struct vnd_colspec cols[32];

	if (r->lost)
		return vnd_cli_table(cli, "lost", VND_COLS(lost));
	return vnd_cli_table(cli, "hops", cols, hl_hop_cols(r, cols,
	    (int)VND_NELEM(cols)));
}

/*
 * A pair whose delay came out negative after the correction is evidence
 * against the clock offset: said on stderr and in the meta table.
 */
static void
negatives(struct vnd_cli *cli, struct run *r)
{
	uint64_t pairs, neg;
	size_t len;
	int i;

	for (i = 0; i < r->npts - 1; i++) {
		struct vnd_path_point *b = &r->pts[i + 1];

		vnd_match_counts(r->hops[i], &pairs, &neg);
		if (neg == 0)
			continue;
		len = strlen(b->how);
		snprintf(b->how + len, sizeof(b->how) - len, "; %llu of %llu "
		    "pairs negative after correction", (unsigned long long)neg,
		    (unsigned long long)pairs);
		if (!cli->quiet)
			fprintf(stderr, "vnd-hoploss: %s - %s: %llu of %llu "
			    "packets crossed in negative time: the clock "
			    "offset is off\n", r->pts[i].name, b->name,
			    (unsigned long long)neg, (unsigned long long)pairs);
	}
}

/* The points that ended badly: warned about; -1 when one could not be read. */
static int
read_status(struct vnd_cli *cli, struct run *r, int *partial)
{
	int i;

	for (i = 0; i < r->npts; i++) {
		struct vnd_path_point *p = &r->pts[i];

		if (p->src.status < 0) {
			snprintf(cli->err, sizeof(cli->err), "'%.100s': %.140s",
			    p->path, p->src.err);
			return -1;
		}
		if (p->src.status > 0) {
			fprintf(stderr, "vnd-hoploss: '%s': %s\n", p->path,
			    p->src.err);
			*partial = 1;
		}
	}
	return 0;
}

static int
set_meta(struct vnd_cli *cli, struct run *r)
{
	int i;

	if ((r->meta = calloc((size_t)r->npts, sizeof(*r->meta))) == NULL)
		return -1;
	for (i = 0; i < r->npts; i++) {
		r->meta[i].name = r->pts[i].name;
		r->meta[i].file = r->pts[i].path;
		r->meta[i].format = vnd_pktsrc_format(&r->pts[i].src);
		r->meta[i].packets = r->pts[i].src.frame;
		r->meta[i].offset_ns = r->pts[i].offset - r->pts[0].offset;
		r->meta[i].offset_how = r->pts[i].how;
	}
	cli->meta = r->meta;
	cli->nmeta = r->npts;
	return 0;
}

static int
oom(struct vnd_cli *cli)
{
	snprintf(cli->err, sizeof(cli->err), "out of memory");
	return VND_RUN_ABORT;
}

static int
run(struct vnd_cli *cli, void *ctx)
{
	struct run *r = ctx;
	int partial = 0;

	if (clocks(cli, r) < 0)
		return VND_RUN_ABORT;
	if (hops_new(r) < 0)
		return oom(cli);
	if (!r->path && (r->t = open_table(cli, r)) == NULL)
		return VND_RUN_SINK;
	if (vnd_path_open(r->pts, r->npts, cli->err) < 0)
		return VND_RUN_ABORT;
	if (vnd_path_walk(r->pts, r->npts, r->hops, &r->failed) < 0) {
		snprintf(cli->err, sizeof(cli->err), "%s", r->failed ? r->err :
		    "out of memory");
		return VND_RUN_ABORT;
	}
	if (read_status(cli, r, &partial) < 0)
		return VND_RUN_ABORT;
	negatives(cli, r);
	if (set_meta(cli, r) < 0)
		return oom(cli);
	if (r->path)
		hl_path_report(r);
	else if (!r->lost && hl_put_rows(r->t, r, cli->err) < 0)
		return VND_RUN_SINK;
	return partial ? VND_RUN_PARTIAL : VND_RUN_OK;
}

static void
run_free(void *ctx)
{
	struct run *r = ctx;
	int i;

	vnd_path_close(r->pts, r->npts);
	for (i = 0; i < r->npts; i++)
		if (r->pts[i].owned)
			free((char *)r->pts[i].name);
	vnd_path_hops_free(r->hops, r->npts);
	for (i = 0; r->total != NULL && i < 2 * (r->npts - 1); i++)
		vnd_stats_free(&r->total[i]);
	hl_groups_free(r);
	free(r->total);
	free(r->meta);
	free(r->pts);
}

static struct run tool_ctx = {
	.window = VND_WINDOW_NS,
	.groups = VND_HTAB_INIT(struct group, k, used, 1024),
};

const struct vnd_tool vnd_tool = {
	.name = "vnd-hoploss", .usage = usage,
	.longonly = "by=b clock=k lost=l offset=O path=P",
	.flags = VND_CLI_TABLE | VND_CLI_QUIET,
	.opts = read_opts, .check = check, .run = run,
	.fini = run_free,
	.ctx = &tool_ctx,
};
