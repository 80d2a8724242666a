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

/* "[-]SECONDS[.FRACTION]", up to 86400 s either way, to ns. */
static int
parse_signed_seconds(const char *s, int64_t *ns)
{
	int neg = *s == '-';

	if (neg || *s == '+')
		s++;
	if (strspn(s, "0.") == strlen(s) && strchr(s, '0') != NULL) {
		*ns = 0;		/* below vnd_strtons()'s range */
		return 0;
	}
	if (vnd_strtons(s, ns) < 0)
		return -1;
	if (neg)
		*ns = -*ns;
	return 0;
}

/* --offset NAME=SECONDS, once a point: each kept for check(). */
static int
option(struct vnd_cli *cli, void *ctx, int ch, char *arg)
{
	struct run *r = ctx;
	char **v;

	if (ch != OPT_OFFSET)
		return 0;
	if ((v = realloc(r->offsets, (size_t)(r->noffsets + 1) *
	    sizeof(*v))) == NULL)
		return vnd_cli_bad(cli, "out of memory");
	r->offsets = v;
	r->offsets[r->noffsets++] = arg;
	return 0;
}

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
		struct point *p = &r->pts[r->npts++];

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

/* --offset NAME=SECONDS onto its point. */
static int
check_offset(struct vnd_cli *cli, struct run *r, const char *arg)
{
	const char *eq = strrchr(arg, '=');
	int64_t ns;
	int i;

	if (eq == NULL || parse_signed_seconds(eq + 1, &ns) < 0)
		return vnd_cli_bad(cli, "--offset '%s': NAME=SECONDS, "
		    "seconds from -86400 to 86400", arg);
	for (i = 0; i < r->npts; i++)
		if (strlen(r->pts[i].name) == (size_t)(eq - arg) &&
		    strncmp(r->pts[i].name, arg, (size_t)(eq - arg)) == 0) {
			r->pts[i].given = 1;
			r->pts[i].given_ns = ns;
			return 0;
		}
	return vnd_cli_bad(cli, "--offset '%s': no point of that name", arg);
}

static int
check(struct vnd_cli *cli, void *ctx)
{
	struct run *r = ctx;
	int i;

	if (cli->nops < 2)
		return vnd_cli_bad(cli, "two or more points, in path order, "
		    "are needed");
	if ((r->lost && r->path) || ((r->lost || r->path) &&
	    (r->byflow || r->slot)))
		return vnd_cli_bad(cli, "--lost, --path and the hop rows (with "
		    "--by, -i) are different reports; choose one");
	if (check_points(cli, r) < 0)
		return -1;
	for (i = 0; i < r->noffsets; i++)
		if (check_offset(cli, r, r->offsets[i]) < 0)
			return -1;
	return 0;
}

/*
 * Point i's clock against point i - 1's: as --offset gives it (a point
 * without one, with --clock sync: 0), or from the data.
 */
static int
clock_of(struct vnd_cli *cli, struct run *r, int i)
{
	struct point *a = &r->pts[i - 1], *b = &r->pts[i];
	struct vnd_clock *c = &b->clock;

	memset(c, 0, sizeof(*c));
	c->res = VND_NS_PER_US;
	if (b->given || r->clock == 's') {
		c->kind = a->given || b->given ? VND_CLOCK_GIVEN : VND_CLOCK_SYNC;
		b->offset = b->given_ns;
		c->off = b->offset - a->offset;
		return 0;
	}
	if (vnd_clock_compare(a->path, a->owned ? NULL : a->name, b->path,
	    b->owned ? NULL : b->name, r->clock == 'e', r->window, c,
	    cli->err) < 0)
		return -1;
	b->offset = a->offset + c->off;
	return 0;
}

/* Every point's clock, first point's first; a line each on stderr. */
static int
clocks(struct vnd_cli *cli, struct run *r)
{
	struct point *p = r->pts;
	int i;

	p[0].offset = p[0].given_ns;
	snprintf(p[0].how, sizeof(p[0].how), p[0].given ? "reference, given" :
	    "reference");
	for (i = 1; i < r->npts; i++) {
		if (clock_of(cli, r, i) < 0)
			return -1;
		vnd_clock_how(&p[i].clock, p[i].how, sizeof(p[i].how));
		if (!cli->quiet)
			fprintf(stderr, "vnd-hoploss: clock of %s = clock of %s "
			    "%+.9f s (%s)\n", p[i].name, p[i - 1].name,
			    (double)(p[i].offset - p[i - 1].offset) / 1e9,
			    p[i].how);
	}
	return 0;
}

