/* vnd_conf.c: parse and evaluate VND parse configurations. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vnd.h"
#include "vnd_conf.h"
#include "vnd_pktrow.h"

/*
 * The grammar (Figure 7(a)), with `=` and `!=` beside `in`/`∈`:
 *
 *	Trace ID <all | point[, point]...>
 *	Table ID <name>
 *	Filter: exp	exp = not exp | exp and exp | exp or exp | (exp) | prim
 *			prim = field (= | != | in | ∈) value | field in {v, ...}
 *	Fields: field [as name] [, field [as name]]...
 *
 * A statement goes on over the lines that follow until the next keyword.
 */

enum nkind { N_NOT, N_AND, N_OR, N_CMP };

struct val {
	int		 isaddr;
	int64_t		 num;
	uint8_t		 ver, plen;
	uint8_t		 addr[16];
};

struct vnd_conf_node {
	enum nkind	 kind;
	struct vnd_conf_node *a, *b;
	struct vnd_conf_field f;
	int		 neg;		/* != */
	struct val	*vals;
	int		 nvals;
};

static const struct {
	const char	*name;
	int		 col;
	int		 cond;
} aliases[] = {
	{ "timestamp", VND_COL_TS_NS, 0 },
	{ "frame.time_epoch", VND_COL_TS_NS, 0 },
	{ "frame.number", VND_COL_FRAME, 0 },
	{ "frame.len", VND_COL_WIRE_BYTES, 0 },
	{ "frame.cap_len", VND_COL_CAP_BYTES, 0 },
	{ "vlan.id", VND_COL_VLAN, 0 },
	{ "ip.src", VND_COL_SRC_IP, 256 + 4 },
	{ "ip.dst", VND_COL_DST_IP, 256 + 4 },
	{ "ip.proto", VND_COL_IP_PROTO, 0 },
	{ "ip.id", VND_COL_IP_ID, 256 + 4 },
	{ "ip.ttl", VND_COL_TTL, 256 + 4 },
	{ "ip.len", VND_COL_IP_BYTES, 256 + 4 },
	{ "ipv6.src", VND_COL_SRC_IP, 256 + 6 },
	{ "ipv6.dst", VND_COL_DST_IP, 256 + 6 },
	{ "ipv6.nxt", VND_COL_IP_PROTO, 256 + 6 },
	{ "ipv6.hlim", VND_COL_TTL, 256 + 6 },
	{ "tcp.src", VND_COL_SRC_PORT, 6 },
	{ "tcp.srcport", VND_COL_SRC_PORT, 6 },
	{ "tcp.dst", VND_COL_DST_PORT, 6 },
	{ "tcp.dstport", VND_COL_DST_PORT, 6 },
	{ "tcp.seq", VND_COL_SEQ, 6 },
	{ "tcp.seq_raw", VND_COL_SEQ, 6 },
	{ "tcp.ack", VND_COL_ACK, 6 },
	{ "tcp.ack_raw", VND_COL_ACK, 6 },
	{ "tcp.flags", VND_COL_TCP_FLAGS, 6 },
	{ "tcp.window_size_value", VND_COL_WIN, 6 },
	{ "tcp.win", VND_COL_WIN, 6 },
	{ "tcp.len", VND_COL_PAYLOAD_BYTES, 6 },
	{ "tcp.options.mss_val", VND_COL_MSS, 6 },
	{ "tcp.options.wscale.shift", VND_COL_WSCALE, 6 },
	{ "tcp.options.timestamp.tsval", VND_COL_TSVAL, 6 },
	{ "tcp.options.timestamp.tsecr", VND_COL_TSECR, 6 },
	{ "udp.src", VND_COL_SRC_PORT, 17 },
	{ "udp.srcport", VND_COL_SRC_PORT, 17 },
	{ "udp.dst", VND_COL_DST_PORT, 17 },
	{ "udp.dstport", VND_COL_DST_PORT, 17 },
	{ "udp.len", VND_COL_PAYLOAD_BYTES, 17 },
	{ "vxlan.vni", VND_COL_VNI, 0 },
	{ "geneve.vni", VND_COL_VNI, 0 },
	{ "gre.key", VND_COL_VNI, 0 },
	{ "icmp.type", VND_COL_ICMP_TYPE, 1 },
	{ "icmp.code", VND_COL_ICMP_CODE, 1 },
	{ "icmpv6.type", VND_COL_ICMP_TYPE, 58 },
	{ "icmpv6.code", VND_COL_ICMP_CODE, 58 },
};

