/* vnd-rootcause: the element and the resource behind a loss or a slowdown (PerfSight Alg. 1, 2). */
#include <stdio.h>
#include <string.h>

#include "vnd.h"
#include "vnd_cli.h"
#include "vnd_meta.h"
#include "vnd_table.h"
#include "rootcause.h"

/*
 * Two analyses of recorded artifacts (PerfSight, IMC 2015, 5.1-5.2):
 *
 * Algorithm 1, from counter snapshots (<ts_ns, element, attr, value>, as
 * vnd-capture --counters writes them): the packets each element dropped
 * over the recording, sorted, and its Table 1 rule: where a packet is
 * dropped says which resource ran short. Loss spread over several VMs'
 * TUN/TAP devices is contention; at one VM's, that VM is the bottleneck.
 *
 * Algorithm 2, for a chain of middleboxes joined by TCP: each element's
 * state from the connections on its sides (vnd-tcpstate's table): one whose
 * outgoing connection is receiver-limited cannot write (WriteBlocked); one
 * whose incoming connection is sender-limited waits for data (ReadBlocked).
 * A ReadBlocked element and its successors are not the cause, nor a
 * WriteBlocked one and its predecessors: what remains is.
 *
 * And VND's (SoCC 2013, 5.1.1), from vnd-hoploss's hops table: the hop
 * where loss and delay rise is the bottleneck middlebox.
 *
 * Algorithm 1 is in drops.c, 2 in chain.c, VND's in hops.c; this file reads
 * the inputs, all of them before a row is written, and runs the analyses
 * asked for: the chain's causes first, then the hops, then the drops.
 */

#include "usage.h"	/* the Makefile makes it of usage.txt */

/* The inputs, in the order of the meta table. */
enum { IN_COUNTERS, IN_CHAIN, IN_STATE, IN_HOPS, NIN };

static const char *const in_names[NIN] = { "counters", "chain", "state",
    "hops" };
/* the short option of each input, in the same order */
static const char in_opts[NIN + 1] = "cCsP";

struct rc {
	const char	*path[NIN];	/* NULL: not asked for */
	struct tsv	 in[NIN];
	struct vnd_meta_point meta[NIN];
};

static const struct vnd_colspec out_cols[] = {
	{ "rank", VND_INT }, { "element", VND_TEXT }, { "analysis", VND_TEXT },
	{ "resource", VND_TEXT }, { "kind", VND_TEXT }, { "lost_pkts", VND_INT },
	{ "evidence", VND_TEXT }, { "sentence", VND_TEXT },
};

int
cause_row(struct causes *out, const char *element, const char *analysis,
    const char *resource, const char *kind, long long lost,
    const char *evidence, const char *sentence)
{
	vnd_put_int(out->t, ++out->rank);
	vnd_put_str(out->t, element);
	vnd_put_str(out->t, analysis);
	vnd_put_str(out->t, resource);
	vnd_put_str(out->t, kind);
	if (lost >= 0)
		vnd_put_int(out->t, lost);
	else
		vnd_put_null(out->t);
	vnd_put_str(out->t, evidence);
	vnd_put_str(out->t, sentence);
	if (vnd_row_end(out->t, out->err) < 0) {
		out->failed = 1;
		return -1;
	}
	return 0;
}

static int
check(struct vnd_cli *cli, void *ctx)
{
	struct rc *rc = ctx;
	const char *c, *ch, *s, *h;
	int i;

	for (i = 0; i < NIN; i++)
		rc->path[i] = vnd_cli_str(cli, in_opts[i], NULL);
	c = rc->path[IN_COUNTERS];
	ch = rc->path[IN_CHAIN];
	s = rc->path[IN_STATE];
	h = rc->path[IN_HOPS];
	if (cli->nops > 0)
		return vnd_cli_bad(cli, "unexpected operand '%s'", cli->ops[0]);
	if ((c == NULL && ch == NULL && h == NULL) ||
	    (ch != NULL && s == NULL && c == NULL && h == NULL) ||
	    (s != NULL && ch == NULL))
		return vnd_cli_bad(cli, "counters (-c), hops (--hops), or a chain "
		    "(--chain) with its connections (-s) or its elements' "
		    "statistics (-c)");
	/* a chain on the command line is a usage error when wrong */
	if (ch != NULL && chain_inline(ch) &&
	    chain_read(&rc->in[IN_CHAIN], ch, cli->err) < 0)
		return -1;
	return 0;
}

/* Every input, read whole, with the columns its analyses need. */
static int
read_inputs(struct vnd_cli *cli, struct rc *rc)
{
	struct tsv *in = rc->in;
	int i;

	for (i = 0; i < NIN; i++) {
		if (rc->path[i] == NULL)
			continue;
		/* (an inline chain was read by check()) */
		if (in[i].buf == NULL && (i == IN_CHAIN ? chain_read(&in[i],
		    rc->path[i], cli->err) : tsv_read(&in[i], rc->path[i],
		    cli->err)) < 0)
			return -1;
		rc->meta[cli->nmeta++] = (struct vnd_meta_point){
			.name = in_names[i], .file = rc->path[i],
			.format = i == IN_CHAIN && chain_inline(rc->path[i]) ?
			    "inline" : "tsv",
			.packets = in[i].n,
		};
	}
	cli->meta = rc->meta;
	if (in[IN_COUNTERS].buf != NULL && drops_check(&in[IN_COUNTERS],
	    cli->err) < 0)
		return -1;
	if (in[IN_CHAIN].buf != NULL && chain_check(&in[IN_CHAIN],
	    in[IN_STATE].buf ? &in[IN_STATE] : NULL, cli->err) < 0)
		return -1;
	if (in[IN_HOPS].buf != NULL && hops_check(&in[IN_HOPS], cli->err) < 0)
		return -1;
	return 0;
}

/* The input i, if it was asked for. */
static const struct tsv *
input(const struct rc *rc, int i)
{
	return rc->path[i] != NULL ? &rc->in[i] : NULL;
}

static int
run(struct vnd_cli *cli, void *ctx)
{
	struct rc *rc = ctx;
	const struct tsv *cn = input(rc, IN_COUNTERS), *ch = input(rc, IN_CHAIN);
	const struct tsv *st = input(rc, IN_STATE), *hp = input(rc, IN_HOPS);
	struct causes out = { NULL, 0, 0, cli->err };

	if (read_inputs(cli, rc) < 0)
		return VND_RUN_ABORT;
	if ((out.t = vnd_cli_table(cli, "causes", out_cols,
	    (int)VND_NELEM(out_cols))) == NULL)
		return VND_RUN_SINK;
	if ((ch != NULL && (st != NULL || cn != NULL) &&
	    chain(&out, ch, st, cn) < 0) ||
	    (hp != NULL && hops(&out, hp, ch) < 0) ||
	    (cn != NULL && drops(&out, cn) < 0))
		return out.failed ? VND_RUN_SINK : VND_RUN_ABORT;
	return VND_RUN_OK;
}

static void
rc_free(void *ctx)
{
	struct rc *rc = ctx;
	int i;

	for (i = 0; i < NIN; i++)
		tsv_free(&rc->in[i]);
}

static struct rc tool_ctx;

const struct vnd_tool vnd_tool = {
	.name = "vnd-rootcause", .usage = usage,
	.longonly = "chain=C hops=P",
	.flags = VND_CLI_TABLE,
	.check = check, .run = run, .fini = rc_free,
	.ctx = &tool_ctx,
};
