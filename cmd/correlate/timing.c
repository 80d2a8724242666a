/* timing.c: the time method: a proxy's two connections told by when things happen on each, paired one to one. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "vnd_assign.h"
#include "vnd_cmp.h"
#include "correlate.h"

/*
 * A TCP proxy opens its backend connection a short, steady time after the
 * client's handshake completes; the client's bytes leave to the backend,
 * and the backend's to the client, moments after they arrive; a FIN
 * follows a FIN; and it carries every byte, so both connections count the
 * same bytes each way. Each of those events gives a lag between the two
 * sides, and a pair's cost is how unlikely its lags are, given the lag
 * typical of this proxy (the median over the pairs, and its spread): dev()
 * of each event's deviation in spreads, minus the log of a density that
 * is Gaussian near the typical lag and Laplacian far from it. The typical
 * lags are learnt: first from each input connection's nearest output open,
 * then twice more from the pairs chosen.
 *
 * The pairing is the one-to-one assignment of least total cost over the
 * whole capture (a TCP proxy maps a client connection to one backend
 * connection), where a connection may stay unpaired (a health check, a
 * client the proxy refused) at the cost of every event far off. A pair's
 * confidence is the logistic of its regret, what the best assignment
 * without it costs more (a log likelihood ratio over the runner-up):
 * 0.5 for a tie, near 1 when nothing else comes close.
 */

#define NEV		7	/* events compared */
#define MAX_CAND	16	/* candidates kept per input connection */
#define FLOOR_NS	(10 * VND_NS_PER_US)	/* least spread: timestamp jitter */
#define FAR		1e5	/* an event this many spreads off: unpaired */
#define MISS		1e3	/* an event or a byte count on one side only: as far off */

struct model {
	double		 m[NEV], s[NEV];	/* median lag and spread, ns */
};

struct cand {
	size_t		 out;		/* index into the outputs */
	double		 cost;
};

struct work {
	const struct vc_time *t;
	long		*in, *out;	/* the connections taking part */
	size_t		 nin, nout;
	size_t		*lstart, *lidx;	/* input c's links: lidx[lstart[c]..lstart[c+1]) */
	struct model	 mod;
	struct cand	*cand;		/* MAX_CAND per input */
	size_t		*ncand;
};

/* When a connection opened: at the input the ACK that completed its
 * handshake (a proxy accepts then), at the output the proxy's SYN. */
static int64_t
open_ts(const struct conn *c, int side)
{
	if (side == 0 && c->open_seen)
		return c->open_ts;
	return c->syn_seen ? c->syn_ts : c->first_ts;
}

/* Event k of a connection (0: none), and which way its lag runs. */
static int64_t
event(const struct conn *c, int side, int k)
{
	switch (k) {
	case 0:
		return open_ts(c, side);
	case 1:
	case 2:
		return c->d[k - 1].first_data_ts;
	case 3:
	case 4:
		return c->d[k - 3].last_data_ts;
	default:
		return c->d[k - 5].fin_ts;
	}
}

/* Events of the opener's way (k odd, and the open) go in, then out. */
static int
inward(int k)
{
	return k == 0 || k % 2 == 1;
}

static double
lag(const struct conn *a, const struct conn *b, int k)
{
	int64_t x = event(a, 0, k), y = event(b, 1, k);

	if (x == 0 || y == 0)
		return NAN;
	return inward(k) ? (double)(y - x) : (double)(x - y);
}

/*
 * The cost of an event z spreads off the typical lag: about z^2 near it, 2|z|
 * far from it (pseudo-Huber). Convex, so that the pairing does not cross
 * two connections' lags for nothing (connections the proxy held in a burst
 * keep their order), and linear, not quadratic, in the tail.
 */
static double
dev(double z)
{
	return 2 * (sqrt(1 + z * z) - 1);
}

static double
pair_cost(const struct work *w, size_t i, size_t j, int *nev)
{
	const struct conn *a = &w->t->ci->v[w->in[i]], *b = &w->t->co->v[w->out[j]];
	double c = 0, x;
	int k, d;

	*nev = 0;
	for (k = 0; k < NEV; k++) {
		x = lag(a, b, k);
		if (!isnan(x)) {
			c += dev((x - w->mod.m[k]) / w->mod.s[k]);
			(*nev)++;
		} else if ((event(a, 0, k) == 0) != (event(b, 1, k) == 0))
			c += dev(MISS);
	}
	for (d = 0; d < 2; d++)
		if (conn_bytes(a, d) >= 0 && conn_bytes(b, d) >= 0 &&
		    conn_bytes(a, d) != conn_bytes(b, d))
			c += dev(MISS);
	return c;
}

static double
alone_cost(const struct work *w, size_t i)
{
	const struct conn *a = &w->t->ci->v[w->in[i]];
	double c = 0;
	int k;

	for (k = 0; k < NEV; k++)
		if (event(a, 0, k) != 0)
			c += dev(FAR);
	return c;
}