static const struct {
	const char	*name;
	int		 num;
} protos[] = {
	{ "icmp", 1 }, { "igmp", 2 }, { "ipip", 4 }, { "tcp", 6 },
	{ "udp", 17 }, { "ipv6", 41 }, { "gre", 47 }, { "esp", 50 },
	{ "ah", 51 }, { "icmpv6", 58 }, { "sctp", 132 },
};

struct parser {
	const char	*p;
	int		 line;
	char		*err;
	char		 tok[256];
};

static int
perr(struct parser *ps, const char *fmt, const char *arg)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, arg);
	snprintf(ps->err, VND_ERRBUF_SIZE, "line %d: %.230s", ps->line, msg);
	return -1;
}

/* Skip blanks and comments; newlines count lines. */
static void
skipws(struct parser *ps)
{
	for (;;) {
		if (*ps->p == '\n')
			ps->line++;
		if (isspace((unsigned char)*ps->p))
			ps->p++;
		else if (*ps->p == '#')
			while (*ps->p && *ps->p != '\n')
				ps->p++;
		else
			return;
	}
}

static int
isword(int c)
{
	return isalnum(c) || c == '.' || c == '_' || c == ':' || c == '/' ||
	    c == '-' || c == '*';
}

/* Next token into ps->tok: a word, an operator, or "" at the end. */
static const char *
next(struct parser *ps)
{
	size_t n = 0;

	skipws(ps);
	if (*ps->p == '\0') {
		ps->tok[0] = '\0';
		return ps->tok;
	}
	if (strncmp(ps->p, "\xe2\x88\x88", 3) == 0) {	/* U+2208 ∈ */
		ps->p += 3;
		return strcpy(ps->tok, "in");
	}
	if (strncmp(ps->p, "!=", 2) == 0 || strncmp(ps->p, "==", 2) == 0) {
		ps->tok[0] = ps->p[0];
		ps->tok[1] = '=';
		ps->tok[2] = '\0';
		ps->p += 2;
		if (ps->tok[0] == '=')
			ps->tok[1] = '\0';
		return ps->tok;
	}
	if (!isword((unsigned char)*ps->p)) {
		ps->tok[0] = *ps->p++;
		ps->tok[1] = '\0';
		return ps->tok;
	}
	while (isword((unsigned char)*ps->p) && n < sizeof(ps->tok) - 1)
		ps->tok[n++] = *ps->p++;
	ps->tok[n] = '\0';
	return ps->tok;
}

static const char *
peek(struct parser *ps)
{
	struct parser save = *ps;
	const char *t;
	static char copy[256];

	t = next(ps);
	snprintf(copy, sizeof(copy), "%s", t);
	*ps = save;
	return copy;
}

/* Keywords that open a statement ("Filter:" with or without its colon). */
static int
keyword(const char *t)
{
	static const char *const kw[] = { "trace", "table", "filter", "fields" };
	size_t i, n = strlen(t);

	if (n && t[n - 1] == ':')
		n--;
	for (i = 0; i < 4; i++)
		if (strlen(kw[i]) == n && strncasecmp(t, kw[i], n) == 0)
			return (int)i;
	return -1;
}

static int
lookup_field(struct parser *ps, const char *name, struct vnd_conf_field *f)
{
	size_t i;
	int c;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(aliases[i].name, name) == 0) {
			f->col = aliases[i].col;
			f->cond = aliases[i].cond;
			return 0;
		}
	if ((c = vnd_col_lookup(name)) >= 0) {
		f->col = c;
		f->cond = 0;
		return 0;
	}
	return perr(ps, "unknown field '%s'", name);
}

