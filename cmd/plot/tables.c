/* tables.c: the rows of the tables a picture is drawn from, and its series by name. */
#include <stdlib.h>
#include <string.h>

#include "vnd_grow.h"
#include "vnd_point.h"
#include "vnd_tsvread.h"
#include "plot.h"
#include "tables.h"

/* The input's columns, looked up by name once; the first nreq must be there. */
static int
lookup(struct plot *p, struct tin *in, const char *path, const char *const *names,
    int n, int nreq)
{
	int i;

	for (i = 0; i < n && i < TIN_MAXCOLS; i++) {
		in->c[i] = vnd_tsvread_col(in->r, names[i]);
		if (in->c[i] < 0 && i < nreq)
			return plot_fail(p, "'%s': no column %s: not a table of "
			    "this kind", path, names[i]);
	}
	return 0;
}

int
table_each(struct plot *p, const char *tables, const char *const *names,
    int n, int nreq, table_fn fn, void *arg)
{
	struct tin in;
	const char *name, *path;
	int i, r = 0;

	for (i = 0; i < p->nops && r >= 0; i++) {
		memset(&in, 0, sizeof(in));
		vnd_point_split(p->ops[i], &name, &path);
		in.name = name ? name : path;
		in.named = name != NULL;
		if (vnd_tsvread_open(&in.r, path, tables, p->err) < 0)
			return -1;
		if ((r = lookup(p, &in, path, names, n, nreq)) == 0)
			while ((r = vnd_tsvread_next(in.r, p->err)) > 0)
				if (fn(arg, &in) < 0) {
					r = -1;
					break;
				}
		if (r < 0 && p->err[0] == '\0')
			plot_fail(p, "'%s': line %llu: bad row", path,
			    (unsigned long long)vnd_tsvread_line(in.r) + 1);
		vnd_tsvread_close(in.r);
	}
	return r < 0 ? -1 : 0;
}

static struct group *
group_find(struct groups *gs, const char *name)
{
	int i;

	for (i = 0; i < gs->n; i++)
		if (strcmp(gs->g[i].name, name) == 0)
			return &gs->g[i];
	return NULL;
}

/* The series of a name: a new one while there is room, else "other". */
struct group *
group_of(struct groups *gs, const char *name)
{
	struct group *g = group_find(gs, name);

	if (g == NULL && gs->n >= GROUPS_MAX - 1)
		g = group_find(gs, name = "other");
	if (g != NULL)
		return g;
	g = &gs->g[gs->n];
	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", name);
	if (thin_init(&g->t, gs->ncol, 0) < 0)
		return NULL;
	gs->n++;
	return g;
}

int
group_value(struct group *g, double v)
{
	double *nv;

	if ((nv = vnd_grow(g->v, &g->cap, g->nv, sizeof(*nv), 1024)) == NULL)
		return -1;
	g->v = nv;
	g->v[g->nv++] = v;
	return 0;
}

void
groups_free(struct groups *gs)
{
	int i;

	for (i = 0; i < gs->n; i++) {
		thin_free(&gs->g[i].t);
		free(gs->g[i].v);
		free(gs->g[i].bin);
	}
	gs->n = 0;
}

int
groups_done(struct groups *gs, int ret)
{
	groups_free(gs);
	return ret;
}

/* "point", or "point src:port > dst:port" with --by flow, from named columns. */
void
row_series(const struct plot *p, const struct tin *in, int cpoint,
    const int *cflow, char *buf, size_t len)
{
	const char *pt = vnd_tsvread_get(in->r, cpoint), *f[4];
	int i;

	if (in->named || pt == NULL)
		pt = in->name;
	if (!p->by_flow) {
		snprintf(buf, len, "%s", pt);
		return;
	}
	for (i = 0; i < 4; i++)
		if ((f[i] = vnd_tsvread_get(in->r, cflow[i])) == NULL)
			f[i] = "?";
	snprintf(buf, len, "%s %s:%s > %s:%s", pt, f[0], f[1], f[2], f[3]);
}

/* The plot command over the groups' blocks, one clause each. */
void
groups_plot(struct plot *p, const struct groups *gs, const int *block,
    const char *using, const char *with)
{
	int i, n = 0;

	fputs("plot ", p->gp);
	for (i = 0; i < gs->n; i++) {
		if (block[i] < 0)
			continue;
		fprintf(p->gp, "%s$d%d using %s with %s lc rgb \"%s\" title ",
		    n++ ? ", \\\n  " : "", block[i], using, with, gp_color(i));
		gp_str(p, gs->g[i].name);
	}
	fputc('\n', p->gp);
}
