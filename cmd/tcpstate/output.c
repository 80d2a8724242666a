/* output.c: the tables of vnd-tcpstate: connections, events, slots, in the order one thread finds them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpstate.h"

static const char *const lname[] = { "sender", "receiver", "network" };

/* Whose direction a row is, and the shares of its time (put_dir, put_shares). */
#define DIR_COLS \
	{ "point", VND_TEXT }, { "src_ip", VND_TEXT }, { "src_port", VND_INT }, \
	{ "dst_ip", VND_TEXT }, { "dst_port", VND_INT }, { "ip_proto", VND_INT }, \
	{ "sender", VND_TEXT }
#define SHARE_COLS \
	{ "sender_limited_ratio", VND_REAL }, \
	{ "receiver_limited_ratio", VND_REAL }, \
	{ "network_limited_ratio", VND_REAL }, { "verdict", VND_TEXT }

const struct vnd_colspec conn_cols[] = {
	DIR_COLS, { "start_ts_ns", VND_INT }, { "end_ts_ns", VND_INT },
	{ "conn_state", VND_TEXT }, { "mss", VND_INT }, { "wscale_snd", VND_INT },
	{ "wscale_rcv", VND_INT }, { "sack_ok", VND_INT }, { "ts_ok", VND_INT },
	{ "data_pkts", VND_INT }, { "data_bytes", VND_INT },
	{ "unique_bytes", VND_INT }, { "retx_pkts", VND_INT },
	{ "retx_fast", VND_INT }, { "retx_timeout", VND_INT },
	{ "capture_dups", VND_INT }, { "dupacks", VND_INT },
	{ "triple_dupacks", VND_INT }, { "zero_windows", VND_INT },
	{ "zero_window_probes", VND_INT }, { "window_full", VND_INT },
	{ "max_flight_bytes", VND_INT }, SHARE_COLS,
	{ "reordered_pkts", VND_INT }, { "retx_lost_upstream", VND_INT },
	{ "retx_spurious", VND_INT }, { "mss_inferred", VND_INT },
};
const int nconn_cols = VND_NELEM(conn_cols);

const struct vnd_colspec slot_cols[] = {
	DIR_COLS, { "slot_ts_ns", VND_INT }, SHARE_COLS,
};
const int nslot_cols = VND_NELEM(slot_cols);

const struct vnd_colspec ev_cols[] = {
	{ "point", VND_TEXT }, { "ts_ns", VND_INT }, { "frame", VND_INT },
	{ "src_ip", VND_TEXT }, { "src_port", VND_INT }, { "dst_ip", VND_TEXT },
	{ "dst_port", VND_INT }, { "event", VND_TEXT }, { "value", VND_INT },
};
const int nev_cols = VND_NELEM(ev_cols);

int
put_event(struct vnd_table *t, const struct vnd_tcpconn *c, int dir, int64_t ts,
    const char *kind, uint64_t frame, int64_t value, char *errbuf)
{
	vnd_put_str(t, c->k.point);
	vnd_put_int(t, ts);
	vnd_put_int(t, (int64_t)frame);
	vnd_flowkey_put(t, &c->k, dir);
	vnd_put_str(t, kind);
	vnd_put_int(t, value);
	return vnd_row_end(t, errbuf);
}

/*
 * The runs' lists, each in the order of the input, merged into one: the item
 * with the least ord first. One list is a run's events or its connections;
 * ord is NO_ORD past a list's end.
 */
#define NO_ORD	UINT64_MAX

struct list {
	uint64_t	(*ord)(const struct run *, size_t);
	int		(*put)(struct run *, size_t, struct vnd_table *,
			    struct vnd_table *, char *);
};

static int
merge(struct run *runs, int nj, const struct list *l, struct vnd_table *t,
    struct vnd_table *t2, char *errbuf)
{
	size_t *at;
	uint64_t o, least;
	int w, best, ret = 0;