static int
parse_value(struct parser *ps, const struct vnd_conf_field *f, struct val *v)
{
	const char *t = next(ps);
	char buf[256], *slash, *end;
	size_t i;
	long pl;

	memset(v, 0, sizeof(*v));
	if (*t == '\0')
		return perr(ps, "value expected at the end%s", "");
	if (f->col == VND_COL_SRC_IP || f->col == VND_COL_DST_IP) {
		snprintf(buf, sizeof(buf), "%s", t);
		slash = strchr(buf, '/');
		if (slash)
			*slash++ = '\0';
		v->isaddr = 1;
		if (inet_pton(AF_INET, buf, v->addr) == 1)
			v->ver = 4;
		else if (inet_pton(AF_INET6, buf, v->addr) == 1)
			v->ver = 6;
		else
			return perr(ps, "bad address '%s'", t);
		v->plen = v->ver == 4 ? 32 : 128;
		if (slash) {
			errno = 0;
			pl = strtol(slash, &end, 10);
			if (*slash == '\0' || *end || errno || pl < 0 || pl > v->plen)
				return perr(ps, "bad prefix length in '%s'", t);
			v->plen = (uint8_t)pl;
		}
		return 0;
	}
	if (f->col == VND_COL_IP_PROTO)
		for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
			if (strcasecmp(t, protos[i].name) == 0) {
				v->num = protos[i].num;
				return 0;
			}
	if (f->col == VND_COL_TUNNEL) {
		for (i = 1; i <= VND_TUN_MPLS; i++)
			if (strcasecmp(t, vnd_tunnel_name((int)i)) == 0) {
				v->num = (int64_t)i;
				return 0;
			}
		return perr(ps, "unknown tunnel '%s'", t);
	}
	errno = 0;
	v->num = strtoll(t, &end, 0);
	if (*t == '\0' || *end || errno)
		return perr(ps, "bad number '%s'", t);
	return 0;
}

static struct vnd_conf_node *parse_or(struct parser *);

static struct vnd_conf_node *
newnode(struct parser *ps, enum nkind k)
{
	struct vnd_conf_node *n = calloc(1, sizeof(*n));

	if (n == NULL)
		perr(ps, "out of memory%s", "");
	else
		n->kind = k;
	return n;
}

static void
freenode(struct vnd_conf_node *n)
{
	if (n == NULL)
		return;
	freenode(n->a);
	freenode(n->b);
	free(n->vals);
	free(n);
}

static struct vnd_conf_node *
parse_prim(struct parser *ps)
{
	struct vnd_conf_node *n;
	const char *t;
	struct val *nv;

	t = next(ps);
	if (strcasecmp(t, "not") == 0 || strcmp(t, "!") == 0) {
		if ((n = newnode(ps, N_NOT)) == NULL)
			return NULL;
		if ((n->a = parse_prim(ps)) == NULL) {
			freenode(n);
			return NULL;
		}
		return n;
	}
	if (strcmp(t, "(") == 0) {
		if ((n = parse_or(ps)) == NULL)
			return NULL;
		if (strcmp(next(ps), ")") != 0) {
			freenode(n);
			perr(ps, "')' expected%s", "");
			return NULL;
		}
		return n;
	}
	if (*t == '\0' || keyword(t) >= 0 || !isword((unsigned char)*t)) {
		perr(ps, "field expected, not '%s'", t);
		return NULL;
	}
	if ((n = newnode(ps, N_CMP)) == NULL)
		return NULL;
	if (lookup_field(ps, t, &n->f) < 0)
		goto fail;
	t = next(ps);
	if (strcmp(t, "!=") == 0)
		n->neg = 1;
	else if (strcmp(t, "=") != 0 && strcasecmp(t, "in") != 0) {
		perr(ps, "'=', '!=' or 'in' expected, not '%s'", t);
		goto fail;
	}
	if (strcmp(peek(ps), "{") == 0) {
		next(ps);
		for (;;) {
			if ((nv = realloc(n->vals, (size_t)(n->nvals + 1) *
			    sizeof(*nv))) == NULL) {
				perr(ps, "out of memory%s", "");
				goto fail;
			}
			n->vals = nv;
			if (parse_value(ps, &n->f, &n->vals[n->nvals++]) < 0)
				goto fail;
			t = next(ps);
			if (strcmp(t, "}") == 0)
				break;
			if (strcmp(t, ",") != 0) {
				perr(ps, "',' or '}' expected, not '%s'", t);
				goto fail;
			}
		}
		return n;
	}
	if ((n->vals = calloc(1, sizeof(*n->vals))) == NULL) {
		perr(ps, "out of memory%s", "");
		goto fail;
	}
	n->nvals = 1;
	if (parse_value(ps, &n->f, &n->vals[0]) < 0)
		goto fail;
	return n;
fail:
	freenode(n);
	return NULL;
}

