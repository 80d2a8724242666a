/* vnd_event.c: the events flows are selected by, one definition each. */
#include <stdlib.h>
#include <string.h>

#include "vnd_event.h"

static const char *const names[VND_E_N] = {
	"loss", "reset", "zero-window", "slow", "elephant", "scan", "unanswered",
};

/* vnd_tcpconn's event kinds and the events they show */
static const struct {
	const char	*kind;
	int		 e;
} tcp_kinds[] = {
	{ "retx_fast", VND_E_LOSS }, { "retx_timeout", VND_E_LOSS },
	{ "retx_lost_upstream", VND_E_LOSS }, { "rst", VND_E_RESET },
	{ "zero_window", VND_E_ZERO_WINDOW },
};

const char *
vnd_event_name(int e)
{
	return e >= 0 && e < VND_E_N ? names[e] : "-";
}

int
vnd_event_lookup(const char *name)
{
	int e;

	for (e = 0; e < VND_E_N; e++)
		if (strcmp(name, names[e]) == 0)
			return e;
	return -1;
}

int
vnd_event_of_tcp(const char *kind)
{
	size_t i;

	for (i = 0; i < VND_NELEM(tcp_kinds); i++)
		if (strcmp(kind, tcp_kinds[i].kind) == 0)
			return tcp_kinds[i].e;
	return -1;
}

uint64_t
vnd_event_bytes(const struct vnd_tcpconn *c)
{
	return c->d[0].bytes + c->d[1].bytes;
}

int
vnd_event_unanswered(const struct vnd_tcpconn *c)
{
	return c->syn && !c->synack;
}

int64_t
vnd_event_rtt(const struct vnd_tcpconn *c)
{
	return c->hs_rtt;
}

int
vnd_event_slow(const struct vnd_tcpconn *c, const struct vnd_event_conf *conf)
{
	return c->hs_rtt > conf->slow_ns;
}

struct byrank {
	uint64_t	 bytes;
	size_t		 i;
};

static int
cmp_bytes(const void *a, const void *b)
{
	const struct byrank *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

int
vnd_event_elephants(const struct vnd_tcpconn *c, size_t n,
    const struct vnd_event_conf *conf, uint32_t *rank)
{
	struct byrank *b;
	size_t i;

	memset(rank, 0, n * sizeof(*rank));
	if (n == 0)
		return 0;
	if ((b = malloc(n * sizeof(*b))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		b[i].bytes = vnd_event_bytes(&c[i]);
		b[i].i = i;
	}
	qsort(b, n, sizeof(*b), cmp_bytes);
	/* a connection with no data is nobody's elephant */
	for (i = 0; i < n && b[i].bytes > 0; i++)
		if ((conf->elephant_bytes && b[i].bytes >= conf->elephant_bytes) ||
		    (int64_t)i < conf->elephant_top)
			rank[b[i].i] = (uint32_t)(i + 1);
	free(b);
	return 0;
}

/* A connection's attempt: its source, its destination, and whether it failed. */
struct attempt {
	const struct vnd_tcpconn *c;
	size_t		 i;
	int		 failed;
};

static int
cmp_attempt(const void *a, const void *b)
{
	const struct vnd_tcpconn *x = ((const struct attempt *)a)->c;
	const struct vnd_tcpconn *y = ((const struct attempt *)b)->c;
	int d;

	if (x->k.ver != y->k.ver)
		return x->k.ver < y->k.ver ? -1 : 1;
	if ((d = memcmp(x->k.src, y->k.src, sizeof(x->k.src))) != 0)
		return d;
	if ((d = memcmp(x->k.dst, y->k.dst, sizeof(x->k.dst))) != 0)
		return d;
	return (x->k.dport > y->k.dport) - (x->k.dport < y->k.dport);
}

static int
same_src(const struct attempt *a, const struct attempt *b)
{
	return a->c->k.ver == b->c->k.ver &&
	    memcmp(a->c->k.src, b->c->k.src, sizeof(a->c->k.src)) == 0;
}

/*
 * One source's attempts, a[0] to a[m - 1], sorted by destination: a target
 * counts once, failed when none of its attempts was answered.
 */
static void
score_source(const struct attempt *a, size_t m,
    const struct vnd_event_conf *conf, struct vnd_event_scan *sc)
{
	uint32_t targets = 0, failed = 0;
	size_t j, k;
	int ok;

	for (j = 0; j < m; j = k) {
		ok = !a[j].failed;
		for (k = j + 1; k < m && cmp_attempt(&a[j], &a[k]) == 0; k++)
			ok |= !a[k].failed;
		targets++;
		failed += !ok;
	}
	if (targets < (uint32_t)conf->scan_targets ||
	    (double)failed < conf->scan_failed * targets)
		return;
	for (j = 0; j < m; j++) {
		sc[a[j].i].targets = targets;
		sc[a[j].i].failed = failed;
	}
}

int
vnd_event_scans(const struct vnd_tcpconn *c, size_t n,
    const struct vnd_event_conf *conf, struct vnd_event_scan *sc)
{
	struct attempt *a;
	size_t i, j, m = 0;

	memset(sc, 0, n * sizeof(*sc));
	if (n == 0)
		return 0;
	if ((a = malloc(n * sizeof(*a))) == NULL)
		return -1;
	/* attempts are connections opened by a SYN; refused or unanswered fail */
	for (i = 0; i < n; i++)
		if (c[i].syn) {
			a[m].c = &c[i];
			a[m].i = i;
			a[m++].failed = !c[i].synack;
		}
	qsort(a, m, sizeof(*a), cmp_attempt);
	for (i = 0; i < m; i = j) {
		for (j = i + 1; j < m && same_src(&a[i], &a[j]); j++)
			;
		score_source(a + i, j - i, conf, sc);
	}
	free(a);
	return 0;
}
