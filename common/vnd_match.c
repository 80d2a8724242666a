/* vnd_match.c: sightings wait in a table for their twin at the other point until the window closes. */
#include <stdlib.h>
#include <string.h>

#include "vnd_match.h"

/*
 * VND 3.5: a packet is the same packet at two points when its fingerprint
 * is, pkt_id = ip_id + (seq << 16), whatever the TTL, checksums or MACs.
 * Hosts that send IP ID 0 (Linux pure ACKs and SYN-ACKs) would collide on
 * the sequence number alone, so the key widens it with the ack number,
 * flags, window, length, and the payload's hash: all of which a router, a
 * switch or a NAT leaves as they are.
 *
 * Sightings wait in an open-addressing table keyed by that fingerprint, in
 * arrival order in a FIFO; a twin from the other side settles the pair, and
 * a sighting older than the window settles as lost (or created). Memory is
 * what arrives within one window.
 */

/* The end of the path an address sends from, as one point of the hop saw it. */
struct ipside {
	uint8_t		 ver;
	uint8_t		 addr[16];
	uint8_t		 at;		/* which point saw it: 0 start, 1 end */
	int8_t		 side;		/* -1 unknown, 0 client end, 1 server end */
};

/* One direction of a flow as one point of the hop saw it (no stray padding). */
struct okey {
	struct vnd_flowkey fk;		/* point NULL */
	uint8_t		 proto;
	uint8_t		 at;		/* which point saw it: 0 start, 1 end */
};

/*
 * ... the end of the path it comes from, and at the hop's start the time
 * differences (end minus start) of its pairs so far.
 */
struct orient {
	struct okey	 k;
	int8_t		 from;		/* -1 unknown, 0 client end, 1 server end */
	uint8_t		 firm;		/* told by the flow against its reverse */
	uint8_t		 used;
	int64_t		 min, max, sum;
	uint64_t	 n;
	int64_t		 last;		/* when the flow was last seen */
};

/*
 * A flow direction unseen for this many windows is forgotten, so that the
 * table holds the flows alive, not every flow of the trace. Seen again, it
 * is told anew: by its reverse, by the side its address sends from, or by
 * its pairs' time differences.
 */
#define FORGET_WINDOWS	60

struct vnd_match {
	int		 index;
	int		 repeats;	/* vnd_match_repeats() */
	int64_t		 window;
	int64_t		 slack;		/* how far a corrected delay may be off */
	vnd_match_event_fn	 event;
	void		*arg;
	/* waiting sightings: table of indexes into the FIFO ring */
	struct vnd_sighting	*ring;
	size_t		 rcap, rhead, rlen;
	uint64_t	 nextseq;
	uint32_t	*tab;		/* ring index + 1; 0 empty */
	size_t		 tcap, tlen;
	/* flow directions whose way is known: open addressing */
	struct orient	*ori;
	size_t		 ocap, olen;
	int64_t		 now;		/* the latest time seen */
	/* addresses whose end is known, for flows that never crossed */
	struct ipside	*ips;
	size_t		 icap, ilen;
	uint64_t	 pairs, negative;
};

struct vnd_match *
vnd_match_new(int index, int64_t window_ns, vnd_match_event_fn event, void *arg)
{
	struct vnd_match *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	h->index = index;
	h->window = window_ns;
	h->event = event;
	h->arg = arg;
	h->rcap = 1024;
	h->tcap = 4096;
	h->icap = 256;
	h->ring = calloc(h->rcap, sizeof(*h->ring));
	h->tab = calloc(h->tcap, sizeof(*h->tab));
	h->ocap = 256;
	h->ips = calloc(h->icap, sizeof(*h->ips));
	h->ori = calloc(h->ocap, sizeof(*h->ori));
	if (h->ring == NULL || h->tab == NULL || h->ips == NULL ||
	    h->ori == NULL) {
		vnd_match_free(h);
		return NULL;
	}
	return h;
}