static struct vnd_conf_node *
parse_and(struct parser *ps)
{
	struct vnd_conf_node *l, *n;

	if ((l = parse_prim(ps)) == NULL)
		return NULL;
	while (strcasecmp(peek(ps), "and") == 0 || strcmp(peek(ps), "&") == 0) {
		next(ps);
		if ((n = newnode(ps, N_AND)) == NULL) {
			freenode(l);
			return NULL;
		}
		n->a = l;
		if ((n->b = parse_prim(ps)) == NULL) {
			freenode(n);
			return NULL;
		}
		l = n;
	}
	return l;
}

static struct vnd_conf_node *
parse_or(struct parser *ps)
{
	struct vnd_conf_node *l, *n;

	if ((l = parse_and(ps)) == NULL)
		return NULL;
	while (strcasecmp(peek(ps), "or") == 0 || strcmp(peek(ps), "|") == 0) {
		next(ps);
		if ((n = newnode(ps, N_OR)) == NULL) {
			freenode(l);
			return NULL;
		}
		n->a = l;
		if ((n->b = parse_and(ps)) == NULL) {
			freenode(n);
			return NULL;
		}
		l = n;
	}
	return l;
}

static struct vnd_conf_table *
new_table(struct vnd_conf *c, struct parser *ps, const char *name)
{
	struct vnd_conf_table *t;

	if ((t = realloc(c->tabs, (size_t)(c->ntabs + 1) * sizeof(*t))) == NULL) {
		perr(ps, "out of memory%s", "");
		return NULL;
	}
	c->tabs = t;
	t = &c->tabs[c->ntabs++];
	memset(t, 0, sizeof(*t));
	if ((t->name = strdup(name)) == NULL) {
		perr(ps, "out of memory%s", "");
		return NULL;
	}
	return t;
}

static int
add_out(struct parser *ps, struct vnd_conf_table *t,
    const struct vnd_conf_field *f, const char *name)
{
	struct vnd_conf_out *o = NULL, *no;
	struct vnd_conf_field *nf;
	int i;

	for (i = 0; i < t->nouts; i++)
		if (strcmp(t->outs[i].name, name) == 0)
			o = &t->outs[i];
	if (o == NULL) {
		if ((no = realloc(t->outs, (size_t)(t->nouts + 1) *
		    sizeof(*no))) == NULL)
			return perr(ps, "out of memory%s", "");
		t->outs = no;
		o = &t->outs[t->nouts++];
		memset(o, 0, sizeof(*o));
		if ((o->name = strdup(name)) == NULL)
			return perr(ps, "out of memory%s", "");
		o->type = vnd_packet_cols[f->col].type;
	} else if (o->type != vnd_packet_cols[f->col].type)
		return perr(ps, "column '%s' mixes text and numbers", name);
	if ((nf = realloc(o->fields, (size_t)(o->nfields + 1) * sizeof(*nf))) ==
	    NULL)
		return perr(ps, "out of memory%s", "");
	o->fields = nf;
	o->fields[o->nfields++] = *f;
	return 0;
}

