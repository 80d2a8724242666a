/* vnd_flowtab.c: an open-addressing index of connections by unordered 5-tuple and point. */
#include <stdlib.h>
#include <string.h>

#include "vnd_flowtab.h"
#include "vnd_grow.h"

/* One end of a 5-tuple mixed; two ends added are the same either way round. */
static inline uint64_t
end_mix(const uint8_t *a, uint16_t port)
{
	uint64_t w0, w1;

	memcpy(&w0, a, 8);
	memcpy(&w1, a + 8, 8);
	return (w0 ^ (w1 * 0x9e3779b97f4a7c15ULL) ^ port) * 0xbf58476d1ce4e5b9ULL;
}

/*
 * The same number for a 5-tuple either way round, and its point: its two
 * ends mixed and added (vnd_flow_shard's), then the point. The number
 * only places a key in the table (keys are unique in it, or found in the
 * order they were added, whatever the number): it was the 64 bytes of
 * the ends in order through vnd_hash(), two memcmp() calls and a fifth
 * of vnd-select's time with the matching.
 */
static inline uint64_t
hash(const char *point, uint8_t ver, const uint8_t *a, uint16_t ap,
    const uint8_t *b, uint16_t bp)
{
	uint64_t h = end_mix(a, ap) + end_mix(b, bp);

	h ^= ((uint64_t)(uintptr_t)point + ver) * 0x94d049bb133111ebULL;
	h ^= h >> 31;
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 29);
}

static inline int
eq16(const uint8_t *a, const uint8_t *b)
{
	uint64_t a0, a1, b0, b1;

	memcpy(&a0, a, 8);
	memcpy(&a1, a + 8, 8);
	memcpy(&b0, b, 8);
	memcpy(&b1, b + 8, 8);
	return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

static uint64_t
key_hash(const struct vnd_flowkey *k)
{
	return hash(k->point, k->ver, k->src, k->sport, k->dst, k->dport);
}

static inline int
same(const struct vnd_flowkey *k, const struct vnd_pkt *pk, const char *point,
    int *dir)
{
	if (k->point != point || k->ver != pk->ip_ver)
		return 0;
	if (k->sport == pk->src_port && k->dport == pk->dst_port &&
	    eq16(k->src, pk->src_ip) && eq16(k->dst, pk->dst_ip))
		return (*dir = 0), 1;
	if (k->sport == pk->dst_port && k->dport == pk->src_port &&
	    eq16(k->src, pk->dst_ip) && eq16(k->dst, pk->src_ip))
		return (*dir = 1), 1;
	return 0;
}

static uint64_t
flow_hash(const struct vnd_pkt *pk)
{
	uint64_t h = end_mix(pk->src_ip, pk->src_port) +
	    end_mix(pk->dst_ip, pk->dst_port);

	h ^= h >> 31;
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 29);
}

int
vnd_flow_shard(const struct vnd_pkt *pk, int n)
{
	/* the hash's top bits scaled to [0, n): no division per packet */
	return (int)((flow_hash(pk) >> 32) * (uint64_t)n >> 32);
}

long
vnd_flowtab_find(const struct vnd_flowtab *ft, const struct vnd_pkt *pk,
    const char *point, int *dir)
{
	size_t j;

	if (ft->tcap == 0)
		return -1;
	for (j = hash(point, pk->ip_ver, pk->src_ip, pk->src_port, pk->dst_ip,
	    pk->dst_port) & (ft->tcap - 1); ft->tab[j]; j = (j + 1) & (ft->tcap - 1))
		if (same(ft->key(ft->arg, ft->tab[j] - 1), pk, point, dir))
			return (long)ft->tab[j] - 1;
	return -1;
}

long
vnd_flowtab_find_key(const struct vnd_flowtab *ft, const struct vnd_flowkey *k,
    const char *point, int *dir)
{
	struct vnd_pkt pk;

	memset(&pk, 0, sizeof(pk));
	pk.ip_ver = k->ver;
	memcpy(pk.src_ip, k->src, sizeof(pk.src_ip));
	memcpy(pk.dst_ip, k->dst, sizeof(pk.dst_ip));
	pk.src_port = k->sport;
	pk.dst_port = k->dport;
	return vnd_flowtab_find(ft, &pk, point, dir);
}