void
vnd_match_free(struct vnd_match *h)
{
	if (h == NULL)
		return;
	free(h->ring);
	free(h->tab);
	free(h->ips);
	free(h->ori);
	free(h);
}

/* Link-local and link-scope multicast never cross a router: not loss. */
static int
link_local(const struct vnd_pkt *pk)
{
	const uint8_t *d = pk->dst_ip, *s = pk->src_ip;

	if (pk->ip_ver == 4)
		return (d[0] == 224 && d[1] == 0 && d[2] == 0) ||
		    (d[0] == 169 && d[1] == 254) || (s[0] == 169 && s[1] == 254) ||
		    (d[0] == 255 && d[1] == 255 && d[2] == 255 && d[3] == 255);
	return (s[0] == 0xfe && (s[1] & 0xc0) == 0x80) ||
	    (d[0] == 0xfe && (d[1] & 0xc0) == 0x80) ||
	    (d[0] == 0xff && (d[1] & 0x0f) <= 2);
}

void
vnd_match_flowkey(struct vnd_flowkey *fk, const struct vnd_pkt *pk)
{
	memset(fk, 0, sizeof(*fk));
	fk->ver = pk->ip_ver;
	memcpy(fk->src, pk->src_ip, 16);
	memcpy(fk->dst, pk->dst_ip, 16);
	fk->sport = VND_ISSET(pk, VND_COL_SRC_PORT) ? pk->src_port : 0;
	fk->dport = VND_ISSET(pk, VND_COL_DST_PORT) ? pk->dst_port : 0;
}

void
vnd_match_flowkey_copy(struct vnd_flowkey *r, const struct vnd_flowkey *k,
    int reverse)
{
	memset(r, 0, sizeof(*r));
	r->point = k->point;
	r->ver = k->ver;
	memcpy(r->src, reverse ? k->dst : k->src, 16);
	memcpy(r->dst, reverse ? k->src : k->dst, 16);
	r->sport = reverse ? k->dport : k->sport;
	r->dport = reverse ? k->sport : k->dport;
}

int
vnd_match_key(const struct vnd_pkt *pk, uint64_t *key)
{
	uint64_t w[7];

	if (!VND_ISSET(pk, VND_COL_SRC_IP) || !VND_ISSET(pk, VND_COL_DST_IP) ||
	    link_local(pk))
		return -1;
	/* only fields this packet has: the others hold an earlier packet's */
	memset(w, 0, sizeof(w));
	w[0] = VND_ISSET(pk, VND_COL_PKT_ID) ? pk->pkt_id : 0;
	/* of a packet decoded without it (vnd_decode_nohash()), made here */
	if (VND_ISSET(pk, VND_COL_PAYLOAD_HASH))
		w[1] = pk->payload_hash;
	else if (pk->payload != NULL && pk->payload_cap > 0)
		w[1] = vnd_hash(pk->payload, pk->payload_cap);
	if (VND_ISSET(pk, VND_COL_TCP_FLAGS))
		w[2] = (uint64_t)pk->ack << 32 | (uint64_t)pk->win << 16 |
		    pk->tcp_flags;
	w[3] = (uint64_t)pk->ip_proto << 32 |
	    (VND_ISSET(pk, VND_COL_PAYLOAD_BYTES) ? pk->payload_bytes : 0);
	if (VND_ISSET(pk, VND_COL_ICMP_TYPE))
		w[4] = (uint64_t)pk->icmp_type << 8 | pk->icmp_code | 0x10000;
	if (VND_ISSET(pk, VND_COL_FRAG_OFF))
		w[5] = (uint64_t)pk->frag_off + 1;
	/* a SYN-ACK sent again with IP ID 0 differs from the first only here */
	if (VND_ISSET(pk, VND_COL_TSVAL))
		w[6] = (uint64_t)pk->tsval << 32 | pk->tsecr;
	*key = vnd_hash((const uint8_t *)w, sizeof(w)) | 1;	/* never 0 */
	return 0;
}

static size_t
slot_of(const struct vnd_match *h, uint64_t key)
{
	return (size_t)(key * 0x9e3779b97f4a7c15ULL >> 20) & (h->tcap - 1);
}

