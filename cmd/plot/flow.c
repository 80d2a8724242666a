/* flow.c: the connection a picture is of: -f's spec, or the busiest, found in a first pass. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vnd_grow.h"
#include "vnd.h"
#include "vnd_operands.h"
#include "vnd_flowtab.h"
#include "flow.h"

/* "ADDR:PORT" or "[ADDR]:PORT" or "PORT" into an end; -1: not one. */
static int
parse_end(const char *s, size_t len, struct fend *e)
{
	char buf[80], *c, *end;
	long port;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	c = strrchr(buf, ':');
	port = strtol(c ? c + 1 : buf, &end, 10);
	if (*end != '\0' || port < 0 || port > 65535 || end == (c ? c + 1 : buf))
		return -1;
	e->port = (int)port;
	if (c == NULL)
		return 0;
	*c = '\0';
	if (buf[0] == '[' && c > buf + 1 && c[-1] == ']') {
		c[-1] = '\0';
		memmove(buf, buf + 1, strlen(buf));
	}
	if (inet_pton(AF_INET, buf, e->ip) == 1)
		e->ver = 4;
	else if (inet_pton(AF_INET6, buf, e->ip) == 1)
		e->ver = 6;
	else
		return -1;
	return 0;
}

int
flow_parse(struct fspec *f, const char *s)
{
	const char *gt;

	memset(f, 0, sizeof(*f));
	f->a.port = f->b.port = -1;
	if (strncmp(s, "flow:", 5) == 0)
		s += 5;
	if ((gt = strchr(s, '>')) == NULL)
		return parse_end(s, strlen(s), &f->a);
	if (parse_end(s, (size_t)(gt - s), &f->a) < 0 ||
	    parse_end(gt + 1, strlen(gt + 1), &f->b) < 0)
		return -1;
	f->full = f->a.ver != 0 && f->b.ver != 0;
	return 0;
}

static int
end_is(const struct fend *e, const uint8_t *ip, int ver, int port)
{
	if (e->port >= 0 && e->port != port)
		return 0;
	return e->ver == 0 || (e->ver == ver && memcmp(e->ip, ip,
	    ver == 4 ? 4 : 16) == 0);
}

int
flow_match(const struct fspec *f, const struct vnd_pkt *pk, int *dir)
{
	if (pk->ip_proto != 6 || !VND_ISSET(pk, VND_COL_TCP_FLAGS))
		return 0;
	if (f->b.port < 0) {		/* PORT alone: either end */
		*dir = 0;
		return f->a.port < 0 || pk->src_port == f->a.port ||
		    pk->dst_port == f->a.port;
	}
	if (end_is(&f->a, pk->src_ip, pk->ip_ver, pk->src_port) &&
	    end_is(&f->b, pk->dst_ip, pk->ip_ver, pk->dst_port)) {
		*dir = 0;
		return 1;
	}
	if (end_is(&f->b, pk->src_ip, pk->ip_ver, pk->src_port) &&
	    end_is(&f->a, pk->dst_ip, pk->ip_ver, pk->dst_port)) {
		*dir = 1;
		return 1;
	}
	return 0;
}

/* The first pass: bytes each way of every connection the spec lets by. */
struct conn {
	struct vnd_flowkey k;
	uint64_t	 bytes[2];
	int64_t		 first_ts;
};

struct census {
	const struct fspec *want;
	struct conn	*c;
	size_t		 n, cap;
	struct vnd_flowtab ft;
};

static const struct vnd_flowkey *
census_key(void *arg, size_t i)
{
	return &((struct census *)arg)->c[i].k;
}

static int
census_pkt(void *arg, const struct vnd_pkt *pk, const char *point)
{
	struct census *cs = arg;
	struct conn *c, *nc;
	long k;
	int dir, d;

	(void)point;
	if (!flow_match(cs->want, pk, &d))
		return 0;
	if ((k = vnd_flowtab_find(&cs->ft, pk, NULL, &dir)) < 0) {
		if ((nc = vnd_grow(cs->c, &cs->cap, cs->n, sizeof(*nc),
		    64)) == NULL)
			return -1;
		cs->c = nc;
		c = &cs->c[cs->n];
		memset(c, 0, sizeof(*c));
		vnd_flowkey_init(&c->k, pk, NULL, &dir);
		c->first_ts = pk->ts_ns;
		if (vnd_flowtab_add(&cs->ft, cs->n++) < 0)
			return -1;
		k = (long)cs->n - 1;
	}
	c = &cs->c[k];
	c->bytes[dir] += VND_ISSET(pk, VND_COL_PAYLOAD_BYTES) ?
	    pk->payload_bytes : 0;
	if (pk->ts_ns < c->first_ts)
		c->first_ts = pk->ts_ns;
	return 0;
}