/* Median and spread (1.4826 median absolute deviation) of v[0..n). */
static void
robust(double *v, size_t n, double *m, double *s)
{
	size_t i;

	if (n == 0)
		return;
	qsort(v, n, sizeof(*v), vnd_cmp_double);
	*m = v[n / 2];
	for (i = 0; i < n; i++)
		v[i] = fabs(v[i] - *m);
	qsort(v, n, sizeof(*v), vnd_cmp_double);
	*s = 1.4826 * v[n / 2];
	if (*s < (double)FLOOR_NS)
		*s = (double)FLOOR_NS;
}

static int
cmp_out(const void *a, const void *b, void *arg)
{
	const struct conns *co = arg;
	int64_t x = open_ts(&co->v[*(const long *)a], 1);
	int64_t y = open_ts(&co->v[*(const long *)b], 1);

	return x < y ? -1 : x > y;
}

/* The first output (sorted by open) that opened at t or later. */
static size_t
first_at(const struct work *w, int64_t t)
{
	size_t lo = 0, hi = w->nout;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (open_ts(&w->t->co->v[w->out[mid]], 1) < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A first guess of the open lag: each input's nearest output open after it. */
static int
guess(struct work *w)
{
	double *v;
	size_t i, j, n = 0;
	int k;

	for (k = 0; k < NEV; k++) {
		w->mod.m[k] = 0;
		w->mod.s[k] = (double)VND_NS_PER_MS;
	}
	if ((v = malloc((w->nin + 1) * sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < w->nin; i++) {
		int64_t t = open_ts(&w->t->ci->v[w->in[i]], 0);

		if ((j = first_at(w, t)) < w->nout)
			v[n++] = (double)(open_ts(&w->t->co->v[w->out[j]], 1) - t);
	}
	robust(v, n, &w->mod.m[0], &w->mod.s[0]);
	free(v);
	return 0;
}

/* The typical lags again, from the pairs of the last assignment. */
static int
refit(struct work *w, const long *col)
{
	double *v;
	size_t i, n;
	int k;

	if ((v = malloc((w->nin + 1) * sizeof(*v))) == NULL)
		return -1;
	for (k = 0; k < NEV; k++) {
		for (i = n = 0; i < w->nin; i++)
			if (col[i] >= 0 && !isnan(lag(&w->t->ci->v[w->in[i]],
			    &w->t->co->v[w->out[col[i]]], k)))
				v[n++] = lag(&w->t->ci->v[w->in[i]],
				    &w->t->co->v[w->out[col[i]]], k);
		robust(v, n, &w->mod.m[k], &w->mod.s[k]);
	}
	free(v);
	return 0;
}

/* Payload evidence of the pair (input i, output j): the packets it tied. */
static double
tied(const struct work *w, size_t i, size_t j)
{
	const struct link *l;
	size_t k;

	for (k = w->lstart[w->in[i]]; k < w->lstart[w->in[i] + 1]; k++)
		if ((l = &w->t->links[w->lidx[k]])->out == w->out[j])
			return (double)l->n[M_PAYLOAD];
	return 0;
}

/* Do the payload matches of input i all name output j? */
static int
tied_alone(const struct work *w, size_t i, size_t j)
{
	const struct link *l;
	size_t k;
	int ok = 0;

	for (k = w->lstart[w->in[i]]; k < w->lstart[w->in[i] + 1]; k++) {
		l = &w->t->links[w->lidx[k]];
		if (l->n[M_PAYLOAD] == 0)
			continue;
		if (l->out != w->out[j])
			return 0;
		ok = 1;
	}
	return ok;
}

static int
cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return x->cost < y->cost ? -1 : x->cost > y->cost;
}

/* Each input's candidates: outputs opened within the window, cheapest kept. */
static int
candidates(struct work *w, struct cand *tmp)
{
	size_t i, j, n;
	int64_t t;
	int nev;

	for (i = 0; i < w->nin; i++) {
		t = open_ts(&w->t->ci->v[w->in[i]], 0);
		n = 0;
		for (j = first_at(w, t - w->t->window); j < w->nout &&
		    open_ts(&w->t->co->v[w->out[j]], 1) <= t + w->t->window; j++) {
			tmp[n].out = j;
			tmp[n++].cost = pair_cost(w, i, j, &nev) -
			    w->t->payload_weight * tied(w, i, j);
		}
		qsort(tmp, n, sizeof(*tmp), cmp_cand);
		w->ncand[i] = n < MAX_CAND ? n : MAX_CAND;
		memcpy(&w->cand[i * MAX_CAND], tmp, w->ncand[i] * sizeof(*tmp));
	}
	return 0;
}

static struct vnd_assign *
solve(struct work *w, long *col)
{
	struct vnd_assign *a;
	struct cand *c;
	size_t i, k;

	if ((a = vnd_assign_new(w->nin, w->nout)) == NULL)
		return NULL;
	for (i = 0; i < w->nin; i++) {
		vnd_assign_alone(a, i, alone_cost(w, i));
		for (k = 0; k < w->ncand[i]; k++) {
			c = &w->cand[i * MAX_CAND + k];
			if (vnd_assign_add(a, i, c->out, c->cost) < 0)
				goto fail;
		}
	}
	if (vnd_assign_solve(a) < 0)
		goto fail;
	for (i = 0; i < w->nin; i++)
		col[i] = vnd_assign_col(a, i);
	return a;
fail:
	vnd_assign_free(a);
	return NULL;
}

/* The TCP connections of a side that no fingerprint tied. */
static size_t
takers(const struct conns *cs, long *v)
{
	size_t i, n = 0;

	for (i = 0; i < cs->n; i++)
		if (cs->v[i].proto == 6 && !(cs->v[i].mapped & M_FP))
			v[n++] = (long)i;
	return n;
}

/* The links by input (counting sort). */
static void
index_links(struct work *w)
{
	size_t l, c, n = w->t->ci->n;

	for (l = 0; l < w->t->nlinks; l++)
		w->lstart[w->t->links[l].in + 1]++;
	for (c = 0; c < n; c++)
		w->lstart[c + 1] += w->lstart[c];
	for (l = 0; l < w->t->nlinks; l++)
		w->lidx[w->lstart[w->t->links[l].in]++] = l;
	for (c = n; c > 0; c--)		/* each start moved to the next: back */
		w->lstart[c] = w->lstart[c - 1];
	w->lstart[0] = 0;
}

static void
put_rows(const struct work *w, struct vnd_assign *a, const long *col,
    struct row *rows, size_t *nr)
{
	struct row *r;
	size_t i;
	int nev;

	for (i = 0; i < w->nin; i++) {
		if (col[i] < 0)
			continue;
		r = &rows[(*nr)++];
		r->in = w->in[i];
		r->out = w->out[col[i]];
		r->method = M_TIME;
		pair_cost(w, i, (size_t)col[i], &nev);
		r->n = (uint64_t)nev;
		r->conf = 1 / (1 + exp(-vnd_assign_regret(a, i)));
		/* every packet the payload tied names this pair: its row, as before */
		if (w->t->payload_decides && tied_alone(w, i, (size_t)col[i])) {
			r->method = M_PAYLOAD;
			r->n = (uint64_t)tied(w, i, (size_t)col[i]);
			r->conf = 1;
		}
	}
}

static int
run_time(struct work *w, struct row *rows, size_t *nr)
{
	struct vnd_assign *a = NULL;
	struct cand *tmp;
	long *col;
	int pass, ret = -1;

	if ((col = malloc((w->nin + 1) * sizeof(*col))) == NULL ||
	    (tmp = malloc((w->nout + 1) * sizeof(*tmp))) == NULL) {
		free(col);
		return -1;
	}
	if (guess(w) < 0)
		goto out;
	for (pass = 0; pass < 3; pass++) {
		vnd_assign_free(a);
		if ((pass > 0 && refit(w, col) < 0) || candidates(w, tmp) < 0 ||
		    (a = solve(w, col)) == NULL)
			goto out;
	}
	put_rows(w, a, col, rows, nr);
	ret = 0;
out:
	vnd_assign_free(a);
	free(col);
	free(tmp);
	return ret;
}

int
vc_time_rows(const struct vc_time *t, struct row *rows, size_t *nr,
    char *errbuf)
{
	struct work w;
	int ret = -1;

	memset(&w, 0, sizeof(w));
	w.t = t;
	if ((w.in = malloc((t->ci->n + 1) * sizeof(*w.in))) == NULL ||
	    (w.out = malloc((t->co->n + 1) * sizeof(*w.out))) == NULL ||
	    (w.lstart = calloc(t->ci->n + 2, sizeof(*w.lstart))) == NULL ||
	    (w.lidx = malloc((t->nlinks + 1) * sizeof(*w.lidx))) == NULL ||
	    (w.cand = malloc((t->ci->n + 1) * MAX_CAND * sizeof(*w.cand))) == NULL ||
	    (w.ncand = calloc(t->ci->n + 1, sizeof(*w.ncand))) == NULL)
		goto out;
	w.nin = takers(t->ci, w.in);
	w.nout = takers(t->co, w.out);
	qsort_r(w.out, w.nout, sizeof(*w.out), cmp_out, (void *)t->co);
	index_links(&w);
	ret = w.nin && w.nout ? run_time(&w, rows, nr) : 0;
out:
	if (ret < 0)
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
	free(w.in);
	free(w.out);
	free(w.lstart);
	free(w.lidx);
	free(w.cand);
	free(w.ncand);
	return ret;
}