static int
valid_name(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

static int
parse_fields(struct parser *ps, struct vnd_conf_table *t)
{
	struct vnd_conf_field f;
	char field[256], name[256];
	const char *tk;

	for (;;) {
		tk = next(ps);
		if (*tk == '\0' || keyword(tk) >= 0)
			return perr(ps, "field expected, not '%s'", tk);
		snprintf(field, sizeof(field), "%s", tk);
		if (lookup_field(ps, field, &f) < 0)
			return -1;
		snprintf(name, sizeof(name), "%s", field);
		if (strcasecmp(peek(ps), "as") == 0) {
			next(ps);
			snprintf(name, sizeof(name), "%s", next(ps));
		} else if (strchr(name, '.') != NULL)
			/* A dotted name is no SQL column: the packets table's name is. */
			snprintf(name, sizeof(name), "%s",
			    vnd_packet_cols[f.col].name);
		if (!valid_name(name))
			return perr(ps, "bad column name '%s'", name);
		if (add_out(ps, t, &f, name) < 0)
			return -1;
		if (strcmp(peek(ps), ",") != 0)
			return 0;
		next(ps);
	}
}

static int
parse_traces(struct parser *ps, struct vnd_conf_table *t)
{
	const char *tk;
	char **nt;

	for (;;) {
		tk = next(ps);
		if (*tk == '\0' || keyword(tk) >= 0)
			return perr(ps, "trace name expected%s", "");
		if (strcasecmp(tk, "all") == 0) {
			/* "all" among names is all: the names go */
			while (t->ntraces > 0)
				free(t->traces[--t->ntraces]);
			t->ntraces = -1;	/* marks "all" while parsing */
		} else if (t->ntraces >= 0) {
			if ((nt = realloc(t->traces, (size_t)(t->ntraces + 1) *
			    sizeof(*nt))) == NULL)
				return perr(ps, "out of memory%s", "");
			t->traces = nt;
			if ((t->traces[t->ntraces++] = strdup(tk)) == NULL)
				return perr(ps, "out of memory%s", "");
		}
		if (strcmp(peek(ps), ",") != 0)
			return 0;
		next(ps);
	}
}

int
vnd_conf_parse(struct vnd_conf **cp, const char *text, char *errbuf)
{
	struct parser ps = { text, 1, errbuf, "" };
	struct vnd_conf *c;
	struct vnd_conf_table *t = NULL, *cur;
	char **traces = NULL;
	int ntraces = 0, k, i;
	const char *tk;

	*cp = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	for (;;) {
		tk = next(&ps);
		if (*tk == '\0')
			break;
		if ((k = keyword(tk)) < 0) {
			perr(&ps, "'Trace ID', 'Table ID', 'Filter' or 'Fields' "
			    "expected, not '%s'", tk);
			goto fail;
		}
		if (k <= 1 && tk[strlen(tk) - 1] != ':') {
			/* "Trace ID x", "Table ID: x" */
			if (strcasecmp(peek(&ps), "ID") == 0 ||
			    strcasecmp(peek(&ps), "ID:") == 0)
				next(&ps);
			if (strcmp(peek(&ps), ":") == 0)
				next(&ps);
		} else if (strcmp(peek(&ps), ":") == 0)
			next(&ps);
		switch (k) {
		case 0:	/* Trace ID: the tables that follow apply to these */
			if ((t = new_table(c, &ps, "packets")) == NULL)
				goto fail;
			if (parse_traces(&ps, t) < 0)
				goto fail;
			/* Kept on the table until a Table ID takes it over. */
			break;
		case 1:	/* Table ID */
			tk = next(&ps);
			if (!valid_name(tk)) {
				perr(&ps, "bad table name '%s'", tk);
				goto fail;
			}
			if (t != NULL && t->nouts == 0 && t->filter == NULL &&
			    strcmp(t->name, "packets") == 0) {
				free(t->name);
				if ((t->name = strdup(tk)) == NULL)
					goto oom;
			} else {
				traces = t ? t->traces : NULL;
				ntraces = t ? t->ntraces : -1;
				if ((cur = new_table(c, &ps, tk)) == NULL)
					goto fail;
				t = cur;
				/* the new table shares the trace list by copy */
				if (traces != NULL || ntraces < 0) {
					t->ntraces = ntraces;
					if (ntraces > 0) {
						t->traces = calloc((size_t)ntraces,
						    sizeof(char *));
						if (t->traces == NULL)
							goto oom;
						for (i = 0; i < ntraces; i++)
							if ((t->traces[i] =
							    strdup(c->tabs[c->ntabs - 2].traces[i])) == NULL)
								goto oom;
					}
				}
			}
			break;
		case 2:
			if (t == NULL && (t = new_table(c, &ps, "packets")) == NULL)
				goto fail;
			if (t->filter != NULL) {
				perr(&ps, "a second Filter for table '%s'", t->name);
				goto fail;
			}
			if ((t->filter = parse_or(&ps)) == NULL)
				goto fail;
			break;
		case 3:
			if (t == NULL && (t = new_table(c, &ps, "packets")) == NULL)
				goto fail;
			if (parse_fields(&ps, t) < 0)
				goto fail;
			break;
		}
	}
	if (c->ntabs == 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "empty configuration");
		goto fail;
	}
	for (i = 0; i < c->ntabs; i++) {
		t = &c->tabs[i];
		if (t->ntraces < 0)
			t->ntraces = 0;
		if (t->nouts == 0) {
			snprintf(errbuf, VND_ERRBUF_SIZE,
			    "table '%s' has no Fields", t->name);
			goto fail;
		}
		for (k = 0; k < i; k++)
			if (strcmp(c->tabs[k].name, t->name) == 0) {
				snprintf(errbuf, VND_ERRBUF_SIZE,
				    "table '%s' defined twice", t->name);
				goto fail;
			}
		if ((t->cols = calloc((size_t)t->nouts, sizeof(*t->cols))) == NULL)
			goto oom;
		for (k = 0; k < t->nouts; k++) {
			t->cols[k].name = t->outs[k].name;
			t->cols[k].type = t->outs[k].type;
		}
	}
	*cp = c;
	return 0;
oom:
	snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
fail:
	vnd_conf_free(c);
	return -1;
}

