/* apps.c: VND's SQL applications (3.3.1) as named queries, in SQLite's and ClickHouse's dialects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd_cmp.h"
#include "vnd_pkt.h"
#include "sql.h"

/*
 * Each query is one text with {NAME} holes: the dialect fills some
 * ({T} the packets table, {JOIN}, {GIN}, ...) and the options the others
 * ({WHERE}, {POINTS}, {SLOT}, ...). SQLite reads vnd-parse's file through
 * the view "vp" (target.c), ClickHouse the Distributed table "packets" of
 * sql/clickhouse.sql, which has the same computed columns fp, flow, rflow.
 */

static const char filter_sql[] =
"SELECT {COLS} FROM {T}\n"
"WHERE ({WHERE}){POINTS}\n"
"ORDER BY point, frame";

static const char stats_sql[] =
"SELECT v.point AS point, v.value AS value, v.pkts AS pkts,\n"
"  v.pkts * 1.0 / t.total AS ratio\n"
"FROM (SELECT point, {FIELD} AS value, count(*) AS pkts FROM {T}\n"
"  WHERE ({WHERE}){POINTS} GROUP BY point, {FIELD}) AS v\n"
"{JOIN} (SELECT point, count(*) AS total FROM {T}\n"
"  WHERE ({WHERE}){POINTS} GROUP BY point) AS t USING (point)\n"
"ORDER BY point, pkts DESC, value NULLS FIRST";

static const char groups_sql[] =
"SELECT point, {BY}, count(*) AS pkts, min(ts_ns) AS first_ts_ns,\n"
"  max(ts_ns) AS last_ts_ns\n"
"FROM {T} WHERE ({WHERE}){POINTS}\n"
"GROUP BY point, {BY}\n"
"ORDER BY point, {BYORDER}";

static const char throughput_sql[] =
"SELECT point, {SLOT} AS slot_ts_ns, count(*) AS pkts,\n"
"  ifnull(sum(wire_bytes), 0) AS wire_bytes,\n"
"  ifnull(sum(ip_bytes), 0) AS ip_bytes,\n"
"  ifnull(sum(payload_bytes), 0) AS payload_bytes\n"
"FROM {T} WHERE ts_ns IS NOT NULL AND ({WHERE}){POINTS}\n"
"GROUP BY point, slot_ts_ns\n"
"ORDER BY point, slot_ts_ns";

/*
 * VND's RTT: a data segment and the first ACK of it the same point saw
 * come back (ack = seq + payload_bytes, modulo 2^32), segments sent twice
 * left out (Karn).
 */
static const char rtt_sql[] =
"SELECT point, src_ip, src_port, dst_ip, dst_port, ts_ns, seq,\n"
"  min(ta) - ts_ns AS rtt_ns\n"
"FROM (SELECT point, frame, src_ip, src_port, dst_ip, dst_port, ts_ns, seq,\n"
"    {DKEY} AS k\n"
"  FROM {T} WHERE ip_proto = 6 AND payload_bytes > 0 AND ({WHERE}){POINTS}\n"
"    AND (point, flow, seq) {GNOTIN} (SELECT point, flow, seq FROM {T}\n"
"      WHERE ip_proto = 6 AND payload_bytes > 0{POINTS}\n"
"      GROUP BY point, flow, seq HAVING count(*) > 1)) AS d\n"
"{JOIN} (SELECT point, {AKEY} AS k, ts_ns AS ta\n"
"  FROM {T} WHERE ip_proto = 6 AND {ACKBIT} <> 0{POINTS}) AS a\n"
"  USING (point, k)\n"
"WHERE ta >= ts_ns\n"
"GROUP BY point, frame, src_ip, src_port, dst_ip, dst_port, ts_ns, seq\n"
"ORDER BY point, ts_ns, frame";

