/* vnd_tsvread.c: read any vnd table row by row, its columns looked up by header name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "vnd.h"
#include "vnd_table.h"
#include "vnd_tsvread.h"

#define MAX_COLS	256

struct vnd_tsvread {
	FILE		*fp;		/* TSV */
	char		*line;
	size_t		 cap;
	sqlite3		*db;		/* or a SQLite table */
	sqlite3_stmt	*st;
	char		*names[MAX_COLS];
	int		 ncols;
	const char	*f[MAX_COLS];	/* the row's fields */
	int		 nf;
	uint64_t	 lineno;
};

/* Cut line at its tabs into f; returns the number of fields. */
static int
split(char *line, const char **f)
{
	char *t;
	int n = 0;

	for (; line != NULL && n < MAX_COLS; line = t) {
		if ((t = strchr(line, '\t')) != NULL)
			*t++ = '\0';
		f[n++] = line;
	}
	return n;
}

/* One line of the TSV without its newline: its length, or -1 at the end. */
static ssize_t
read_line(struct vnd_tsvread *r)
{
	ssize_t n = getline(&r->line, &r->cap, r->fp);

	if (n > 0 && r->line[n - 1] == '\n')
		r->line[--n] = '\0';
	return n;
}

static int
open_tsv(struct vnd_tsvread *r, const char *path, char *errbuf)
{
	const char *f[MAX_COLS];
	int i;

	r->fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (r->fp == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "cannot open '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	if (read_line(r) < 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "'%s': %s", path,
		    ferror(r->fp) ? strerror(errno) : "empty, no header line");
		return -1;
	}
	r->ncols = split(r->line, f);
	for (i = 0; i < r->ncols; i++)
		if ((r->names[i] = strdup(f[i])) == NULL) {
			snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
			return -1;
		}
	return 0;
}

/* The first of the comma-separated tables that the database has. */
static int
open_sqlite(struct vnd_tsvread *r, const char *path, const char *tables,
    char *errbuf)
{
	char sql[160];
	const char *p, *e;
	int i;

	if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "'%s': %s", path,
		    sqlite3_errmsg(r->db));
		return -1;
	}
	for (p = tables; p != NULL && *p != '\0' && r->st == NULL; p = e) {
		size_t len = (e = strchr(p, ',')) ? (size_t)(e++ - p) : strlen(p);

		snprintf(sql, sizeof(sql), "SELECT * FROM \"%.*s\" ORDER BY rowid",
		    (int)len, p);
		if (sqlite3_prepare_v2(r->db, sql, -1, &r->st, NULL) != SQLITE_OK)
			r->st = NULL;
	}
	if (r->st == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "'%s': no table %s", path,
		    tables ? tables : "to read");
		return -1;
	}
	r->ncols = sqlite3_column_count(r->st);
	if (r->ncols > MAX_COLS)
		r->ncols = MAX_COLS;
	for (i = 0; i < r->ncols; i++)
		if ((r->names[i] = strdup(sqlite3_column_name(r->st, i))) == NULL) {
			snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
			return -1;
		}
	return 0;
}

int
vnd_tsvread_open(struct vnd_tsvread **rp, const char *path, const char *table,
    char *errbuf)
{
	struct vnd_tsvread *r;
	int ret;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	if (vnd_path_is_sqlite(path))
		ret = open_sqlite(r, path, table, errbuf);
	else
		ret = open_tsv(r, path, errbuf);
	if (ret < 0) {
		vnd_tsvread_close(r);
		r = NULL;
	}
	*rp = r;
	return ret;
}

int
vnd_tsvread_col(const struct vnd_tsvread *r, const char *name)
{
	int i;

	for (i = 0; i < r->ncols; i++)
		if (strcmp(r->names[i], name) == 0)
			return i;
	return -1;
}

static int
next_sqlite(struct vnd_tsvread *r, char *errbuf)
{
	int i, rc = sqlite3_step(r->st);

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "%s", sqlite3_errmsg(r->db));
		return -1;
	}
	for (i = 0; i < r->ncols; i++)
		r->f[i] = (const char *)sqlite3_column_text(r->st, i);
	r->nf = r->ncols;
	return 1;
}

int
vnd_tsvread_next(struct vnd_tsvread *r, char *errbuf)
{
	ssize_t n;

	r->lineno++;
	if (r->st != NULL)
		return next_sqlite(r, errbuf);
	do {
		errno = 0;
		if ((n = read_line(r)) < 0) {
			if (ferror(r->fp)) {
				snprintf(errbuf, VND_ERRBUF_SIZE, "%s",
				    strerror(errno ? errno : EIO));
				return -1;
			}
			return 0;
		}
	} while (n == 0);
	r->nf = split(r->line, r->f);
	return 1;
}

const char *
vnd_tsvread_get(const struct vnd_tsvread *r, int col)
{
	const char *s;

	if (col < 0 || col >= r->nf || (s = r->f[col]) == NULL)
		return NULL;
	return strcmp(s, "-") == 0 ? NULL : s;
}

int
vnd_tsvread_int(const struct vnd_tsvread *r, int col, int64_t *v)
{
	const char *s = vnd_tsvread_get(r, col);
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return *end != '\0' || errno ? -1 : 0;
}

int
vnd_tsvread_real(const struct vnd_tsvread *r, int col, double *v)
{
	const char *s = vnd_tsvread_get(r, col);
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	*v = strtod(s, &end);
	return *end != '\0' ? -1 : 0;
}

uint64_t
vnd_tsvread_line(const struct vnd_tsvread *r)
{
	return r->lineno;
}

void
vnd_tsvread_close(struct vnd_tsvread *r)
{
	int i;

	if (r == NULL)
		return;
	if (r->fp != NULL && r->fp != stdin)
		fclose(r->fp);
	free(r->line);
	if (r->st != NULL)
		sqlite3_finalize(r->st);
	if (r->db != NULL)
		sqlite3_close(r->db);
	for (i = 0; i < r->ncols; i++)
		free(r->names[i]);
	free(r);
}
