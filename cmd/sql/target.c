/* target.c: where vnd-sql's queries run: an SQLite file in process, a ClickHouse cluster through clickhouse-client. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <sqlite3.h>

#include "sql.h"

#define MAX_COLS	256

struct target {
	enum dialect	 dialect;
	sqlite3		*db;
	char		 host[256];
	char		 port[16];
	char		 database[128];
};

/*
 * The packets table of vnd-parse, seen as the cluster's DDL sees it: with
 * the fingerprint vnd-hoploss matches on (pkt_id widened), and the flow and
 * its reverse as text (sql/clickhouse.sql has the same as columns).
 */
static const char sqlite_view[] =
"CREATE TEMP VIEW vp AS SELECT *,\n"
"  coalesce(pkt_id, '') || '/' || coalesce(ack, '') || '/' ||\n"
"  coalesce(tcp_flags, '') || '/' || coalesce(win, '') || '/' ||\n"
"  coalesce(payload_bytes, '') || '/' || coalesce(payload_hash, '') || '/' ||\n"
"  coalesce(icmp_type, '') || '/' || coalesce(icmp_code, '') || '/' ||\n"
"  coalesce(frag_off, '') || '/' || coalesce(tsval, '') || '/' ||\n"
"  coalesce(tsecr, '') AS fp,\n"
"  coalesce(src_ip, '-') || ' ' || coalesce(src_port, '-') || ' ' ||\n"
"  coalesce(dst_ip, '-') || ' ' || coalesce(dst_port, '-') || ' ' ||\n"
"  coalesce(ip_proto, '-') AS flow,\n"
"  coalesce(dst_ip, '-') || ' ' || coalesce(dst_port, '-') || ' ' ||\n"
"  coalesce(src_ip, '-') || ' ' || coalesce(src_port, '-') || ' ' ||\n"
"  coalesce(ip_proto, '-') AS rflow\n"
"FROM main.packets";

static int
open_sqlite(struct target *tg, const char *path, char *errbuf)
{
	if (!vnd_path_is_sqlite(path)) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "'%s': not an SQLite file nor "
		    "ch://host:port/database", path);
		return -1;
	}
	if (sqlite3_open_v2(path, &tg->db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || sqlite3_exec(tg->db, sqlite_view, NULL, NULL, NULL) !=
	    SQLITE_OK) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "'%s': %s", path,
		    tg->db ? sqlite3_errmsg(tg->db) : "cannot open");
		return -1;
	}
	tg->dialect = DIALECT_SQLITE;
	return 0;
}

/* ch://host[:port][/database]: 127.0.0.1, 9000 and vnd when left out. */
static int
open_clickhouse(struct target *tg, const char *spec, char *errbuf)
{
	const char *h = spec + strlen("ch://"), *db, *colon;
	size_t hl;

	db = strchr(h, '/');
	colon = memchr(h, ':', db ? (size_t)(db - h) : strlen(h));
	hl = colon ? (size_t)(colon - h) : db ? (size_t)(db - h) : strlen(h);
	snprintf(tg->host, sizeof(tg->host), "%.*s", (int)hl,
	    hl ? h : "127.0.0.1");
	snprintf(tg->port, sizeof(tg->port), "%.*s",
	    colon ? (int)((db ? db : colon + strlen(colon)) - colon - 1) : 4,
	    colon ? colon + 1 : "9000");
	snprintf(tg->database, sizeof(tg->database), "%s",
	    db && db[1] ? db + 1 : "vnd");
	if (hl >= sizeof(tg->host) || tg->port[0] == '\0' ||
	    strspn(tg->port, "0123456789") != strlen(tg->port) ||
	    strspn(tg->database, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(tg->database)) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "'%s': not ch://host:port/database",
		    spec);
		return -1;
	}
	tg->dialect = DIALECT_CLICKHOUSE;
	return 0;
}