static struct vnd_sighting *
ring_at(const struct vnd_match *h, uint32_t idx)
{
	return &h->ring[idx % h->rcap];
}

/* Find the waiting sighting of key; returns its table slot or -1. */
static long
find(const struct vnd_match *h, uint64_t key)
{
	size_t i = slot_of(h, key);

	while (h->tab[i] != 0) {
		if (ring_at(h, h->tab[i] - 1)->key == key)
			return (long)i;
		i = (i + 1) & (h->tcap - 1);
	}
	return -1;
}

/* The table slot of key's sighting at ring index ridx; -1: none. */
static long
find_at(const struct vnd_match *h, uint64_t key, uint32_t ridx)
{
	size_t i = slot_of(h, key);

	while (h->tab[i] != 0) {
		if (h->tab[i] - 1 == ridx)
			return (long)i;
		i = (i + 1) & (h->tcap - 1);
	}
	return -1;
}

static void
tab_insert(struct vnd_match *h, uint64_t key, uint32_t ridx)
{
	size_t i = slot_of(h, key);

	while (h->tab[i] != 0)
		i = (i + 1) & (h->tcap - 1);
	h->tab[i] = ridx + 1;
	h->tlen++;
}

/* Linear-probing delete: later entries of the cluster move up. */
static void
tab_delete(struct vnd_match *h, size_t i)
{
	size_t j = i, k;

	h->tab[i] = 0;
	h->tlen--;
	for (;;) {
		j = (j + 1) & (h->tcap - 1);
		if (h->tab[j] == 0)
			return;
		k = slot_of(h, ring_at(h, h->tab[j] - 1)->key);
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			h->tab[i] = h->tab[j];
			h->tab[j] = 0;
			i = j;
		}
	}
}

static int
grow(struct vnd_match *h)
{
	struct vnd_sighting *nr;
	uint32_t *nt;
	size_t i, ncap;

	/* The ring doubles, kept in order from rhead; indexes are absolute
	 * (ring positions counted from the start), so only the table changes. */
	if (h->rlen + 1 >= h->rcap) {
		ncap = h->rcap * 2;
		if ((nr = calloc(ncap, sizeof(*nr))) == NULL)
			return -1;
		for (i = 0; i < h->rlen; i++)
			nr[(h->rhead + i) % ncap] = h->ring[(h->rhead + i) % h->rcap];
		free(h->ring);
		h->ring = nr;
		h->rcap = ncap;
	}
	if (h->tlen * 2 + 2 >= h->tcap || h->rcap > h->tcap) {
		ncap = h->tcap * 2;
		while (ncap < h->rcap * 2)
			ncap *= 2;
		if ((nt = calloc(ncap, sizeof(*nt))) == NULL)
			return -1;
		free(h->tab);
		h->tab = nt;
		h->tcap = ncap;
		h->tlen = 0;
		for (i = 0; i < h->rlen; i++) {
			uint32_t idx = (uint32_t)(h->rhead + i);

			if (ring_at(h, idx)->key != 0)
				tab_insert(h, ring_at(h, idx)->key, idx);
		}
	}
	return 0;
}

static struct ipside *
ip_find(struct vnd_match *h, int at, uint8_t ver, const uint8_t *addr, int add)
{
	size_t i, n = ver == 4 ? 4 : 16;
	struct ipside *ni;

	for (i = 0; i < h->ilen; i++)
		if (h->ips[i].at == at && h->ips[i].ver == ver &&
		    memcmp(h->ips[i].addr, addr, n) == 0)
			return &h->ips[i];
	if (!add)
		return NULL;
	if (h->ilen == h->icap) {
		if ((ni = realloc(h->ips, h->icap * 2 * sizeof(*ni))) == NULL)
			return NULL;
		h->ips = ni;
		h->icap *= 2;
	}
	ni = &h->ips[h->ilen++];
	memset(ni, 0, sizeof(*ni));
	ni->ver = ver;
	ni->at = (uint8_t)at;
	memcpy(ni->addr, addr, n);
	ni->side = -1;
	return ni;
}

