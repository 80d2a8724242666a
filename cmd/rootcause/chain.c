/* chain.c: PerfSight's Algorithm 2: the root cause in a chain of middleboxes joined by TCP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "rootcause.h"

/*
 * Each element's state from the connections on its sides (vnd-tcpstate's
 * table): one whose outgoing connection is receiver-limited cannot write
 * (WriteBlocked); one whose incoming connection is sender-limited waits for
 * data (ReadBlocked). An element's own statistics among the counters, when
 * it has them, say it instead. A ReadBlocked element and its successors are
 * not the cause, nor a WriteBlocked one and its predecessors: what remains
 * is (PerfSight, IMC 2015, 5.2).
 */

#define WRITE_BLOCKED	0.25	/* receiver-limited share that blocks writing */
#define READ_BLOCKED	0.90	/* sender-limited share that starves reading */

struct chain {
	const struct tsv *ch, *st, *cn;
	int		 ce, ci, co;	/* the chain's columns */
	int		 csr, crr;	/* the connections' */
	int		 n;		/* elements */
	int		*rb, *wb, *cand;
};

/* What a root cause did, by its neighbours' states: neither, after, before, both. */
static const struct verdict {
	const char	*resource, *what;
} verdicts[4] = {
	{ "-", "neither blocked reading nor writing while its neighbours were" },
	{ "sending (source)", "underloaded: it did not send fast enough, its "
	    "successors waited for data" },
	{ "receiving (sink)", "overloaded: it did not read fast enough, its "
	    "predecessors could not write" },
	{ "processing (relay)", "slow: its predecessors could not write to it "
	    "and its successors waited for its data" },
};

static const char *const chain_need[] = { "element", "in_point", "out_point" };
static const char *const state_need[] = { "sender_limited_ratio",
    "receiver_limited_ratio", "point" };

/* The connection row of tcpstate's table for a point, its client's data. */
static const struct row *
link_of(const struct tsv *s, const char *point)
{
	int cp = col(s, "point"), cs = col(s, "sender"), cb = col(s, "data_bytes");
	const struct row *best = NULL;
	size_t i;

	/* the connection of that link that carried the most of the client's data */
	for (i = 0; i < s->n; i++)
		if (strcmp(get(&s->rows[i], cp), point) == 0 &&
		    strcmp(get(&s->rows[i], cs), "client") == 0 &&
		    (best == NULL || atoll(get(&s->rows[i], cb)) >
		    atoll(get(best, cb))))
			best = &s->rows[i];
	return best;
}

/*
 * PerfSight's own element statistics for a middlebox (Algorithm 2, lines
 * 8-17): over the recording, more time in input than its bytes take at the
 * element's capacity is ReadBlocked, likewise output and WriteBlocked.
 * Returns 1 with the state set, 0 when the counters hold no such element.
 */
static int
element_state(const struct tsv *c, const char *el, int *rb, int *wb)
{
	static const char *const attrs[] = { "in_bytes", "in_time_ns",
	    "out_bytes", "out_time_ns", "capacity_bps" };
	double first[5], last[5];
	int seen[5] = { 0 }, ce, ca, cv, k;
	size_t i;

	ce = col(c, "element");
	ca = col(c, "attr");
	cv = col(c, "value");
	for (i = 0; i < c->n; i++) {
		if (strcmp(get(&c->rows[i], ce), el) != 0)
			continue;
		for (k = 0; k < 5; k++)
			if (strcmp(get(&c->rows[i], ca), attrs[k]) == 0) {
				last[k] = atof(get(&c->rows[i], cv));
				if (!seen[k]++)
					first[k] = last[k];
			}
	}
	if (!seen[4] || last[4] <= 0 || (!seen[0] && !seen[2]))
		return 0;
	/* seconds the bytes take at capacity, against the seconds spent */
	if (seen[0] && seen[1] && (last[1] - first[1]) / VND_NS_PER_SEC >
	    (last[0] - first[0]) * 8 / last[4])
		*rb = 1;
	if (seen[2] && seen[3] && (last[3] - first[3]) / VND_NS_PER_SEC >
	    (last[2] - first[2]) * 8 / last[4]) {
		*wb = 1;
		*rb = 0;
	}
	return 1;
}

