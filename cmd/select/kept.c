/* kept.c: the connections pass 1 keeps, the top elephants, each source's tries; the flows picks name. */
#include <stdlib.h>
#include <string.h>

#include "vnd_grow.h"
#include "select.h"

/*
 * Pass 1 keeps a connection, as it closes, when an event it showed is
 * asked, when it is above the elephants' bound, or when a hop lost its
 * packets; the top N elephants so far wait in vnd_event's heap, and each
 * source's tries are tallied there. What is kept grows with the flows
 * picked, the elephants asked and the sources, not with the connections
 * in the trace.
 */

struct byord {				/* a kept connection, by its first packet */
	uint64_t	 ord;
	int		 used;
	size_t		 i;
};

static void
kept_init(struct sel *s)
{
	if (s->byord.size == 0)
		s->byord = (struct vnd_htab)VND_HTAB_INIT(struct byord, ord,
		    used, 64);
}

long
keep_flow(struct sel *s, const struct vnd_tcpconn *c, const struct info *in)
{
	struct flow *nf;
	struct byord *b;
	int isnew;

	kept_init(s);
	if ((nf = vnd_grow(s->kept, &s->capkept, s->nkept, sizeof(*nf),
	    64)) == NULL)
		return -1;
	s->kept = nf;
	nf = &s->kept[s->nkept];
	nf->c = *c;
	nf->c.x = NULL;
	nf->c.d[0].slots = nf->c.d[1].slots = NULL;
	nf->in = *in;
	if ((b = vnd_htab_get(&s->byord, &c->first_ord, &isnew)) == NULL)
		return -1;
	b->i = s->nkept;
	return (long)s->nkept++;
}

long
kept_find(const struct sel *s, uint64_t ord)
{
	const struct byord *b = vnd_htab_find(&s->byord, &ord);

	return b != NULL ? (long)b->i : -1;
}

/* Connection c among the top N so far? kept: its place, or -1. */
int
offer_elephant(struct sel *s, const struct vnd_tcpconn *c,
    const struct info *in, long kept)
{
	struct elephant e;

	memset(&e, 0, sizeof(e));
	e.kept = kept;
	if (kept < 0) {
		e.f.c = *c;
		e.f.c.x = NULL;
		e.f.in = *in;
	}
	return vnd_event_top_offer(&s->top, (size_t)s->conf.elephant_top, c,
	    &e, sizeof(e)) < 0 ? -1 : 0;
}

/* A packet from or to a scanner? */
int
is_scanner_pkt(const struct sel *s, const struct vnd_pkt *pk)
{
	return vnd_event_scanner(&s->tries, pk->ip_ver, pk->src_ip) != NULL ||
	    vnd_event_scanner(&s->tries, pk->ip_ver, pk->dst_ip) != NULL;
}

static int
cmp_ord(const void *a, const void *b)
{
	const struct flow *x = a, *y = b;

	return (x->c.first_ord > y->c.first_ord) -
	    (x->c.first_ord < y->c.first_ord);
}

struct byrank {
	uint64_t	 bytes, ord;
	size_t		 i;
};

static int
cmp_rank(const void *a, const void *b)
{
	const struct byrank *x = a, *y = b;

	if (vnd_event_before(x->bytes, x->ord, y->bytes, y->ord))
		return -1;
	return vnd_event_before(y->bytes, y->ord, x->bytes, x->ord);
}

/*
 * The elephants ranked: every connection with more bytes than one of them
 * is one too (above the bound, or higher in the top), so their order among
 * themselves is their rank among all. -1: no memory.
 */
static int
rank_elephants(struct sel *s)
{
	struct byrank *r;
	size_t i, n = 0;

	if ((r = calloc(s->nkept + 1, sizeof(*r))) == NULL)
		return -1;
	for (i = 0; i < s->nkept; i++)
		if (s->kept[i].in.elephant) {
			r[n].bytes = vnd_event_bytes(&s->kept[i].c);
			r[n].ord = s->kept[i].c.first_ord;
			r[n++].i = i;
		}
	qsort(r, n, sizeof(*r), cmp_rank);
	for (i = 0; i < n; i++)
		s->kept[r[i].i].in.rank = (uint32_t)(i + 1);
	free(r);
	return 0;
}

