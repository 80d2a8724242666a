/* vnd-tcpstate: what each TCP connection did and what limited it, from packets at one point. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd_cli.h"
#include "vnd_num.h"
#include "tcpstate.h"

/*
 * The hypervisor TCP inference of the papers (Dapper's workshop version):
 * per connection the constants of its handshake, counters, and a calculated
 * state (limit.c): what limited each sender at every moment, and the verdict,
 * the state with the largest share of the connection's active time.
 * The engine is the library's (vnd_tcpconn); events.c takes its events,
 * output.c writes the tables.
 */

struct opts {
	int		 events;	/* --events */
	int64_t		 slot_ns;	/* -i */
	int		 nj;		/* -j */
	struct run	*runs;		/* one per thread */
};

#include "usage.h"	/* the Makefile makes it of usage.txt */

static int
check(struct vnd_cli *cli, void *ctx)
{
	struct opts *o = ctx;
	const char *nj = vnd_cli_str(cli, 'j', "1");
	char errbuf[VND_ERRBUF_SIZE];
	int64_t v;

	if (vnd_strtonum(nj, 1, 64, &v, errbuf) < 0)
		return vnd_cli_bad(cli, "-j '%s': threads, from 1 to 64", nj);
	o->nj = (int)v;
	o->events = vnd_cli_flag(cli, 'e');
	if (vnd_cli_get_seconds(cli, 'i', &o->slot_ns) < 0)
		return -1;
	if (o->events && o->slot_ns && cli->output == NULL)
		return vnd_cli_bad(cli,
		    "--events and -i are different tables; -o holds both");
	return 0;
}

/* The tables of this run, opened before reading: -o writes them all. */
static int
open_tables(struct vnd_cli *cli, const struct opts *o, struct vnd_table **conns,
    struct vnd_table **slots, struct vnd_table **evt)
{
	int db = cli->output != NULL;

	if ((db || (!o->events && !o->slot_ns)) && (*conns = vnd_cli_table(cli,
	    "connections", conn_cols, nconn_cols)) == NULL)
		return -1;
	if (o->slot_ns && (*slots = vnd_cli_table(cli, "slots", slot_cols,
	    nslot_cols)) == NULL)
		return -1;
	if ((db || o->events) && (*evt = vnd_cli_table(cli, "events", ev_cols,
	    nev_cols)) == NULL)
		return -1;
	return 0;
}

/*
 * One thread: a packet to the engine, then the connections it closed
 * written, as far as the order of the table allows.
 */
static int
see_put(void *arg, const struct vnd_pkt *pk, const char *point)
{
	struct run *r = arg;
	struct vnd_tcprun *t = &r->t;

	if (vnd_tcpconn_see(t, pk, point) < 0)
		return -1;
	/* (the oldest connection still alive: nothing to write, the common case) */
	if (t->base < t->n && vnd_tcprun_conn(t, t->base)->x == NULL &&
	    put_closed(r, t->err) < 0) {
		t->failed = 1;
		return -1;
	}
	return 0;
}

/* Read every point, each thread its connections; the first failure's reason. */
static int
read_points(struct vnd_cli *cli, struct opts *o, struct vnd_table *evt)
{
	void **args;
	int w, status;

	if ((args = calloc((size_t)o->nj, sizeof(*args))) == NULL) {
		vnd_cli_bad(cli, "out of memory");
		return VND_RUN_ABORT;
	}
	/* one thread writes its events as found; workers keep theirs to merge */
	for (w = 0; w < o->nj; w++) {
		args[w] = o->nj == 1 ? (void *)&o->runs[w] : (void *)&o->runs[w].t;
		o->runs[w].t.slot_ns = o->slot_ns;
		o->runs[w].t.on_event = on_event;
		o->runs[w].ev = o->nj == 1 ? evt : NULL;
		o->runs[w].keep_events = o->nj > 1 && evt != NULL;
	}
	status = vnd_cli_read_j(cli, o->nj, o->nj == 1 ? see_put :
	    vnd_tcpconn_see, args);
	free(args);
	for (w = 0; w < o->nj; w++)
		if (o->runs[w].t.failed) {
			snprintf(cli->err, sizeof(cli->err), "%s", o->runs[w].t.err);
			return VND_RUN_SINK;
		}
	return status;
}

/* The connections still alive at the end closed, and the rest written. */
static int
put_rest(struct opts *o, struct vnd_table *conns, struct vnd_table *slots,
    char *err)
{
	int w;

	for (w = 0; w < o->nj; w++)
		if (vnd_tcprun_end(&o->runs[w].t) < 0) {
			snprintf(err, VND_ERRBUF_SIZE, "out of memory");
			return -1;
		}
	if (conns == NULL && slots == NULL)
		return 0;
	if (o->nj == 1)
		return put_closed(&o->runs[0], err);
	return put_conns(o->runs, o->nj, conns, slots, err);
}

static int
run(struct vnd_cli *cli, void *ctx)
{
	struct opts *o = ctx;
	struct vnd_table *conns = NULL, *slots = NULL, *evt = NULL;
	int status;

	if ((o->runs = calloc((size_t)o->nj, sizeof(*o->runs))) == NULL) {
		vnd_cli_bad(cli, "out of memory");
		return VND_RUN_ABORT;
	}
	if (open_tables(cli, o, &conns, &slots, &evt) < 0)
		return VND_RUN_SINK;
	if (o->nj == 1) {
		o->runs[0].conns = conns;
		o->runs[0].slots = slots;
	}
	if ((status = read_points(cli, o, evt)) < 0)
		return status;
	if (o->nj > 1 && evt != NULL && put_events(o->runs, o->nj, evt,
	    cli->err) < 0)
		return VND_RUN_SINK;
	if (put_rest(o, conns, slots, cli->err) < 0)
		return VND_RUN_SINK;
	return status;
}

static void
opts_free(void *ctx)
{
	struct opts *o = ctx;
	int w;

	for (w = 0; o->runs != NULL && w < o->nj; w++)
		run_free(&o->runs[w]);
	free(o->runs);
}

static struct opts tool_ctx;

const struct vnd_tool vnd_tool = {
	.name = "vnd-tcpstate", .usage = usage,
	.longonly = "events=e",
	.flags = VND_CLI_TABLE | VND_CLI_STDIN,
	.min_ops = 1,
	.check = check, .run = run,
	.fini = opts_free,
	.ctx = &tool_ctx,
};