/* SQLite: the ACK side by its columns, so that an automatic index serves it. */
static const char rtt_sqlite[] =
"SELECT d.point, d.src_ip, d.src_port, d.dst_ip, d.dst_port, d.ts_ns, d.seq,\n"
"  min(a.ts_ns) - d.ts_ns AS rtt_ns\n"
"FROM (SELECT point, frame, src_ip, src_port, dst_ip, dst_port, ts_ns, seq,\n"
"    flow, (seq + payload_bytes) % 4294967296 AS acked\n"
"  FROM {T} WHERE ip_proto = 6 AND payload_bytes > 0 AND ({WHERE}){POINTS}\n"
"    AND (point, flow, seq) NOT IN (SELECT point, flow, seq FROM {T}\n"
"      WHERE ip_proto = 6 AND payload_bytes > 0{POINTS}\n"
"      GROUP BY point, flow, seq HAVING count(*) > 1)) AS d\n"
"JOIN {T} AS a ON a.ack = d.acked AND a.point = d.point AND a.rflow = d.flow\n"
"  AND a.ts_ns >= d.ts_ns AND a.ip_proto = 6 AND (a.tcp_flags & 16) <> 0\n"
"GROUP BY d.point, d.frame, d.src_ip, d.src_port, d.dst_ip, d.dst_port,\n"
"  d.ts_ns, d.seq\n"
"ORDER BY d.point, d.ts_ns, d.frame";

static const struct vnd_colspec stats_cols[] = {
	{ "point", VND_TEXT }, { "value", VND_TEXT }, { "pkts", VND_INT },
	{ "ratio", VND_REAL },
};
static const struct vnd_colspec tput_cols[] = {
	{ "point", VND_TEXT }, { "slot_ts_ns", VND_INT }, { "pkts", VND_INT },
	{ "wire_bytes", VND_INT }, { "ip_bytes", VND_INT },
	{ "payload_bytes", VND_INT },
};
static const struct vnd_colspec rtt_cols[] = {
	{ "point", VND_TEXT }, { "src_ip", VND_TEXT }, { "src_port", VND_INT },
	{ "dst_ip", VND_TEXT }, { "dst_port", VND_INT }, { "ts_ns", VND_INT },
	{ "seq", VND_INT }, { "rtt_ns", VND_INT },
};
static const struct vnd_colspec loss_cols[] = {
	{ "in_point", VND_TEXT }, { "out_point", VND_TEXT },
	{ "src_side", VND_TEXT }, { "in_pkts", VND_INT }, { "out_pkts", VND_INT },
	{ "lost_pkts", VND_INT }, { "loss_ratio", VND_REAL },
	{ "created_pkts", VND_INT },
};
static const struct vnd_colspec delay_cols[] = {
	{ "in_point", VND_TEXT }, { "out_point", VND_TEXT },
	{ "src_side", VND_TEXT }, { "pkts", VND_INT },
	{ "delay_min_ns", VND_INT }, { "delay_p50_ns", VND_INT },
	{ "delay_p99_ns", VND_INT }, { "delay_max_ns", VND_INT },
};

char *
sql_fill(const char *tmpl, const struct subst *s, int n)
{
	size_t len = strlen(tmpl) + 1, off = 0, kl = 0;
	const char *p;
	char *out, *q;
	int i;

	for (i = 0; i < n; i++)
		for (p = tmpl; (p = strstr(p, s[i].key)) != NULL; p++)
			len += strlen(s[i].val);
	if ((out = malloc(len)) == NULL)
		return NULL;
	for (p = tmpl; *p; ) {
		for (i = 0; i < n; i++) {
			kl = strlen(s[i].key);
			if (strncmp(p, s[i].key, kl) == 0)
				break;
		}
		if (i == n) {
			out[off++] = *p++;
			continue;
		}
		q = out + off;
		memcpy(q, s[i].val, strlen(s[i].val));
		off += strlen(s[i].val);
		p += kl;
	}
	out[off] = '\0';
	return out;
}

char *
sql_quote(const char *s)
{
	size_t n = 3;
	const char *p;
	char *out, *q;

	for (p = s; *p; p++)
		n += *p == '\'' || *p == '\\' ? 2 : 1;
	if ((out = malloc(n)) == NULL)
		return NULL;
	q = out;
	*q++ = '\'';
	for (p = s; *p; p++) {
		/* ClickHouse reads a backslash in a literal as an escape */
		if (*p == '\'' || *p == '\\')
			*q++ = *p;
		*q++ = *p;
	}
	*q++ = '\'';
	*q = '\0';
	return out;
}

