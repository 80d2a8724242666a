/* thin.c: series brought down to what a pixel column can show, min and max per column. */
#include <stdlib.h>
#include <string.h>

#include "vnd_grow.h"
#include "plot.h"

int
thin_init(struct thin *t, int ncol, int bars)
{
	memset(t, 0, sizeof(*t));
	t->ncol = ncol;
	t->bars = bars;
	t->w = 1e-6;
	return (t->b = calloc((size_t)ncol, sizeof(*t->b))) == NULL ? -1 : 0;
}

/* Two neighbours as one: first of the left, last of the right, extremes of both. */
static void
merge(struct bucket *d, const struct bucket *a, const struct bucket *b)
{
	if (!a->used) {
		*d = *b;
		return;
	}
	*d = *a;
	if (!b->used)
		return;
	d->last = b->last;
	if (b->lo.y < d->lo.y)
		d->lo = b->lo;
	if (b->hi.y > d->hi.y)
		d->hi = b->hi;
}

/* The bucket of x, the buckets widened until it fits. */
static struct bucket *
bucket_of(struct thin *t, double x)
{
	double k;
	int i;

	if (t->n++ == 0)
		t->x0 = x;
	/* (no floor(): x below x0 goes to the first bucket all the same) */
	while ((k = (x - t->x0) / t->w) >= t->ncol) {
		for (i = 0; i < t->ncol / 2; i++)
			merge(&t->b[i], &t->b[2 * i], &t->b[2 * i + 1]);
		memset(&t->b[t->ncol / 2], 0,
		    (size_t)(t->ncol - t->ncol / 2) * sizeof(*t->b));
		t->w *= 2;
	}
	return &t->b[k < 0 ? 0 : (int)k];
}

void
thin_add(struct thin *t, double x, double y)
{
	struct bucket *b = bucket_of(t, x);
	struct pt p = { x, y };

	if (!b->used) {
		b->first = b->last = b->lo = b->hi = p;
		b->used = 1;
		return;
	}
	b->last = p;
	if (y < b->lo.y)
		b->lo = p;
	if (y > b->hi.y)
		b->hi = p;
}

void
thin_bar(struct thin *t, double x, double lo, double hi)
{
	struct bucket *b = bucket_of(t, x);

	if (!b->used) {
		b->first = b->last = (struct pt){ x, lo };
		b->lo = (struct pt){ x, lo };
		b->hi = (struct pt){ x, hi };
		b->used = 1;
		return;
	}
	b->last = (struct pt){ x, lo };
	if (lo < b->lo.y)
		b->lo.y = lo;
	if (hi > b->hi.y)
		b->hi.y = hi;
}

int
thin_mark(struct thin *t, double x, double y)
{
	struct pt *nm;

	if ((nm = vnd_grow(t->m, &t->mcap, t->nm, sizeof(*nm), 64)) == NULL)
		return -1;
	t->m = nm;
	t->m[t->nm++] = (struct pt){ x, y };
	return 0;
}

static int
cmp_x(const void *a, const void *b)
{
	const struct pt *p = a, *q = b;

	return p->x < q->x ? -1 : p->x > q->x;
}

/* A line's bucket: its four points in the order of x, each once. */
static void
write_line(const struct bucket *b, FILE *fp)
{
	struct pt p[4] = { b->first, b->lo, b->hi, b->last };
	int i;

	qsort(p, 4, sizeof(p[0]), cmp_x);
	for (i = 0; i < 4; i++)
		if (i == 0 || p[i].x != p[i - 1].x || p[i].y != p[i - 1].y)
			fprintf(fp, "%.9g %.12g\n", p[i].x, p[i].y);
}

void
thin_write(const struct thin *t, FILE *fp)
{
	int i;

	for (i = 0; i < t->ncol; i++) {
		if (!t->b[i].used)
			continue;
		if (t->bars)
			fprintf(fp, "%.9g %.12g %.12g\n", t->b[i].first.x,
			    t->b[i].lo.y, t->b[i].hi.y);
		else
			write_line(&t->b[i], fp);
	}
}

/* Marks: every one while few, else one per pixel of an ncol x nrow grid. */
void
thin_write_marks(struct thin *t, FILE *fp, int ncol, int nrow)
{
	double xl = t->nm ? t->m[0].x : 0, xh = xl;
	double yl = t->nm ? t->m[0].y : 0, yh = yl;
	size_t i;
	char *seen = NULL;

	if (t->nm > MARKS_MAX && (seen = calloc((size_t)ncol * nrow, 1)) != NULL)
		for (i = 0; i < t->nm; i++) {
			xl = t->m[i].x < xl ? t->m[i].x : xl;
			xh = t->m[i].x > xh ? t->m[i].x : xh;
			yl = t->m[i].y < yl ? t->m[i].y : yl;
			yh = t->m[i].y > yh ? t->m[i].y : yh;
		}
	for (i = 0; i < t->nm; i++) {
		if (seen != NULL) {
			int c = xh > xl ? (int)((t->m[i].x - xl) / (xh - xl) * (ncol - 1)) : 0;
			int r = yh > yl ? (int)((t->m[i].y - yl) / (yh - yl) * (nrow - 1)) : 0;

			if (seen[(size_t)r * ncol + c]++)
				continue;
		}
		fprintf(fp, "%.9g %.12g\n", t->m[i].x, t->m[i].y);
	}
	free(seen);
}

void
thin_free(struct thin *t)
{
	free(t->b);
	free(t->m);
	memset(t, 0, sizeof(*t));
}
