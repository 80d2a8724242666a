/* vnd_table.c: the TSV and SQLite writers behind vnd_table.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "vnd.h"
#include "vnd_fmt.h"
#include "vnd_table.h"

#define TSV_FLUSH	(1 << 16)
/*
 * SQLite's largest page, as bench/sqlite-floor's: fewer b-tree pages for
 * tables of millions of rows (loading the packets table took the same time
 * with 4 KiB pages, within the noise of the bench machine).
 */
#define VND_SQLITE_PAGE	65536
#define TSV_ROOM	(TSV_FLUSH + 4096)

struct vnd_sink {
	int		 sqlite;
	FILE		*fp;
	int		 header;
	sqlite3		*db;
	char		*path;
	char		*tmp;
	struct vnd_table **tabs;
	int		 ntabs;
	int		 append;	/* into the database in place */
	int		 lockfd;	/* append: flock(2) held on it, or -1 */
	char		 unset[VND_UNSET_MAX + 1];
};

int
vnd_sink_tsv(struct vnd_sink **sp, FILE *fp, int header, char *errbuf)
{
	struct vnd_sink *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	s->fp = fp;
	s->header = header;
	s->unset[0] = '-';
	*sp = s;
	return 0;
}

static int
db_err(struct vnd_sink *s, const char *what, char *errbuf)
{
	snprintf(errbuf, VND_ERRBUF_SIZE, "%s: %s", what,
	    s->db ? sqlite3_errmsg(s->db) : "cannot open");
	return -1;
}

static int
vnd_sink_fail(char *errbuf, const char *what, int e)
{
	snprintf(errbuf, VND_ERRBUF_SIZE, "%s: %s", what, strerror(e));
	return -1;
}

int
vnd_sink_sqlite(struct vnd_sink **sp, const char *path, char *errbuf)
{
	struct vnd_sink *s;
	size_t n = strlen(path) + 16;
	struct stat st;
	char sql[128];
	int fd;

	*sp = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL || (s->tmp = malloc(n)) == NULL ||
	    (s->path = strdup(path)) == NULL) {
		if (s)
			free(s->tmp);
		free(s);
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	s->sqlite = 1;
	s->unset[0] = '-';
	/*
	 * The database is renamed into place: over a device or a fifo that
	 * would replace it (-o /dev/null as root would leave a regular file).
	 */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "not a regular file");
		free(s->tmp);
		s->tmp = NULL;
		vnd_sink_close(s, 0, errbuf + strlen(errbuf));
		return -1;
	}
	snprintf(s->tmp, n, "%s.tmp-XXXXXX", path);
	if ((fd = mkstemp(s->tmp)) < 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "cannot create '%s': %s",
		    s->tmp, strerror(errno));
		free(s->tmp);
		s->tmp = NULL;
		vnd_sink_close(s, 0, errbuf);
		return -1;
	}
	/* mkstemp made it 0600; the database gets what open(2) would give. */
	{
		mode_t um = umask(0);

		umask(um);
		(void)fchmod(fd, 0666 & ~um);
	}
	close(fd);
	/*
	 * No memory statistics (sqlite3_memory_used(), which vnd never asks
	 * for): keeping them takes a global mutex on every allocation, 12% of
	 * a bulk load. Only before SQLite's first use in the process, when no
	 * other thread can be in it; later it is refused and changes nothing.
	 */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	/*
	 * One thread at a time writes a sink, so the connection takes no mutex
	 * of its own: in the default (serialized) mode every sqlite3_bind_*()
	 * locks and unlocks it, a third of a bulk load's time (perf, 34 columns).
	 */
	if (sqlite3_open_v2(s->tmp, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		db_err(s, "sqlite", errbuf);
		vnd_sink_close(s, 0, errbuf + strlen(errbuf));
		return -1;
	}
	/* The page size first: it is fixed when the file gets its header. */
	snprintf(sql, sizeof(sql), "PRAGMA page_size=%d; "
	    "PRAGMA application_id=%d; PRAGMA user_version=%d;",
	    VND_SQLITE_PAGE, VND_SQLITE_APPID, VND_SQLITE_VERSION);
	/* The file is new and temporary: no journal until the rename. */
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(s->db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
	    "PRAGMA cache_size=-8192; BEGIN;", NULL, NULL, NULL) != SQLITE_OK) {
		db_err(s, "sqlite", errbuf);
		vnd_sink_close(s, 0, errbuf + strlen(errbuf));
		return -1;
	}
	*sp = s;
	return 0;
}

