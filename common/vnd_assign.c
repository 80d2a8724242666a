/* vnd_assign.c: least-cost one-to-one assignment, sparse, by shortest augmenting paths with potentials. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vnd_assign.h"

/*
 * Rows are added one at a time (successive shortest paths). Each column c
 * and row r has a potential; the reduced cost of a candidate pair, cost +
 * pr[r] - pc[c], is never negative, and 0 on the pairs taken, so Dijkstra's
 * search applies (Johnson). A row's search runs from the row through free
 * pairs to taken columns, back to their rows, until the nearest free
 * column; the potentials of what it settled are then moved so that the path
 * found is tight. Free columns keep potential 0, so the first free column
 * settled is the nearest. A row's "alone" cost is a column of its own.
 */

struct adj {
	size_t		 col;
	double		 cost;
};

struct edge {
	size_t		 row;
	struct adj	 a;
};

struct hent {
	double		 d;
	size_t		 col;
};

struct vnd_assign {
	size_t		 nr, nc;	/* columns: nc real, then nr alone */
	struct edge	*e;
	size_t		 ne, ecap;
	size_t		*start;		/* row r's pairs: adj[start[r]..start[r+1]) */
	struct adj	*adj;
	size_t		*cstart;	/* column c's rows: radj[cstart[c]..) */
	struct adj	*radj;		/* .col holds the row */
	double		 pcmax;
	double		*alone;		/* HUGE_VAL: not allowed */
	double		*pr, *pc;	/* potentials */
	long		*col_of, *row_of;
	/* one search */
	double		*dist, *rdist;
	size_t		*pred;		/* the row that reached a column */
	uint32_t	*seen, *done, stamp;
	size_t		*settled, ns;	/* the columns settled, the rows reached */
	size_t		*reached, nreached;
	struct hent	*heap;
	size_t		 hn, hcap;
};

struct vnd_assign *
vnd_assign_new(size_t nrows, size_t ncols)
{
	struct vnd_assign *a = calloc(1, sizeof(*a));
	size_t i, n = ncols + nrows;

	if (a == NULL)
		return NULL;
	a->nr = nrows;
	a->nc = ncols;
	a->alone = malloc((nrows + 1) * sizeof(*a->alone));
	a->pr = calloc(nrows + 1, sizeof(*a->pr));
	a->pc = calloc(n + 1, sizeof(*a->pc));
	a->col_of = malloc((nrows + 1) * sizeof(*a->col_of));
	a->row_of = malloc((n + 1) * sizeof(*a->row_of));
	a->dist = malloc((n + 1) * sizeof(*a->dist));
	a->rdist = malloc((nrows + 1) * sizeof(*a->rdist));
	a->pred = malloc((n + 1) * sizeof(*a->pred));
	a->seen = calloc(n + 1, sizeof(*a->seen));
	a->done = calloc(n + 1, sizeof(*a->done));
	a->settled = malloc((n + 1) * sizeof(*a->settled));
	a->reached = malloc((nrows + 1) * sizeof(*a->reached));
	if (a->settled == NULL || a->reached == NULL ||
	    a->alone == NULL || a->pr == NULL || a->pc == NULL ||
	    a->col_of == NULL || a->row_of == NULL || a->dist == NULL ||
	    a->rdist == NULL || a->pred == NULL || a->seen == NULL ||
	    a->done == NULL) {
		vnd_assign_free(a);
		return NULL;
	}
	for (i = 0; i < nrows; i++) {
		a->alone[i] = HUGE_VAL;
		a->col_of[i] = -1;
	}
	for (i = 0; i < n; i++)
		a->row_of[i] = -1;
	return a;
}

void
vnd_assign_free(struct vnd_assign *a)
{
	if (a == NULL)
		return;
	free(a->e);
	free(a->start);
	free(a->adj);
	free(a->cstart);
	free(a->radj);
	free(a->alone);
	free(a->pr);
	free(a->pc);
	free(a->col_of);
	free(a->row_of);
	free(a->dist);
	free(a->rdist);
	free(a->pred);
	free(a->seen);
	free(a->done);
	free(a->settled);
	free(a->reached);
	free(a->heap);
	free(a);
}

