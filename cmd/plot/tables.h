/* tables.h: the rows of the tables a picture is drawn from, and its series by name. */
#ifndef PLOT_TABLES_H
#define PLOT_TABLES_H

#include "vnd_tsvread.h"
#include "plot.h"

#define TIN_MAXCOLS	16
#define GROUPS_MAX	24

/* An input being read: its reader, its name, its columns by the caller's list. */
struct tin {
	struct vnd_tsvread *r;
	const char	*name;		/* NAME= or the path */
	int		 named;
	int		 c[TIN_MAXCOLS];	/* -1: absent */
};

typedef int (*table_fn)(void *arg, const struct tin *);

/*
 * Every row of every input: tables names the SQLite tables to look for
 * ("samples,pairs"), names the columns, the first nreq of them required.
 */
int	 table_each(struct plot *, const char *tables, const char *const *names,
	    int n, int nreq, table_fn fn, void *arg);

/* A series: its points thinned, or its values (cdf), or its bins. */
struct group {
	char		 name[160];
	struct thin	 t;
	double		*v;
	size_t		 nv, cap;
	double		*bin;		/* throughput: bytes per slot */
	size_t		 nbin, bincap;
	double		 total;
};

struct groups {
	struct group	 g[GROUPS_MAX];
	int		 n, ncol;
};

struct group *group_of(struct groups *, const char *name);
int	 group_value(struct group *, double);
void	 groups_free(struct groups *);
/* The end of a picture drawn from gs: gs freed, ret returned. */
int	 groups_done(struct groups *gs, int ret);
void	 row_series(const struct plot *, const struct tin *, int cpoint,
	    const int *cflow, char *buf, size_t len);
void	 groups_plot(struct plot *, const struct groups *, const int *block,
	    const char *using, const char *with);

#endif