void
vnd_flowkey_init(struct vnd_flowkey *k, const struct vnd_pkt *pk,
    const char *point, int *dir)
{
	*dir = (pk->tcp_flags & (VND_TH_SYN | VND_TH_ACK)) ==
	    (VND_TH_SYN | VND_TH_ACK) ? 1 : 0;
	k->point = point;
	k->ver = pk->ip_ver;
	memcpy(k->src, *dir ? pk->dst_ip : pk->src_ip, 16);
	memcpy(k->dst, *dir ? pk->src_ip : pk->dst_ip, 16);
	k->sport = *dir ? pk->dst_port : pk->src_port;
	k->dport = *dir ? pk->src_port : pk->dst_port;
}

static void
place(uint32_t *tab, size_t cap, const struct vnd_flowkey *k, size_t i)
{
	size_t j;

	for (j = key_hash(k) & (cap - 1); tab[j]; j = (j + 1) & (cap - 1))
		;
	tab[j] = (uint32_t)i + 1;
}

int
vnd_flowtab_place(struct vnd_flowtab *ft, long old, size_t pos)
{
	if (old < 0)
		return vnd_flowtab_add(ft, pos);
	vnd_flowtab_retarget(ft, (size_t)old, pos);
	return 0;
}

int
vnd_flowtab_add(struct vnd_flowtab *ft, size_t pos)
{
	uint32_t *nt;
	size_t i, ncap;

	/* at most half full */
	if ((ft->n + 1) * 2 > ft->tcap) {
		ncap = ft->tcap ? ft->tcap * 2 : 1024;
		if ((nt = calloc(ncap, sizeof(*nt))) == NULL)
			return -1;
		for (i = 0; i < ft->tcap; i++)
			if (ft->tab[i])
				place(nt, ncap, ft->key(ft->arg, ft->tab[i] - 1),
				    ft->tab[i] - 1);
		free(ft->tab);
		ft->tab = nt;
		ft->tcap = ncap;
	}
	place(ft->tab, ft->tcap, ft->key(ft->arg, pos), pos);
	ft->n++;
	return 0;
}

void
vnd_flowtab_retarget(struct vnd_flowtab *ft, size_t old, size_t pos)
{
	size_t j;

	for (j = key_hash(ft->key(ft->arg, old)) & (ft->tcap - 1); ft->tab[j];
	    j = (j + 1) & (ft->tcap - 1))
		if (ft->tab[j] == old + 1) {
			ft->tab[j] = (uint32_t)pos + 1;
			return;
		}
}

/* Is k cyclically within (i, j]: a slot an entry at j may not leave for i? */
static int
between(size_t i, size_t k, size_t j)
{
	return i <= j ? i < k && k <= j : i < k || k <= j;
}

void
vnd_flowtab_del(struct vnd_flowtab *ft, size_t pos)
{
	size_t i, j, k, mask = ft->tcap - 1;

	if (ft->tcap == 0)
		return;
	for (i = key_hash(ft->key(ft->arg, pos)) & mask; ft->tab[i] &&
	    ft->tab[i] != pos + 1; i = (i + 1) & mask)
		;
	if (ft->tab[i] == 0)
		return;
	/* the entries after it in its run move up when their place allows
	   (linear probing's deletion: no tombstones) */
	for (j = i;;) {
		ft->tab[i] = 0;
		do {
			j = (j + 1) & mask;
			if (ft->tab[j] == 0) {
				ft->n--;
				return;
			}
			k = key_hash(ft->key(ft->arg, ft->tab[j] - 1)) & mask;
		} while (between(i, k, j));
		ft->tab[i] = ft->tab[j];
		i = j;
	}
}

int
vnd_flow_new_syn(const struct vnd_pkt *pk, int had_syn, uint32_t isn,
    int carried)
{
	if ((pk->tcp_flags & (VND_TH_SYN | VND_TH_ACK | VND_TH_RST)) !=
	    VND_TH_SYN)
		return 0;
	/* its own SYN again is a retransmission; the other side's SYN
	   before anything was carried, a simultaneous or split handshake */
	return had_syn ? isn != pk->seq : carried;
}

