/* collect.c: VND's trace collection configuration read into capture points and BPF filters. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd_grow.h"
#include "vnd.h"
#include "vnd_errf.h"
#include "collect.h"

/*
 * The configuration of VND's Figure 4, a statement per line, keywords in
 * any case, '#' to the end of a line a comment:
 *
 *	Virtual Appliance Link : l1		(or Appliance Type Node : lb)
 *	Capture Point node1 [= eth0] [, node2 [= eth1]]
 *	Flow Pattern ip.src = 198.18.0.6, tcp.dst = 80
 *
 * A Link's capture points are its nodes and keep their names; a Node's are
 * its sides (input, output) and are named node.side. The flow patterns of
 * an appliance, OR'd, filter all its points, each in both directions: a
 * pattern names a flow, and its answers are part of it. An interface
 * written after '=' is where the point is; the provider's mapping of the
 * tenant's view, which VND's policy manager computes from the cloud
 * controller, is otherwise given with -i.
 */

struct field {
	const char	*name;
	const char	*fwd, *rev;	/* BPF, %s the value; rev: other way */
	int		 kind;		/* what the value is */
};

enum { ADDR, PORT, PROTO, MAC };

static const struct field fields[] = {
	{ "ip.src",	"src host %s",	"dst host %s",	ADDR },
	{ "ip.dst",	"dst host %s",	"src host %s",	ADDR },
	{ "ip.addr",	"host %s",	"host %s",	ADDR },
	{ "ipv6.src",	"src host %s",	"dst host %s",	ADDR },
	{ "ipv6.dst",	"dst host %s",	"src host %s",	ADDR },
	{ "ipv6.addr",	"host %s",	"host %s",	ADDR },
	{ "ip.proto",	NULL,		NULL,		PROTO },
	{ "ipv6.nxt",	NULL,		NULL,		PROTO },
	{ "tcp.src",	"tcp src port %s", "tcp dst port %s", PORT },
	{ "tcp.srcport", "tcp src port %s", "tcp dst port %s", PORT },
	{ "tcp.dst",	"tcp dst port %s", "tcp src port %s", PORT },
	{ "tcp.dstport", "tcp dst port %s", "tcp src port %s", PORT },
	{ "tcp.port",	"tcp port %s",	"tcp port %s",	PORT },
	{ "udp.src",	"udp src port %s", "udp dst port %s", PORT },
	{ "udp.srcport", "udp src port %s", "udp dst port %s", PORT },
	{ "udp.dst",	"udp dst port %s", "udp src port %s", PORT },
	{ "udp.dstport", "udp dst port %s", "udp src port %s", PORT },
	{ "udp.port",	"udp port %s",	"udp port %s",	PORT },
	{ "eth.src",	"ether src %s",	"ether dst %s",	MAC },
	{ "eth.dst",	"ether dst %s",	"ether src %s",	MAC },
	{ "eth.addr",	"ether host %s", "ether host %s", MAC },
};

struct buf {
	char	*s;
	size_t	 len, cap;
};