static void
okey_of(struct okey *k, const struct vnd_sighting *s, int reverse)
{
	memset(k, 0, sizeof(*k));
	vnd_match_flowkey_copy(&k->fk, &s->fk, reverse);
	k->proto = s->proto;
	k->at = s->side;
}

static size_t
okey_slot(const struct okey *k, size_t cap)
{
	return (size_t)vnd_hash((const uint8_t *)k, sizeof(*k)) & (cap - 1);
}

/* The entry of key k: its own, or the free one it would take. */
static struct orient *
ori_slot(struct orient *v, size_t cap, const struct okey *k)
{
	size_t i;

	for (i = okey_slot(k, cap); v[i].used; i = (i + 1) & (cap - 1))
		if (vnd_flowkey_cmp(&v[i].k.fk, &k->fk) == 0 &&
		    v[i].k.proto == k->proto && v[i].k.at == k->at)
			break;
	return &v[i];
}

/*
 * Room for one more flow direction: the table again without the directions
 * forgotten, twice the size when those alive fill a quarter of it.
 */
static int
ori_grow(struct vnd_match *h)
{
	struct orient *nv;
	int64_t since = h->now - FORGET_WINDOWS * h->window;
	size_t i, alive = 0, ncap = h->ocap > 0 ? h->ocap : 256;

	for (i = 0; i < h->ocap; i++)
		if (h->ori[i].used && h->ori[i].last >= since)
			alive++;
	if (alive * 4 + 2 > ncap)
		ncap *= 2;
	if ((nv = calloc(ncap, sizeof(*nv))) == NULL)
		return -1;
	for (i = 0; i < h->ocap; i++)
		if (h->ori[i].used && h->ori[i].last >= since)
			memcpy(ori_slot(nv, ncap, &h->ori[i].k), &h->ori[i],
			    sizeof(*nv));
	free(h->ori);
	h->ori = nv;
	h->ocap = ncap;
	h->olen = alive;
	return 0;
}

/* The entry of s's flow (or its reverse) at its point; add: made if new. */
static struct orient *
ori_get(struct vnd_match *h, const struct vnd_sighting *s, int reverse,
    int add)
{
	struct orient *o;
	struct okey k;

	okey_of(&k, s, reverse);
	if (add && h->olen * 2 + 2 > h->ocap && ori_grow(h) < 0)
		return NULL;
	o = ori_slot(h->ori, h->ocap, &k);
	if (!o->used && add) {
		memcpy(&o->k, &k, sizeof(k));
		o->from = -1;
		o->used = 1;
		h->olen++;
	}
	if (!o->used)
		return NULL;
	o->last = h->now;
	return o;
}

/* The end s's flow comes from, or its reverse goes to: -1 unknown. */
static int
flow_from(struct vnd_match *h, const struct vnd_sighting *s)
{
	const struct orient *o;

	if ((o = ori_get(h, s, 0, 0)) != NULL && o->from >= 0)
		return o->from;
	if ((o = ori_get(h, s, 1, 0)) != NULL && o->from >= 0)
		return !o->from;
	return -1;
}

/* The end s's source address sends from, at its point: -1 unknown. */
static int
addr_from(struct vnd_match *h, const struct vnd_sighting *s)
{
	struct ipside *ip = ip_find(h, s->side, s->fk.ver, s->fk.src, 0);

	if (ip != NULL && ip->side >= 0)
		return ip->side;
	ip = ip_find(h, s->side, s->fk.ver, s->fk.dst, 0);
	return ip == NULL || ip->side < 0 ? -1 : !ip->side;
}

/*
 * A flow f and its reverse r at the hop's start, from their differences:
 * whatever the clocks' offset e, one that goes start -> end differs by its
 * delay + e, one the other way by e - its delay, so the one whose
 * differences are larger goes from the client end. -1: no telling yet.
 */
