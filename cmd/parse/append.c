/* append.c: what a database vnd-parse --append adds to already holds. */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "vnd.h"
#include "append.h"

/* "no such table": a new database has none yet */
static int
missing(sqlite3 *db)
{
	const char *m = sqlite3_errmsg(db);

	return strncmp(m, "no such table", 13) == 0;
}

static int
fail(sqlite3 *db, char *errbuf)
{
	snprintf(errbuf, VND_ERRBUF_SIZE, "sqlite: %s", sqlite3_errmsg(db));
	return -1;
}

/*
 * By content and size, whatever the name: a ring of files reuses its
 * names, and a capture renamed by a rotation is the same capture.
 */
int
append_loaded(void *vdb, uint64_t bytes, const char *sha256, char *file,
    size_t len, char *errbuf)
{
	sqlite3 *db = vdb;
	sqlite3_stmt *q;
	int r;

	if (sqlite3_prepare_v2(db, "SELECT file FROM meta WHERE file_bytes = ?1 "
	    "AND file_sha256 = ?2 LIMIT 1", -1, &q, NULL) != SQLITE_OK)
		return missing(db) ? 0 : fail(db, errbuf);
	sqlite3_bind_int64(q, 1, (sqlite3_int64)bytes);
	sqlite3_bind_text(q, 2, sha256, -1, SQLITE_STATIC);
	if ((r = sqlite3_step(q)) == SQLITE_ROW)
		snprintf(file, len, "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return fail(db, errbuf);
	return r == SQLITE_ROW;
}

/*
 * From the meta table, which has a row per file loaded: the packets table
 * has no index that would give a point's largest frame without a scan.
 */
int64_t
append_last_frame(void *vdb, const char *point, char *errbuf)
{
	sqlite3 *db = vdb;
	sqlite3_stmt *q;
	int64_t last = 0;
	int r;

	if (sqlite3_prepare_v2(db, "SELECT max(last_frame) FROM meta "
	    "WHERE point = ?1", -1, &q, NULL) != SQLITE_OK)
		return missing(db) ? 0 : fail(db, errbuf);
	sqlite3_bind_text(q, 1, point, -1, SQLITE_STATIC);
	if ((r = sqlite3_step(q)) == SQLITE_ROW)
		last = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return fail(db, errbuf);
	return last;
}
