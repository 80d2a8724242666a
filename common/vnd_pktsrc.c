/* vnd_pktsrc.c: a point's packets, decoded from a capture or read back from vnd-parse's table. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "vnd.h"
#include "vnd_table.h"
#include "vnd_decode.h"
#include "vnd_pktsrc.h"

/*
 * Every analysis tool reads a capture or the packets table vnd-parse wrote,
 * and must give the same answer both ways: the table's columns, picked by
 * name, fill the same struct vnd_pkt the decoder fills. Only the payload
 * bytes are not there (their hash is).
 */

/* The packets table of a SQLite file vnd-parse wrote, its rows in order. */
static int
open_sqlite(struct vnd_pktsrc *s, const char *path, char *errbuf)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int i;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "%s", sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	if (sqlite3_prepare_v2(db, s->point ?
	    "SELECT * FROM packets WHERE point = ?1 ORDER BY rowid" :
	    "SELECT * FROM packets ORDER BY rowid", -1, &st, NULL) != SQLITE_OK) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "no packets table: %s",
		    sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	if (s->point != NULL)
		sqlite3_bind_text(st, 1, s->point, -1, SQLITE_STATIC);
	for (i = 0; i < VND_MAX_TABLE_COLS; i++)
		s->cols[i] = -1;
	s->ncols = sqlite3_column_count(st);
	if (s->ncols > VND_MAX_TABLE_COLS)
		s->ncols = VND_MAX_TABLE_COLS;
	for (i = 0; i < s->ncols; i++)
		s->cols[i] = vnd_col_lookup(sqlite3_column_name(st, i));
	s->db = db;
	s->st = st;
	s->table = 1;
	return 0;
}

int
vnd_pktsrc_open(struct vnd_pktsrc *s, const char *path, const char *point,
    char *errbuf)
{
	char *line;
	size_t len, i;
	int r;

	memset(s, 0, sizeof(*s));
	s->path = path;
	s->point = point;
	if (vnd_path_is_sqlite(path))
		return open_sqlite(s, path, errbuf);
	if (vnd_input_open(&s->in, path, NULL, errbuf) < 0)
		return -1;
	if (!vnd_input_is_table(s->in))
		return 0;
	s->table = 1;
	if ((r = vnd_input_line(s->in, &line, &len, errbuf)) != 1) {
		if (r == VND_IN_EOF)
			snprintf(errbuf, VND_ERRBUF_SIZE, "empty table");
		vnd_input_close(s->in);
		s->in = NULL;
		return -1;
	}
	for (i = 0; i < VND_MAX_TABLE_COLS; i++)
		s->cols[i] = -1;
	/* the header: which packets-table column each field is; others ignored */
	for (i = 0; line != NULL && i < VND_MAX_TABLE_COLS; i++) {
		char *tab = strchr(line, '\t');

		if (tab != NULL)
			*tab = '\0';
		s->cols[i] = vnd_col_lookup(line);
		line = tab ? tab + 1 : NULL;
	}
	s->ncols = (int)i;
	return 0;
}

static int
put_addr(struct vnd_pkt *pk, int col, const char *v)
{
	uint8_t a[16];

	memset(a, 0, sizeof(a));
	if (inet_pton(AF_INET, v, a) == 1)
		pk->ip_ver = 4;
	else if (inet_pton(AF_INET6, v, a) == 1)
		pk->ip_ver = 6;
	else
		return -1;
	memcpy(col == VND_COL_SRC_IP ? pk->src_ip : pk->dst_ip, a, 16);
	return 0;
}

static int
put_sack(struct vnd_pkt *pk, const char *v)
{
	char *end;
	int i;

	for (i = 0; i < VND_MAX_SACK && *v; i++) {
		pk->sack[i][0] = (uint32_t)strtoul(v, &end, 10);
		if (*end != '-')
			return -1;
		pk->sack[i][1] = (uint32_t)strtoul(end + 1, &end, 10);
		if (*end != ';' && *end != '\0')
			return -1;
		v = *end ? end + 1 : end;
	}
	pk->nsack = (uint8_t)i;
	return 0;
}