static int
against_reverse(const struct orient *f, const struct orient *r)
{
	if (r == NULL || r->n == 0)
		return -1;
	if (f->min > r->max)
		return 0;
	if (f->max < r->min)
		return 1;
	/* overlapping (a clock that drifts): on average */
	if ((double)f->sum / (double)f->n != (double)r->sum / (double)r->n)
		return (double)f->sum / (double)f->n < (double)r->sum /
		    (double)r->n;
	return -1;
}

static void
ori_set(struct orient *o, int from, int firm)
{
	o->from = (int8_t)from;
	o->firm = (uint8_t)firm;
}

/* A pair of flow f (at the hop's start), difference d: f's way, -1 unknown. */
static int
orient(struct vnd_match *h, struct orient *f, struct orient *r, int64_t d)
{
	int from;

	if (f->n == 0 || d < f->min)
		f->min = d;
	if (f->n == 0 || d > f->max)
		f->max = d;
	f->sum += d;
	f->n++;
	if (f->firm)
		return f->from;
	if (r != NULL && r->firm)
		ori_set(f, !r->from, 1);
	else if ((from = against_reverse(f, r)) >= 0) {
		ori_set(f, from, 1);
		ori_set(r, !from, 1);
	} else if (f->from < 0 && (d > h->slack || d < -h->slack))
		/* one way only so far: this pair's difference, beyond doubt */
		ori_set(f, d < 0, 0);
	return f->from;
}

/* What the pair said of its flow at the hop's end and of its addresses. */
static void
learn(struct vnd_match *h, const struct vnd_sighting *s, int from)
{
	struct ipside *ip;
	struct orient *o;

	if ((o = ori_get(h, s, 0, 1)) != NULL)
		o->from = (int8_t)from;
	if ((ip = ip_find(h, s->side, s->fk.ver, s->fk.src, 1)) != NULL &&
	    ip->side < 0)
		ip->side = (int8_t)from;
}

/* A sighting that found no twin in the window. */
static void
settle_unmatched(struct vnd_match *h, const struct vnd_sighting *s)
{
	int from = flow_from(h, s);

	if (from < 0)
		from = addr_from(h, s);
	if (from < 0)
		/* Nothing of it crossed this hop: as the path is written
		 * client to server, a packet at the start heads on. */
		from = s->side;
	if (from == s->side)
		/* it came from this side, and never reached the other: lost */
		h->event(h->arg, h->index, from == 0 ? VND_DIR_FWD : VND_DIR_BWD,
		    VND_EV_LOST, s, NULL, 0);
	else
		/* it arrived from the other side without being seen there */
		h->event(h->arg, h->index, from == 0 ? VND_DIR_FWD : VND_DIR_BWD,
		    VND_EV_CREATED, s, NULL, 0);
}

static void
fill(struct vnd_sighting *s, const struct vnd_pkt *pk, uint64_t key, int64_t ts,
    int side)
{
	memset(s, 0, sizeof(*s));
	s->key = key;
	s->ts = ts;
	s->frame = pk->frame;
	s->side = (uint8_t)side;
	s->proto = pk->ip_proto;
	vnd_match_flowkey(&s->fk, pk);
	s->seq = pk->seq;
	s->paylen = VND_ISSET(pk, VND_COL_PAYLOAD_BYTES) ? pk->payload_bytes : 0;
	s->pkt_id = pk->pkt_id;
}

/*
 * Which end a pair came from (a seen at the hop's start, b at its end, d
 * their time difference): its flow's way, told by the flow against its
 * reverse, whatever this pair's times say (a fast crossing under a clock
 * offset a little off may look negative: that is evidence against the
 * offset, not a turned flow). Before the reverse is seen, a difference
 * beyond the clock's slack; within it, the side the source address sends
 * from, else the time order, else the path's order: from the client end.
 */