	if ((at = calloc((size_t)nj, sizeof(*at))) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	for (;;) {
		best = -1;
		least = NO_ORD;
		for (w = 0; w < nj; w++)
			if ((o = l->ord(&runs[w], at[w])) < least) {
				least = o;
				best = w;
			}
		if (best < 0 ||
		    (ret = l->put(&runs[best], at[best]++, t, t2, errbuf)) < 0)
			break;
	}
	free(at);
	return ret;
}

static uint64_t
ev_ord(const struct run *r, size_t i)
{
	return i < r->nev ? r->evs[i].ord : NO_ORD;
}

static int
ev_put(struct run *r, size_t i, struct vnd_table *t, struct vnd_table *unused,
    char *errbuf)
{
	const struct evrec *e = &r->evs[i];

	(void)unused;
	return put_event(t, vnd_tcprun_conn(&r->t, e->conn), e->dir, e->ts,
	    e->kind, e->frame, e->value, errbuf);
}

/* -j: the workers' events, in the order one thread finds them. */
int
put_events(struct run *runs, int nj, struct vnd_table *t, char *errbuf)
{
	static const struct list events = { ev_ord, ev_put };

	return merge(runs, nj, &events, t, NULL, errbuf);
}

/* Zeek's conn_state, from what was seen of the handshake and the close. */
static const char *
conn_state(const struct vnd_tcpconn *c)
{
	if (!c->syn)
		return "OTH";
	if (c->rst_first == 2 && !c->synack)
		return "REJ";
	if (!c->synack)
		return c->rst[0] ? "RSTOS0" : "S0";
	if (c->rst_first == 1)
		return "RSTO";
	if (c->rst_first == 2)
		return "RSTR";
	if (c->fin[0] && c->fin[1])
		return "SF";
	if (c->fin[0])
		return "S2";
	if (c->fin[1])
		return "S3";
	return "S1";
}

/* The five columns that say whose direction a row is. */
static void
put_dir(struct vnd_table *t, const struct vnd_tcpconn *c, int dir)
{
	vnd_put_str(t, c->k.point);
	vnd_flowkey_put(t, &c->k, dir);
	vnd_put_int(t, 6);
	vnd_put_str(t, dir ? "server" : "client");
}

/* The three shares of lim and the largest, or unset when no time counted. */
static void
put_shares(struct vnd_table *t, const int64_t *lim)
{
	int64_t tot = 0;
	int k, best = -1;

	for (k = 0; k < L_N; k++)
		tot += lim[k];
	for (k = 0; k < L_N; k++) {
		if (tot > 0)
			vnd_put_real(t, (double)lim[k] / (double)tot);
		else
			vnd_put_null(t);
		if (tot > 0 && (best < 0 || lim[k] > lim[best]))
			best = k;
	}
	vnd_put_str(t, best >= 0 ? lname[best] : NULL);
}

/* -i: the shares of each time slot the direction was active in */
static int
put_slots(struct vnd_table *t, const struct vnd_tcpconn *c, int dir, char *errbuf)
{
	const struct vnd_tcpdir *d = &c->d[dir];
	size_t i;

	for (i = 0; i < d->nslots; i++) {
		const struct vnd_tcpslot *sl = &d->slots[i];

		if (sl->lim[L_SENDER] + sl->lim[L_RECEIVER] +
		    sl->lim[L_NETWORK] == 0)
			continue;
		put_dir(t, c, dir);
		vnd_put_int(t, sl->start);
		put_shares(t, sl->lim);
		if (vnd_row_end(t, errbuf) < 0)
			return -1;
	}
	return 0;
}

/* The handshake's constants of a direction. */
static void
put_constants(struct vnd_table *t, const struct vnd_tcpconn *c, int dir)
{
	const struct vnd_tcpdir *d = &c->d[dir];

	if (c->mss[!dir])
		vnd_put_int(t, c->mss[!dir]);
	else if (d->max_seg)
		vnd_put_int(t, d->max_seg);
	else
		vnd_put_null(t);
	if (c->wscale[dir] >= 0 && c->wscale[!dir] >= 0) {
		vnd_put_int(t, c->wscale[dir]);
		vnd_put_int(t, c->wscale[!dir]);
	} else {
		vnd_put_null(t);
		vnd_put_null(t);
	}
	vnd_put_int(t, c->syn && c->synack ? c->sack_ok[0] && c->sack_ok[1] : 0);
	vnd_put_int(t, c->syn && c->synack ? c->ts_ok[0] && c->ts_ok[1] : 0);
}

static void
put_counters(struct vnd_table *t, const struct vnd_tcpdir *d)
{
	const uint64_t v[] = {
		d->pkts, d->bytes, d->unique, d->retx, d->retx_fast,
		d->retx_timeout, d->dup_capture, d->dupacks, d->dup3,
		d->zero_win, d->zw_probes, d->win_full, d->flight_peak,
	};
	size_t k;

	for (k = 0; k < VND_NELEM(v); k++)
		vnd_put_int(t, (int64_t)v[k]);
}

static int
put_row(struct vnd_table *t, const struct vnd_tcpconn *c, int dir, char *errbuf)
{
	const struct vnd_tcpdir *d = &c->d[dir];

	put_dir(t, c, dir);
	vnd_put_int(t, c->first_ts);
	vnd_put_int(t, c->last_ts);
	vnd_put_str(t, conn_state(c));
	put_constants(t, c, dir);
	put_counters(t, d);
	/* the idle tail after the last of its data was acked is no limit */
	put_shares(t, d->lim);
	vnd_put_int(t, (int64_t)d->reordered);
	vnd_put_int(t, (int64_t)d->lost_upstream);
	vnd_put_int(t, (int64_t)d->spurious);
	/* no handshake seen: the largest segment is a lower bound */
	vnd_put_int(t, c->mss[!dir] ? 0 : 1);
	return vnd_row_end(t, errbuf);
}

/*
 * A row per direction that carried data, and one for a connection that
 * carried none; the slots (-i) of the same directions. c is closed.
 */
static int
put_conn(const struct vnd_tcpconn *c, struct vnd_table *t, struct vnd_table *st,
    char *errbuf)
{
	int dir;

	for (dir = 0; dir < 2; dir++) {
		if (c->d[dir].bytes == 0 && (dir == 1 || c->d[1].bytes))
			continue;
		if (st != NULL && put_slots(st, c, dir, errbuf) < 0)
			return -1;
		if (t != NULL && put_row(t, c, dir, errbuf) < 0)
			return -1;
	}
	return 0;
}

/*
 * One thread: the connections closed so far, as far as none before them
 * is still alive, written and dropped: what is kept of the closed ones
 * waits for the oldest alive.
 */
int
put_closed(struct run *r, char *errbuf)
{
	struct vnd_tcprun *t = &r->t;
	size_t i;

	for (i = t->base; i < t->n && vnd_tcprun_conn(t, i)->x == NULL; i++)
		if (put_conn(vnd_tcprun_conn(t, i), r->conns, r->slots,
		    errbuf) < 0)
			return -1;
	vnd_tcprun_drop(t, i);
	return 0;
}

static int
conn_put(struct run *r, size_t i, struct vnd_table *t, struct vnd_table *st,
    char *errbuf)
{
	return put_conn(vnd_tcprun_conn(&r->t, i), t, st, errbuf);
}

static uint64_t
conn_ord(const struct run *r, size_t i)
{
	return i < r->t.n ? vnd_tcprun_conn(&r->t, i)->first_ord : NO_ORD;
}

/* The connections in the order their first packets came, in whichever run. */
int
put_conns(struct run *runs, int nj, struct vnd_table *t, struct vnd_table *st,
    char *errbuf)
{
	static const struct list conns = { conn_ord, conn_put };

	return merge(runs, nj, &conns, t, st, errbuf);
}
