/* vnd-plot: one vnd table in, one picture out (SVG, or PNG), drawn by gnuplot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vnd.h"
#include "vnd_cli.h"
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
	if (vnd_cli_int(cli, 's', w, 200, 10000, &v[0]) < 0 ||
	    vnd_cli_int(cli, 's', x + 1, 150, 10000, &v[1]) < 0)
		return -1;
	p->width = (int)v[0];
	p->height = (int)v[1];
	return 0;
}

static int
option(struct vnd_cli *cli, void *ctx, int ch, char *arg)
{
	struct plot *p = ctx;

	switch (ch) {
	case 'a':
		p->attr = arg;
		return 0;
	case 'b':
		if (strcmp(arg, "flow") != 0 && strcmp(arg, "point") != 0)
			return vnd_cli_bad(cli, "--by '%s': not point or flow", arg);
		p->by_flow = strcmp(arg, "flow") == 0;
		return 0;
	case 'f':
		if (p->nflow == PLOT_FLOWS)
			return vnd_cli_bad(cli, "-f: at most %d connections",
			    PLOT_FLOWS);
		p->flow[p->nflow++] = arg;
		return 0;
	case 'i':
		return vnd_cli_seconds(cli, ch, arg, &p->slot_ns);
	case 'l':
		p->logy = 1;
		return 0;
	case 'P':
		p->png = 1;
		return 0;
	case 'S':
		p->script = 1;
		return 0;
	case 'r':
		p->range = arg;
		return 0;
	case 's':
		return parse_size(cli, p, arg);
	case 't':
		p->title = arg;
		return 0;
	}
	return -1;
}

static const struct kind *
kind_of(const char *name)
{
	size_t i;

	for (i = 0; i < VND_NELEM(kinds); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
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
	if (gp_begin(p) < 0 || k->fn(p) < 0 || gp_finish(p) < 0) {
		snprintf(cli->err, sizeof(cli->err), "%s", p->err);
		return VND_RUN_ABORT;
	}
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
	.min_ops = 1, .max_ops = -1,
	.option = option, .check = check, .run = run,
	.fini = plot_free,
	.ctx = &tool_ctx,
};