int
vnd_conf_applies(const struct vnd_conf_table *t, const char *point)
{
	int i;

	if (t->ntraces == 0)
		return 1;
	for (i = 0; i < t->ntraces; i++)
		if (strcmp(t->traces[i], point) == 0)
			return 1;
	return 0;
}

static int
field_set(const struct vnd_conf_field *f, const struct vnd_pkt *pk)
{
	if (f->col == VND_COL_POINT || f->col == VND_COL_MALFORMED)
		return 1;
	if (!VND_ISSET(pk, f->col))
		return 0;
	if (f->cond >= 256)
		return pk->ip_ver == f->cond - 256;
	if (f->cond > 0)
		return pk->ip_proto == f->cond && !VND_ISSET(pk, VND_COL_FRAG_OFF) ?
		    1 : pk->ip_proto == f->cond && pk->frag_off == 0;
	return 1;
}

static int64_t
field_num(const struct vnd_conf_field *f, const struct vnd_pkt *pk)
{
	switch (f->col) {
	case VND_COL_FRAME: return (int64_t)pk->frame;
	case VND_COL_TS_NS: return pk->ts_ns;
	case VND_COL_WIRE_BYTES: return pk->wire_bytes;
	case VND_COL_CAP_BYTES: return pk->cap_bytes;
	case VND_COL_VLAN: return pk->vlan;
	case VND_COL_TUNNEL: return pk->tunnel;
	case VND_COL_VNI: return pk->vni;
	case VND_COL_IP_PROTO: return pk->ip_proto;
	case VND_COL_IP_ID: return pk->ip_id;
	case VND_COL_TTL: return pk->ttl;
	case VND_COL_IP_BYTES: return pk->ip_bytes;
	case VND_COL_SRC_PORT: return pk->src_port;
	case VND_COL_DST_PORT: return pk->dst_port;
	case VND_COL_TCP_FLAGS: return pk->tcp_flags;
	case VND_COL_SEQ: return pk->seq;
	case VND_COL_ACK: return pk->ack;
	case VND_COL_WIN: return pk->win;
	case VND_COL_PAYLOAD_BYTES: return pk->payload_bytes;
	case VND_COL_MSS: return pk->mss;
	case VND_COL_WSCALE: return pk->wscale;
	case VND_COL_TSVAL: return pk->tsval;
	case VND_COL_TSECR: return pk->tsecr;
	case VND_COL_PKT_ID: return (int64_t)pk->pkt_id;
	case VND_COL_PAYLOAD_HASH: return (int64_t)pk->payload_hash;
	case VND_COL_SACK_OK: return 1;
	case VND_COL_FRAG_OFF: return pk->frag_off;
	case VND_COL_FRAG_MORE: return pk->frag_more;
	case VND_COL_ICMP_TYPE: return pk->icmp_type;
	case VND_COL_ICMP_CODE: return pk->icmp_code;
	}
	return 0;
}

