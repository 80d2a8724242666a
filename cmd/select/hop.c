/* hop.c: loss on the hops between the points --at lists: the flows whose packets one point saw and the next did not. */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd_cli.h"
#include "vnd_grow.h"
#include "vnd_htab.h"
#include "vnd_path.h"
#include "select.h"

/*
 * --at A,B,C: the points in path order from the client end, the selector
 * first. A flow shows loss on a hop when packets of it seen where the hop
 * starts (A for the client's packets, B for the server's) never reached its
 * other end within the window: the packets vnd-hoploss --lost lists, found
 * by the same code (vnd_path: its clocks, its walk, its matchers, which
 * forget idle flows). Only the flows that lost are kept, a record per flow,
 * hop and direction, before pass 1 (which keeps the TCP connections of
 * their 5-tuples); then each is a flow of the selector's (its TCP
 * connection there, by 5-tuple) or one of its own (UDP, or one the
 * selector's engine did not follow), and a pick.
 */

/* A flow's loss on one hop, one way; the key's padding zeroed. */
struct hkey {
	struct vnd_flowkey fk;		/* from the client end; point NULL */
	uint8_t		 proto;
	uint8_t		 dir;		/* VND_DIR_x */
	uint16_t	 hop;
};

struct hrec {
	struct hkey	 k;
	uint64_t	 lost;
	int64_t		 ts;		/* the first lost, on its point's clock */
	uint64_t	 frame;		/* ... its frame there */
	uint64_t	 key[NKEYS];	/* fingerprints of the first lost */
	int		 nkeys;
	int		 used;
	size_t		 hf;		/* its flow of its own, s->hf[hf] */
};

struct hops {
	struct sel	*s;
	struct vnd_path_point *pts;	/* --at's, in its order */
	struct vnd_htab	 tab;		/* struct hrec */
	int		 failed;
};

/* The record of a lost packet's flow, hop and way: found, or new. */
static struct hrec *
hrec_of(struct hops *h, int hop, int dir, const struct vnd_sighting *in)
{
	struct hkey k;
	int isnew;

	memset(&k, 0, sizeof(k));
	vnd_match_flowkey_copy(&k.fk, &in->fk, dir == VND_DIR_BWD);
	k.fk.point = NULL;
	k.proto = in->proto;
	k.dir = (uint8_t)dir;
	k.hop = (uint16_t)hop;
	return vnd_htab_get(&h->tab, &k, &isnew);
}

/* The matchers' events: the lost packets of flows with ports, counted. */
static void
on_hop(void *arg, int hop, int dir, int kind, const struct vnd_sighting *in,
    const struct vnd_sighting *out, int64_t delay)
{
	struct hops *h = arg;
	struct hrec *r;
	int64_t ts;

	(void)out;
	(void)delay;
	if (kind != VND_EV_LOST || (in->proto != 6 && in->proto != 17) ||
	    h->failed)
		return;
	if ((r = hrec_of(h, hop, dir, in)) == NULL) {
		h->failed = 1;
		return;
	}
	ts = in->ts + h->pts[hop + in->side].offset;
	if (r->lost++ == 0 || ts < r->ts) {
		r->ts = ts;
		r->frame = in->frame;
	}
	if (r->nkeys < NKEYS)
		r->key[r->nkeys++] = in->key;
}