static int
put(struct buf *b, const char *s)
{
	size_t n = strlen(s);
	char *p;

	/* room for the byte at len + n, the string's end */
	if ((p = vnd_grow(b->s, &b->cap, b->len + n, 1, 128)) == NULL)
		return -1;
	b->s = p;
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
	return 0;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Does s start with the words of kw (any case, any spaces between)? */
static char *
keyword(char *s, const char *kw)
{
	while (*kw != '\0') {
		if (*kw == ' ') {
			if (!isspace((unsigned char)*s))
				return NULL;
			while (isspace((unsigned char)*s))
				s++;
			kw++;
			continue;
		}
		if (tolower((unsigned char)*s) != *kw)
			return NULL;
		s++, kw++;
	}
	if (*s != '\0' && !isspace((unsigned char)*s) && *s != ':')
		return NULL;
	return s;
}

static int
valid(const char *v, int kind)
{
	size_t n = strlen(v);
	const char *ok;

	if (n == 0 || n > 64)
		return 0;
	switch (kind) {
	case PORT:
		return strspn(v, "0123456789") == n && atoi(v) <= 65535;
	case ADDR:
		ok = "0123456789abcdefABCDEF.:/";
		break;
	case MAC:
		ok = "0123456789abcdefABCDEF:";
		break;
	default:
		ok = "abcdefghijklmnopqrstuvwxyz0123456789";
		break;
	}
	return strspn(v, ok) == n;
}

/* One "field = value" of a pattern, as BPF each way. */
static int
term(char *t, struct buf *fwd, struct buf *rev, char *errbuf, int line)
{
	static const char *const protos[] = { "tcp", "udp", "icmp", "icmp6",
	    "sctp" };
	char *eq = strchr(t, '='), *f, *v, tmp[160];
	size_t i, k;

	if (eq == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "line %d: '%s': not field = "
		    "value", line, t);
		return -1;
	}
	*eq = '\0';
	f = trim(t);
	v = trim(eq + 1);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(fields[i].name, f) == 0)
			break;
	if (i == sizeof(fields) / sizeof(fields[0])) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "line %d: '%s': not a field "
		    "of a flow pattern", line, f);
		return -1;
	}
	for (k = 0; v[k] != '\0'; k++)
		v[k] = (char)tolower((unsigned char)v[k]);
	if (!valid(v, fields[i].kind)) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "line %d: %s = '%s': not a "
		    "value of that field", line, f, v);
		return -1;
	}
	if (fwd->len > 0 && (put(fwd, " and ") < 0 || put(rev, " and ") < 0))
		goto nomem;
	if (fields[i].kind == PROTO) {
		for (k = 0; k < sizeof(protos) / sizeof(protos[0]); k++)
			if (strcmp(v, protos[k]) == 0)
				break;
		if (k < sizeof(protos) / sizeof(protos[0]))
			snprintf(tmp, sizeof(tmp), "%s", v);
		else if (strspn(v, "0123456789") == strlen(v) && atoi(v) < 256)
			snprintf(tmp, sizeof(tmp), "(ip proto %s or ip6 proto "
			    "%s)", v, v);
		else {
			snprintf(errbuf, VND_ERRBUF_SIZE, "line %d: %s = '%s': "
			    "not a protocol", line, f, v);
			return -1;
		}
		if (put(fwd, tmp) < 0 || put(rev, tmp) < 0)
			goto nomem;
		return 0;
	}
	/* an address with a prefix length is a net */
	if (fields[i].kind == ADDR && strchr(v, '/') != NULL) {
		const char *dir[2] = { fields[i].fwd, fields[i].rev };
		struct buf *out[2] = { fwd, rev };

		for (k = 0; k < 2; k++) {
			snprintf(tmp, sizeof(tmp), "%.*snet %s",
			    (int)(strstr(dir[k], "host") - dir[k]), dir[k], v);
			if (put(out[k], tmp) < 0)
				goto nomem;
		}
		return 0;
	}
	snprintf(tmp, sizeof(tmp), fields[i].fwd, v);
	if (put(fwd, tmp) < 0)
		goto nomem;
	snprintf(tmp, sizeof(tmp), fields[i].rev, v);
	if (put(rev, tmp) < 0)
		goto nomem;
	return 0;
nomem:
	/* -1 where the analyzer sees it (vnd_errf's is in another file) */
	(void)vnd_errf(errbuf, "out of memory");
	return -1;
}

