/* vnd_tcpconn.c: a run's TCP connections, found by 5-tuple, and the events they show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd_grow.h"
#include "vnd_tcpconn.h"

static const char *const ccname[] = {
	"-", "slow_start", "congestion_avoidance", "fast_recovery",
	"timeout_recovery",
};

static const struct vnd_flowkey *
conn_key(void *arg, size_t i)
{
	return &((struct vnd_tcprun *)arg)->c[i].k;
}

/* Anything went by after the SYN: a SYN now opens a new connection. */
static int
carried(const struct vnd_tcpconn *c)
{
	return c->d[0].pkts || c->d[1].pkts || c->fin[0] || c->fin[1] ||
	    c->rst[0] || c->rst[1];
}

/* A run out of memory: it stops, saying so. */
static void
nomem(struct vnd_tcprun *r)
{
	snprintf(r->err, sizeof(r->err), "out of memory");
	r->failed = 1;
}

struct vnd_tcpconn *
vnd_tcpconn_of(struct vnd_tcprun *r, const struct vnd_pkt *pk, const char *point, int *dir)
{
	struct vnd_tcpconn *c, *nc;
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

void
vnd_tcpconn_event(struct vnd_tcprun *r, const struct vnd_tcpconn *c, int dir,
    int64_t ts, const char *kind, uint64_t frame, int64_t value)
{
	if (r->failed || r->on_event == NULL)
		return;
	if (r->on_event(r, c, dir, ts, kind, frame, value) < 0)
		r->failed = 1;
}

void
vnd_tcpconn_cc(struct vnd_tcprun *r, const struct vnd_tcpconn *c, int dir, struct vnd_tcpdir *d, int cc,
    int64_t ts, uint64_t frame)
{
	if (d->cc == cc)
		return;
	d->cc = cc;
	vnd_tcpconn_event(r, c, dir, ts, ccname[cc], frame, 0);
}

void
vnd_tcprun_free(struct vnd_tcprun *r)
{
	size_t k;

	for (k = 0; k < r->n; k++) {
		free(r->c[k].d[0].slots);
		free(r->c[k].d[1].slots);
	}
	free(r->c);
	vnd_flowtab_free(&r->ft);
}