int
vnd_assign_add(struct vnd_assign *a, size_t row, size_t col, double cost)
{
	struct edge *ne;

	if (a->ne == a->ecap) {
		a->ecap = a->ecap ? a->ecap * 2 : 1024;
		if ((ne = realloc(a->e, a->ecap * sizeof(*ne))) == NULL)
			return -1;
		a->e = ne;
	}
	a->e[a->ne].row = row;
	a->e[a->ne].a.col = col;
	a->e[a->ne].a.cost = cost;
	a->ne++;
	return 0;
}

void
vnd_assign_alone(struct vnd_assign *a, size_t row, double cost)
{
	a->alone[row] = cost;
}

/* The pairs by row (counting sort), plus each row's alone column. */
static int
build(struct vnd_assign *a)
{
	size_t i, r, *fill;

	if ((a->start = calloc(a->nr + 2, sizeof(*a->start))) == NULL ||
	    (a->adj = malloc((a->ne + a->nr + 1) * sizeof(*a->adj))) == NULL ||
	    (fill = malloc((a->nr + 1) * sizeof(*fill))) == NULL)
		return -1;
	for (i = 0; i < a->ne; i++)
		a->start[a->e[i].row + 1]++;
	for (r = 0; r < a->nr; r++)
		a->start[r + 1] += a->start[r] + (a->alone[r] < HUGE_VAL);
	for (r = 0; r < a->nr; r++) {
		fill[r] = a->start[r];
		if (a->alone[r] < HUGE_VAL) {
			a->adj[fill[r]].col = a->nc + r;
			a->adj[fill[r]++].cost = a->alone[r];
		}
	}
	for (i = 0; i < a->ne; i++)
		a->adj[fill[a->e[i].row]++] = a->e[i].a;
	free(fill);
	free(a->e);
	a->e = NULL;
	return 0;
}

/* Who can take each column: the pairs by column, for the regret. */
static int
build_rev(struct vnd_assign *a)
{
	size_t n = a->nc + a->nr, i, r, c, *fill;

	if ((a->cstart = calloc(n + 2, sizeof(*a->cstart))) == NULL ||
	    (a->radj = malloc((a->start[a->nr] + 1) * sizeof(*a->radj))) == NULL ||
	    (fill = malloc((n + 1) * sizeof(*fill))) == NULL)
		return -1;
	for (i = 0; i < a->start[a->nr]; i++)
		a->cstart[a->adj[i].col + 1]++;
	for (c = 0; c < n; c++) {
		a->cstart[c + 1] += a->cstart[c];
		fill[c] = a->cstart[c];
		if (a->row_of[c] >= 0 && a->pc[c] > a->pcmax)
			a->pcmax = a->pc[c];
	}
	for (r = 0; r < a->nr; r++)
		for (i = a->start[r]; i < a->start[r + 1]; i++) {
			c = a->adj[i].col;
			a->radj[fill[c]].col = r;
			a->radj[fill[c]++].cost = a->adj[i].cost;
		}
	free(fill);
	return 0;
}

static int
heap_push(struct vnd_assign *a, double d, size_t col)
{
	struct hent *nh, t;
	size_t i;

	if (a->hn == a->hcap) {
		a->hcap = a->hcap ? a->hcap * 2 : 256;
		if ((nh = realloc(a->heap, a->hcap * sizeof(*nh))) == NULL)
			return -1;
		a->heap = nh;
	}
	i = a->hn++;
	a->heap[i].d = d;
	a->heap[i].col = col;
	for (; i > 0 && a->heap[(i - 1) / 2].d > a->heap[i].d; i = (i - 1) / 2) {
		t = a->heap[i];
		a->heap[i] = a->heap[(i - 1) / 2];
		a->heap[(i - 1) / 2] = t;
	}
	return 0;
}

