/* monitor.c: MOZART's monitors simulated on the recordings: two-mode tables and the strawman. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd_cli.h"
#include "vnd_grow.h"
#include "select.h"

/*
 * Every point but the selector is a monitor with a flow table of N entries
 * (MOZART, SOSR 2016, section 4). Until the selector's decision about a flow
 * reaches it, the delay after the flow was selected, a monitor is in normal
 * mode for that flow: sample and hold (Estan and Varghese), each packet of a
 * flow it does not hold taken with probability p, and from then on every
 * packet of the flow; a sampled flow gets a free entry or none. After the
 * decision, event mode: every packet of the selected flow is kept, its entry
 * taken first from a flow idle for the window (it ended) and then from an
 * unselected flow, the least recently active (selected flows are preferred).
 * The strawman is the same table with p = 0: a flow is kept once it is
 * selected. Per monitor and configuration: the selected flows seen there
 * kept whole, in part, or missed; the share of their packets from before
 * the decision that was kept; the most entries in use.
 */

#define NSWEEP_N	8
#define NSWEEP_P	4
static const int64_t sweep_n[NSWEEP_N] = { 4, 8, 16, 32, 64, 128, 256, 1024 };
static const double sweep_p[NSWEEP_P] = { 0, 0.01, 0.1, 0.5 };

/* A flow at the monitor: its 5-tuple there, and the selected connection it is. */
struct mflow {
	struct vnd_flowkey k;
	long		 conn;		/* -1: not selected; FREE: a free slot */
	int64_t		 last_ts;	/* its last packet here */
	uint64_t	 pkts;		/* at this monitor */
	uint8_t		 fin;		/* bit per side that sent its FIN */
	uint8_t		 closed;	/* both FINs, or a RST: its entry is free */
};

/* One table, N entries and p; its state per flow of the monitor. */
struct cfg {
	int64_t		 n;
	double		 p;
	uint64_t	 rng;		/* xorshift64: the same run, the same draws */
	int64_t		 used, used_max;
	/* per flow: held, when last seen, packets kept, before the decision */
	uint8_t		*held;
	int64_t		*last;
	uint64_t	*kept, *pre, *pre_kept;
	int32_t		*prev, *next;	/* held flows, least recently active first */
	int32_t		 head, tail;
};

#define FREE	(-2)

struct mon {
	struct sel	*s;
	struct mflow	*f;
	size_t		 nf, capf;
	size_t		*free;		/* slots of flows forgotten, nfree */
	size_t		 nfree, capfree;
	struct vnd_flowtab ft;		/* over f */
	struct cfg	*cfg;
	int		 ncfg;
};

static uint64_t
draw(struct cfg *c)
{
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	return c->rng;
}

static int
coin(struct cfg *c)
{
	return c->p > 0 && (double)(draw(c) >> 11) * 0x1p-53 < c->p;
}

static void
lru_unlink(struct cfg *c, int32_t i)
{
	if (c->prev[i] >= 0)
		c->next[c->prev[i]] = c->next[i];
	else
		c->head = c->next[i];
	if (c->next[i] >= 0)
		c->prev[c->next[i]] = c->prev[i];
	else
		c->tail = c->prev[i];
}

static void
lru_push(struct cfg *c, int32_t i)
{
	c->prev[i] = c->tail;
	c->next[i] = -1;
	if (c->tail >= 0)
		c->next[c->tail] = i;
	else
		c->head = i;
	c->tail = i;
}

static void
release(struct cfg *c, int32_t i)
{
	lru_unlink(c, i);
	c->held[i] = 0;
	c->used--;
}

/* Is flow i, now, a selected flow the monitor knows of? */
static int
decided(const struct mon *m, size_t i, int64_t now)
{
	long conn = m->f[i].conn;

	return conn >= 0 && now >= info_of(m->s, (size_t)conn)->sel_ts + m->s->delay_ns;
}

/*
 * A free entry for a flow: one of a flow that closed or was idle for the
 * window, else, for a selected flow (evict set), the least recently active
 * unselected one.
 */
static int
make_room(struct mon *m, struct cfg *c, int64_t now, int evict)
{
	int32_t i, nx;

	for (i = c->head; i >= 0 && c->used >= c->n; i = nx) {
		nx = c->next[i];
		if (m->f[i].closed || now - c->last[i] > VND_WINDOW_NS)
			release(c, i);
	}
	if (c->used < c->n)
		return 1;
	if (!evict)
		return 0;
	for (i = c->head; i >= 0; i = c->next[i])
		if (!decided(m, (size_t)i, now)) {
			release(c, i);
			return 1;
		}
	return 0;
}

/* A packet of flow i in the table c. */
static void
cfg_see(struct mon *m, struct cfg *c, size_t i, int64_t now)
{
	int ev = decided(m, i, now);

	if (m->f[i].conn >= 0 && !ev)
		c->pre[i]++;
	if (!c->held[i]) {
		if (!(ev || coin(c)) || !make_room(m, c, now, ev))
			return;
		c->held[i] = 1;
		if (++c->used > c->used_max)
			c->used_max = c->used;
	} else
		lru_unlink(c, (int32_t)i);
	lru_push(c, (int32_t)i);
	c->last[i] = now;
	c->kept[i]++;
	if (m->f[i].conn >= 0 && !ev)
		c->pre_kept[i]++;
}