/* Copies of the operands: reading cuts NAME=file in place. */
static char **
ops_copy(char **ops, int nops)
{
	char **v = calloc((size_t)nops + 1, sizeof(*v));
	int i;

	for (i = 0; v != NULL && i < nops; i++)
		if ((v[i] = strdup(ops[i])) == NULL) {
			flow_ops_free(v, i);
			return NULL;
		}
	return v;
}

void
flow_ops_free(char **v, int n)
{
	int i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

int
flow_read(char **ops, int nops, vnd_packet_fn fn, void *arg, char *errbuf)
{
	struct vnd_operands o;
	char **v = ops_copy(ops, nops), why[VND_ERRBUF_SIZE];
	int ret;

	if (v == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	/* fn stopped the reading: its own message stands */
	errbuf[0] = '\0';
	if ((ret = vnd_operands_read(&o, v, nops, fn, arg, why)) < 0 &&
	    (strcmp(why, "stopped") != 0 || errbuf[0] == '\0'))
		snprintf(errbuf, VND_ERRBUF_SIZE, "%s", strcmp(why, "stopped") ?
		    why : "out of memory");
	vnd_operands_free(&o);
	flow_ops_free(v, nops);
	return ret;
}

/* The chosen connection as a full spec, its data sender first. */
static void
census_pick(const struct census *cs, struct fspec *f, int64_t *t0)
{
	const struct conn *best = &cs->c[0];
	size_t i;
	int d;

	for (i = 1; i < cs->n; i++)
		if (cs->c[i].bytes[0] + cs->c[i].bytes[1] >
		    best->bytes[0] + best->bytes[1])
			best = &cs->c[i];
	d = best->bytes[1] > best->bytes[0];
	memset(f, 0, sizeof(*f));
	f->a.ver = f->b.ver = best->k.ver;
	memcpy(f->a.ip, d ? best->k.dst : best->k.src, 16);
	memcpy(f->b.ip, d ? best->k.src : best->k.dst, 16);
	f->a.port = d ? best->k.dport : best->k.sport;
	f->b.port = d ? best->k.sport : best->k.dport;
	f->full = 1;
	*t0 = best->first_ts;
}

int
flow_choose(struct fspec *f, char **ops, int nops, int64_t *t0, char *errbuf)
{
	struct census cs;
	int ret;

	memset(&cs, 0, sizeof(cs));
	cs.want = f;
	cs.ft.key = census_key;
	cs.ft.arg = &cs;
	ret = flow_read(ops, nops, census_pkt, &cs, errbuf);
	if (ret == 0 && cs.n == 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "no TCP connection %s",
		    f->a.port >= 0 ? "matches -f" : "in the input");
		ret = -1;
	}
	if (ret == 0)
		census_pick(&cs, f, t0);
	free(cs.c);
	vnd_flowtab_free(&cs.ft);
	return ret;
}

void
flow_name(const struct fspec *f, char *buf, size_t len)
{
	char a[64], b[64];

	vnd_ip_fmt(a, f->a.ver, f->a.ip);
	vnd_ip_fmt(b, f->b.ver, f->b.ip);
	snprintf(buf, len, f->a.ver == 6 ? "[%s]:%d > [%s]:%d" :
	    "%s:%d > %s:%d", a, f->a.port, b, f->b.port);
}

/*
 * Standard input read twice: kept in a file first. The operand becomes
 * the file's path (NAME= kept); *tmp is the file to remove.
 */
int
flow_spool(char **ops, int nops, char **tmp, char *errbuf)
{
	char path[4096], buf[65536], *eq = NULL, *nop;
	const char *dir = getenv("TMPDIR");
	ssize_t k;
	int i, fd;

	for (i = 0; i < nops; i++) {
		eq = strchr(ops[i], '=');
		if (strcmp(eq ? eq + 1 : ops[i], "-") == 0)
			break;
	}
	if (i == nops)
		return 0;
	snprintf(path, sizeof(path), "%s/vnd-plot.XXXXXX", dir ? dir : "/tmp");
	if ((fd = mkstemp(path)) < 0 || (*tmp = strdup(path)) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "cannot keep standard input:"
		    " %s", strerror(errno));
		return -1;
	}
	errno = 0;
	while ((k = read(0, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)k) != k) {
			/* a short write sets no errno: the disk is full */
			if (errno == 0)
				errno = ENOSPC;
			k = -1;
			break;
		}
	if (k < 0 || close(fd) < 0 || asprintf(&nop, "%.*s%s",
	    eq ? (int)(eq - ops[i] + 1) : 0, ops[i], path) < 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "cannot keep standard input:"
		    " %s", strerror(errno));
		return -1;
	}
	ops[i] = nop;
	return 1;
}