static struct hent
heap_pop(struct vnd_assign *a)
{
	struct hent top = a->heap[0], t;
	size_t i = 0, k;

	a->heap[0] = a->heap[--a->hn];
	for (;;) {
		k = 2 * i + 1;
		if (k >= a->hn)
			break;
		if (k + 1 < a->hn && a->heap[k + 1].d < a->heap[k].d)
			k++;
		if (a->heap[i].d <= a->heap[k].d)
			break;
		t = a->heap[i];
		a->heap[i] = a->heap[k];
		a->heap[k] = t;
		i = k;
	}
	return top;
}

/* Reach on from row r at distance d; skip is a column not to take from src. */
static int
relax(struct vnd_assign *a, size_t r, double d, size_t src, long skip)
{
	size_t i, c;
	double nd;

	a->rdist[r] = d;
	a->reached[a->nreached++] = r;
	for (i = a->start[r]; i < a->start[r + 1]; i++) {
		c = a->adj[i].col;
		if (r == src && (long)c == skip)
			continue;
		if (a->done[c] == a->stamp)
			continue;
		nd = d + a->adj[i].cost + a->pr[r] - a->pc[c];
		if (nd < 0)
			nd = 0;		/* rounding: reduced costs are >= 0 */
		if (a->seen[c] == a->stamp && nd >= a->dist[c])
			continue;
		a->seen[c] = a->stamp;
		a->dist[c] = nd;
		a->pred[c] = r;
		if (heap_push(a, nd, c) < 0)
			return -1;
	}
	return 0;
}

static void
next_stamp(struct vnd_assign *a)
{
	size_t n = a->nc + a->nr;

	a->hn = 0;
	a->ns = a->nreached = 0;
	if (++a->stamp != 0)
		return;
	memset(a->seen, 0, n * sizeof(*a->seen));
	memset(a->done, 0, n * sizeof(*a->done));
	a->stamp = 1;
}

/* Move the potentials of what the search settled: the path to f is tight. */
static void
reprice(struct vnd_assign *a, double D)
{
	size_t i, c, r;

	for (i = 0; i < a->ns; i++)
		if (a->dist[c = a->settled[i]] < D)
			a->pc[c] -= D - a->dist[c];
	for (i = 0; i < a->nreached; i++)
		if (a->rdist[r = a->reached[i]] < D)
			a->pr[r] -= D - a->rdist[r];
}

static void
augment(struct vnd_assign *a, size_t s, size_t f)
{
	size_t c = f, r;
	long prev;

	for (;;) {
		r = a->pred[c];
		prev = a->col_of[r];
		a->col_of[r] = (long)c;
		a->row_of[c] = (long)r;
		if (r == s || prev < 0)
			break;
		c = (size_t)prev;
	}
}

/* Row s joins: the shortest path to a free column. 1 found, 0 none, -1 memory. */
static int
add_row(struct vnd_assign *a, size_t s)
{
	struct hent h;
	double p = -HUGE_VAL;
	size_t i;
	long r;

	if (a->start[s] == a->start[s + 1])
		return 0;
	/* its potential: none of its pairs below 0 */
	for (i = a->start[s]; i < a->start[s + 1]; i++)
		/* NOLINTNEXTLINE(clang-analyzer-core.uninitialized.ArraySubscript): set before a solve */
		if (a->pc[a->adj[i].col] - a->adj[i].cost > p)
			p = a->pc[a->adj[i].col] - a->adj[i].cost;
	a->pr[s] = p;
	next_stamp(a);
	if (relax(a, s, 0, s, -1) < 0)
		return -1;
	while (a->hn > 0) {
		h = heap_pop(a);
		if (a->done[h.col] == a->stamp || h.d > a->dist[h.col])
			continue;
		a->done[h.col] = a->stamp;
		a->settled[a->ns++] = h.col;
		if ((r = a->row_of[h.col]) < 0) {
			reprice(a, h.d);
			augment(a, s, h.col);
			return 1;
		}
		if (relax(a, (size_t)r, h.d, s, -1) < 0)
			return -1;
	}
	return 0;
}