/*
 * Append: an exclusive flock(2) on the database itself, so that runs
 * appending to one file take turns. On Linux flock and SQLite's own
 * fcntl(2) locks do not see each other, and SQLite closing a descriptor of
 * the file does not drop this one. Tried every 100 ms for wait_ns; a file
 * renamed over the path meanwhile (a run without --append) is locked anew.
 */
static int
lock_db(struct vnd_sink *s, int64_t wait_ns, char *errbuf)
{
	const struct timespec tick = { 0, 100000000L };
	struct stat a, b;
	int64_t waited = 0;

	for (;;) {
		if ((s->lockfd = open(s->path, O_RDWR | O_CREAT | O_CLOEXEC,
		    0666)) < 0)
			return vnd_sink_fail(errbuf, "cannot open", errno);
		if (flock(s->lockfd, LOCK_EX | LOCK_NB) == 0) {
			if (fstat(s->lockfd, &a) == 0 && stat(s->path, &b) == 0 &&
			    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
				return 0;
		} else if (errno != EWOULDBLOCK && errno != EINTR)
			return vnd_sink_fail(errbuf, "cannot lock", errno);
		else if (waited >= wait_ns) {
			snprintf(errbuf, VND_ERRBUF_SIZE, "locked by another "
			    "vnd-parse --append; gave up after %lld s (--wait)",
			    (long long)(wait_ns / 1000000000));
			return -1;
		} else {
			nanosleep(&tick, NULL);
			waited += tick.tv_nsec;
		}
		close(s->lockfd);
		s->lockfd = -1;
	}
}

/* The database opened in place, a new one given vnd's header, in a transaction. */
static int
open_in_place(struct vnd_sink *s, int64_t wait_ns, char *errbuf)
{
	char sql[160];
	struct stat st;
	sqlite3_stmt *q;
	int id = 0;

	if (fstat(s->lockfd, &st) < 0)
		return vnd_sink_fail(errbuf, "cannot stat", errno);
	if (sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return db_err(s, "sqlite", errbuf);
	/* a reader holding the file when it commits is waited for as long */
	sqlite3_busy_timeout(s->db, (int)(wait_ns / 1000000 + 1000));
	snprintf(sql, sizeof(sql), "PRAGMA page_size=%d; "
	    "PRAGMA application_id=%d; PRAGMA user_version=%d;",
	    VND_SQLITE_PAGE, VND_SQLITE_APPID, VND_SQLITE_VERSION);
	if (st.st_size == 0 && sqlite3_exec(s->db, sql, NULL, NULL, NULL) !=
	    SQLITE_OK)
		return db_err(s, "sqlite", errbuf);
	if (sqlite3_prepare_v2(s->db, "PRAGMA application_id", -1, &q, NULL) !=
	    SQLITE_OK)
		return db_err(s, "sqlite", errbuf);
	if (sqlite3_step(q) == SQLITE_ROW)
		id = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	if (id != VND_SQLITE_APPID) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "not a vnd database");
		return -1;
	}
	/*
	 * Write-ahead log: readers (a cron job's vnd check) go on reading the
	 * last commit while a load runs, and the frames of a run killed before
	 * its commit are ignored by every reader, read-only ones too (a hot
	 * rollback journal would stop those until a writer undid it).
	 */
	if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA cache_size=-8192;"
	    " BEGIN IMMEDIATE;", NULL, NULL, NULL) != SQLITE_OK)
		return db_err(s, "sqlite", errbuf);
	return 0;
}

int
vnd_sink_sqlite_append(struct vnd_sink **sp, const char *path, int64_t wait_ns,
    char *errbuf)
{
	struct vnd_sink *s;

	*sp = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->path = strdup(path)) == NULL) {
		free(s);
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	s->sqlite = s->append = 1;
	s->unset[0] = '-';
	s->lockfd = -1;
	if (lock_db(s, wait_ns, errbuf) < 0 ||
	    open_in_place(s, wait_ns, errbuf) < 0) {
		vnd_sink_close(s, 0, errbuf + strlen(errbuf));
		return -1;
	}
	*sp = s;
	return 0;
}

void *
vnd_sink_db(struct vnd_sink *s)
{
	return s->db;
}

int
vnd_path_is_sqlite(const char *path)
{
	char h[16];
	FILE *fp;
	size_t n;

	if (strcmp(path, "-") == 0 || (fp = fopen(path, "rb")) == NULL)
		return 0;
	n = fread(h, 1, sizeof(h), fp);
	fclose(fp);
	return n == sizeof(h) && memcmp(h, "SQLite format 3", 16) == 0;
}

int
vnd_sink_is_sqlite(const struct vnd_sink *s)
{
	return s->sqlite;
}