static const struct vnd_flowkey *
mflow_key(void *arg, size_t i)
{
	return &((struct mon *)arg)->f[i].k;
}

/* Room in every table for flow n. */
static int
cfg_grow(struct mon *m, size_t cap)
{
	int k;

	for (k = 0; k < m->ncfg; k++) {
		struct cfg *c = &m->cfg[k];

		if ((c->held = realloc(c->held, cap)) == NULL ||
		    (c->last = realloc(c->last, cap * sizeof(*c->last))) == NULL ||
		    (c->kept = realloc(c->kept, cap * sizeof(*c->kept))) == NULL ||
		    (c->pre = realloc(c->pre, cap * sizeof(*c->pre))) == NULL ||
		    (c->pre_kept = realloc(c->pre_kept, cap *
		    sizeof(*c->pre_kept))) == NULL ||
		    (c->prev = realloc(c->prev, cap * sizeof(*c->prev))) == NULL ||
		    (c->next = realloc(c->next, cap * sizeof(*c->next))) == NULL)
			return -1;
	}
	return 0;
}

/* Does a table hold flow i? */
static int
held_any(const struct mon *m, size_t i)
{
	int k;

	for (k = 0; k < m->ncfg; k++)
		if (m->cfg[k].held[i])
			return 1;
	return 0;
}

/*
 * The flows no table holds, not selected, and idle for the window,
 * forgotten: each table's state of them is what a new flow's is, so a
 * packet of one later makes it again as it was. Memory follows the flows
 * alive, those held and those selected. -1: no memory.
 */
static int
forget(struct mon *m, int64_t now)
{
	size_t i, *nfr;

	for (i = 0; i < m->nf; i++) {
		if (m->f[i].conn != -1 || now - m->f[i].last_ts <= VND_WINDOW_NS ||
		    held_any(m, i))
			continue;
		if ((nfr = vnd_grow(m->free, &m->capfree, m->nfree, sizeof(*nfr),
		    256)) == NULL)
			return -1;
		m->free = nfr;
		m->free[m->nfree++] = i;
		vnd_flowtab_del(&m->ft, i);
		m->f[i].conn = FREE;
	}
	return 0;
}

/*
 * A slot for a new flow: one forgotten, or, the array full, those
 * forgettable forgotten first, and the array grown when they are few.
 */
static long
mflow_slot(struct mon *m, int64_t now)
{
	struct mflow *nf;
	size_t old = m->capf;

	if (m->nfree == 0 && m->nf == m->capf) {
		if (forget(m, now) < 0)
			return -1;
		/* few forgotten: room made too, so the next look is as far */
		if (m->nfree < m->capf / 4 + 1) {
			if ((nf = vnd_grow(m->f, &m->capf, m->nf, sizeof(*nf),
			    256)) == NULL)
				return -1;
			m->f = nf;
			if (m->capf != old && cfg_grow(m, m->capf) < 0)
				return -1;
		}
	}
	if (m->nfree > 0)
		return (long)m->free[--m->nfree];
	return (long)m->nf++;
}

/* The monitor's flow of pk: found, or new; *dir 1 from its server. */
static long
mflow_of(struct mon *m, struct point *p, const struct vnd_pkt *pk, int *dir)
{
	struct mflow *nf;
	long i;
	int k;

	if ((i = vnd_flowtab_find(&m->ft, pk, p->name, dir)) >= 0)
		return i;
	if ((i = mflow_slot(m, pk->ts_ns)) < 0)
		return -1;
	nf = &m->f[i];
	vnd_flowkey_init(&nf->k, pk, p->name, dir);
	nf->conn = conn_at(m->s, p, pk);
	nf->pkts = 0;
	nf->fin = nf->closed = 0;
	for (k = 0; k < m->ncfg; k++) {
		m->cfg[k].held[i] = 0;
		m->cfg[k].kept[i] = m->cfg[k].pre[i] = 0;
		m->cfg[k].pre_kept[i] = 0;
	}
	m->ft.key = mflow_key;
	m->ft.arg = m;
	if (vnd_flowtab_add(&m->ft, (size_t)i) < 0)
		return -1;
	return i;
}

static int
see_mon(struct sel *s, struct point *p, const struct vnd_frame *f,
    const struct vnd_pkt *pk)
{
	struct mon *m = s->pass;
	long i;
	int k, dir;

	(void)f;
	if (!VND_ISSET(pk, VND_COL_SRC_IP) || !VND_ISSET(pk, VND_COL_SRC_PORT))
		return 0;
	if ((i = mflow_of(m, p, pk, &dir)) < 0) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	m->f[i].pkts++;
	m->f[i].last_ts = pk->ts_ns;
	for (k = 0; k < m->ncfg; k++)
		cfg_see(m, &m->cfg[k], (size_t)i, pk->ts_ns);
	/* a closed flow's entry is free for the next flow that needs one */
	if (vnd_pkt_tcp(pk) && (pk->tcp_flags & VND_TH_FIN))
		m->f[i].fin |= (uint8_t)(1 << dir);
	if (m->f[i].fin == 3 || (vnd_pkt_tcp(pk) && (pk->tcp_flags & VND_TH_RST)))
		m->f[i].closed = 1;
	return 0;
}