int
vnd_assign_solve(struct vnd_assign *a)
{
	size_t r;

	if (build(a) < 0)
		return -1;
	for (r = 0; r < a->nr; r++)
		if (add_row(a, r) < 0)
			return -1;
	return 0;
}

long
vnd_assign_col(const struct vnd_assign *a, size_t row)
{
	long c = a->col_of[row];

	return c >= 0 && (size_t)c < a->nc ? c : -1;
}

/* A search settles at most this many columns: a bound on a regret's work. */
#define MAX_SETTLE	4096

/*
 * Breaking the pair (s, x) rearranges along a path of the residual graph
 * through x -> s: from a column that some row leaves (x itself, or one
 * whose row moves on toward x), through x to s, and from s to a free
 * column; or a cycle, s reaching x again through other rows. Its cost is
 * the reduced costs along it, minus the start's potential (free columns
 * are at 0). Two searches: backward from x (the best start), forward from
 * s (the nearest free column, and x). The halves are taken as disjoint.
 */
static int
regret_back(struct vnd_assign *a, size_t s, size_t x, double *best)
{
	struct hent h;
	size_t i, r;
	long c2;
	double nd;

	*best = -a->pc[x];
	next_stamp(a);
	if (heap_push(a, 0, x) < 0)
		return -1;
	a->seen[x] = a->stamp;
	a->dist[x] = 0;
	while (a->hn > 0 && a->ns < MAX_SETTLE) {
		h = heap_pop(a);
		if (a->done[h.col] == a->stamp || h.d > a->dist[h.col])
			continue;
		if (h.d - a->pcmax >= *best)
			break;
		a->done[h.col] = a->stamp;
		a->settled[a->ns++] = h.col;
		if (h.d - a->pc[h.col] < *best)
			*best = h.d - a->pc[h.col];
		/* a row r that could take h.col leaves its own column c2 */
		for (i = a->cstart[h.col]; i < a->cstart[h.col + 1]; i++) {
			/* NOLINTNEXTLINE(clang-analyzer-core.uninitialized.Assign): radj is built whole before a solve */
			r = a->radj[i].col;
			if (r == s || (c2 = a->col_of[r]) < 0 || (size_t)c2 == h.col ||
			    a->done[c2] == a->stamp)
				continue;
			nd = h.d + a->radj[i].cost + a->pr[r] - a->pc[h.col];
			if (nd < h.d)
				nd = h.d;
			if (a->seen[c2] == a->stamp && nd >= a->dist[c2])
				continue;
			a->seen[c2] = a->stamp;
			a->dist[c2] = nd;
			if (heap_push(a, nd, (size_t)c2) < 0)
				return -1;
		}
	}
	return 0;
}

double
vnd_assign_regret(struct vnd_assign *a, size_t s)
{
	struct hent h;
	double back, dfree = HUGE_VAL, dx = HUGE_VAL, best;
	long x = a->col_of[s], r;

	if (x < 0)
		return 0;
	if (a->cstart == NULL && build_rev(a) < 0)
		return -1;
	if (regret_back(a, s, (size_t)x, &back) < 0)
		return -1;
	next_stamp(a);
	if (relax(a, s, 0, s, x) < 0)
		return -1;
	while (a->hn > 0 && a->ns < MAX_SETTLE) {
		h = heap_pop(a);
		if (a->done[h.col] == a->stamp || h.d > a->dist[h.col])
			continue;
		best = dx < dfree + back ? dx : dfree + back;
		if (h.d + (back < 0 ? back : 0) >= best)
			break;
		a->done[h.col] = a->stamp;
		a->settled[a->ns++] = h.col;
		if ((long)h.col == x) {
			dx = h.d;	/* a cycle back to x */
			continue;
		}
		if ((r = a->row_of[h.col]) < 0) {
			if (h.d < dfree)
				dfree = h.d;
			continue;
		}
		if (relax(a, (size_t)r, h.d, s, x) < 0)
			return -1;
	}
	best = dx < dfree + back ? dx : dfree + back;
	return best < 0 ? 0 : best;
}