/* Each element's state: its own statistics, or its two connections. */
static void
states(struct chain *c)
{
	const struct row *in, *out;
	int i;

	for (i = 0; i < c->n; i++) {
		if (c->cn != NULL && element_state(c->cn,
		    get(&c->ch->rows[i], c->ce), &c->rb[i], &c->wb[i]))
			continue;
		if (c->st == NULL)
			continue;
		in = link_of(c->st, get(&c->ch->rows[i], c->ci));
		out = link_of(c->st, get(&c->ch->rows[i], c->co));
		if (out != NULL && atof(get(out, c->crr)) >= WRITE_BLOCKED)
			c->wb[i] = 1;
		else if (in != NULL && atof(get(in, c->csr)) >= READ_BLOCKED &&
		    atof(get(in, c->crr)) < WRITE_BLOCKED)
			c->rb[i] = 1;
	}
}

/* Algorithm 2: blocked elements clear their side of the chain. */
static void
eliminate(struct chain *c)
{
	int i, k;

	for (i = 0; i < c->n; i++)
		c->cand[i] = 1;
	for (i = 0; i < c->n; i++) {
		if (c->rb[i])
			for (k = i; k < c->n; k++)
				c->cand[k] = 0;
		if (c->wb[i])
			for (k = 0; k <= i; k++)
				c->cand[k] = 0;
	}
}

static int
put_cause(struct causes *out, const struct chain *c, int i)
{
	const struct verdict *v;
	const char *el = get(&c->ch->rows[i], c->ce);
	char ev[1024], sent[768];
	int j, k;

	/* what it did wrong: it read too slowly, or wrote too slowly */
	v = &verdicts[(i + 1 < c->n && c->rb[i + 1]) |
	    ((i > 0 && c->wb[i - 1]) << 1)];
	k = snprintf(ev, sizeof(ev), "states:");
	for (j = 0; j < c->n && k < (int)sizeof(ev) - 64; j++)
		k += snprintf(ev + k, sizeof(ev) - (size_t)k, " %s=%s",
		    get(&c->ch->rows[j], c->ce), c->rb[j] ? "ReadBlocked" :
		    c->wb[j] ? "WriteBlocked" : "-");
	snprintf(sent, sizeof(sent), "%s is the root cause in the chain: %s",
	    el, v->what);
	return cause_row(out, el, "chain", v->resource, "root_cause", -1, ev,
	    sent);
}

int
chain_check(const struct tsv *ch, const struct tsv *st, char *errbuf)
{
	if (tsv_need(ch, chain_need, (int)VND_NELEM(chain_need), NULL,
	    errbuf) < 0)
		return -1;
	return st == NULL ? 0 : tsv_need(st, state_need,
	    (int)VND_NELEM(state_need), "not vnd-tcpstate's connections table",
	    errbuf);
}

int
chain(struct causes *out, const struct tsv *ch, const struct tsv *st,
    const struct tsv *cn)
{
	struct chain c;
	int i, r = -1;

	memset(&c, 0, sizeof(c));
	c.ch = ch;
	c.st = st;
	c.cn = cn;
	c.ce = col(ch, "element");
	c.ci = col(ch, "in_point");
	c.co = col(ch, "out_point");
	if (st != NULL) {
		c.csr = col(st, "sender_limited_ratio");
		c.crr = col(st, "receiver_limited_ratio");
	}
	c.n = (int)ch->n;
	if ((c.rb = calloc((size_t)c.n + 1, sizeof(int))) == NULL ||
	    (c.wb = calloc((size_t)c.n + 1, sizeof(int))) == NULL ||
	    (c.cand = calloc((size_t)c.n + 1, sizeof(int))) == NULL) {
		snprintf(out->err, VND_ERRBUF_SIZE, "out of memory");
		goto out;
	}
	states(&c);
	eliminate(&c);
	for (i = 0; i < c.n; i++)
		if (c.cand[i] && put_cause(out, &c, i) < 0)
			goto out;
	r = 0;
out:
	free(c.rb);
	free(c.wb);
	free(c.cand);
	return r;
}