/* A Flow Pattern line, OR'd into the appliance's filter. */
static int
pattern(char *s, struct buf *flt, char *errbuf, int line)
{
	struct buf fwd = { 0 }, rev = { 0 };
	char *t, *save = NULL;
	int r = -1;

	for (t = strtok_r(s, ",", &save); t != NULL; t = strtok_r(NULL, ",",
	    &save))
		if (term(t, &fwd, &rev, errbuf, line) < 0)
			goto out;
	if (fwd.len == 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "line %d: an empty flow "
		    "pattern", line);
		goto out;
	}
	if ((flt->len > 0 && put(flt, " or ") < 0) || put(flt, "(") < 0 ||
	    put(flt, fwd.s) < 0 || put(flt, ")") < 0)
		goto nomem;
	if (strcmp(fwd.s, rev.s) != 0 && (put(flt, " or (") < 0 ||
	    put(flt, rev.s) < 0 || put(flt, ")") < 0))
		goto nomem;
	r = 0;
	goto out;
nomem:
	snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
out:
	free(fwd.s);
	free(rev.s);
	return r;
}

static int
add_point(struct coll *c, const char *app, int node, char *s, char *errbuf,
    int line)
{
	struct coll_point *p;
	char *eq = strchr(s, '='), *name, *ifn = NULL;
	int i;

	if (eq != NULL) {
		*eq = '\0';
		ifn = trim(eq + 1);
	}
	name = trim(s);
	if (*name == '\0' || strpbrk(name, "/ \t") != NULL || (ifn != NULL &&
	    (*ifn == '\0' || strpbrk(ifn, " \t") != NULL))) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "line %d: a capture point is "
		    "NAME or NAME = INTERFACE", line);
		return -1;
	}
	if ((p = realloc(c->pts, (c->npts + 1) * sizeof(*p))) == NULL)
		goto nomem;
	c->pts = p;
	p = &c->pts[c->npts];
	memset(p, 0, sizeof(*p));
	if (node) {
		if ((p->name = malloc(strlen(app) + strlen(name) + 2)) != NULL)
			sprintf(p->name, "%s.%s", app, name);
	} else
		p->name = strdup(name);
	if (p->name == NULL || (ifn != NULL && (p->ifname = strdup(ifn)) ==
	    NULL)) {
		free(p->name);
		goto nomem;
	}
	for (i = 0; i < c->npts; i++)
		if (strcmp(c->pts[i].name, p->name) == 0) {
			snprintf(errbuf, VND_ERRBUF_SIZE, "line %d: point '%s' "
			    "named twice", line, p->name);
			free(p->name);
			free(p->ifname);
			return -1;
		}
	c->npts++;
	return 0;
nomem:
	return vnd_errf(errbuf, "out of memory");
}

/* The appliance's filter to each of its points, from first. */
static int
close_app(struct coll *c, int first, struct buf *flt, char *errbuf)
{
	int i;

	for (i = first; i < c->npts && flt->len > 0; i++)
		if ((c->pts[i].filter = strdup(flt->s)) == NULL)
			return vnd_errf(errbuf, "out of memory");
	flt->len = 0;
	return 0;
}

/* Where coll_parse() is: the appliance being read, its points and filter. */
struct parse {
	struct coll	*c;
	struct buf	 flt;		/* the appliance's filter so far */
	char		 app[128];	/* its name; "": none yet */
	int		 node;		/* a Node (points NAME.input), not a Link */
	int		 first;		/* its first point */
	int		 line;
	char		*errbuf;
};

static int
bad(struct parse *p, const char *what)
{
	snprintf(p->errbuf, VND_ERRBUF_SIZE, "line %d: %s", p->line, what);
	return -1;
}

/* A line's text: no comment, no blanks around, no Figure 4 number "1)". */
static char *
line_text(char *ln)
{
	char *s, *t;

	if ((s = strchr(ln, '#')) != NULL)
		*s = '\0';
	s = trim(ln);
	if (isdigit((unsigned char)*s) && (t = s + strspn(s,
	    "0123456789"))[0] == ')')
		s = trim(t + 1);
	return s;
}