/* The points of --at, their clocks; a line each on stderr. */
static int
hop_clocks(struct hops *h, char *err)
{
	struct sel *s = h->s;
	char line[512];
	int i;

	if ((h->pts = calloc((size_t)s->nhop, sizeof(*h->pts))) == NULL) {
		snprintf(err, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	for (i = 0; i < s->nhop; i++) {
		h->pts[i].name = s->pts[s->hop[i]].name;
		h->pts[i].path = s->pts[s->hop[i]].path;
		h->pts[i].owned = 1;	/* captures: no table's point */
	}
	if (vnd_path_clocks(h->pts, s->nhop, VND_PATH_AUTO, VND_WINDOW_NS,
	    err) < 0)
		return -1;
	for (i = 1; i < s->nhop && !s->quiet; i++) {
		vnd_path_clock_line(h->pts, i, line, sizeof(line));
		warnx("%s", line);
	}
	return 0;
}

/* The points that ended badly: a warning once; -1 when one was unread. */
static int
hop_status(struct hops *h, char *err)
{
	struct sel *s = h->s;
	struct point *p;
	int i, status = VND_RUN_OK;

	for (i = 0; i < s->nhop; i++) {
		p = &s->pts[s->hop[i]];
		if (p->format[0] == '\0') {
			snprintf(p->format, sizeof(p->format), "%s",
			    vnd_pktsrc_format(&h->pts[i].src));
			p->packets = h->pts[i].src.frame;
		}
		if (h->pts[i].src.status == 0)
			continue;
		snprintf(err, VND_ERRBUF_SIZE, "'%.100s': %.140s", p->path,
		    h->pts[i].src.err);
		if (h->pts[i].src.status < 0)
			return VND_RUN_ABORT;
		if (!s->quiet && !p->warned)
			warnx("%s", err);
		p->warned = 1;
		status = VND_RUN_PARTIAL;
	}
	return status;
}

/* The walk of --at's points through the hops' matchers. */
static int
hop_walk(struct hops *h, char *err)
{
	struct vnd_match **m;
	int status;

	if (hop_clocks(h, err) < 0)
		return VND_RUN_ABORT;
	if ((m = vnd_path_hops(h->pts, h->s->nhop, VND_WINDOW_NS, on_hop,
	    h)) == NULL) {
		snprintf(err, VND_ERRBUF_SIZE, "out of memory");
		return VND_RUN_ABORT;
	}
	if (vnd_path_open(h->pts, h->s->nhop, err) < 0)
		status = VND_RUN_ABORT;
	else if (vnd_path_walk(h->pts, h->s->nhop, m, &h->failed) < 0) {
		snprintf(err, VND_ERRBUF_SIZE, "out of memory");
		status = VND_RUN_ABORT;
	} else
		status = hop_status(h, err);
	vnd_path_hops_free(m, h->s->nhop);
	vnd_path_close(h->pts, h->s->nhop);
	return status;
}

static const struct vnd_flowkey *
hflow_key(void *arg, size_t i)
{
	return &((struct sel *)arg)->hf[i].k;
}

/* The flow of its own of record r, made once for all its hops; -1: no memory. */
static long
hflow_of(struct sel *s, const struct hrec *r)
{
	const char *at = s->pts[s->at].name;
	struct hflow *nf;
	long i;
	int dir;

	if ((i = vnd_flowtab_find_key(&s->hft, &r->k.fk, at, &dir)) >= 0 &&
	    s->hf[i].proto == r->k.proto)
		return i;
	if ((nf = vnd_grow(s->hf, &s->caphf, s->nhf, sizeof(*nf), 16)) == NULL)
		return -1;
	s->hf = nf;
	memset(&s->hf[s->nhf], 0, sizeof(*nf));
	s->hf[s->nhf].k = r->k.fk;
	s->hf[s->nhf].k.point = at;
	s->hf[s->nhf].proto = r->k.proto;
	s->hft.key = hflow_key;
	s->hft.arg = s;
	if (vnd_flowtab_add(&s->hft, s->nhf) < 0)
		return -1;
	return (long)s->nhf++;
}

/* Did a hop lose packets of the TCP connection k's 5-tuple? */
int
hop_flow(const struct sel *s, const struct vnd_flowkey *k)
{
	long i;
	int dir;

	if (s->nhf == 0)
		return 0;
	return (i = vnd_flowtab_find_key(&s->hft, k, k->point, &dir)) >= 0 &&
	    s->hf[i].proto == 6;
}

/*
 * Record r as a pick of its flow: the selector's TCP connection of its
 * 5-tuple (the last one), or its flow of its own; its fingerprints the
 * flow's.
 */
static int
hop_pick(struct sel *s, const struct hrec *r)
{
	int from = r->k.hop + (r->k.dir == VND_DIR_BWD);
	int to = r->k.hop + (r->k.dir == VND_DIR_FWD);
	struct info *in;
	long conn = -1;
	int k, dir;

	if (r->k.proto == 6)
		conn = vnd_flowtab_find_key(&s->kt, &r->k.fk, s->pts[s->at].name,
		    &dir);
	if (conn < 0)
		conn = (long)(s->nkept + r->hf);
	in = info_of(s, (size_t)conn);
	for (k = 0; k < r->nkeys && in->nkeys < NKEYS; k++)
		in->key[in->nkeys++] = r->key[k];
	return add_pick(s, &(struct pick){ (size_t)conn, VND_E_LOSS, r->ts,
	    r->frame, s->hop[from], s->hop[to], r->lost });
}

/* The losses on --at's hops, a record per flow, hop and way, each a flow. */
int
hop_detect(struct sel *s, char *err)
{
	struct hops h;
	struct hrec *r;
	size_t i;
	long f;
	int status;

	memset(&h, 0, sizeof(h));
	h.s = s;
	h.tab = (struct vnd_htab)VND_HTAB_INIT(struct hrec, k, used, 64);
	status = hop_walk(&h, err);
	r = h.tab.r;
	for (i = 0; status >= 0 && i < h.tab.cap; i++)
		if (r[i].used) {
			if ((f = hflow_of(s, &r[i])) < 0) {
				snprintf(err, VND_ERRBUF_SIZE, "out of memory");
				status = VND_RUN_ABORT;
			} else
				r[i].hf = (size_t)f;
		}
	s->hrecs = h.tab;
	free(h.pts);
	return status;
}

/* Pass 1 over: each record a pick. -1: no memory (err set). */
int
hop_picks(struct sel *s, char *err)
{
	struct hrec *r = s->hrecs.r;
	size_t i;

	for (i = 0; i < s->hrecs.cap; i++)
		if (r[i].used && hop_pick(s, &r[i]) < 0) {
			snprintf(err, VND_ERRBUF_SIZE, "out of memory");
			return -1;
		}
	vnd_htab_free(&s->hrecs);
	return 0;
}

void
hop_free(struct sel *s)
{
	vnd_htab_free(&s->hrecs);
	free(s->hop);
	free(s->hf);
	vnd_flowtab_free(&s->hft);
}

/* Point name p, len long: its index, or -1. */
static int
point_index(const struct sel *s, const char *p, size_t len)
{
	int i;

	for (i = 0; i < s->npts; i++)
		if (strlen(s->pts[i].name) == len &&
		    strncmp(s->pts[i].name, p, len) == 0)
			return i;
	return -1;
}

/*
 * --at's list: the points in its order, the selector first (by default
 * the first point alone); -1 with err.
 */
int
hop_points(struct sel *s, char *err)
{
	const char *p, *e;
	int i, k;

	if ((s->hop = calloc((size_t)s->npts, sizeof(*s->hop))) == NULL) {
		snprintf(err, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	s->nhop = 1;
	if ((p = s->at_name) == NULL)
		return 0;
	for (s->nhop = 0; p != NULL; p = *e ? e + 1 : NULL) {
		e = p + strcspn(p, ",");
		if ((i = point_index(s, p, (size_t)(e - p))) < 0) {
			snprintf(err, VND_ERRBUF_SIZE, "--at '%.*s': no such "
			    "point", (int)(e - p), p);
			return -1;
		}
		for (k = 0; k < s->nhop; k++)
			if (s->hop[k] == i) {
				snprintf(err, VND_ERRBUF_SIZE, "--at: point '%s' "
				    "twice", s->pts[i].name);
				return -1;
			}
		s->hop[s->nhop++] = i;
	}
	s->at = s->hop[0];
	return 0;
}