static const struct vnd_flowkey *
kept_key(void *arg, size_t i)
{
	return &((struct sel *)arg)->kept[i].c.k;
}

/* Pass 1 over: the top elephants kept with the others. -1: no memory. */
int
settle_top(struct sel *s)
{
	size_t i;
	long k;

	struct elephant *e;

	for (i = 0; i < s->top.n; i++) {
		e = vnd_event_top_rec(&s->top, i);
		if ((k = e->kept) < 0 && (k = keep_flow(s, &e->f.c,
		    &e->f.in)) < 0)
			return -1;
		s->kept[k].in.elephant = 1;
	}
	vnd_event_top_free(&s->top);
	return 0;
}

/*
 * All kept: in the order they came, ranked, and indexed by 5-tuple (each
 * 5-tuple finding its last connection, and from it those before). -1: no
 * memory.
 */
int
settle_kept(struct sel *s)
{
	size_t i;
	int dir;

	vnd_htab_free(&s->byord);
	if (s->nkept)
		qsort(s->kept, s->nkept, sizeof(*s->kept), cmp_ord);
	if (rank_elephants(s) < 0)
		return -1;
	s->kt.key = kept_key;
	s->kt.arg = s;
	for (i = 0; i < s->nkept; i++) {
		s->kept[i].prev = vnd_flowtab_find_key(&s->kt, &s->kept[i].c.k,
		    s->kept[i].c.k.point, &dir);
		if (vnd_flowtab_place(&s->kt, s->kept[i].prev, i) < 0)
			return -1;
	}
	return 0;
}

/* Flows: the kept connections, then those only a hop's loss showed. */
size_t
nflows(const struct sel *s)
{
	return s->nkept + s->nhf;
}

struct info *
info_of(struct sel *s, size_t conn)
{
	return conn < s->nkept ? &s->kept[conn].in : &s->hf[conn - s->nkept].in;
}

int64_t
flow_sel_ts(const struct sel *s, size_t conn)
{
	return conn < s->nkept ? s->kept[conn].in.sel_ts :
	    s->hf[conn - s->nkept].in.sel_ts;
}

/* The kept connection packet pk of point p is part of, -1 for none. */
long
kept_of(const struct sel *s, const struct point *p, const struct vnd_pkt *pk)
{
	long i;
	int dir;

	if (!vnd_pkt_tcp(pk))
		return -1;
	for (i = vnd_flowtab_find(&s->kt, pk, p->name, &dir);
	    i >= 0 && s->kept[i].c.first_ord > pk->ord; i = s->kept[i].prev)
		;
	return i >= 0 && pk->ord <= s->kept[i].c.last_ord ? i : -1;
}

const struct vnd_flowkey *
flow_key(const struct sel *s, size_t conn)
{
	return conn < s->nkept ? &s->kept[conn].c.k : &s->hf[conn - s->nkept].k;
}

int
flow_proto(const struct sel *s, size_t conn)
{
	return conn < s->nkept ? 6 : s->hf[conn - s->nkept].proto;
}

/* A flow's time at the selector: a hop's flow has no bound but the options. */
int64_t
flow_first(const struct sel *s, size_t conn)
{
	return conn < s->nkept ? s->kept[conn].c.first_ts : INT64_MIN / 4;
}

int64_t
flow_last(const struct sel *s, size_t conn)
{
	return conn < s->nkept ? s->kept[conn].c.last_ts : INT64_MAX / 4;
}

void
free_kept(struct sel *s)
{
	free(s->kept);
	vnd_event_top_free(&s->top);
	vnd_htab_free(&s->byord);
	vnd_flowtab_free(&s->kt);
	vnd_event_tries_free(&s->tries);
}