int
target_open(struct target **tp, const char *spec, char *errbuf)
{
	struct target *tg;
	int r;

	if ((tg = calloc(1, sizeof(*tg))) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	r = strncmp(spec, "ch://", 5) == 0 ? open_clickhouse(tg, spec, errbuf) :
	    open_sqlite(tg, spec, errbuf);
	if (r < 0) {
		target_close(tg);
		return -1;
	}
	*tp = tg;
	return 0;
}

enum dialect
target_dialect(const struct target *tg)
{
	return tg->dialect;
}

void
target_table(const struct target *tg, const char *table, char *buf, size_t len)
{
	if (tg->dialect == DIALECT_SQLITE)
		snprintf(buf, len, "vp");
	else
		snprintf(buf, len, "%s.%s", tg->database, table);
}

static int
query_sqlite(struct target *tg, const char *sql, row_fn fn, void *arg,
    char *errbuf)
{
	sqlite3_stmt *st;
	char *vals[MAX_COLS];
	int i, n, r;

	if (sqlite3_prepare_v2(tg->db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "sqlite: %s",
		    sqlite3_errmsg(tg->db));
		return -1;
	}
	n = sqlite3_column_count(st);
	if (n > MAX_COLS)
		n = MAX_COLS;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < n; i++)
			vals[i] = (char *)sqlite3_column_text(st, i);
		if (fn(arg, n, vals, errbuf) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	if (r != SQLITE_DONE)
		snprintf(errbuf, VND_ERRBUF_SIZE, "sqlite: %s",
		    sqlite3_errmsg(tg->db));
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : -1;
}

/* ClickHouse's TabSeparated escapes, undone in place; NULL for \N. */
static char *
unescape(char *s)
{
	char *p = s, *q = s;

	if (strcmp(s, "\\N") == 0)
		return NULL;
	for (; *p; p++) {
		if (*p != '\\' || p[1] == '\0') {
			*q++ = *p;
			continue;
		}
		p++;
		*q++ = *p == 't' ? '\t' : *p == 'n' ? '\n' : *p == '0' ? '?' : *p;
	}
	*q = '\0';
	return s;
}

static int
split_row(char *line, char **vals)
{
	int n = 0;
	char *tab;

	line[strcspn(line, "\n")] = '\0';
	for (;;) {
		tab = strchr(line, '\t');
		if (tab)
			*tab = '\0';
		if (n < MAX_COLS)
			vals[n++] = unescape(line);
		if (tab == NULL)
			return n;
		line = tab + 1;
	}
}

/* The reason clickhouse-client gave: its line with "Exception", else its first. */
static void
client_reason(FILE *errf, int status, char *errbuf)
{
	char line[1024], first[1024] = "";
	const char *e;

	rewind(errf);
	while (fgets(line, sizeof(line), errf) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (first[0] == '\0')
			snprintf(first, sizeof(first), "%s", line);
		if ((e = strstr(line, "DB::Exception: ")) != NULL) {
			/* the last "DB::Exception: " is the server's reason */
			while (strstr(e + 1, "DB::Exception: ") != NULL)
				e = strstr(e + 1, "DB::Exception: ");
			snprintf(errbuf, VND_ERRBUF_SIZE, "clickhouse: %s",
			    e + strlen("DB::Exception: "));
			return;
		}
	}
	if (first[0] != '\0')
		snprintf(errbuf, VND_ERRBUF_SIZE, "clickhouse-client: %.200s", first);
	else
		snprintf(errbuf, VND_ERRBUF_SIZE, "clickhouse-client exited with "
		    "status %d", status);
}

static const char *
client_path(void)
{
	const char *c = getenv("VND_CLICKHOUSE_CLIENT");

	return c != NULL && *c ? c : "clickhouse-client";
}

static pid_t
spawn_client(struct target *tg, const char *sql, int out, int errfd)
{
	const char *argv[] = { client_path(), "--host", tg->host, "--port",
	    tg->port, "--database", tg->database, "--format", "TabSeparated",
	    "--query", sql, NULL };
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(127);
	execvp(argv[0], (char *const *)argv);
	fprintf(stderr, "cannot run '%s': %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int
read_rows(FILE *in, row_fn fn, void *arg, char *errbuf)
{
	char *line = NULL, *vals[MAX_COLS];
	size_t cap = 0;
	int r = 0;

	while (r == 0 && getline(&line, &cap, in) >= 0)
		r = fn(arg, split_row(line, vals), vals, errbuf);
	free(line);
	return r;
}

static int
query_clickhouse(struct target *tg, const char *sql, row_fn fn, void *arg,
    char *errbuf)
{
	FILE *errf = tmpfile(), *in = NULL;
	int fds[2] = { -1, -1 }, status = 0, r = -1;
	pid_t pid = -1;

	if (errf == NULL || pipe(fds) < 0 ||
	    (pid = spawn_client(tg, sql, fds[1], fileno(errf))) < 0 ||
	    (close(fds[1]), fds[1] = -1, in = fdopen(fds[0], "r")) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "clickhouse-client: %s",
		    strerror(errno));
		goto out;
	}
	fds[0] = -1;
	r = read_rows(in, fn, arg, errbuf);
	fclose(in);		/* a client still writing gets EPIPE */
	in = NULL;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	pid = -1;
	if (r == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		client_reason(errf, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		    errbuf);
		r = -1;
	}
out:
	if (pid > 0)
		waitpid(pid, &status, 0);
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	if (errf != NULL)
		fclose(errf);
	return r;
}

int
target_query(struct target *tg, const char *sql, row_fn fn, void *arg,
    char *errbuf)
{
	if (tg->dialect == DIALECT_SQLITE)
		return query_sqlite(tg, sql, fn, arg, errbuf);
	return query_clickhouse(tg, sql, fn, arg, errbuf);
}

int
target_run(struct target *tg, const char *sql, int print, row_fn fn,
    void *arg, char *errbuf)
{
	if (!print)
		return target_query(tg, sql, fn, arg, errbuf);
	printf("%s;\n", sql);
	return 0;
}

void
target_close(struct target *tg)
{
	if (tg == NULL)
		return;
	if (tg->db != NULL)
		sqlite3_close(tg->db);
	free(tg);
}