/* [Virtual] Appliance [Type] Link|Node [:] NAME: the previous one ends. */
static int
on_appliance(struct parse *p, char *t)
{
	char *k;

	if (close_app(p->c, p->first, &p->flt, p->errbuf) < 0)
		return -1;
	p->first = p->c->npts;
	t = trim(t);
	if ((k = keyword(t, "type")) != NULL)
		t = trim(k);
	if ((k = keyword(t, "link")) != NULL)
		p->node = 0;
	else if ((k = keyword(t, "node")) != NULL)
		p->node = 1;
	else
		return bad(p, "an appliance is a Link or a Node");
	t = trim(k);
	if (*t == ':')
		t = trim(t + 1);
	if (*t == '\0' || strlen(t) >= sizeof(p->app) ||
	    strpbrk(t, "/ \t") != NULL)
		return bad(p, "the appliance needs a name, one word");
	snprintf(p->app, sizeof(p->app), "%s", t);
	return 0;
}

/* What follows a Capture Point or Flow Pattern keyword; NULL: no appliance yet. */
static char *
of_appliance(struct parse *p, char *t, const char *what)
{
	char msg[64];

	if (p->app[0] == '\0') {
		snprintf(msg, sizeof(msg), "a %s before any appliance", what);
		bad(p, msg);
		return NULL;
	}
	t = trim(t);
	return *t == ':' ? t + 1 : t;
}

/* Capture Point NAME[ = IF], ...: Figure 4's optional one as [NAME]. */
static int
on_points(struct parse *p, char *t)
{
	char *s, *save = NULL;

	if ((t = of_appliance(p, t, "capture point")) == NULL)
		return -1;
	for (s = strtok_r(t, ",", &save); s != NULL;
	    s = strtok_r(NULL, ",", &save)) {
		s = trim(s);
		if (*s == '[' && s[strlen(s) - 1] == ']') {
			s[strlen(s) - 1] = '\0';
			s++;
		}
		if (add_point(p->c, p->app, p->node, s, p->errbuf, p->line) < 0)
			return -1;
	}
	return 0;
}

static int
on_line(struct parse *p, char *s)
{
	char *t;

	if ((t = keyword(s, "virtual appliance")) != NULL ||
	    (t = keyword(s, "appliance")) != NULL)
		return on_appliance(p, t);
	if ((t = keyword(s, "capture point")) != NULL)
		return on_points(p, t);
	if ((t = keyword(s, "flow pattern")) != NULL)
		return (t = of_appliance(p, t, "flow pattern")) == NULL ? -1 :
		    pattern(t, &p->flt, p->errbuf, p->line);
	return bad(p, "not Appliance, Capture Point or Flow Pattern");
}

int
coll_parse(struct coll *c, const char *text, char *errbuf)
{
	struct parse p;
	char *copy, *ln, *next, *s;
	int r = -1;

	memset(c, 0, sizeof(*c));
	memset(&p, 0, sizeof(p));
	p.c = c;
	p.errbuf = errbuf;
	if ((copy = strdup(text)) == NULL)
		return vnd_errf(errbuf, "out of memory");
	for (ln = copy; ln != NULL; ln = next) {
		p.line++;
		if ((next = strchr(ln, '\n')) != NULL)
			*next++ = '\0';
		if (*(s = line_text(ln)) != '\0' && on_line(&p, s) < 0)
			goto out;
	}
	if (close_app(c, p.first, &p.flt, errbuf) < 0)
		goto out;
	if (c->npts == 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "no capture point");
		goto out;
	}
	r = 0;
out:
	free(p.flt.s);
	free(copy);
	if (r < 0)
		coll_free(c);
	return r;
}

void
coll_free(struct coll *c)
{
	int i;

	for (i = 0; i < c->npts; i++) {
		free(c->pts[i].name);
		free(c->pts[i].ifname);
		free(c->pts[i].filter);
	}
	free(c->pts);
	memset(c, 0, sizeof(*c));
}
