/* seq.c: the time-sequence graph of one connection, at one capture point or several. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vnd_grow.h"
#include "plot.h"
#include "flow.h"

/*
 * tcptrace's picture: a vertical bar per data segment from its first byte
 * to its last, the receiver's cumulative ACK and the edge of its window as
 * steps above it, SACK blocks as bars beside the ACK line, and marks on
 * retransmissions (fast: while the receiver reports a hole by duplicate ACKs
 * or SACK; timeout: with none) and zero windows. With several points, each
 * point's segments in its colour: the horizontal gap between two colours is
 * the hop's delay, and a cross marks a packet seen at one point and never at
 * the next one downstream.
 */

#define MAX_POINTS	16
#define RTO_MIN		0.15	/* s: below any sender's least RTO */

struct sent {				/* a data-direction packet, for loss */
	uint64_t	 key;
	double		 x, y;
	int		 in;		/* within -r: drawn */
};

/*
 * The segments a point saw, by first sequence number: sent again or not.
 * New data comes in order, appended to starts (no lookup, memory read in
 * order); only a segment below the highest is looked for, by bisection, and
 * kept aside in a hash when it was not there (reordered, or its original
 * lost before the point).
 */
struct start {
	double		 lo;
	uint32_t	 ipid;
};

struct seen {
	uint32_t	 seq, ipid;
	int		 used;
};

struct spoint {
	char		*name;
	struct start	*st;
	size_t		 nst, stcap;
	struct seen	*seen;
	size_t		 nseen, seencap;
	struct thin	 seg, ack, win, sack, fast, rto, zero;
	int64_t		 base_hi;	/* unwrapped sequence: last value */
	int		 have_base;
	double		 high;		/* highest end sent */
	int		 sent_any;
	double		 lastack_x;	/* when the last ACK came */
	int		 acked_any;
	int		 wsc_a, wsc_b;	/* window scale each way, -1 unknown */
	struct sent	*s;
	size_t		 ns, scap;
	int64_t		 first_ts;
};

struct seq {
	struct plot	*p;
	struct fspec	 f;
	int64_t		 t0;
	uint32_t	 isn;		/* the data sender's first sequence number */
	int		 have_isn;
	double		 r0, r1;	/* -r, or 0 0 */
	struct spoint	 pt[MAX_POINTS];
	int		 npt;
	int		 failed;
};

