/* events.c: the connections' events, written as found or, on workers (-j), kept to merge. */
#include <stdio.h>
#include <stdlib.h>

#include "tcpstate.h"
#include "vnd_grow.h"

/* -j: a worker keeps its events, to be merged in the order of the packets. */
static int
keep_event(struct run *r, const struct vnd_tcpconn *c, int dir, int64_t ts,
    const char *kind, uint64_t frame, int64_t value)
{
	struct evrec *ne, *e;

	if ((ne = vnd_grow(r->evs, &r->evcap, r->nev, sizeof(*ne),
	    256)) == NULL) {
		snprintf(r->t.err, sizeof(r->t.err), "out of memory");
		return -1;
	}
	r->evs = ne;
	e = &r->evs[r->nev++];
	e->ord = r->t.ord;
	e->frame = frame;
	e->ts = ts;
	e->value = value;
	e->kind = kind;
	e->conn = (uint32_t)vnd_tcprun_id(&r->t, c);
	e->dir = dir;
	return 0;
}

int
on_event(struct vnd_tcprun *t, const struct vnd_tcpconn *c, int dir,
    int64_t ts, const char *kind, uint64_t frame, int64_t value)
{
	struct run *r = (struct run *)t;

	if (r->ev != NULL)
		return put_event(r->ev, c, dir, ts, kind, frame, value, t->err);
	if (r->keep_events)
		return keep_event(r, c, dir, ts, kind, frame, value);
	return 0;
}

void
run_free(struct run *r)
{
	vnd_tcprun_free(&r->t);
	free(r->evs);
}
