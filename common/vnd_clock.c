/* vnd_clock.c: the clock offset between two capture points, from the packets both saw. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "vnd_clock.h"
#include "vnd_match.h"
#include "vnd_pktsrc.h"

#define PREPASS_PKTS	50000	/* packets per point read for the estimate */

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* One direction of traffic of a flow, as seen at the hop's start. */
struct dgroup {
	uint8_t		 ver, src[16], dst[16];
	uint16_t	 sport, dport;
	int64_t		*d;
	size_t		 n, cap;
};

/* What the offset estimate keeps of a packet: its key, time and flow. */
struct prepkt {
	uint64_t	 key;
	int64_t		 ts;
	uint8_t		 ver, src[16], dst[16];
	uint16_t	 sport, dport;
};

static int
cmpkey(const void *a, const void *b)
{
	uint64_t x = ((const struct prepkt *)a)->key, y = ((const struct prepkt *)b)->key;

	return x < y ? -1 : x > y;
}

static int
read_prefix(const char *path, const char *point, struct prepkt **out, size_t *n,
    char *errbuf)
{
	struct vnd_pktsrc s;
	struct prepkt *v;
	struct vnd_pkt pk;
	size_t k = 0;
	uint64_t key;

	if (vnd_pktsrc_open(&s, path, point, errbuf) < 0) {
		char why[VND_ERRBUF_SIZE];

		/* the caller cannot tell which of the two it was */
		snprintf(why, sizeof(why), "%s", errbuf);
		snprintf(errbuf, VND_ERRBUF_SIZE, "'%.100s': %.140s", path, why);
		return -1;
	}
	if ((v = calloc(PREPASS_PKTS, sizeof(*v))) == NULL) {
		vnd_pktsrc_close(&s);
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	while (k < PREPASS_PKTS && vnd_pktsrc_next(&s, &pk)) {
		if (vnd_match_key(&pk, &key) < 0)
			continue;
		memset(&v[k], 0, sizeof(v[k]));
		v[k].key = key;
		v[k].ts = pk.ts_ns;
		v[k].ver = pk.ip_ver;
		memcpy(v[k].src, pk.src_ip, 16);
		memcpy(v[k].dst, pk.dst_ip, 16);
		v[k].sport = VND_ISSET(&pk, VND_COL_SRC_PORT) ? pk.src_port : 0;
		v[k].dport = VND_ISSET(&pk, VND_COL_DST_PORT) ? pk.dst_port : 0;
		k++;
	}
	vnd_pktsrc_close(&s);
	qsort(v, k, sizeof(*v), cmpkey);
	*out = v;
	*n = k;
	return 0;
}

/*
 * The clock offset of point b against a, from the same packets seen at both
 * (NTP's reasoning): a packet a->b gives tb - ta = delay + offset, one b->a
 * gives delay - offset. For each flow with traffic both ways, the offset is
 * halfway between the smallest a->b difference and the largest b->a one.
 * With traffic one way only, delays and offset cannot be told apart: the
 * clocks are taken as synchronised unless that would make delays negative
 * or longer than a second.
 */
int
vnd_clock_offset(const char *pa, const char *ppa, const char *pb,
    const char *ppb, int64_t *off, const char **how, char *errbuf)
{
	struct prepkt *a = NULL, *b = NULL;
	struct dgroup *g = NULL;
	size_t na, nb, i = 0, j = 0, ng = 0, k, gcap = 0;
	int64_t *est = NULL, dmin = INT64_MAX;
	size_t ne = 0;
	int r = -1;

	*off = 0;
	*how = "none matched";
	if (read_prefix(pa, ppa, &a, &na, errbuf) < 0 ||
	    read_prefix(pb, ppb, &b, &nb, errbuf) < 0)
		goto out;
	while (i < na && j < nb) {
		if (a[i].key < b[j].key) {
			i++;
			continue;
		}
		if (a[i].key > b[j].key) {
			j++;
			continue;
		}
		{
			const struct prepkt *p = &a[i];
			int64_t d = b[j].ts - a[i].ts;

			if (d < dmin)
				dmin = d;
			for (k = 0; k < ng; k++)
				if (g[k].ver == p->ver && g[k].sport == p->sport &&
				    g[k].dport == p->dport &&
				    memcmp(g[k].src, p->src, 16) == 0 &&
				    memcmp(g[k].dst, p->dst, 16) == 0)
					break;
			if (k == ng) {
				if (ng == gcap) {
					struct dgroup *ngp;

					gcap = gcap ? gcap * 2 : 64;
					if ((ngp = realloc(g, gcap * sizeof(*g))) == NULL)
						goto oom;
					g = ngp;
				}
				memset(&g[ng], 0, sizeof(g[ng]));
				g[ng].ver = p->ver;
				memcpy(g[ng].src, p->src, 16);
				memcpy(g[ng].dst, p->dst, 16);
				g[ng].sport = p->sport;
				g[ng].dport = p->dport;
				ng++;
			}
			if (g[k].n == g[k].cap) {
				int64_t *nd;

				g[k].cap = g[k].cap ? g[k].cap * 2 : 64;
				if ((nd = realloc(g[k].d, g[k].cap * sizeof(*nd))) == NULL)
					goto oom;
				g[k].d = nd;
			}
			g[k].d[g[k].n++] = d;
		}
		i++;
		j++;
	}
	if ((est = calloc(ng + 1, sizeof(*est))) == NULL)
		goto oom;
	for (k = 0; k < ng; k++) {
		size_t m;

		for (m = k + 1; m < ng; m++) {
			struct dgroup *f = &g[k], *bk = &g[m];
			int64_t fmin = INT64_MAX, bmax = INT64_MIN, t;
			size_t x;

			if (f->ver != bk->ver || f->sport != bk->dport ||
			    f->dport != bk->sport || memcmp(f->src, bk->dst, 16) ||
			    memcmp(f->dst, bk->src, 16))
				continue;
			qsort(f->d, f->n, sizeof(*f->d), cmp64);
			qsort(bk->d, bk->n, sizeof(*bk->d), cmp64);
			/* the direction whose differences are larger runs a -> b */
			if (f->d[f->n / 2] < bk->d[bk->n / 2]) {
				struct dgroup *sw = f;

				f = bk;
				bk = sw;
			}
			for (x = 0; x < f->n; x++)
				fmin = f->d[x] < fmin ? f->d[x] : fmin;
			for (x = 0; x < bk->n; x++)
				bmax = bk->d[x] > bmax ? bk->d[x] : bmax;
			t = fmin / 2 + bmax / 2;
			est[ne++] = t;
		}
	}
	if (ne > 0) {
		qsort(est, ne, sizeof(*est), cmp64);
		*off = est[ne / 2];
		*how = "both directions";
	} else if (dmin != INT64_MAX) {
		if (dmin < 0 || dmin > 1000000000) {
			*off = dmin;
			*how = "one direction: smallest difference";
		} else
			*how = "one direction: clocks taken as synchronised";
	}
	r = 0;
	goto out;
oom:
	snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
out:
	for (k = 0; k < ng; k++)
		free(g[k].d);
	free(g);
	free(est);
	free(a);
	free(b);
	return r;
}