static int
addr_in(const struct val *v, int ver, const uint8_t *a)
{
	int full = v->plen / 8, rest = v->plen % 8;

	if (ver != v->ver)
		return 0;
	if (memcmp(a, v->addr, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[full] ^ v->addr[full]) & (0xff << (8 - rest))) == 0;
}

static int
eval(const struct vnd_conf_node *n, const struct vnd_pkt *pk)
{
	int i, hit = 0;

	switch (n->kind) {
	case N_NOT:
		return !eval(n->a, pk);
	case N_AND:
		return eval(n->a, pk) && eval(n->b, pk);
	case N_OR:
		return eval(n->a, pk) || eval(n->b, pk);
	case N_CMP:
		/* An unset field matches nothing, like SQL's NULL. */
		if (!field_set(&n->f, pk))
			return 0;
		for (i = 0; i < n->nvals && !hit; i++) {
			if (n->vals[i].isaddr)
				hit = addr_in(&n->vals[i], pk->ip_ver,
				    n->f.col == VND_COL_SRC_IP ? pk->src_ip :
				    pk->dst_ip);
			else
				hit = field_num(&n->f, pk) == n->vals[i].num;
		}
		return n->neg ? !hit : hit;
	}
	return 0;
}

int
vnd_conf_match(const struct vnd_conf_table *t, const struct vnd_pkt *pk)
{
	return t->filter == NULL || eval(t->filter, pk);
}

int
vnd_conf_row(const struct vnd_conf_table *t, struct vnd_table *out,
    const struct vnd_pkt *pk, const char *point, char *errbuf)
{
	int i, j;

	for (i = 0; i < t->nouts; i++) {
		const struct vnd_conf_out *o = &t->outs[i];

		for (j = 0; j < o->nfields; j++)
			if (field_set(&o->fields[j], pk))
				break;
		if (j == o->nfields)
			vnd_put_null(out);
		else
			vnd_pkt_put(out, pk, o->fields[j].col, point);
	}
	return vnd_row_end(out, errbuf);
}

void
vnd_conf_free(struct vnd_conf *c)
{
	int i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->ntabs; i++) {
		struct vnd_conf_table *t = &c->tabs[i];

		free(t->name);
		for (j = 0; j < t->ntraces; j++)
			free(t->traces[j]);
		free(t->traces);
		freenode(t->filter);
		for (j = 0; j < t->nouts; j++) {
			free(t->outs[j].name);
			free(t->outs[j].fields);
		}
		free(t->outs);
		free(t->cols);
	}
	free(c->tabs);
	free(c);
}