/* The tables swept: every N and p asked, or the defaults; p = 0 first. */
static int
cfg_init(struct mon *m)
{
	const struct sel *s = m->s;
	double ps[NSWEEP_P + 1];
	int64_t ns[NSWEEP_N];
	int a, b, nn = 0, np = 0;

	if (s->entries)
		ns[nn++] = s->entries;
	else
		for (a = 0; a < NSWEEP_N; a++)
			ns[nn++] = sweep_n[a];
	ps[np++] = 0;
	if (s->prob > 0)
		ps[np++] = s->prob;
	else if (s->prob < 0)
		for (a = 1; a < NSWEEP_P; a++)
			ps[np++] = sweep_p[a];
	if ((m->cfg = calloc((size_t)nn * (size_t)np, sizeof(*m->cfg))) == NULL)
		return -1;
	for (b = 0; b < np; b++)
		for (a = 0; a < nn; a++) {
			struct cfg *c = &m->cfg[m->ncfg++];

			c->n = ns[a];
			c->p = ps[b];
			c->rng = 0x9e3779b97f4a7c15ULL;
			c->head = c->tail = -1;
		}
	return 0;
}

static int
put_cfg(struct vnd_table *t, const struct mon *m, const struct point *p,
    const struct cfg *c, char *err)
{
	uint64_t sel = 0, whole = 0, missed = 0, pre = 0, pre_kept = 0;
	size_t i;

	for (i = 0; i < m->nf; i++) {
		if (m->f[i].conn < 0)
			continue;
		sel++;
		whole += c->kept[i] == m->f[i].pkts;
		missed += c->kept[i] == 0;
		pre += c->pre[i];
		pre_kept += c->pre_kept[i];
	}
	vnd_put_str(t, p->name);
	vnd_put_str(t, c->p > 0 ? "two-mode" : "strawman");
	vnd_put_int(t, c->n);
	vnd_put_real(t, c->p);
	vnd_put_int(t, m->s->delay_ns);
	vnd_put_int(t, (int64_t)sel);
	vnd_put_int(t, (int64_t)whole);
	vnd_put_int(t, (int64_t)(sel - whole - missed));
	vnd_put_int(t, (int64_t)missed);
	if (sel)
		vnd_put_real(t, (double)missed / (double)sel);
	else
		vnd_put_null(t);
	vnd_put_int(t, (int64_t)pre);
	vnd_put_int(t, (int64_t)pre_kept);
	if (pre)
		vnd_put_real(t, (double)pre_kept / (double)pre);
	else
		vnd_put_null(t);
	vnd_put_int(t, c->used_max);
	return vnd_row_end(t, err);
}

static void
mon_free(struct mon *m)
{
	int k;

	for (k = 0; k < m->ncfg; k++) {
		free(m->cfg[k].held);
		free(m->cfg[k].last);
		free(m->cfg[k].kept);
		free(m->cfg[k].pre);
		free(m->cfg[k].pre_kept);
		free(m->cfg[k].prev);
		free(m->cfg[k].next);
	}
	free(m->cfg);
	free(m->f);
	free(m->free);
	vnd_flowtab_free(&m->ft);
	memset(m, 0, sizeof(*m));
}

/* Each monitor read once, every table fed at once. */
static int
one_monitor(struct sel *s, struct point *p, struct vnd_table *t, char *err)
{
	struct mon m;
	int k, status;

	memset(&m, 0, sizeof(m));
	m.s = s;
	s->pass = &m;
	if (cfg_init(&m) < 0) {
		snprintf(err, VND_ERRBUF_SIZE, "out of memory");
		mon_free(&m);
		return VND_RUN_ABORT;
	}
	status = read_point(s, p, see_mon, err);
	for (k = 0; status >= 0 && k < m.ncfg; k++)
		if (put_cfg(t, &m, p, &m.cfg[k], err) < 0)
			status = VND_RUN_SINK;
	mon_free(&m);
	s->pass = NULL;
	return status;
}

int
monitor(struct sel *s, struct vnd_table *t, char *err)
{
	int i, st, status = VND_RUN_OK;

	if (index_picks(s) < 0) {
		snprintf(err, VND_ERRBUF_SIZE, "out of memory");
		return VND_RUN_ABORT;
	}
	for (i = 0; i < s->npts; i++) {
		if (i == s->at)
			continue;
		if ((st = one_monitor(s, &s->pts[i], t, err)) < 0)
			return st;
		if (st != VND_RUN_OK)
			status = st;
	}
	return status;
}