const char *
vnd_sink_tmp_path(const struct vnd_sink *s)
{
	return s->tmp != NULL ? s->tmp : "";
}

int
vnd_sink_unset(struct vnd_sink *s, const char *str)
{
	size_t i, n = strlen(str);

	if (n == 0 || n > VND_UNSET_MAX)
		return -1;
	for (i = 0; i < n; i++)
		if ((unsigned char)str[i] < 0x20 || str[i] == 0x7f)
			return -1;
	memset(s->unset, 0, sizeof(s->unset));
	memcpy(s->unset, str, n);
	return 0;
}

static int
tsv_flush(struct vnd_table *t)
{
	if (t->len && fwrite(t->buf, 1, t->len, t->sink->fp) != t->len)
		return -1;
	t->len = 0;
	return 0;
}

struct vnd_table *
vnd_sink_table(struct vnd_sink *s, const char *name,
    const struct vnd_colspec *cols, int ncols, char *errbuf)
{
	struct vnd_table *t, **nt;
	sqlite3_stmt *stmt;
	char *sql = NULL;
	size_t n, off;
	int i;

	if (!s->sqlite && s->ntabs > 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "TSV output holds one table; '%s' needs -o", name);
		return NULL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (nt = realloc(s->tabs, (size_t)(s->ntabs + 1) * sizeof(*nt))) == NULL) {
		free(t);
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return NULL;
	}
	s->tabs = nt;
	s->tabs[s->ntabs++] = t;
	t->sink = s;
	t->ncols = ncols;
	memcpy(t->unset, s->unset, sizeof(t->unset));
	t->unset_len = strlen(t->unset);
	if (!s->sqlite) {
		t->cap = TSV_ROOM;
		if ((t->buf = malloc(t->cap)) == NULL)
			goto oom;
		if (s->header) {
			for (i = 0; i < ncols; i++) {
				n = strlen(cols[i].name);
				if (t->len + n + 2 > t->cap && tsv_flush(t) < 0)
					goto werr;
				if (i)
					t->buf[t->len++] = '\t';
				memcpy(t->buf + t->len, cols[i].name, n);
				t->len += n;
			}
			t->buf[t->len++] = '\n';
		}
		return t;
	}
	n = 64 + strlen(name) * 2;
	for (i = 0; i < ncols; i++)
		n += strlen(cols[i].name) + 16;
	if ((sql = malloc(n)) == NULL || (t->arena = malloc(4096)) == NULL ||
	    (t->null = malloc((size_t)ncols + 1)) == NULL)
		goto oom;
	t->acap = 4096;
	memset(t->null, 1, (size_t)ncols + 1);	/* unbound: NULL */
	off = (size_t)snprintf(sql, n, "CREATE TABLE %s\"%s\" (",
	    s->append ? "IF NOT EXISTS " : "", name);
	for (i = 0; i < ncols; i++)
		off += (size_t)snprintf(sql + off, n - off, "%s\"%s\" %s",
		    i ? ", " : "", cols[i].name, cols[i].type == VND_INT ?
		    "INTEGER" : cols[i].type == VND_REAL ? "REAL" : "TEXT");
	snprintf(sql + off, n - off, ")");
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		db_err(s, "sqlite", errbuf);
		free(sql);
		return NULL;
	}
	/* by name: a table appended to may have its columns in another order */
	off = (size_t)snprintf(sql, n, "INSERT INTO \"%s\" (", name);
	for (i = 0; i < ncols; i++)
		off += (size_t)snprintf(sql + off, n - off, "%s\"%s\"",
		    i ? "," : "", cols[i].name);
	off += (size_t)snprintf(sql + off, n - off, ") VALUES (");
	for (i = 0; i < ncols; i++)
		off += (size_t)snprintf(sql + off, n - off, "%s?", i ? "," : "");
	snprintf(sql + off, n - off, ")");
	if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		db_err(s, "sqlite", errbuf);
		free(sql);
		return NULL;
	}
	t->ins = stmt;
	free(sql);
	return t;
oom:
	free(sql);
	snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
	return NULL;
werr:
	snprintf(errbuf, VND_ERRBUF_SIZE, "write error: %s", strerror(errno));
	return NULL;
}

/*
 * SQLite: column t->col holds a value now. A binding outlives
 * sqlite3_reset(), so a column NULL in row after row is bound once: the
 * packets table has a dozen such (vlan, tunnel, mss, sack, ...), and their
 * binds were 10% of loading it.
 */
static inline void
bound(struct vnd_table *t)
{
	if (t->col <= t->ncols)
		t->null[t->col] = 0;
}

