/* conn.c: a run's connections, found by 5-tuple, and the events they show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpstate.h"
#include "vnd_grow.h"

static const char *const ccname[] = {
	"-", "slow_start", "congestion_avoidance", "fast_recovery",
	"timeout_recovery",
};

static const struct vnd_flowkey *
conn_key(void *arg, size_t i)
{
	return &((struct run *)arg)->c[i].k;
}

/* Anything went by after the SYN: a SYN now opens a new connection. */
static int
carried(const struct conn *c)
{
	return c->d[0].pkts || c->d[1].pkts || c->fin[0] || c->fin[1] ||
	    c->rst[0] || c->rst[1];
}

/* A run out of memory: it stops, saying so. */
static void
nomem(struct run *r)
{
	snprintf(r->err, sizeof(r->err), "out of memory");
	r->failed = 1;
}

struct conn *
conn_of(struct run *r, const struct vnd_pkt *pk, const char *point, int *dir)
{
	struct conn *c, *nc;
	long i;

	/* a 5-tuple used again, after or even during the last: a new SYN
	 * (asked of SYNs only: the others are never one) */
	if ((i = vnd_flowtab_find(&r->ft, pk, point, dir)) >= 0 &&
	    (!(pk->tcp_flags & VND_TH_SYN) || !vnd_flow_new_syn(pk,
	    *dir == 0 && r->c[i].syn, r->c[i].d[0].isn, carried(&r->c[i]))))
		return &r->c[i];
	if ((nc = vnd_grow(r->c, &r->cap, r->n, sizeof(*nc), 64)) == NULL) {
		nomem(r);
		return NULL;
	}
	r->c = nc;
	c = &r->c[r->n];
	memset(c, 0, sizeof(*c));
	vnd_flowkey_init(&c->k, pk, point, dir);
	c->first_ord = pk->ord;
	c->first_ts = pk->ts_ns;
	c->wscale[0] = c->wscale[1] = -1;
	c->shift[0] = c->shift[1] = -1;
	r->ft.key = conn_key;
	r->ft.arg = r;
	if (vnd_flowtab_place(&r->ft, i, r->n) < 0) {
		nomem(r);
		return NULL;
	}
	r->n++;
	return c;
}

/* -j: a worker keeps its events, to be merged in the order of the packets. */
static void
keep_event(struct run *r, const struct conn *c, int dir, int64_t ts,
    const char *kind, uint64_t frame, int64_t value)
{
	struct evrec *ne, *e;

	if ((ne = vnd_grow(r->evs, &r->evcap, r->nev, sizeof(*ne),
	    256)) == NULL) {
		nomem(r);
		return;
	}
	r->evs = ne;
	e = &r->evs[r->nev++];
	e->ord = r->ord;
	e->frame = frame;
	e->ts = ts;
	e->value = value;
	e->kind = kind;
	e->conn = (uint32_t)(c - r->c);
	e->dir = dir;
}

void
event(struct run *r, const struct conn *c, int dir, int64_t ts, const char *kind,
    uint64_t frame, int64_t value)
{
	if (r->failed)
		return;
	if (r->ev != NULL) {
		if (put_event(r->ev, c, dir, ts, kind, frame, value, r->err) < 0)
			r->failed = 1;
	} else if (r->keep_events)
		keep_event(r, c, dir, ts, kind, frame, value);
}

void
cc_set(struct run *r, const struct conn *c, int dir, struct dir *d, int cc,
    int64_t ts, uint64_t frame)
{
	if (d->cc == cc)
		return;
	d->cc = cc;
	event(r, c, dir, ts, ccname[cc], frame, 0);
}

void
run_free(struct run *r)
{
	size_t k;

	for (k = 0; k < r->n; k++) {
		free(r->c[k].d[0].slots);
		free(r->c[k].d[1].slots);
	}
	free(r->c);
	free(r->evs);
	vnd_flowtab_free(&r->ft);
}
