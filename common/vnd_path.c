/* vnd_path.c: a path's points read as vnd-hoploss reads them: clocks first, then all at once through the matchers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "vnd_path.h"

/*
 * Point i's clock against point i - 1's: as given (a point without one,
 * in sync mode: 0), or from the data.
 */
static int
clock_of(struct vnd_path_point *pts, int i, int mode, int64_t window,
    char *errbuf)
{
	struct vnd_path_point *a = &pts[i - 1], *b = &pts[i];
	struct vnd_clock *c = &b->clock;

	memset(c, 0, sizeof(*c));
	c->res = VND_NS_PER_US;
	if (b->given || mode == VND_PATH_SYNC) {
		c->kind = a->given || b->given ? VND_CLOCK_GIVEN : VND_CLOCK_SYNC;
		b->offset = b->given_ns;
		c->off = b->offset - a->offset;
		return 0;
	}
	if (vnd_clock_compare(a->path, a->owned ? NULL : a->name, b->path,
	    b->owned ? NULL : b->name, mode == VND_PATH_ESTIMATE, window, c,
	    errbuf) < 0)
		return -1;
	b->offset = a->offset + c->off;
	return 0;
}

int
vnd_path_clocks(struct vnd_path_point *pts, int npts, int mode,
    int64_t window, char *errbuf)
{
	int i;

	pts[0].offset = pts[0].given_ns;
	snprintf(pts[0].how, sizeof(pts[0].how), pts[0].given ?
	    "reference, given" : "reference");
	for (i = 1; i < npts; i++) {
		if (clock_of(pts, i, mode, window, errbuf) < 0)
			return -1;
		vnd_clock_how(&pts[i].clock, pts[i].how, sizeof(pts[i].how));
	}
	return 0;
}

void
vnd_path_clock_line(const struct vnd_path_point *pts, int i, char *buf,
    size_t len)
{
	snprintf(buf, len, "clock of %s = clock of %s %+.9f s (%s)",
	    pts[i].name, pts[i - 1].name,
	    (double)(pts[i].offset - pts[i - 1].offset) / 1e9, pts[i].how);
}

struct vnd_match **
vnd_path_hops(const struct vnd_path_point *pts, int npts, int64_t window,
    vnd_match_event_fn fn, void *arg)
{
	struct vnd_match **hops;
	int i;

	if ((hops = calloc(npts > 1 ? (size_t)npts : 1, sizeof(*hops))) == NULL)
		return NULL;
	for (i = 0; i < npts - 1; i++) {
		if ((hops[i] = vnd_match_new(i, window, fn, arg)) == NULL) {
			vnd_path_hops_free(hops, npts);
			return NULL;
		}
		vnd_match_slack(hops[i], vnd_clock_slack(&pts[i + 1].clock));
		vnd_match_repeats(hops[i], 1);
	}
	return hops;
}

void
vnd_path_hops_free(struct vnd_match **hops, int npts)
{
	int i;

	for (i = 0; hops != NULL && i < npts - 1; i++)
		vnd_match_free(hops[i]);
	free(hops);
}

static int
advance(struct vnd_path_point *p)
{
	while (vnd_pktsrc_next(&p->src, &p->pk))
		if (VND_ISSET(&p->pk, VND_COL_SRC_IP))
			return p->have = 1;
	return p->have = 0;
}

int
vnd_path_open(struct vnd_path_point *pts, int npts, char *errbuf)
{
	char why[VND_ERRBUF_SIZE];
	int i;

	for (i = 0; i < npts; i++) {
		struct vnd_path_point *p = &pts[i];

		if (vnd_pktsrc_open(&p->src, p->path, p->owned ? NULL : p->name,
		    why) < 0) {
			snprintf(errbuf, VND_ERRBUF_SIZE, "'%.100s': %.140s",
			    p->path, why);
			return -1;
		}
		p->open = 1;
		advance(p);
	}
	return 0;
}

/* The point whose next packet comes first on the first point's clock. */
static struct vnd_path_point *
next_point(struct vnd_path_point *pts, int npts)
{
	struct vnd_path_point *p = NULL;
	int i;

	for (i = 0; i < npts; i++)
		if (pts[i].have && (p == NULL || pts[i].pk.ts_ns -
		    pts[i].offset < p->pk.ts_ns - p->offset))
			p = &pts[i];
	return p;
}

int
vnd_path_walk(struct vnd_path_point *pts, int npts, struct vnd_match **hops,
    const int *stop)
{
	struct vnd_path_point *p;
	uint64_t key;
	int64_t now;
	int i, k;

	while ((p = next_point(pts, npts)) != NULL) {
		now = p->pk.ts_ns - p->offset;
		k = (int)(p - pts);
		if (vnd_match_key(&p->pk, &key) == 0 && ((k > 0 &&
		    vnd_match_see(hops[k - 1], 1, &p->pk, key, now, 0) < 0) ||
		    (k < npts - 1 &&
		    vnd_match_see(hops[k], 0, &p->pk, key, now, 0) < 0)))
			return -1;
		for (i = 0; i < npts - 1; i++)
			vnd_match_expire(hops[i], now);
		if (*stop)
			return -1;
		advance(p);
	}
	for (i = 0; i < npts - 1; i++)
		vnd_match_flush(hops[i]);
	return *stop ? -1 : 0;
}

void
vnd_path_close(struct vnd_path_point *pts, int npts)
{
	int i;

	for (i = 0; pts != NULL && i < npts; i++)
		if (pts[i].open) {
			vnd_pktsrc_close(&pts[i].src);
			vnd_pktsrc_free(&pts[i].src);
			pts[i].open = 0;
		}
}
