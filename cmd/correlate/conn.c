/* conn.c: a table of connections by 5-tuple, either way round, with their handshake times. */
#include <stdlib.h>
#include <string.h>

#include "conn.h"

struct tuple {
	uint8_t		 ver, proto, src[16], dst[16];
	uint16_t	 sport, dport;
};

static uint64_t
thash(const struct tuple *t)
{
	return vnd_hash((const uint8_t *)t, sizeof(*t));
}

static void
tuple_of(struct tuple *t, const struct conn *c, int reverse)
{
	memset(t, 0, sizeof(*t));
	t->ver = c->ver;
	t->proto = c->proto;
	memcpy(t->src, reverse ? c->dst : c->src, 16);
	memcpy(t->dst, reverse ? c->src : c->dst, 16);
	t->sport = reverse ? c->dport : c->sport;
	t->dport = reverse ? c->sport : c->dport;
}

/* Index of the connection with this tuple as its own (not reversed). */
static long
lookup(const struct conns *cs, const struct tuple *t)
{
	struct tuple u;
	size_t i;

	if (cs->tcap == 0)
		return -1;
	for (i = thash(t) & (cs->tcap - 1); cs->tab[i] != 0;
	    i = (i + 1) & (cs->tcap - 1)) {
		tuple_of(&u, &cs->v[cs->tab[i] - 1], 0);
		if (memcmp(&u, t, sizeof(u)) == 0)
			return (long)cs->tab[i] - 1;
	}
	return -1;
}

/*
 * The connection a 5-tuple names stops being found (it was closed and opened
 * again): the table is rebuilt without it at the next insert.
 */
static int
forget(struct conns *cs, const struct tuple *t)
{
	long k = lookup(cs, t);
	struct tuple u;
	size_t i, j;

	if (k < 0)
		return 0;
	/* its slot goes, and the cluster after it is put back */
	for (i = thash(t) & (cs->tcap - 1); cs->tab[i] != (uint32_t)k + 1;
	    i = (i + 1) & (cs->tcap - 1))
		;
	cs->tab[i] = 0;
	for (j = (i + 1) & (cs->tcap - 1); cs->tab[j] != 0;
	    j = (j + 1) & (cs->tcap - 1)) {
		uint32_t v = cs->tab[j];
		size_t h;

		cs->tab[j] = 0;
		tuple_of(&u, &cs->v[v - 1], 0);
		for (h = thash(&u) & (cs->tcap - 1); cs->tab[h] != 0;
		    h = (h + 1) & (cs->tcap - 1))
			;
		cs->tab[h] = v;
	}
	cs->v[k].gone = 1;	/* it stays, for the output; out of the table */
	return 0;
}

static int
insert(struct conns *cs, size_t idx)
{
	struct tuple t;
	uint32_t *nt;
	size_t i, j, ncap;

	if ((cs->n + 1) * 2 > cs->tcap) {
		ncap = cs->tcap ? cs->tcap * 2 : 1024;
		if ((nt = calloc(ncap, sizeof(*nt))) == NULL)
			return -1;
		for (j = 0; j < cs->n; j++) {
			if (j == idx || cs->v[j].gone)
				continue;
			tuple_of(&t, &cs->v[j], 0);
			for (i = thash(&t) & (ncap - 1); nt[i] != 0; i = (i + 1) & (ncap - 1))
				;
			nt[i] = (uint32_t)j + 1;
		}
		free(cs->tab);
		cs->tab = nt;
		cs->tcap = ncap;
	}
	tuple_of(&t, &cs->v[idx], 0);
	for (i = thash(&t) & (cs->tcap - 1); cs->tab[i] != 0;
	    i = (i + 1) & (cs->tcap - 1))
		;
	cs->tab[i] = (uint32_t)idx + 1;
	return 0;
}

long
conns_see(struct conns *cs, const struct vnd_pkt *pk, int64_t ts, int *forward)
{
	struct tuple t, r;
	struct conn *c, *nv;
	long k;
	int syn, ack;

	if (!VND_ISSET(pk, VND_COL_SRC_IP) || !VND_ISSET(pk, VND_COL_SRC_PORT))
		return -1;
	memset(&t, 0, sizeof(t));
	t.ver = pk->ip_ver;
	t.proto = pk->ip_proto;
	memcpy(t.src, pk->src_ip, 16);
	memcpy(t.dst, pk->dst_ip, 16);
	t.sport = pk->src_port;
	t.dport = pk->dst_port;
	r = t;
	memcpy(r.src, t.dst, 16);
	memcpy(r.dst, t.src, 16);
	r.sport = t.dport;
	r.dport = t.sport;
	syn = pk->ip_proto == 6 && VND_ISSET(pk, VND_COL_TCP_FLAGS) &&
	    (pk->tcp_flags & VND_TH_SYN);
	ack = pk->ip_proto == 6 && VND_ISSET(pk, VND_COL_TCP_FLAGS) &&
	    (pk->tcp_flags & VND_TH_ACK);
	if ((k = lookup(cs, &t)) >= 0)
		*forward = 1;
	else if ((k = lookup(cs, &r)) >= 0)
		*forward = 0;
	/* the same 5-tuple opened again after a close: a new connection */
	if (k >= 0 && syn && !ack && cs->v[k].closed)
		k = -1;
	if (k < 0) {
		/* new: a SYN-ACK's sender is the server; anything else opens it */
		if (cs->n == cs->cap) {
			cs->cap = cs->cap ? cs->cap * 2 : 256;
			if ((nv = realloc(cs->v, cs->cap * sizeof(*nv))) == NULL)
				return -1;
			cs->v = nv;
		}
		c = &cs->v[cs->n];
		memset(c, 0, sizeof(*c));
		*forward = !(syn && ack);
		c->ver = t.ver;
		c->proto = t.proto;
		memcpy(c->src, *forward ? t.src : t.dst, 16);
		memcpy(c->dst, *forward ? t.dst : t.src, 16);
		c->sport = *forward ? t.sport : t.dport;
		c->dport = *forward ? t.dport : t.sport;
		c->first_ts = ts;
		k = (long)cs->n++;
		if (forget(cs, &t) < 0 || forget(cs, &r) < 0 ||
		    insert(cs, (size_t)k) < 0)
			return -1;
	}
	c = &cs->v[k];
	c->pkts++;
	if (pk->ip_proto == 6 && VND_ISSET(pk, VND_COL_TCP_FLAGS) &&
	    (pk->tcp_flags & (VND_TH_FIN | VND_TH_RST)))
		c->closed = 1;
	if (syn && !ack && *forward && !c->syn_seen) {
		c->syn_seen = 1;
		c->syn_ts = ts;
	} else if (syn && ack && !*forward)
		c->synack_seen = 1;
	else if (ack && !syn && *forward && c->synack_seen && !c->open_seen) {
		c->open_seen = 1;
		c->open_ts = ts;
	}
	return k;
}

void
conns_free(struct conns *cs)
{
	free(cs->v);
	free(cs->tab);
	memset(cs, 0, sizeof(*cs));
}
