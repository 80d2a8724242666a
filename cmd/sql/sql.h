/* sql.h: vnd-sql's parts: the targets it queries, VND's applications as SQL, the hop answers. */
#ifndef SQL_H
#define SQL_H

#include <stddef.h>
#include <stdint.h>

#include "vnd.h"
#include "vnd_table.h"

enum dialect { DIALECT_SQLITE, DIALECT_CLICKHOUSE };

/* Where the packets rows of a hop's pair of points come together. */
enum placement {
	PLACE_POINT,		/* VND's: a point's rows on the host that took them */
	PLACE_FINGERPRINT	/* by a hash of pkt_id: a packet's sightings on one shard */
};

/* One row of a result: ncols values as text, NULL for unset. */
typedef int	(*row_fn)(void *arg, int ncols, char **vals, char *errbuf);

/* An SQLite file of vnd-parse, or a ClickHouse cluster (ch://host:port/db). */
struct target;

int	 target_open(struct target **, const char *spec, char *errbuf);
enum dialect target_dialect(const struct target *);
/* The name of table (packets, packets_local) to query: "vp" for SQLite's view. */
void	 target_table(const struct target *, const char *table, char *buf,
	    size_t len);
/* Run sql; every row to fn. 0, or -1 with errbuf (fn's -1 stops it). */
int	 target_query(struct target *, const char *sql, row_fn fn, void *arg,
	    char *errbuf);
/* As target_query(), or with print set, sql printed instead (-n). */
int	 target_run(struct target *, const char *sql, int print, row_fn fn,
	    void *arg, char *errbuf);
void	 target_close(struct target *);

/* The options of an application. */
struct app_opts {
	enum placement	 place;
	int64_t		 window_ns;	/* -w: a packet's twin, at most this far */
	int64_t		 slot_ns;	/* -i: throughput's slot */
	const char	*where;		/* --where: filter's condition */
	const char	*field;		/* --field: statistics' column */
	const char	*by;		/* --by: groups' columns, comma-separated */
	char		**points;	/* operands after the target */
	int64_t		*offset_ns;	/* --offset: each point's clock, or NULL */
	int		 npoints;
};

/* The output of an application: its table and how to fill it. */
struct app_out {
	struct vnd_table *t;
	const struct vnd_colspec *cols;
	int		 ncols;
};

struct app {
	const char	*name;
	const char	*table;		/* name of its output table */
	const char	*sql;		/* its query, or NULL: run */
	const char	*sqlite_sql;	/* SQLite's, when not the same */
	const struct vnd_colspec *cols;	/* its output columns, or NULL: colf */
	int		(*colf)(const struct app_opts *, struct vnd_colspec *);
	int		(*run)(struct target *, const struct app_opts *,
			    struct app_out *, int print, char *errbuf);
	int		 ncols;
	int		 min_points;	/* points it needs (2: a hop) */
};

const struct app *app_find(const char *name);
/* Its output columns: into cols (room for 64), returns how many. */
int	 app_cols(const struct app *, const struct app_opts *,
	    struct vnd_colspec *cols);
/* Run on the target, rows to out (print: only print the SQL): 0 or -1. */
int	 app_run(const struct app *, struct target *, const struct app_opts *,
	    struct app_out *, int print, char *errbuf);
/* The names, for --help and errors: "filter, stats, ...". */
const char *app_names(void);

/* Text substituted into an SQL template: "{A}" becomes vals[i] of keys[i]. */
struct subst {
	const char	*key;
	const char	*val;
};
char	*sql_fill(const char *tmpl, const struct subst *, int n);
/* 'text' as an SQL string literal (quotes doubled); malloc'd. */
char	*sql_quote(const char *);

/* Write a result row into out's table by out's column types. */
int	 out_row(void *arg, int ncols, char **vals, char *errbuf);

/* Hop loss and delay: the per-flow query, the directions, the rows. */
int	 hop_loss(struct target *, const struct app_opts *, struct app_out *,
	    int print, char *errbuf);
int	 hop_delay(struct target *, const struct app_opts *, struct app_out *,
	    int print, char *errbuf);

#endif