/* The matchers of the hops, and their totals. */
static int
hops_new(struct run *r)
{
	int i;

	if ((r->hops = calloc((size_t)r->npts, sizeof(*r->hops))) == NULL ||
	    (r->total = calloc(2 * (size_t)r->npts, sizeof(*r->total))) == NULL)
		return -1;
	for (i = 0; i < 2 * (r->npts - 1); i++)
		if (vnd_stats_init(&r->total[i], 32) < 0)
			return -1;
	for (i = 0; i < r->npts - 1; i++) {
		if ((r->hops[i] = vnd_match_new(i, r->window, hl_event, r)) == NULL)
			return -1;
		vnd_match_slack(r->hops[i], vnd_clock_slack(&r->pts[i + 1].clock));
		vnd_match_repeats(r->hops[i], 1);
	}
	return 0;
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

static int
advance(struct point *p)
{
	while (vnd_pktsrc_next(&p->src, &p->pk))
		if (VND_ISSET(&p->pk, VND_COL_SRC_IP))
			return p->have = 1;
	return p->have = 0;
}

static int
open_points(struct vnd_cli *cli, struct run *r)
{
	char errbuf[VND_ERRBUF_SIZE];
	int i;

	for (i = 0; i < r->npts; i++) {
		struct point *p = &r->pts[i];

		if (vnd_pktsrc_open(&p->src, p->path, p->owned ? NULL : p->name,
		    errbuf) < 0) {
			snprintf(cli->err, sizeof(cli->err), "'%.100s': %.140s",
			    p->path, errbuf);
			return -1;
		}
		p->open = 1;
		advance(p);
	}
	return 0;
}

/* The point whose next packet comes first on the first point's clock. */
static struct point *
next_point(struct run *r)
{
	struct point *p = NULL;
	int i;

	for (i = 0; i < r->npts; i++)
		if (r->pts[i].have && (p == NULL || r->pts[i].pk.ts_ns -
		    r->pts[i].offset < p->pk.ts_ns - p->offset))
			p = &r->pts[i];
	return p;
}

/* All points at once, in time order; -1 out of memory. */
static int
match_all(struct run *r)
{
	struct point *p;
	uint64_t key;
	int64_t now;
	int i, k;

	while ((p = next_point(r)) != NULL) {
		now = p->pk.ts_ns - p->offset;
		k = (int)(p - r->pts);
		if (vnd_match_key(&p->pk, &key) == 0 && ((k > 0 &&
		    vnd_match_see(r->hops[k - 1], 1, &p->pk, key, now, 0) < 0) ||
		    (k < r->npts - 1 &&
		    vnd_match_see(r->hops[k], 0, &p->pk, key, now, 0) < 0)))
			return -1;
		for (i = 0; i < r->npts - 1; i++)
			vnd_match_expire(r->hops[i], now);
		if (r->failed)
			return -1;
		advance(p);
	}
	for (i = 0; i < r->npts - 1; i++)
		vnd_match_flush(r->hops[i]);
	return r->failed ? -1 : 0;
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
		struct point *b = &r->pts[i + 1];

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
		struct point *p = &r->pts[i];

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
	if (open_points(cli, r) < 0)
		return VND_RUN_ABORT;
	if (match_all(r) < 0) {
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

	for (i = 0; i < r->npts; i++) {
		if (r->pts[i].open) {
			vnd_pktsrc_close(&r->pts[i].src);
			vnd_pktsrc_free(&r->pts[i].src);
		}
		if (r->pts[i].owned)
			free((char *)r->pts[i].name);
	}
	for (i = 0; r->hops != NULL && i < r->npts - 1; i++)
		vnd_match_free(r->hops[i]);
	for (i = 0; r->total != NULL && i < 2 * (r->npts - 1); i++)
		vnd_stats_free(&r->total[i]);
	hl_groups_free(r);
	free(r->hops);
	free(r->total);
	free(r->meta);
	free(r->pts);
	free(r->offsets);
}

static struct run tool_ctx = { .window = VND_WINDOW_NS };

const struct vnd_tool vnd_tool = {
	.name = "vnd-hoploss", .usage = usage,
	.longonly = "by=b clock=k lost=l offset=O path=P",
	.flags = VND_CLI_TABLE | VND_CLI_QUIET,
	.option = option, .opts = read_opts, .check = check, .run = run,
	.fini = run_free,
	.ctx = &tool_ctx,
};