static int
pair_from(struct vnd_match *h, const struct vnd_sighting *a,
    const struct vnd_sighting *b, int64_t d)
{
	struct orient *f;
	int from = -1;

	if ((f = ori_get(h, a, 0, 1)) != NULL)
		from = orient(h, f, ori_get(h, a, 1, 0), d);
	if (from >= 0) {
		learn(h, b, from);
		learn(h, a, from);
		return from;
	}
	if ((from = addr_from(h, a)) >= 0)
		return from;
	return d < 0;
}

/* cur and o, waiting at the other side in table slot ti: a pair. */
static int
pair(struct vnd_match *h, long ti, struct vnd_sighting *o,
    const struct vnd_sighting *cur)
{
	const struct vnd_sighting *a, *b;
	int64_t d;
	int from;

	a = cur->side == 0 ? cur : o;
	b = cur->side == 0 ? o : cur;
	d = b->ts - a->ts;
	from = pair_from(h, a, b, d);
	if (from == 1)
		d = -d;
	h->pairs++;
	if (d < 0)
		h->negative++;
	h->event(h->arg, h->index, from == 0 ? VND_DIR_FWD : VND_DIR_BWD,
	    VND_EV_PASSED, from == 0 ? a : b, from == 0 ? b : a, d);
	o->key = 0;		/* settled: the FIFO entry is dead */
	tab_delete(h, (size_t)ti);
	return 0;
}

int
vnd_match_see(struct vnd_match *h, int side, const struct vnd_pkt *pk,
    uint64_t key, int64_t ts, uint64_t tag)
{
	struct vnd_sighting cur, *o;
	long ti;

	fill(&cur, pk, key, ts, side);
	cur.tag = tag;
	if (ts > h->now)
		h->now = ts;
	if ((ti = find(h, key)) >= 0) {
		o = ring_at(h, h->tab[ti] - 1);
		if (o->side != side)
			return pair(h, ti, o, &cur);
		if (!h->repeats) {
			h->event(h->arg, h->index, side == 0 ? VND_DIR_FWD :
			    VND_DIR_BWD, VND_EV_DUP, &cur, NULL, 0);
			return 0;
		}
		/*
		 * The same packet again at one point: sent twice alike (an ACK
		 * from a socket with IP ID 0, within one TSval tick), its copies
		 * then paired in order at the other point; or the capture's
		 * duplicate, said when it has found no twin (pop_head).
		 */
		cur.repeat = 1;
	}
	if (grow(h) < 0)
		return -1;
	cur.seqno = h->nextseq++;
	h->ring[(h->rhead + h->rlen) % h->rcap] = cur;
	tab_insert(h, key, (uint32_t)(h->rhead + h->rlen));
	h->rlen++;
	return 0;
}

void
vnd_match_slack(struct vnd_match *h, int64_t ns)
{
	h->slack = ns;
}

void
vnd_match_repeats(struct vnd_match *h, int on)
{
	h->repeats = on;
}

void
vnd_match_counts(const struct vnd_match *h, uint64_t *pairs, uint64_t *negative)
{
	*pairs = h->pairs;
	*negative = h->negative;
}

static void
pop_head(struct vnd_match *h)
{
	struct vnd_sighting *s = &h->ring[h->rhead % h->rcap];
	long ti;

	if (s->key != 0) {
		if ((ti = find_at(h, s->key, (uint32_t)h->rhead)) >= 0)
			tab_delete(h, (size_t)ti);
		if (s->repeat)
			h->event(h->arg, h->index, s->side == 0 ? VND_DIR_FWD :
			    VND_DIR_BWD, VND_EV_DUP, s, NULL, 0);
		else
			settle_unmatched(h, s);
	}
	h->rhead++;
	h->rlen--;
}

void
vnd_match_expire(struct vnd_match *h, int64_t now)
{
	const struct vnd_sighting *s;

	/* settled ones go at once, waiting ones when the window closes */
	while (h->rlen > 0) {
		s = &h->ring[h->rhead % h->rcap];
		if (s->key != 0 && s->ts + h->window >= now)
			break;
		pop_head(h);
	}
}

void
vnd_match_flush(struct vnd_match *h)
{
	while (h->rlen > 0)
		pop_head(h);
}
