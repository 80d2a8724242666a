/* vnd_event_rank.c: elephants and scans decided as connections close: the top N so far, each source's tries. */
#include <stdlib.h>
#include <string.h>

#include "vnd_event.h"

int
vnd_event_above(const struct vnd_tcpconn *c, const struct vnd_event_conf *conf)
{
	uint64_t bytes = vnd_event_bytes(c);

	return bytes > 0 && conf->elephant_bytes && bytes >= conf->elephant_bytes;
}

/* An entry of the heap: bytes, first_ord, then the caller's record. */
struct topkey {
	uint64_t	 bytes, ord;
};

#define ENTRY(t, i)	((t)->e + (i) * (sizeof(struct topkey) + (t)->size))

static const struct topkey *
key_at(const struct vnd_event_top *t, size_t i)
{
	return (const struct topkey *)(const void *)ENTRY(t, i);
}

/* Does entry i rank before entry j? */
static int
ranks_before(const struct vnd_event_top *t, size_t i, size_t j)
{
	return vnd_event_before(key_at(t, i)->bytes, key_at(t, i)->ord,
	    key_at(t, j)->bytes, key_at(t, j)->ord);
}

static void
swap(struct vnd_event_top *t, size_t i, size_t j)
{
	size_t len = sizeof(struct topkey) + t->size;

	memcpy(ENTRY(t, t->max), ENTRY(t, i), len);
	memcpy(ENTRY(t, i), ENTRY(t, j), len);
	memcpy(ENTRY(t, j), ENTRY(t, t->max), len);
}

/* Entry i down to where its children rank before it (the least at 0). */
static void
sift(struct vnd_event_top *t, size_t i)
{
	size_t m, k;

	for (;;) {
		m = i;
		for (k = 2 * i + 1; k <= 2 * i + 2 && k < t->n; k++)
			if (ranks_before(t, m, k))
				m = k;
		if (m == i)
			return;
		swap(t, i, m);
		i = m;
	}
}

/* Entry i up while its parent ranks before it. */
static void
rise(struct vnd_event_top *t, size_t i)
{
	for (; i > 0 && ranks_before(t, (i - 1) / 2, i); i = (i - 1) / 2)
		swap(t, i, (i - 1) / 2);
}

int
vnd_event_top_offer(struct vnd_event_top *t, size_t max,
    const struct vnd_tcpconn *c, const void *rec, size_t size)
{
	struct topkey k = { vnd_event_bytes(c), c->first_ord };
	size_t i;

	if (max == 0 || k.bytes == 0)
		return 0;
	if (t->e == NULL) {
		if ((t->e = calloc(max + 1, sizeof(k) + size)) == NULL)
			return -1;
		t->max = max;
		t->size = size;
	}
	if (t->n == t->max && !vnd_event_before(k.bytes, k.ord,
	    key_at(t, 0)->bytes, key_at(t, 0)->ord))
		return 0;
	i = t->n < t->max ? t->n++ : 0;
	memcpy(ENTRY(t, i), &k, sizeof(k));
	memcpy(ENTRY(t, i) + sizeof(k), rec, size);
	if (i == 0)
		sift(t, 0);
	else
		rise(t, i);
	return 1;
}

void *
vnd_event_top_rec(const struct vnd_event_top *t, size_t i)
{
	return ENTRY(t, i) + sizeof(struct topkey);
}

void
vnd_event_top_free(struct vnd_event_top *t)
{
	free(t->e);
	memset(t, 0, sizeof(*t));
}

struct tkey {				/* a source's target; padding zeroed */
	uint8_t		 ver;
	uint8_t		 src[16], dst[16];
	uint8_t		 pad;
	uint16_t	 dport;
};

struct target {
	struct tkey	 k;
	int		 used;
	int		 ok;		/* an attempt at it was answered */
};

struct skey {				/* a source; padding zeroed */
	uint8_t		 ver;
	uint8_t		 src[16];
};

struct source {
	struct skey	 k;
	int		 used;
	int		 scanner;
	struct vnd_event_scan sc;	/* targets tried, and failed */
};

int
vnd_event_try(struct vnd_event_tries *t, const struct vnd_tcpconn *c)
{
	struct target *tg;
	struct source *src;
	struct tkey tk;
	struct skey sk;
	int isnew, tnew;

	if (!c->syn)
		return 0;
	if (t->targets.size == 0) {
		t->targets = (struct vnd_htab)VND_HTAB_INIT(struct target, k,
		    used, 64);
		t->sources = (struct vnd_htab)VND_HTAB_INIT(struct source, k,
		    used, 64);
	}
	memset(&tk, 0, sizeof(tk));
	tk.ver = c->k.ver;
	memcpy(tk.src, c->k.src, sizeof(tk.src));
	memcpy(tk.dst, c->k.dst, sizeof(tk.dst));
	tk.dport = c->k.dport;
	if ((tg = vnd_htab_get(&t->targets, &tk, &tnew)) == NULL)
		return -1;
	if (!tnew && (tg->ok || !c->synack))
		return 0;
	memset(&sk, 0, sizeof(sk));
	sk.ver = c->k.ver;
	memcpy(sk.src, c->k.src, sizeof(sk.src));
	if ((src = vnd_htab_get(&t->sources, &sk, &isnew)) == NULL)
		return -1;
	if (tnew) {
		tg->ok = c->synack;
		src->sc.targets++;
		src->sc.failed += !tg->ok;
	} else {
		tg->ok = 1;
		src->sc.failed--;
	}
	return 0;
}

size_t
vnd_event_scanners(struct vnd_event_tries *t, const struct vnd_event_conf *conf)
{
	struct source *src = t->sources.r;
	size_t i;

	for (i = 0; i < t->sources.cap; i++)
		if (src[i].used && src[i].sc.targets >=
		    (uint32_t)conf->scan_targets && (double)src[i].sc.failed >=
		    conf->scan_failed * src[i].sc.targets) {
			src[i].scanner = 1;
			t->scanners++;
		}
	vnd_htab_free(&t->targets);
	return t->scanners;
}

const struct vnd_event_scan *
vnd_event_scanner(const struct vnd_event_tries *t, int ver, const uint8_t *ip)
{
	const struct source *src;
	struct skey sk;

	memset(&sk, 0, sizeof(sk));
	sk.ver = (uint8_t)ver;
	memcpy(sk.src, ip, sizeof(sk.src));
	src = vnd_htab_find(&t->sources, &sk);
	return src != NULL && src->scanner ? &src->sc : NULL;
}

void
vnd_event_tries_free(struct vnd_event_tries *t)
{
	vnd_htab_free(&t->targets);
	vnd_htab_free(&t->sources);
}
