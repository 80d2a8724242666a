/* vnd-sql: VND's SQL applications by name, on vnd-parse's SQLite file or a ClickHouse cluster. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "vnd_cli.h"
#include "vnd_num.h"
#include "sql.h"

struct run {
	struct app_opts	 o;
	const struct app *app;
	struct target	*tg;
	int		 print;
};

#include "usage.h"	/* the Makefile makes it of usage.txt */

/* A list of column names: letters, digits, '_' and commas. */
static int
names_ok(const char *s)
{
	return *s != '\0' && *s != ',' && s[strlen(s) - 1] != ',' &&
	    strstr(s, ",,") == NULL &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_,") == strlen(s);
}

/* Each --offset NAME=SECONDS onto its point, whose clock is so far ahead. */
static int
check_offsets(struct vnd_cli *cli, struct run *r)
{
	int64_t ns;
	int i, k;

	if (!vnd_cli_flag(cli, 'O'))
		return 0;
	if ((r->o.offset_ns = calloc((size_t)r->o.npoints,
	    sizeof(int64_t))) == NULL)
		return vnd_cli_bad(cli, "out of memory");
	for (i = 0; (k = vnd_cli_offset(cli, 'O', i,
	    (const char *const *)r->o.points, sizeof(char *), r->o.npoints,
	    &ns)) >= 0; i++)
		r->o.offset_ns[k] = ns;
	return k == VND_CLI_NONE ? 0 : -1;
}

/* The options, as the frame kept them. */
static int
read_opts(struct vnd_cli *cli, void *ctx)
{
	struct run *r = ctx;
	const char *place = vnd_cli_str(cli, 'P', "point");

	r->o.by = vnd_cli_str(cli, 'b', NULL);
	r->o.where = vnd_cli_str(cli, 'e', NULL);
	r->o.field = vnd_cli_str(cli, 'f', NULL);
	r->print = vnd_cli_flag(cli, 'n');
	if (r->o.by != NULL && !names_ok(r->o.by))
		return vnd_cli_bad(cli, "--by '%s': column names, "
		    "comma-separated", r->o.by);
	if (r->o.field != NULL && (!names_ok(r->o.field) ||
	    strchr(r->o.field, ',') != NULL))
		return vnd_cli_bad(cli, "--field '%s': one column name",
		    r->o.field);
	if (strcmp(place, "point") != 0 && strcmp(place, "fingerprint") != 0)
		return vnd_cli_bad(cli, "--placement '%s': point or "
		    "fingerprint", place);
	r->o.place = place[0] == 'p' ? PLACE_POINT : PLACE_FINGERPRINT;
	if (vnd_cli_get_seconds(cli, 'i', &r->o.slot_ns) < 0)
		return -1;
	return vnd_cli_get_seconds(cli, 'w', &r->o.window_ns) < 0 ? -1 : 0;
}

static int
check(struct vnd_cli *cli, void *ctx)
{
	struct run *r = ctx;

	if ((r->app = app_find(cli->ops[0])) == NULL)
		return vnd_cli_bad(cli, "'%s' is not an application: %s",
		    cli->ops[0], app_names());
	r->o.points = cli->ops + 2;
	r->o.npoints = cli->nops - 2;
	if (r->o.npoints < r->app->min_points)
		return vnd_cli_bad(cli, "%s needs %d points or more, in path order",
		    r->app->name, r->app->min_points);
	if (r->o.by == NULL)
		r->o.by = "src_ip,src_port,dst_ip,dst_port,ip_proto";
	return check_offsets(cli, r);
}

static int
run(struct vnd_cli *cli, void *ctx)
{
	struct run *r = ctx;
	struct vnd_colspec cols[64];
	struct app_out out;

	memset(&out, 0, sizeof(out));
	out.cols = cols;
	out.ncols = app_cols(r->app, &r->o, cols);
	if (target_open(&r->tg, cli->ops[1], cli->err) < 0)
		return VND_RUN_ABORT;
	if (!r->print && (out.t = vnd_cli_table(cli, r->app->table, cols,
	    out.ncols)) == NULL)
		return VND_RUN_SINK;
	if (app_run(r->app, r->tg, &r->o, &out, r->print, cli->err) < 0)
		return VND_RUN_ABORT;
	return VND_RUN_OK;
}

static void
run_free(void *ctx)
{
	struct run *r = ctx;

	target_close(r->tg);
	r->tg = NULL;
	free(r->o.offset_ns);
}

static struct run tool_ctx = {
	.o = { .window_ns = VND_WINDOW_NS,
	    .slot_ns = VND_NS_PER_SEC },
};

const struct vnd_tool vnd_tool = {
	.name = "vnd-sql", .usage = usage,
	.longonly = "by=b field=f offset=O placement=P where=e",
	.flags = VND_CLI_TABLE,
	.min_ops = 2,
	.opts = read_opts, .check = check, .run = run, .fini = run_free,
	.ctx = &tool_ctx,
};