/* A 64-bit mix (splitmix64's finaliser): every input bit moves the low bits. */
static uint64_t
mix(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

static struct spoint *
point_of(struct seq *sq, const char *name)
{
	struct spoint *sp;
	int i;

	for (i = 0; i < sq->npt; i++)
		if (strcmp(sq->pt[i].name, name) == 0)
			return &sq->pt[i];
	if (sq->npt == MAX_POINTS)
		return NULL;
	sp = &sq->pt[sq->npt];
	memset(sp, 0, sizeof(*sp));
	sp->wsc_a = sp->wsc_b = -1;
	if ((sp->name = strdup(name)) == NULL ||
	    thin_init(&sp->seg, sq->p->width, 1) < 0 ||
	    thin_init(&sp->ack, sq->p->width, 0) < 0 ||
	    thin_init(&sp->win, sq->p->width, 0) < 0 ||
	    thin_init(&sp->sack, sq->p->width, 1) < 0 ||
	    thin_init(&sp->fast, 1, 0) < 0 || thin_init(&sp->rto, 1, 0) < 0 ||
	    thin_init(&sp->zero, 1, 0) < 0)
		return NULL;
	sq->npt++;
	return sp;
}

/* A sequence number as bytes since the sender's first, past 4 GiB too. */
static double
rel(struct seq *sq, struct spoint *sp, uint32_t s)
{
	int64_t v;

	if (!sp->have_base) {
		sp->base_hi = (int64_t)(uint32_t)(s - sq->isn);
		sp->have_base = 1;
	}
	v = sp->base_hi + (int32_t)(s - sq->isn - (uint32_t)sp->base_hi);
	if (v > sp->base_hi)
		sp->base_hi = v;
	return (double)v;
}

static int
sent_add(struct spoint *sp, const struct vnd_pkt *pk, double x, double y,
    int in)
{
	/* the fingerprint, widened as vnd-hoploss widens it (IP ID 0 hosts) */
	uint64_t key = mix(mix(mix(pk->pkt_id ^ (uint64_t)pk->ack << 32) ^
	    pk->payload_bytes) ^ ((uint64_t)pk->tcp_flags << 32 | pk->tsval));
	struct sent *ns;

	if ((ns = vnd_grow(sp->s, &sp->scap, sp->ns, sizeof(*ns),
	    1024)) == NULL)
		return -1;
	sp->s = ns;
	sp->s[sp->ns++] = (struct sent){ key, x, y, in };
	return 0;
}

/* The same IP ID as before: the capture holds the packet twice. */
static int
same_ipid(uint32_t ipid, const struct vnd_pkt *pk)
{
	return ipid == pk->ip_id && VND_ISSET(pk, VND_COL_IP_ID) && pk->ip_id;
}

/* A segment below the highest, not among the starts: in the hash, or added. */
static int
seen_aside(struct spoint *sp, const struct vnd_pkt *pk)
{
	struct seen *ns;
	size_t i, j;

	if (sp->nseen * 2 >= sp->seencap) {
		size_t nc = sp->seencap ? sp->seencap * 2 : 1024;

		if ((ns = calloc(nc, sizeof(*ns))) == NULL)
			return -1;
		for (i = 0; i < sp->seencap; i++) {
			if (!sp->seen[i].used)
				continue;
			for (j = mix(sp->seen[i].seq) & (nc - 1);
			    ns[j].used; j = (j + 1) & (nc - 1))
				;
			ns[j] = sp->seen[i];
		}
		free(sp->seen);
		sp->seen = ns;
		sp->seencap = nc;
	}
	for (j = mix(pk->seq) & (sp->seencap - 1); sp->seen[j].used;
	    j = (j + 1) & (sp->seencap - 1))
		if (sp->seen[j].seq == pk->seq)
			return same_ipid(sp->seen[j].ipid, pk) ? 2 : 1;
	sp->seen[j] = (struct seen){ pk->seq, pk->ip_id, 1 };
	sp->nseen++;
	return 0;
}

/*
 * Was the segment seen at this point before? 1: sent again; 0: first seen
 * (below the highest, it was reordered, or its original lost upstream);
 * 2: the same IP ID too, the capture's duplicate; -1: no memory.
 */
static int
seen_before(struct spoint *sp, const struct vnd_pkt *pk, double lo)
{
	struct start *ns;
	size_t a = 0, b = sp->nst, m;

	if (sp->sent_any && lo < sp->high) {
		while (a < b) {
			m = a + (b - a) / 2;
			if (sp->st[m].lo < lo)
				a = m + 1;
			else
				b = m;
		}
		if (a < sp->nst && sp->st[a].lo == lo)
			return same_ipid(sp->st[a].ipid, pk) ? 2 : 1;
		return seen_aside(sp, pk);
	}
	if ((ns = vnd_grow(sp->st, &sp->stcap, sp->nst, sizeof(*ns),
	    1024)) == NULL)
		return -1;
	sp->st = ns;
	sp->st[sp->nst++] = (struct start){ lo, pk->ip_id };
	return 0;
}

/* A data segment: its bar, and a mark when it was sent before. */
static int
on_data(struct spoint *sp, const struct vnd_pkt *pk, double x, double lo,
    double hi, int in)
{
	int r = 0, again;

	if ((again = seen_before(sp, pk, lo)) < 0)
		return -1;
	if (again == 2)
		return 0;

	if (in)
		thin_bar(&sp->seg, x, lo, hi);
	/*
	 * Sent again: by the sender's timer when no ACK came for longer than
	 * any sender's least RTO allows (Linux: 200 ms; RFC 6298: 1 s), else
	 * prompted by the ACKs (duplicates, SACK, a partial ACK): fast.
	 */
	if (in && again && sp->sent_any && lo < sp->high)
		r = thin_mark(!sp->acked_any || x - sp->lastack_x > RTO_MIN ?
		    &sp->rto : &sp->fast, x, lo);
	if (!sp->sent_any || hi > sp->high)
		sp->high = hi;
	sp->sent_any = 1;
	return r;
}

/* An ACK from the receiver: the lines, SACK blocks, zero windows, dupacks. */
static int
on_ack(struct seq *sq, struct spoint *sp, const struct vnd_pkt *pk, double x)
{
	double a = rel(sq, sp, pk->ack), w;
	int i, r = 0;

	/* RFC 7323: a SYN's window is never scaled */
	w = (double)pk->win * (double)(1u << (sp->wsc_a >= 0 &&
	    sp->wsc_b >= 0 && !(pk->tcp_flags & VND_TH_SYN) ? sp->wsc_b : 0));
	thin_add(&sp->ack, x, a);
	thin_add(&sp->win, x, a + w);
	if (pk->win == 0 && !(pk->tcp_flags & VND_TH_RST))
		r |= thin_mark(&sp->zero, x, a);
	for (i = 0; VND_ISSET(pk, VND_COL_SACK) && i < pk->nsack; i++)
		thin_bar(&sp->sack, x, rel(sq, sp, pk->sack[i][0]),
		    rel(sq, sp, pk->sack[i][1]));
	sp->lastack_x = x;
	sp->acked_any = 1;
	return r;
}

static int
seq_pkt(void *arg, const struct vnd_pkt *pk, const char *point)
{
	struct seq *sq = arg;
	struct spoint *sp;
	uint32_t len;
	double x, lo;
	int dir, syn, in;

	if (!flow_match(&sq->f, pk, &dir))
		return 0;
	syn = (pk->tcp_flags & VND_TH_SYN) != 0;
	if (dir == 0 && !sq->have_isn) {
		sq->isn = syn ? pk->seq + 1 : pk->seq;
		sq->have_isn = 1;
	}
	if (sq->t0 == 0)
		sq->t0 = pk->ts_ns;
	if ((sp = point_of(sq, point)) == NULL)
		return plot_fail(sq->p, "out of memory, or more than %d points",
		    MAX_POINTS);
	if (sp->first_ts == 0)
		sp->first_ts = pk->ts_ns;
	if (syn)
		*(dir ? &sp->wsc_b : &sp->wsc_a) = VND_ISSET(pk, VND_COL_WSCALE) ?
		    pk->wscale : -2;
	if (!sq->have_isn)
		return 0;
	x = plot_sec(pk->ts_ns, sq->t0);
	/* out of -r: only what later packets are judged by is kept */
	in = sq->r1 <= sq->r0 || (x >= sq->r0 && x <= sq->r1);
	if (dir == 1)
		return in && (pk->tcp_flags & VND_TH_ACK) ?
		    on_ack(sq, sp, pk, x) : 0;
	len = VND_ISSET(pk, VND_COL_PAYLOAD_BYTES) ? pk->payload_bytes : 0;
	lo = syn ? rel(sq, sp, pk->seq + 1) - 1 : rel(sq, sp, pk->seq);
	if (sent_add(sp, pk, x, lo, in) < 0)
		return plot_fail(sq->p, "out of memory");
	if (len == 0 && !(pk->tcp_flags & VND_TH_FIN) && !syn)
		return 0;
	if (on_data(sp, pk, x, lo, lo + (len ? len : 1), in) < 0)
		return plot_fail(sq->p, "out of memory");
	return 0;
}

/* Where key is, or would go, in an open-addressed set of cap (a power of 2). */
static size_t
slot_of(const uint64_t *set, size_t cap, uint64_t key)
{
	size_t j;

	for (j = key & (cap - 1); set[j] != 0 && set[j] != key; j = (j + 1) & (cap - 1))
		;
	return j;
}

/*
 * Packets of up never seen at down: marks on up's times. The keys are
 * mixed already; | 1 keeps 0 for an empty place.
 */
static int
lost_marks(const struct spoint *up, const struct spoint *down, struct thin *t)
{
	size_t cap = 64, i;
	uint64_t *set;

	while (cap < 2 * down->ns + 2)
		cap *= 2;
	if ((set = calloc(cap, sizeof(*set))) == NULL)
		return -1;
	for (i = 0; i < down->ns; i++)
		set[slot_of(set, cap, down->s[i].key | 1)] = down->s[i].key | 1;
	for (i = 0; i < up->ns; i++)
		if (up->s[i].in && set[slot_of(set, cap, up->s[i].key | 1)] == 0 &&
		    thin_mark(t, up->s[i].x, up->s[i].y) < 0)
			break;
	free(set);
	return i < up->ns ? -1 : 0;
}

/* One series: a data block, and its plot clause after "plot" or ", ". */
struct clause {
	char		 using[48];
	char		 with[64];
	char		 title[160];
	const char	*color;
	int		 block;
};

static int
series(struct plot *p, struct clause *c, int *nc, struct thin *t,
    const char *using, const char *with, const char *color, const char *title)
{
	int marks = strstr(with, "points") != NULL;

	if (t->n == 0 && t->nm == 0)
		return 0;
	c[*nc].block = gp_block(p);
	if (marks)
		thin_write_marks(t, p->gp, p->width, p->height);
	else
		thin_write(t, p->gp);
	gp_block_end(p);
	snprintf(c[*nc].using, sizeof(c->using), "%s", using);
	snprintf(c[*nc].with, sizeof(c->with), "%s", with);
	if (marks)
		snprintf(c[*nc].title, sizeof(c->title), "%s (%zu)", title, t->nm);
	else
		snprintf(c[*nc].title, sizeof(c->title), "%s", title);
	c[*nc].color = color;
	(*nc)++;
	return 0;
}

#define BARS	"1:2:(0):($3-$2)"
#define NOHEAD	"vectors nohead lw 1.5"

static void
point_series(struct seq *sq, struct spoint *sp, int i, struct clause *c, int *nc)
{
	struct plot *p = sq->p;
	char t[128];
	const char *at = sq->npt > 1 ? sp->name : "";

	if (i == 0) {
		snprintf(t, sizeof(t), "window%s%s%s%s", sp->wsc_a == -1 ?
		    " (unscaled)" : "", *at ? " (" : "", at, *at ? ")" : "");
		series(p, c, nc, &sp->win, "1:2", "steps lw 1.2", "#009e73", t);
		snprintf(t, sizeof(t), "ACK%s%s%s", *at ? " (" : "", at,
		    *at ? ")" : "");
		series(p, c, nc, &sp->ack, "1:2", "steps lw 1.2", "#777777", t);
		series(p, c, nc, &sp->sack, BARS, NOHEAD, "#cc79a7", "SACK blocks");
	}
	snprintf(t, sizeof(t), "%s", *at ? at : "segments");
	series(p, c, nc, &sp->seg, BARS, NOHEAD, sq->npt > 1 ? gp_color(i == 1 ?
	    5 : i + (i > 1)) : "#0072b2", t);
	if (i == 0) {
		series(p, c, nc, &sp->fast, "1:2", "points pt 6 ps 0.9",
		    "#e69f00", "fast retx");
		series(p, c, nc, &sp->rto, "1:2", "points pt 7 ps 1.1",
		    "#d55e00", "timeout retx");
		series(p, c, nc, &sp->zero, "1:2", "points pt 9 ps 1.2",
		    "#000000", "zero window");
	}
}

/* Which way the data goes through the points: 1 if the first sees it first. */
static int
forward(const struct seq *sq)
{
	return sq->pt[0].first_ts <= sq->pt[sq->npt - 1].first_ts;
}

static int
seq_draw(struct seq *sq, int panel)
{
	struct plot *p = sq->p;
	struct clause c[8 + 2 * MAX_POINTS];
	struct thin lost[MAX_POINTS];
	char name[160], t[200];
	static const char *const lostc[] = { "#d00000", "#7a0177", "#8c510a" };
	int i, nc = 0, fw = forward(sq), ret = 0, nl = 0;

	flow_name(&sq->f, name, sizeof(name));
	snprintf(t, sizeof(t), "time-sequence graph: %s%s%s", name,
	    sq->npt == 1 ? " at " : "", sq->npt == 1 ? sq->pt[0].name : "");
	if (panel) {		/* a panel: -t is the whole picture's title */
		fputs("set title ", p->gp);
		gp_str(p, t);
		fputc('\n', p->gp);
	} else
		gp_title(p, t);
	gp_xtime(p, sq->t0);
	fputs("set ylabel \"sequence offset (bytes)\"\nset yrange [0<*:*]\nset key outside right top vertical font \",9\" samplen 2\nset format y \"%.0f\"\n",
	    p->gp);
	for (i = 0; i < sq->npt; i++)
		point_series(sq, &sq->pt[i], i, c, &nc);
	for (i = 0; i + 1 < sq->npt; i++) {
		struct spoint *up = &sq->pt[fw ? i : i + 1];
		struct spoint *down = &sq->pt[fw ? i + 1 : i];

		if (thin_init(&lost[i], 1, 0) < 0 || lost_marks(up, down,
		    &lost[i]) < 0)
			ret = plot_fail(p, "out of memory");
		snprintf(t, sizeof(t), "lost %s > %s", up->name, down->name);
		series(p, c, &nc, &lost[i], "1:2", nl % 2 ?
		    "points pt 1 ps 1.4 lw 2" : "points pt 2 ps 1.3 lw 1.5",
		    lostc[nl % 3], t);
		nl += lost[i].nm > 0;
		thin_free(&lost[i]);
	}
	fputs("plot ", p->gp);
	for (i = 0; i < nc; i++) {
		fprintf(p->gp, "%s$d%d using %s with %s lc rgb \"%s\" title ",
		    i ? ", \\\n  " : "", c[i].block, c[i].using, c[i].with,
		    c[i].color);
		gp_str(p, c[i].title);
	}
	fputc('\n', p->gp);
	return nc == 0 ? plot_fail(p, "nothing to draw") : ret;
}

static int
parse_range(struct seq *sq, const char *s)
{
	char *e;

	sq->r0 = strtod(s, &e);
	if (*e != ':')
		return -1;
	sq->r1 = strtod(e + 1, &e);
	return *e != '\0' || sq->r1 <= sq->r0 ? -1 : 0;
}

static void
seq_free(struct seq *sq)
{
	int i;

	for (i = 0; sq != NULL && i < sq->npt; i++) {
		struct spoint *sp = &sq->pt[i];

		free(sp->name);
		free(sp->s);
		free(sp->seen);
		free(sp->st);
		thin_free(&sp->seg), thin_free(&sp->ack), thin_free(&sp->win);
		thin_free(&sp->sack), thin_free(&sp->fast), thin_free(&sp->rto);
		thin_free(&sp->zero);
	}
	free(sq);
}

/* A connection's graph: -r, its -f (NULL: none), the busiest when not whole. */
static int
seq_setup(struct plot *p, struct seq *sq, const char *flow, char **tmp)
{
	sq->p = p;
	if (p->range != NULL && parse_range(sq, p->range) < 0)
		return plot_fail(p, "-r '%s': not FROM:TO seconds", p->range);
	if (flow_parse(&sq->f, flow ? flow : "") < 0 && flow)
		return plot_fail(p, "-f '%s': not PORT or ADDR:PORT>ADDR:PORT",
		    flow);
	if (!sq->f.full && ((*tmp == NULL && flow_spool(p->ops, p->nops, tmp,
	    p->err) < 0) || flow_choose(&sq->f, p->ops, p->nops, &sq->t0,
	    p->err) < 0))
		return -1;
	return 0;
}

/* Several -f: every connection from the one pass, each its graph. */
struct seqs {
	struct seq	*fl[PLOT_FLOWS];
	int		 n;
};

static int
seqs_pkt(void *arg, const struct vnd_pkt *pk, const char *point)
{
	struct seqs *ss = arg;
	int i;

	for (i = 0; i < ss->n; i++)
		if (seq_pkt(ss->fl[i], pk, point) < 0)
			return -1;
	return 0;
}

/* The graphs, one panel each when there are several. */
static int
seqs_draw(struct plot *p, struct seqs *ss)
{
	char name[160];
	int i;

	if (ss->n > 1) {
		fprintf(p->gp, "set multiplot layout %d,1 title ", ss->n);
		gp_str(p, p->title ? p->title : "");
		fputc('\n', p->gp);
	}
	for (i = 0; i < ss->n; i++) {
		if (ss->fl[i]->npt == 0) {
			flow_name(&ss->fl[i]->f, name, sizeof(name));
			return plot_fail(p, "no packet of the connection %s",
			    name);
		}
		if (seq_draw(ss->fl[i], ss->n > 1) < 0)
			return -1;
	}
	if (ss->n > 1)
		fputs("unset multiplot\n", p->gp);
	return 0;
}

int
plot_seq(struct plot *p)
{
	struct seqs ss;
	char *tmp = NULL;
	int i, ret = -1;

	memset(&ss, 0, sizeof(ss));
	for (i = 0; i < (p->nflow ? p->nflow : 1); i++) {
		if ((ss.fl[i] = calloc(1, sizeof(*ss.fl[i]))) == NULL) {
			plot_fail(p, "out of memory");
			goto out;
		}
		ss.n++;
		if (seq_setup(p, ss.fl[i], p->nflow ? p->flow[i] : NULL,
		    &tmp) < 0)
			goto out;
	}
	if (flow_read(p->ops, p->nops, seqs_pkt, &ss, p->err) == 0)
		ret = seqs_draw(p, &ss);
out:
	for (i = 0; i < ss.n; i++)
		seq_free(ss.fl[i]);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	return ret;
}