/* TSV: a tab before every value but the first of a row. */
static inline char *
tsv_slot(struct vnd_table *t)
{
	char *p;

	if (t->len + 1100 > t->cap && tsv_flush(t) < 0)
		t->err = errno ? errno : EIO;
	p = t->buf + t->len;

	if (t->col++)
		*p++ = '\t';
	return p;
}

/* Not inlined: SQLite's path through vnd_put_int_any() stays short. */
static void __attribute__((noinline))
tsv_put_int(struct vnd_table *t, int64_t v)
{
	char *p = vnd_tsv_int(tsv_slot(t), v);

	t->len = (size_t)(p - t->buf);
}

void
vnd_put_int_any(struct vnd_table *t, int64_t v)
{
	if (t->ins != NULL) {
		sqlite3_bind_int64((sqlite3_stmt *)t->ins, ++t->col, v);
		bound(t);
		return;
	}
	tsv_put_int(t, v);
}

/*
 * Timestamps of one capture share their seconds for thousands of rows: the
 * seconds' digits are kept and only the nine of the fraction made anew.
 */
char *
vnd_tsv_ns(struct vnd_table *t, char *p, int64_t v)
{
	int64_t sec = v / 1000000000;
	uint32_t frac = (uint32_t)(v % 1000000000);

	if (v < 1000000000)
		return vnd_tsv_int(p, v);
	if (sec != t->ts_sec || t->ts_len == 0) {
		t->ts_len = vnd_fmt_u64i(t->ts_digits, (uint64_t)sec);
		t->ts_sec = sec;
	}
	memcpy(p, t->ts_digits, sizeof(t->ts_digits));	/* fixed size: no call */
	p += t->ts_len;
	*p++ = (char)('0' + frac / 100000000);
	vnd_fmt_8(p, frac % 100000000);
	return p + 8;
}

void
vnd_put_ns(struct vnd_table *t, int64_t v)
{
	char *p;

	if (t->ins != NULL || t->len + VND_TSV_SLACK > t->cap) {
		vnd_put_int_any(t, v);
		return;
	}
	p = t->buf + t->len;
	if (t->col++)
		*p++ = '\t';
	p = vnd_tsv_ns(t, p, v);
	t->len = (size_t)(p - t->buf);
}

void
vnd_put_real(struct vnd_table *t, double v)
{
	char *p;

	if (t->ins != NULL) {
		sqlite3_bind_double(t->ins, ++t->col, v);
		bound(t);
		return;
	}
	p = tsv_slot(t);
	p += snprintf(p, 32, "%.9g", v);
	t->len = (size_t)(p - t->buf);
}

void
vnd_put_null_any(struct vnd_table *t)
{
	char *p;

	if (t->ins != NULL) {
		/* still NULL from the last row: no call */
		if (++t->col <= t->ncols && !t->null[t->col]) {
			sqlite3_bind_null(t->ins, t->col);
			t->null[t->col] = 1;
		}
		return;
	}
	p = vnd_tsv_unset(t, tsv_slot(t));
	t->len = (size_t)(p - t->buf);
}