int
out_row(void *arg, int ncols, char **vals, char *errbuf)
{
	struct app_out *o = arg;
	int i;

	if (ncols != o->ncols) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "the query gave %d columns, "
		    "not %d", ncols, o->ncols);
		return -1;
	}
	for (i = 0; i < ncols; i++) {
		if (vals[i] == NULL)
			vnd_put_null(o->t);
		else if (o->cols[i].type == VND_INT)
			vnd_put_int(o->t, strtoll(vals[i], NULL, 10));
		else if (o->cols[i].type == VND_REAL)
			vnd_put_real(o->t, strtod(vals[i], NULL));
		else
			vnd_put_str(o->t, vals[i]);
	}
	return vnd_row_end(o->t, errbuf);
}

/* " AND point IN ('a', 'b')" of the points named, "" for all. */
static char *
points_in(const struct app_opts *o)
{
	size_t n = 32;
	char *s, *q;
	int i;

	for (i = 0; i < o->npoints; i++)
		n += strlen(o->points[i]) * 2 + 6;
	if ((s = malloc(n)) == NULL)
		return NULL;
	s[0] = '\0';
	if (o->npoints == 0)
		return s;
	strcat(s, " AND point IN (");
	for (i = 0; i < o->npoints; i++) {
		if ((q = sql_quote(o->points[i])) == NULL) {
			free(s);
			return NULL;
		}
		strcat(s, i ? ", " : "");
		strcat(s, q);
		free(q);
	}
	strcat(s, ")");
	return s;
}

/* "a, b NULLS FIRST" style lists of the --by columns; 0 or -1. */
static int
by_lists(const char *by, char *list, char *order, size_t len)
{
	char buf[512], *tok, *save = NULL;
	size_t ol = 0, ll = 0;

	if (strlen(by) >= sizeof(buf) || strlen(by) * 2 + 64 >= len)
		return -1;
	snprintf(buf, sizeof(buf), "%s", by);
	list[0] = order[0] = '\0';
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		ll += (size_t)snprintf(list + ll, len - ll, "%s%s", ll ? ", " : "",
		    tok);
		ol += (size_t)snprintf(order + ol, len - ol, "%s%s NULLS FIRST",
		    ol ? ", " : "", tok);
		if (ol >= len || ll >= len)
			return -1;
	}
	return 0;
}

/* Fill the template for the target and the options, then run it. */
static int
run_sql(struct target *tg, const char *tmpl, const struct app_opts *o,
    struct app_out *out, int print, char *errbuf)
{
	int ch = target_dialect(tg) == DIALECT_CLICKHOUSE;
	char slot[128], cols[2048] = "", by[2048] = "", byord[4096] = "";
	char *pts = points_in(o), *sql = NULL, t[160];
	int i, r = -1;

	target_table(tg, "packets", t, sizeof(t));
	snprintf(slot, sizeof(slot), ch ? "intDiv(ts_ns, %lld) * %lld" :
	    "(ts_ns / %lld) * %lld", (long long)o->slot_ns,
	    (long long)o->slot_ns);
	for (i = 0; i < out->ncols && tmpl == filter_sql; i++)
		snprintf(cols + strlen(cols), sizeof(cols) - strlen(cols), "%s%s",
		    i ? ", " : "", out->cols[i].name);
	if (o->by != NULL)
		by_lists(o->by, by, byord, sizeof(by));
	const struct subst s[] = {
		{ "{T}", t },
		{ "{JOIN}", ch ? "ALL INNER JOIN" : "JOIN" },
		{ "{GNOTIN}", ch ? "GLOBAL NOT IN" : "NOT IN" },
		{ "{ACKBIT}", ch ? "bitAnd(tcp_flags, 16)" : "(tcp_flags & 16)" },
		{ "{DKEY}", "concat(flow, ' ', toString((seq + payload_bytes)"
		    " % 4294967296))" },
		{ "{AKEY}", "concat(rflow, ' ', toString(ack))" },
		{ "{SLOT}", slot },
		{ "{WHERE}", o->where ? o->where : "1 = 1" },
		{ "{POINTS}", pts ? pts : "" },
		{ "{FIELD}", o->field ? o->field : "ip_proto" },
		{ "{BY}", by },
		{ "{BYORDER}", byord },
		{ "{COLS}", cols },
	};
	if (pts == NULL || (sql = sql_fill(tmpl, s, VND_NELEM(s))) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		goto out;
	}
	r = target_run(tg, sql, print, out_row, out, errbuf);
out:
	free(pts);
	free(sql);
	return r;
}