/* One value of a row into pk; -1 when it does not parse. */
static int
put_value(struct vnd_pktsrc *s, struct vnd_pkt *pk, int col, char *v)
{
	unsigned long long u;
	char *end;
	int i;

	switch (col) {
	case VND_COL_POINT:
		s->row_point = v;
		return 0;
	case VND_COL_MALFORMED:
		snprintf(s->malformed, sizeof(s->malformed), "%s", v);
		pk->malformed = s->malformed;
		return 0;
	case VND_COL_SRC_IP: case VND_COL_DST_IP:
		if (put_addr(pk, col, v) < 0)
			return -1;
		break;
	case VND_COL_TUNNEL:
		for (i = 1; i <= VND_TUN_MPLS; i++)
			if (strcmp(v, vnd_tunnel_name(i)) == 0)
				pk->tunnel = (uint8_t)i;
		break;
	case VND_COL_SACK:
		if (put_sack(pk, v) < 0)
			return -1;
		break;
	case VND_COL_TS_NS:
		errno = 0;
		pk->ts_ns = vnd_ts_clamp(strtoll(v, &end, 10));
		if (*end || errno)
			return -1;
		break;
	default:
		errno = 0;
		u = strtoull(v, &end, 10);
		if (*end || errno || *v == '-')
			return -1;
		switch (col) {
		case VND_COL_FRAME: pk->frame = u; break;
		case VND_COL_WIRE_BYTES: pk->wire_bytes = (uint32_t)u; break;
		case VND_COL_CAP_BYTES: pk->cap_bytes = (uint32_t)u; break;
		case VND_COL_VLAN: pk->vlan = (uint16_t)u; break;
		case VND_COL_VNI: pk->vni = (uint32_t)u; break;
		case VND_COL_IP_PROTO: pk->ip_proto = (uint8_t)u; break;
		case VND_COL_IP_ID: pk->ip_id = (uint32_t)u; break;
		case VND_COL_TTL: pk->ttl = (uint8_t)u; break;
		case VND_COL_IP_BYTES: pk->ip_bytes = (uint32_t)u; break;
		case VND_COL_SRC_PORT: pk->src_port = (uint16_t)u; break;
		case VND_COL_DST_PORT: pk->dst_port = (uint16_t)u; break;
		case VND_COL_TCP_FLAGS: pk->tcp_flags = (uint16_t)u; break;
		case VND_COL_SEQ: pk->seq = (uint32_t)u; break;
		case VND_COL_ACK: pk->ack = (uint32_t)u; break;
		case VND_COL_WIN: pk->win = (uint16_t)u; break;
		case VND_COL_PAYLOAD_BYTES: pk->payload_bytes = (uint32_t)u; break;
		case VND_COL_MSS: pk->mss = (uint16_t)u; break;
		case VND_COL_WSCALE: pk->wscale = (uint8_t)u; break;
		case VND_COL_TSVAL: pk->tsval = (uint32_t)u; break;
		case VND_COL_TSECR: pk->tsecr = (uint32_t)u; break;
		case VND_COL_PKT_ID: pk->pkt_id = u; break;
		case VND_COL_PAYLOAD_HASH: pk->payload_hash = u; break;
		case VND_COL_SACK_OK: break;
		case VND_COL_FRAG_OFF: pk->frag_off = (uint32_t)u; break;
		case VND_COL_FRAG_MORE: pk->frag_more = (uint8_t)u; break;
		case VND_COL_ICMP_TYPE: pk->icmp_type = (uint8_t)u; break;
		case VND_COL_ICMP_CODE: pk->icmp_code = (uint8_t)u; break;
		default: return 0;
		}
	}
	VND_SET(pk, col);
	return 0;
}

/* A bad value of a row: where, and which. */
static int
bad_value(struct vnd_pktsrc *s, int col, const char *v)
{
	snprintf(s->err, sizeof(s->err), "line %llu: bad %s '%.40s'",
	    (unsigned long long)s->line + 1, vnd_packet_cols[col].name, v);
	s->done = 1;
	s->status = -1;
	return 0;
}