char *
vnd_tsv_text(const struct vnd_table *t, char *p, const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return vnd_tsv_unset(t, p);
	if (n > VND_TSV_TEXT_MAX)
		n = VND_TSV_TEXT_MAX;	/* one value never outgrows the slack */
	for (i = 0; i < n; i++) {
		/* The contract has no quoting: control characters become '?'. */
		unsigned char c = (unsigned char)s[i];
		*p++ = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	return p;
}

void
vnd_put_text(struct vnd_table *t, const char *s, size_t n)
{
	char *p;

	if (t->ins != NULL) {
		/* Copied into a row arena: bound SQLITE_STATIC until the step. */
		if (t->alen + n > t->acap) {
			/* A full arena: copy this one value instead. */
			sqlite3_bind_text(t->ins, ++t->col, s, (int)n,
			    SQLITE_TRANSIENT);
			bound(t);
			return;
		}
		memcpy(t->arena + t->alen, s, n);
		sqlite3_bind_text(t->ins, ++t->col, t->arena + t->alen, (int)n,
		    SQLITE_STATIC);
		bound(t);
		t->alen += n;
		return;
	}
	p = tsv_slot(t);
	p = vnd_tsv_text(t, p, s, n);
	t->len = (size_t)(p - t->buf);
}

void
vnd_put_raw(struct vnd_table *t, const char *s, size_t n)
{
	char *p;

	if (t->ins != NULL || n == 0 || n > 256) {
		vnd_put_text(t, s, n);
		return;
	}
	p = tsv_slot(t);
	memcpy(p, s, n);
	t->len = (size_t)(p + n - t->buf);
}

void
vnd_put_str(struct vnd_table *t, const char *s)
{
	if (s == NULL)
		vnd_put_null_any(t);
	else
		vnd_put_text(t, s, strlen(s));
}

int
vnd_row_end(struct vnd_table *t, char *errbuf)
{
	int r;

	if (t->ins != NULL) {
		while (t->col < t->ncols)
			vnd_put_null_any(t);
		r = sqlite3_step(t->ins);
		sqlite3_reset(t->ins);
		t->col = 0;
		t->alen = 0;
		if (r != SQLITE_DONE)
			return db_err(t->sink, "sqlite insert", errbuf);
		return 0;
	}
	while (t->col < t->ncols)
		vnd_put_null_any(t);
	t->buf[t->len++] = '\n';
	t->col = 0;
	if (t->err) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "write error: %s",
		    strerror(t->err));
		return -1;
	}
	if (t->len >= TSV_FLUSH && tsv_flush(t) < 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "write error: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

char *
vnd_tsv_row(struct vnd_table *t, size_t n)
{
	if (t->ins != NULL || t->col != 0 || t->err || n > t->cap)
		return NULL;
	if (t->len + n > t->cap && tsv_flush(t) < 0)
		return NULL;
	return t->buf + t->len;
}

int
vnd_tsv_row_end(struct vnd_table *t, char *end, char *errbuf)
{
	t->len = (size_t)(end - t->buf);
	t->col = t->ncols;
	return vnd_row_end(t, errbuf);
}

int
vnd_sink_exec(struct vnd_sink *s, const char *sql, char *errbuf)
{
	if (!s->sqlite)
		return 0;
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_err(s, "sqlite", errbuf);
	return 0;
}

/*
 * Out of the write-ahead log once a load has committed: at rest the
 * database is a plain file again, which read-only readers open also in a
 * directory they cannot write (the log's -shm file needs that). Not while
 * a reader has it open: then it stays in WAL mode until the next load.
 */
static void
unlog(struct vnd_sink *s)
{
	sqlite3_busy_timeout(s->db, 0);
	(void)sqlite3_exec(s->db, "PRAGMA journal_mode=DELETE", NULL, NULL,
	    NULL);
}

/*
 * The log a killed --append left beside path belongs to the database the
 * rename replaces: SQLite would read it into the new one.
 */
static void
drop_log(const char *path)
{
	char p[4200];

	snprintf(p, sizeof(p), "%s-wal", path);
	(void)unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	(void)unlink(p);
}

int
vnd_sink_close(struct vnd_sink *s, int commit, char *errbuf)
{
	int i, r = 0;

	if (s == NULL)
		return 0;
	for (i = 0; i < s->ntabs; i++) {
		struct vnd_table *t = s->tabs[i];

		if (!s->sqlite && commit && r == 0 && tsv_flush(t) < 0) {
			snprintf(errbuf, VND_ERRBUF_SIZE, "write error: %s",
			    strerror(errno));
			r = -1;
		}
		if (t->ins != NULL)
			sqlite3_finalize(t->ins);
		free(t->buf);
		free(t->arena);
		free(t->null);
		free(t);
	}
	free(s->tabs);
	if (!s->sqlite) {
		if (commit && r == 0 && fflush(s->fp) != 0) {
			snprintf(errbuf, VND_ERRBUF_SIZE, "write error: %s",
			    strerror(errno));
			r = -1;
		}
		free(s);
		return r;
	}
	if (s->db != NULL) {
		if (commit && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) !=
		    SQLITE_OK) {
			db_err(s, "sqlite commit", errbuf);
			r = -1;
		}
		/* an append taken back is out of the log as well */
		if (s->append && !commit)
			(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		if (s->append && (!commit || r == 0))
			unlog(s);
		if (sqlite3_close(s->db) != SQLITE_OK && r == 0) {
			snprintf(errbuf, VND_ERRBUF_SIZE, "sqlite close failed");
			r = -1;
		}
	}
	if (s->tmp != NULL) {
		if (commit && r == 0)
			drop_log(s->path);
		if (commit && r == 0 && rename(s->tmp, s->path) < 0) {
			snprintf(errbuf, VND_ERRBUF_SIZE, "cannot rename to '%s': %s",
			    s->path, strerror(errno));
			r = -1;
		}
		if (!commit || r < 0)
			unlink(s->tmp);
	}
	if (s->append && s->lockfd >= 0)
		close(s->lockfd);	/* the lock goes with it */
	free(s->tmp);
	free(s->path);
	free(s);
	return commit ? r : 0;
}