static int
filter_cols(const struct app_opts *o, struct vnd_colspec *cols)
{
	int i;

	(void)o;
	for (i = 0; i < VND_NCOLS; i++)
		cols[i] = vnd_packet_cols[i];
	return VND_NCOLS;
}

/* The type of a packets column by name; TEXT for one it does not know. */
static enum vnd_coltype
packet_type(const char *name)
{
	int i;

	for (i = 0; i < VND_NCOLS; i++)
		if (strcmp(vnd_packet_cols[i].name, name) == 0)
			return vnd_packet_cols[i].type;
	return VND_TEXT;
}

/* point, the --by columns (names kept in a static copy), pkts, times. */
static int
groups_colf(const struct app_opts *o, struct vnd_colspec *cols)
{
	static char names[512];
	char *tok, *save = NULL;
	int n = 0;

	snprintf(names, sizeof(names), "%s", o->by);
	cols[n++] = (struct vnd_colspec){ "point", VND_TEXT };
	for (tok = strtok_r(names, ",", &save); tok != NULL && n < 60;
	    tok = strtok_r(NULL, ",", &save))
		cols[n++] = (struct vnd_colspec){ tok, packet_type(tok) };
	cols[n++] = (struct vnd_colspec){ "pkts", VND_INT };
	cols[n++] = (struct vnd_colspec){ "first_ts_ns", VND_INT };
	cols[n++] = (struct vnd_colspec){ "last_ts_ns", VND_INT };
	return n;
}

static const struct app apps[] = {
	{ .name = "filter", .table = "packets", .sql = filter_sql,
	    .colf = filter_cols },
	{ .name = "stats", .table = "stats", .sql = stats_sql,
	    .cols = stats_cols, .ncols = VND_NELEM(stats_cols) },
	{ .name = "groups", .table = "groups", .sql = groups_sql,
	    .colf = groups_colf },
	{ .name = "throughput", .table = "throughput", .sql = throughput_sql,
	    .cols = tput_cols, .ncols = VND_NELEM(tput_cols) },
	{ .name = "rtt", .table = "rtt", .sql = rtt_sql, .sqlite_sql = rtt_sqlite,
	    .cols = rtt_cols, .ncols = VND_NELEM(rtt_cols) },
	{ .name = "delay", .table = "delay", .run = hop_delay, .min_points = 2,
	    .cols = delay_cols, .ncols = VND_NELEM(delay_cols) },
	{ .name = "loss", .table = "loss", .run = hop_loss, .min_points = 2,
	    .cols = loss_cols, .ncols = VND_NELEM(loss_cols) },
};

int
app_cols(const struct app *a, const struct app_opts *o,
    struct vnd_colspec *cols)
{
	if (a->colf != NULL)
		return a->colf(o, cols);
	memcpy(cols, a->cols, (size_t)a->ncols * sizeof(*cols));
	return a->ncols;
}

int
app_run(const struct app *a, struct target *tg, const struct app_opts *o,
    struct app_out *out, int print, char *errbuf)
{
	if (a->run != NULL)
		return a->run(tg, o, out, print, errbuf);
	return run_sql(tg, a->sqlite_sql != NULL && target_dialect(tg) ==
	    DIALECT_SQLITE ? a->sqlite_sql : a->sql, o, out, print, errbuf);
}

const struct app *
app_find(const char *name)
{
	return vnd_find_name(apps, VND_NELEM(apps), sizeof(apps[0]), name);
}

const char *
app_names(void)
{
	return "filter, stats, groups, throughput, rtt, delay, loss";
}
