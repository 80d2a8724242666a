/* vnd-plot: one vnd table in, one picture out (SVG, or PNG), drawn by gnuplot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vnd.h"
#include "vnd_cli.h"
#include "vnd_cmp.h"
#include "vnd_num.h"
#include "plot.h"

#include "usage.h"	/* the Makefile makes it of usage.txt */

struct kind {
	const char	*name;
	int		(*fn)(struct plot *);
};

static const struct kind kinds[] = {
	{ "cdf", plot_cdf }, { "counters", plot_counters },
	{ "hops", plot_hops }, { "limits", plot_limits },
	{ "rtt", plot_rtt }, { "seq", plot_seq },
	{ "throughput", plot_throughput },
};

static char stdin_op[] = "-";
static char *stdin_ops[] = { stdin_op, NULL };

static int
parse_size(struct vnd_cli *cli, struct plot *p, const char *arg)
{
	char *x = strchr(arg, 'x');
	char w[16];
	int64_t v[2];

	if (x == NULL || x - arg >= (long)sizeof(w))
		return vnd_cli_bad(cli, "-s '%s': not WIDTHxHEIGHT", arg);
	snprintf(w, sizeof(w), "%.*s", (int)(x - arg), arg);
	if (vnd_cli_int(cli, w, 200, 10000, &v[0]) < 0 ||
	    vnd_cli_int(cli, x + 1, 150, 10000, &v[1]) < 0)
		return -1;
	p->width = (int)v[0];
	p->height = (int)v[1];
	return 0;
}

/* -f FLOW, up to PLOT_FLOWS times: the connections to draw. */
static int
option(struct vnd_cli *cli, void *ctx, int ch, char *arg)
{
	struct plot *p = ctx;

	if (ch != 'f')
		return 0;
	if (p->nflow == PLOT_FLOWS)
		return vnd_cli_bad(cli, "-f: at most %d connections",
		    PLOT_FLOWS);
	p->flow[p->nflow++] = arg;
	return 0;
}

/* The options given once, as the frame kept them. */
static int
read_opts(struct vnd_cli *cli, void *ctx)
{
	struct plot *p = ctx;
	const char *by = vnd_cli_str(cli, 'b', "point");
	const char *size = vnd_cli_str(cli, 's', NULL);

	if (strcmp(by, "flow") != 0 && strcmp(by, "point") != 0)
		return vnd_cli_bad(cli, "--by '%s': not point or flow", by);
	p->by_flow = strcmp(by, "flow") == 0;
	if (size != NULL && parse_size(cli, p, size) < 0)
		return -1;
	p->attr = vnd_cli_str(cli, 'a', NULL);
	p->range = vnd_cli_str(cli, 'r', NULL);
	p->title = vnd_cli_str(cli, 't', NULL);
	p->logy = vnd_cli_flag(cli, 'l');
	p->png = vnd_cli_flag(cli, 'P');
	p->script = vnd_cli_flag(cli, 'S');
	return vnd_cli_get_seconds(cli, 'i', &p->slot_ns) < 0 ? -1 : 0;
}

static const struct kind *
kind_of(const char *name)
{
	return vnd_find_name(kinds, VND_NELEM(kinds), sizeof(kinds[0]), name);
}

static int
check(struct vnd_cli *cli, void *ctx)
{
	struct plot *p = ctx;

	/* -o is the frame's own (it takes it whatever the flags): the picture */
	p->output = cli->output;
	if (kind_of(cli->ops[0]) == NULL)
		return vnd_cli_bad(cli, "unknown kind '%s'", cli->ops[0]);
	if (p->png && p->script)
		return vnd_cli_bad(cli, "--png and --script exclude each other");
	if (p->png && p->output == NULL && isatty(1))
		return vnd_cli_bad(cli, "not writing PNG to a terminal (-o file)");
	return 0;
}

static int
run(struct vnd_cli *cli, void *ctx)
{
	struct plot *p = ctx;
	const struct kind *k = kind_of(cli->ops[0]);

	p->kind = k->name;
	p->ops = cli->nops > 1 ? cli->ops + 1 : stdin_ops;
	p->nops = cli->nops > 1 ? cli->nops - 1 : 1;
	if (gp_begin(p) < 0 || k->fn(p) < 0 || gp_finish(p) < 0)
		return vnd_cli_fail(cli, VND_RUN_ABORT, p->err);
	return VND_RUN_OK;
}

static void
plot_free(void *ctx)
{
	gp_free(ctx);
}

static struct plot tool_ctx = { .width = 1000, .height = 560 };

const struct vnd_tool vnd_tool = {
	.name = "vnd-plot", .usage = usage,
	.longonly = "by=b log=l png=P script=S",
	.flags = VND_CLI_OUTPUT,
	.min_ops = 1,
	.option = option, .opts = read_opts, .check = check, .run = run,
	.fini = plot_free,
	.ctx = &tool_ctx,
};
