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

struct ipside {
	uint8_t		 ver;
	uint8_t		 addr[16];
	uint8_t		 at;		/* which point saw it: 0 start, 1 end */
	int8_t		 side;		/* -1 unknown, 0 client end, 1 server end */
};

struct vnd_match {
	int		 index;
	int64_t		 window;
	vnd_match_event_fn	 event;
	void		*arg;
	/* waiting sightings: table of indexes into the FIFO ring */
	struct vnd_sighting	*ring;
	size_t		 rcap, rhead, rlen;
	uint64_t	 nextseq;
	uint32_t	*tab;		/* ring index + 1; 0 empty */
	size_t		 tcap, tlen;
	/* which end of the path each address sends from, as seen at each point */
	struct ipside	*ips;
	size_t		 icap, ilen;
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
	h->ips = calloc(h->icap, sizeof(*h->ips));
	if (h->ring == NULL || h->tab == NULL || h->ips == NULL) {
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
	w[1] = VND_ISSET(pk, VND_COL_PAYLOAD_HASH) ? pk->payload_hash : 0;
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
learn(struct vnd_match *h, int at, const struct vnd_sighting *s, int side)
{
	struct ipside *ip = ip_find(h, at, s->ver, s->src, 1);

	if (ip != NULL)
		ip->side = (int8_t)side;
	ip = ip_find(h, at, s->ver, s->dst, 1);
	if (ip != NULL && ip->side < 0)
		ip->side = (int8_t)!side;
}

/* A sighting that found no twin in the window. */
static void
settle_unmatched(struct vnd_match *h, const struct vnd_sighting *s)
{
	struct ipside *ip = ip_find(h, s->side, s->ver, s->src, 0);
	int from;

	if (ip == NULL || ip->side < 0) {
		ip = ip_find(h, s->side, s->ver, s->dst, 0);
		from = ip == NULL || ip->side < 0 ? -1 : !ip->side;
	} else
		from = ip->side;
	if (from < 0)
		/* Nothing of its addresses crossed this hop: as the path is
		 * written client to server, a packet at the start heads on. */
		from = s->side == 0 ? 0 : 1;
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
	s->ver = pk->ip_ver;
	s->proto = pk->ip_proto;
	memcpy(s->src, pk->src_ip, 16);
	memcpy(s->dst, pk->dst_ip, 16);
	s->sport = VND_ISSET(pk, VND_COL_SRC_PORT) ? pk->src_port : 0;
	s->dport = VND_ISSET(pk, VND_COL_DST_PORT) ? pk->dst_port : 0;
	s->seq = pk->seq;
	s->paylen = VND_ISSET(pk, VND_COL_PAYLOAD_BYTES) ? pk->payload_bytes : 0;
	s->pkt_id = pk->pkt_id;
}

int
vnd_match_see(struct vnd_match *h, int side, const struct vnd_pkt *pk,
    uint64_t key, int64_t ts, uint64_t tag)
{
	struct vnd_sighting cur, *o;
	long ti;
	int dir;

	fill(&cur, pk, key, ts, side);
	cur.tag = tag;
	if ((ti = find(h, key)) >= 0) {
		o = ring_at(h, h->tab[ti] - 1);
		if (o->side == side) {
			/* the same packet twice at one point: the capture's duplicate */
			h->event(h->arg, h->index, side == 0 ? VND_DIR_FWD : VND_DIR_BWD,
			    VND_EV_DUP, &cur, NULL, 0);
			return 0;
		}
		/*
		 * Its twin. The earlier of the two sightings is where it came
		 * from (by time, not by the order the files gave them: a
		 * capture's timestamps may step back a little); at the same
		 * instant (the two ends of a veth), the side its source address
		 * was seen sending from decides.
		 */
		{
			const struct vnd_sighting *a = side == 0 ? &cur : o;
			const struct vnd_sighting *b = side == 0 ? o : &cur;

			dir = b->ts > a->ts ? VND_DIR_FWD : VND_DIR_BWD;
			if (b->ts == a->ts) {
				struct ipside *ip = ip_find(h, o->side, o->ver,
				    o->src, 0);

				dir = o->side == 0 ? VND_DIR_FWD : VND_DIR_BWD;
				if (ip != NULL && ip->side >= 0)
					dir = ip->side == 0 ? VND_DIR_FWD : VND_DIR_BWD;
			}
			h->event(h->arg, h->index, dir, VND_EV_PASSED,
			    dir == VND_DIR_FWD ? a : b, dir == VND_DIR_FWD ? b : a,
			    dir == VND_DIR_FWD ? b->ts - a->ts : a->ts - b->ts);
			learn(h, 0, a, dir == VND_DIR_FWD ? 0 : 1);
			learn(h, 1, b, dir == VND_DIR_FWD ? 0 : 1);
		}
		o->key = 0;		/* settled: the FIFO entry is dead */
		tab_delete(h, (size_t)ti);
		return 0;
	}
	if (grow(h) < 0)
		return -1;
	cur.seqno = h->nextseq++;
	h->ring[(h->rhead + h->rlen) % h->rcap] = cur;
	tab_insert(h, key, (uint32_t)(h->rhead + h->rlen));
	h->rlen++;
	return 0;
}

static void
pop_head(struct vnd_match *h)
{
	struct vnd_sighting *s = &h->ring[h->rhead % h->rcap];
	long ti;

	if (s->key != 0) {
		if ((ti = find(h, s->key)) >= 0 &&
		    h->tab[ti] - 1 == (uint32_t)h->rhead)
			tab_delete(h, (size_t)ti);
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
