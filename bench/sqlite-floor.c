/* sqlite-floor.c: the floor for SQLite output, a bare bulk insert of N x M integers. */

/*
 * Inserts N rows of M integer columns into a fresh file with one prepared
 * statement in one transaction, journal_mode=OFF, synchronous=OFF, 64 KiB
 * pages, a connection without a mutex (SQLITE_OPEN_NOMUTEX) and no memory
 * statistics (SQLITE_CONFIG_MEMSTATUS off); -s keeps SQLite's defaults, the
 * serialized mode where every bind takes the connection's mutex and every
 * allocation the statistics' one: the least SQLite can do for a table the
 * size of a packets table.
 */

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

static int
number(const char *s, long long max, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
run(sqlite3 *db, const char *path, long long n, int m)
{
	sqlite3_stmt *st = NULL;
	char *sql = NULL, *q;
	size_t cap;
	long long i;
	int c, rc = -1;

	cap = 64 + (size_t)m * 24;
	if ((sql = malloc(cap)) == NULL)
		goto out;
	if (sqlite3_exec(db, "PRAGMA page_size=65536; PRAGMA journal_mode=OFF; "
	    "PRAGMA synchronous=OFF;", NULL, NULL, NULL) != SQLITE_OK)
		goto sqlerr;
	q = sql + sprintf(sql, "CREATE TABLE t(");
	for (c = 0; c < m; c++)
		q += sprintf(q, "%sc%d INTEGER", c ? "," : "", c);
	strcpy(q, ")");
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		goto sqlerr;
	q = sql + sprintf(sql, "INSERT INTO t VALUES(");
	for (c = 0; c < m; c++)
		q += sprintf(q, "%s?", c ? "," : "");
	strcpy(q, ")");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto sqlerr;
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		goto sqlerr;
	for (i = 0; i < n; i++) {
		/* values vary per row and column, like real packet fields */
		for (c = 0; c < m; c++)
			sqlite3_bind_int64(st, c + 1,
			    (sqlite3_int64)(i * 2654435761LL + c * 40503LL) &
			    0xffffffffLL);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto sqlerr;
		sqlite3_reset(st);
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto sqlerr;
	rc = 0;
	goto out;
sqlerr:
	fprintf(stderr, "sqlite-floor: '%s': %s\n", path, sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	free(sql);
	return rc;
}

int
main(int argc, char *argv[])
{
	sqlite3 *db;
	long long n, m;
	int mode = SQLITE_OPEN_NOMUTEX, rc;

	/* -s: SQLite's defaults, a mutex taken by every call and allocation */
	if (argc == 5 && strcmp(argv[1], "-s") == 0) {
		mode = SQLITE_OPEN_FULLMUTEX;
		argc--;
		argv++;
	} else
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (argc != 4 || number(argv[1], INT64_MAX / 4, &n) == -1 ||
	    number(argv[2], 2000, &m) == -1) {
		fprintf(stderr, "usage: sqlite-floor [-s] ROWS COLUMNS FILE\n");
		return 2;
	}
	if (unlink(argv[3]) == -1 && errno != ENOENT) {
		fprintf(stderr, "sqlite-floor: cannot remove '%s': %s\n",
		    argv[3], strerror(errno));
		return 1;
	}
	if (sqlite3_open_v2(argv[3], &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | mode, NULL) != SQLITE_OK) {
		fprintf(stderr, "sqlite-floor: cannot open '%s': %s\n",
		    argv[3], sqlite3_errmsg(db));
		sqlite3_close(db);
		return 1;
	}
	rc = run(db, argv[3], n, (int)m);
	if (sqlite3_close(db) != SQLITE_OK && rc == 0) {
		fprintf(stderr, "sqlite-floor: '%s': %s\n", argv[3],
		    sqlite3_errmsg(db));
		rc = -1;
	}
	return rc == 0 ? 0 : 1;
}
