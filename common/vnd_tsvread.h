/* vnd_tsvread.h: read any vnd table row by row, its columns looked up by header name. */
#ifndef VND_TSVREAD_H
#define VND_TSVREAD_H

#include <stdint.h>

/*
 * A table another tool wrote: TSV (a file or '-') or, when the file is a
 * SQLite database, one of its tables. Readers ask for columns by name and
 * never by place, so that columns added later change nothing (DESIGN.md).
 * A row's fields are valid until the next vnd_tsvread_next().
 */
struct vnd_tsvread;

/*
 * Open path; table names the SQLite table to read (NULL: a TSV file only,
 * else the first of the comma-separated names that the database has).
 */
int	 vnd_tsvread_open(struct vnd_tsvread **, const char *path,
	    const char *table, char *errbuf);

/* The index of column name, or -1 when the table has none. */
int	 vnd_tsvread_col(const struct vnd_tsvread *, const char *name);

/* The next row: 1, 0 at the end, -1 with errbuf (a read error). */
int	 vnd_tsvread_next(struct vnd_tsvread *, char *errbuf);

/* Field col of the row: NULL when col is -1, the field is unset ('-'), or missing. */
const char *vnd_tsvread_get(const struct vnd_tsvread *, int col);

/* A field as a number: 0, or -1 when it is unset or not a number. */
int	 vnd_tsvread_int(const struct vnd_tsvread *, int col, int64_t *);
int	 vnd_tsvread_real(const struct vnd_tsvread *, int col, double *);

/* The data line of the row just read (1: the first after the header). */
uint64_t vnd_tsvread_line(const struct vnd_tsvread *);

void	 vnd_tsvread_close(struct vnd_tsvread *);

#endif
