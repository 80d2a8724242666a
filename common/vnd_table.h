/* vnd_table.h: one writer for every artifact: rows of typed columns to TSV or SQLite. */
#ifndef VND_TABLE_H
#define VND_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vnd_fmt.h"
#include "vnd_pkt.h"

struct vnd_sink;

/* Longest string an unset value may be written as (vnd_sink_unset()). */
#define VND_UNSET_MAX	7

/*
 * A table being written. Its fields are the writer's own; they are here only
 * so the common TSV case of vnd_put_int() and vnd_put_null() can be inlined
 * (a million rows of 34 columns are 34 million calls).
 */
struct vnd_table {
	struct vnd_sink	*sink;
	int		 ncols;
	int		 col;		/* next column to fill */
	char		*buf;		/* TSV: the row being built, and more */
	size_t		 len, cap;
	void		*ins;		/* SQLite: the prepared INSERT */
	char		*arena;		/* SQLite: text values of the row */
	unsigned char	*null;		/* SQLite: [col] bound NULL (from 1) */
	size_t		 alen, acap;
	int		 err;
	char		 unset[VND_UNSET_MAX + 1];	/* TSV: what an unset value is */
	size_t		 unset_len;
	int64_t		 ts_sec;	/* TSV: the seconds of the last time written */
	char		 ts_digits[VND_FMT_ROOM]; /* and their digits */
	size_t		 ts_len;
};

/* TSV on fp: one table, a header line unless header is 0. */
int	 vnd_sink_tsv(struct vnd_sink **, FILE *fp, int header, char *errbuf);

/*
 * SQLite database at path, built in a temporary file beside it in one
 * transaction and renamed into place by vnd_sink_close(..., 1).
 */
int	 vnd_sink_sqlite(struct vnd_sink **, const char *path, char *errbuf);

/*
 * SQLite database at path (made if it does not exist), appended to in
 * place in one transaction: its rollback journal undoes a run that does not
 * commit, even one killed. Tables are created if missing, rows inserted by
 * column name. An exclusive lock keeps other appending runs out; one
 * waits for it at most wait_ns, then fails.
 */
int	 vnd_sink_sqlite_append(struct vnd_sink **, const char *path,
	    int64_t wait_ns, char *errbuf);

/* A SQLite sink's connection (a sqlite3 *), for queries of what it holds. */
void	*vnd_sink_db(struct vnd_sink *);

int	 vnd_sink_is_sqlite(const struct vnd_sink *);

/*
 * TSV: write an unset value as s ("-" unless said; "\\N" for ClickHouse),
 * in the tables made after the call. -1 when s is empty, longer than
 * VND_UNSET_MAX or holds a control character.
 */
int	 vnd_sink_unset(struct vnd_sink *, const char *s);

/* Is path a SQLite database (its header string)? Not '-', which is read once. */
int	 vnd_path_is_sqlite(const char *path);

/* The temporary file a SQLite sink writes, "" for TSV (for signal handlers). */
const char *vnd_sink_tmp_path(const struct vnd_sink *);

/* A table; TSV sinks take one. Values go in column order, then vnd_row_end(). */
struct vnd_table *vnd_sink_table(struct vnd_sink *, const char *name,
	    const struct vnd_colspec *cols, int ncols, char *errbuf);

void	 vnd_put_text(struct vnd_table *, const char *, size_t);
void	 vnd_put_str(struct vnd_table *, const char *);
/* Text the caller knows has no control characters (addresses, point names). */
void	 vnd_put_raw(struct vnd_table *, const char *, size_t);
void	 vnd_put_real(struct vnd_table *, double);
int	 vnd_row_end(struct vnd_table *, char *errbuf);

/* A nanosecond timestamp: as vnd_put_int(), faster for runs of one second. */
void	 vnd_put_ns(struct vnd_table *, int64_t);

void	 vnd_put_int_any(struct vnd_table *, int64_t);
void	 vnd_put_null_any(struct vnd_table *);

/* Room for any one number in the TSV buffer: the out-of-line path flushes. */
#define VND_TSV_SLACK	32

/* The longest text value written to TSV; longer ones are cut. */
#define VND_TSV_TEXT_MAX 1024

/*
 * The TSV text of an unset value, taken from its table once (a writer of
 * many values keeps it in registers: a store through a char * could be a
 * store to the table, so t->unset would be read again after each one).
 */
struct vnd_unset {
	uint64_t	 text;		/* t->unset, VND_UNSET_MAX + 1 bytes */
	size_t		 len;
};
_Static_assert(VND_UNSET_MAX + 1 == sizeof(uint64_t), "unset text is a word");

static inline struct vnd_unset
vnd_tsv_unset_of(const struct vnd_table *t)
{
	struct vnd_unset u;

	memcpy(&u.text, t->unset, sizeof(u.text));
	u.len = t->unset_len;
	return u;
}

/*
 * The unset value at p; returns the end. Every unset value of every TSV
 * table is written here and nowhere else.
 */
static inline char *
vnd_unset_put(struct vnd_unset u, char *p)
{
	memcpy(p, &u.text, sizeof(u.text));	/* a fixed size: no call */
	return p + u.len;
}

static inline char *
vnd_tsv_unset(const struct vnd_table *t, char *p)
{
	return vnd_unset_put(vnd_tsv_unset_of(t), p);
}

/* The TSV text of v at p (VND_TSV_SLACK bytes of room); returns the end. */
static inline char *
vnd_tsv_int(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return p + vnd_fmt_u64i(p, (uint64_t)0 - (uint64_t)v);
	}
	return p + vnd_fmt_u64i(p, (uint64_t)v);
}

/* A nanosecond time as vnd_tsv_int() writes it, at p; returns the end. */
char	*vnd_tsv_ns(struct vnd_table *, char *p, int64_t v);

/* Text s of n bytes at p (VND_TSV_TEXT_MAX of room), as vnd_put_text(). */
char	*vnd_tsv_text(const struct vnd_table *, char *p, const char *s,
	    size_t n);

static inline void
vnd_put_int(struct vnd_table *t, int64_t v)
{
	char *p;

	if (t->ins != NULL || v < 0 || t->len + VND_TSV_SLACK > t->cap) {
		vnd_put_int_any(t, v);
		return;
	}
	p = t->buf + t->len;
	if (t->col++)
		*p++ = '\t';
	p += vnd_fmt_u64i(p, (uint64_t)v);
	t->len = (size_t)(p - t->buf);
}

static inline void
vnd_put_null(struct vnd_table *t)
{
	char *p;

	if (t->ins != NULL || t->len + VND_TSV_SLACK > t->cap) {
		vnd_put_null_any(t);
		return;
	}
	p = t->buf + t->len;
	if (t->col++)
		*p++ = '\t';
	p = vnd_tsv_unset(t, p);
	t->len = (size_t)(p - t->buf);
}

/*
 * A TSV row written whole by the caller: room for n bytes where the row
 * starts (flushed first if need be), or NULL (SQLite, a row begun, n too
 * large, a write error). Write the row's values there, then end the row.
 */
char	*vnd_tsv_row(struct vnd_table *, size_t n);
int	 vnd_tsv_row_end(struct vnd_table *, char *end, char *errbuf);

/* SQL run once the rows are in (indexes); nothing for TSV. */
int	 vnd_sink_exec(struct vnd_sink *, const char *sql, char *errbuf);

/* Finish: commit and rename (commit=1), or throw the temporary file away. */
int	 vnd_sink_close(struct vnd_sink *, int commit, char *errbuf);

#endif