static int
next_sqlite(struct vnd_pktsrc *s, struct vnd_pkt *pk)
{
	sqlite3_stmt *st = s->st;
	char *v;
	int i, r;

	if ((r = sqlite3_step(st)) != SQLITE_ROW) {
		s->done = 1;
		s->status = r == SQLITE_DONE ? 0 : -1;
		if (r != SQLITE_DONE)
			snprintf(s->err, sizeof(s->err), "%s",
			    sqlite3_errmsg(s->db));
		return 0;
	}
	s->line++;
	memset(pk, 0, sizeof(*pk));
	s->row_point = NULL;
	for (i = 0; i < s->ncols; i++) {
		if (s->cols[i] < 0 || sqlite3_column_type(st, i) == SQLITE_NULL)
			continue;
		/* valid until the next step: the point is interned before */
		v = (char *)sqlite3_column_text(st, i);
		if (v == NULL || strcmp(v, "-") == 0)
			continue;
		if (put_value(s, pk, s->cols[i], v) < 0)
			return bad_value(s, s->cols[i], v);
	}
	s->frame++;
	return 1;
}

static int
next_row(struct vnd_pktsrc *s, struct vnd_pkt *pk)
{
	char *line, *v, *tab;
	size_t len;
	int r, i;

	for (;;) {
		r = vnd_input_line(s->in, &line, &len, s->err);
		if (r != 1) {
			s->done = 1;
			s->status = r == VND_IN_EOF ? 0 : r == VND_IN_TRUNC ? 1 : -1;
			return 0;
		}
		s->line++;
		memset(pk, 0, sizeof(*pk));
		s->row_point = NULL;
		for (i = 0, v = line; v != NULL && i < s->ncols; i++, v = tab) {
			if ((tab = strchr(v, '\t')) != NULL)
				*tab++ = '\0';
			if (s->cols[i] < 0 || strcmp(v, "-") == 0)
				continue;
			if (put_value(s, pk, s->cols[i], v) < 0)
				return bad_value(s, s->cols[i], v);
		}
		/* a table of several points: only the rows of the one named */
		if (s->point != NULL && s->row_point != NULL &&
		    strcmp(s->point, s->row_point) != 0)
			continue;
		s->frame++;
		return 1;
	}
}

int
vnd_pktsrc_next(struct vnd_pktsrc *s, struct vnd_pkt *pk)
{
	struct vnd_frame f;
	int r;

	if (s->done)
		return 0;
	if (s->st != NULL)
		return next_sqlite(s, pk);
	if (s->table)
		return next_row(s, pk);
	r = vnd_input_next(s->in, &f, s->err);
	if (r != VND_IN_FRAME) {
		s->done = 1;
		s->status = r == VND_IN_EOF ? 0 : r == VND_IN_TRUNC || s->frame ?
		    1 : -1;
		return 0;
	}
	pk->frame = ++s->frame;
	pk->ts_ns = f.ts_ns == VND_NO_TS ? 0 : f.ts_ns;
	pk->wire_bytes = f.wirelen;
	pk->cap_bytes = f.caplen;
	vnd_decode(pk, f.linktype, f.data, f.caplen);
	return 1;
}

const char *
vnd_pktsrc_point(struct vnd_pktsrc *s)
{
	char **nn;
	size_t i;

	if (!s->table || s->row_point == NULL)
		return NULL;
	for (i = 0; i < s->nnames; i++)
		if (strcmp(s->names[i], s->row_point) == 0)
			return s->names[i];
	if ((nn = realloc(s->names, (s->nnames + 1) * sizeof(*nn))) == NULL)
		return NULL;
	s->names = nn;
	if ((s->names[s->nnames] = strdup(s->row_point)) == NULL)
		return NULL;
	return s->names[s->nnames++];
}

const char *
vnd_pktsrc_format(const struct vnd_pktsrc *s)
{
	if (s->db != NULL)
		return "sqlite";
	return s->in != NULL ? vnd_input_format(s->in) : "";
}

void
vnd_pktsrc_close(struct vnd_pktsrc *s)
{
	vnd_input_close(s->in);
	s->in = NULL;
	sqlite3_finalize(s->st);
	sqlite3_close(s->db);
	s->st = s->db = NULL;
}

void
vnd_pktsrc_free(struct vnd_pktsrc *s)
{
	size_t i;

	for (i = 0; i < s->nnames; i++)
		free(s->names[i]);
	free(s->names);
	s->names = NULL;
	s->nnames = 0;
}