static int
cmp_u(uintmax_t a, uintmax_t b)
{
	return (a > b) - (a < b);
}

int
vnd_flowkey_cmp(const struct vnd_flowkey *a, const struct vnd_flowkey *b)
{
	int c;

	if (a->point != b->point)
		return cmp_u((uintptr_t)a->point, (uintptr_t)b->point);
	if ((c = cmp_u(a->ver, b->ver)) != 0 ||
	    (c = memcmp(a->src, b->src, sizeof(a->src))) != 0 ||
	    (c = memcmp(a->dst, b->dst, sizeof(a->dst))) != 0 ||
	    (c = cmp_u(a->sport, b->sport)) != 0)
		return c;
	return cmp_u(a->dport, b->dport);
}

void
vnd_flowtab_free(struct vnd_flowtab *ft)
{
	free(ft->tab);
	ft->tab = NULL;
	ft->tcap = ft->n = 0;
}

void
vnd_flowkey_put(struct vnd_table *t, const struct vnd_flowkey *k, int dir)
{
	char buf[64];

	vnd_put_text(t, buf, vnd_ip_fmt(buf, k->ver, dir ? k->dst : k->src));
	vnd_put_int(t, dir ? k->dport : k->sport);
	vnd_put_text(t, buf, vnd_ip_fmt(buf, k->ver, dir ? k->src : k->dst));
	vnd_put_int(t, dir ? k->sport : k->dport);
}

/* Does entry a come out before entry b? */
static int
flowq_before(const struct vnd_flowqe *a, const struct vnd_flowqe *b)
{
	return a->due != b->due ? a->due < b->due : a->seq < b->seq;
}

int
vnd_flowq_push(struct vnd_flowq *fq, uint64_t id, int64_t due)
{
	struct vnd_flowqe *q, t;
	size_t i;

	if ((q = vnd_grow(fq->q, &fq->cap, fq->n, sizeof(*q), 256)) == NULL)
		return -1;
	fq->q = q;
	q[i = fq->n++] = (struct vnd_flowqe){ id, due, fq->seq++ };
	for (; i > 0 && flowq_before(&q[i], &q[(i - 1) / 2]); i = (i - 1) / 2) {
		t = q[i];
		q[i] = q[(i - 1) / 2];
		q[(i - 1) / 2] = t;
	}
	return 0;
}

int
vnd_flowq_pop(struct vnd_flowq *fq, int64_t now, uint64_t *id)
{
	struct vnd_flowqe *q = fq->q, t;
	size_t i = 0, m, k;

	if (!vnd_flowq_due(fq, now))
		return 0;
	*id = q[0].id;
	q[0] = q[--fq->n];
	for (;;) {
		m = i;
		for (k = 2 * i + 1; k <= 2 * i + 2 && k < fq->n; k++)
			if (flowq_before(&q[k], &q[m]))
				m = k;
		if (m == i)
			return 1;
		t = q[i];
		q[i] = q[m];
		q[m] = t;
		i = m;
	}
}

int
vnd_flowq_expire(struct vnd_flowq *fq, int64_t now,
    int64_t (*due)(void *, uint64_t), void (*gone)(void *, uint64_t),
    void *arg)
{
	uint64_t id;
	int64_t t;

	while (vnd_flowq_pop(fq, now, &id)) {
		if ((t = due(arg, id)) == INT64_MIN)
			continue;
		if (t <= now)
			gone(arg, id);
		else if (vnd_flowq_push(fq, id, t) < 0)
			return -1;
	}
	return 0;
}

void
vnd_flowq_free(struct vnd_flowq *fq)
{
	free(fq->q);
	memset(fq, 0, sizeof(*fq));
}

void *
vnd_flowwin_room(void *a, size_t size, size_t *c0, size_t base, size_t n,
    size_t *cap, int *moved)
{
	size_t gone = base - *c0;
	void *na;

	*moved = 0;
	if (gone > 0 && gone >= n - base) {
		memmove(a, (char *)a + gone * size, (n - base) * size);
		*c0 = base;
		*moved = 1;
	}
	if ((na = vnd_grow(a, cap, n - *c0, size, 64)) == NULL)
		return NULL;
	*moved |= na != a;
	return na;
}
