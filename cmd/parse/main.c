/* vnd-parse: captures into the packets table (VND's trace tables), TSV or SQLite. */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "vnd.h"
#include "vnd_cli.h"
#include "vnd_conf.h"
#include "vnd_decode.h"
#include "vnd_digest.h"
#include "vnd_input.h"
#include "vnd_num.h"
#include "vnd_pkt.h"
#include "vnd_point.h"
#include "vnd_table.h"
#include "append.h"
#include "writer.h"

#define MAX_LINKTYPES	16
#define PROGRESS_EVERY	(1 << 16)

struct point {
	const char	*name;
	int		 owned;		/* name was allocated here */
	const char	*path;
	char		 format[48];
	int		 linktypes[MAX_LINKTYPES];
	int		 nlinktypes;
	uint64_t	 rows;
	uint64_t	 malformed;
	int64_t		 first_ts, last_ts;
	uint64_t	 file_bytes;
	char		 sha256[VND_SHA256_HEX];	/* "": not known */
	uint64_t	 frame_base;	/* frames of the point loaded before */
	uint64_t	 frames;	/* read from the file */
	int		 skip;		/* --append: loaded already */
};

/* BPF programs, compiled once per link type as frames show them. */
struct bpf_cache {
	int		 linktype;
	int		 ok;
	struct bpf_program prog;
};

/* The run: options, points, tables. */
struct parse {
	const char	*config_path;
	const char	*filter;
	const char	*format;
	int		 describe;
	int		 strict;
	int		 noindex;
	int		 quiet;
	int		 append;
	int64_t		 wait_ns;	/* --append: for another run's lock */
	const char	*pending;	/* -p NAME, waiting for its file */
	const char	*unnamed;	/* a -p NAME followed by another -p */
	struct point	*pts;
	int		 npts, cap;
	struct vnd_conf	*conf;
	struct vnd_conf_table **tabs;
	int		 ntabs;
	struct vnd_table **outs;	/* a table's output, NULL with -D to TSV */
	struct vnd_table *meta;		/* -D or -o */
};

/* One input being read. */
struct reading {
	const struct parse *p;
	struct point	*pt;
	struct writer	*wr;
	struct bpf_cache bc[MAX_LINKTYPES];
	int		 nbc;
	uint64_t	 frame;
	uint64_t	 first_bad_frame;
	const char	*first_bad;
	int		 warned_lt;
	int		 last_lt;	/* the link type of the frame before */
	int		 show;		/* a progress line */
};

static volatile sig_atomic_t stop;

#include "usage.h"	/* the Makefile makes it of usage.txt */

/* What vnd_input_open() says of a file no reader knows: -F can help. */
static const char unknown_format[] = "not a capture file (unknown format)";

static char stdin_arg[] = "-";

/* The SQLite temporary file, for the signal handler to remove. */
static char tmp_path[4096];

/*
 * The first signal stops the run after the current frame; with SQLite output,
 * or at a second signal, the temporary file goes at once (unlink(2) and
 * _exit(2) are async-signal-safe), so a run blocked on a slow input still ends.
 */
static void
on_signal(int sig)
{
	static const char msg[] = "vnd-parse: interrupted\n";

	(void)sig;
	if (stop || tmp_path[0] != '\0') {
		if (tmp_path[0] != '\0')
			unlink(tmp_path);
		(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
		_exit(VND_EXIT_FAIL);
	}
	stop = 1;
}

static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static char *
read_file(const char *path, char *errbuf)
{
	FILE *fp;
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0, n;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "cannot open '%s': %s", path,
		    strerror(errno));
		return NULL;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if (cap > (1 << 24) || (nb = realloc(buf, cap)) == NULL) {
				snprintf(errbuf, VND_ERRBUF_SIZE,
				    "'%s' is too large", path);
				goto fail;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "cannot read '%s': %s", path,
		    strerror(errno));
		goto fail;
	}
	fclose(fp);
	buf[len] = '\0';
	return buf;
fail:
	fclose(fp);
	free(buf);
	return NULL;
}

/* Does the frame pass -f? 0 also when it cannot be filtered (*failed set). */
static int
filter_pass(struct reading *rd, const struct vnd_frame *f, int *failed)
{
	struct bpf_cache *bc = rd->bc;
	struct pcap_pkthdr h;
	pcap_t *p;
	int i;

	for (i = 0; i < rd->nbc; i++)
		if (bc[i].linktype == f->linktype)
			break;
	if (i == rd->nbc) {
		if (rd->nbc == MAX_LINKTYPES) {
			warnx("'%s': too many link types for one filter",
			    rd->pt->path);
			*failed = 1;
			return 0;
		}
		bc[i].linktype = f->linktype;
		bc[i].ok = 0;
		rd->nbc++;
		if ((p = pcap_open_dead(f->linktype, 262144)) == NULL) {
			warnx("'%s': cannot filter link type %d", rd->pt->path,
			    f->linktype);
			*failed = 1;
			return 0;
		}
		if (pcap_compile(p, &bc[i].prog, rd->p->filter, 1,
		    PCAP_NETMASK_UNKNOWN) < 0) {
			warnx("'%s': filter: %s", rd->pt->path, pcap_geterr(p));
			*failed = 1;
		} else
			bc[i].ok = 1;
		pcap_close(p);
	}
	if (!bc[i].ok)
		return 0;
	h.caplen = f->caplen;
	h.len = f->wirelen;
	h.ts.tv_sec = 0;
	h.ts.tv_usec = 0;
	return pcap_offline_filter(&bc[i].prog, &h, f->data) != 0;
}

static const struct vnd_colspec meta_cols[] = {
	{ "point", VND_TEXT }, { "file", VND_TEXT }, { "format", VND_TEXT },
	{ "link_types", VND_TEXT }, { "packets", VND_INT },
	{ "malformed_pkts", VND_INT }, { "first_ts_ns", VND_INT },
	{ "last_ts_ns", VND_INT }, { "filter", VND_TEXT }, { "config", VND_TEXT },
	{ "tool", VND_TEXT }, { "version", VND_TEXT }, { "command", VND_TEXT },
	{ "file_bytes", VND_INT }, { "file_sha256", VND_TEXT },
	{ "first_frame", VND_INT }, { "last_frame", VND_INT },
};

/* The file's size and hash, and the frame numbers its rows got. */
static void
put_file(struct vnd_table *t, const struct point *pt)
{
	if (pt->sha256[0] != '\0') {
		vnd_put_int(t, (int64_t)pt->file_bytes);
		vnd_put_str(t, pt->sha256);
	} else {
		vnd_put_null(t);
		vnd_put_null(t);
	}
	if (pt->frames) {
		vnd_put_int(t, (int64_t)(pt->frame_base + 1));
		vnd_put_int(t, (int64_t)(pt->frame_base + pt->frames));
	} else {
		vnd_put_null(t);
		vnd_put_null(t);
	}
}

static int
write_meta(struct vnd_table *t, const struct parse *p, const char *command,
    char *errbuf)
{
	char lt[MAX_LINKTYPES * 24], nb[32];
	size_t n;
	int i, j;

	for (i = 0; i < p->npts; i++) {
		const struct point *pt = &p->pts[i];

		if (pt->skip)
			continue;
		n = 0;
		lt[0] = '\0';
		for (j = 0; j < pt->nlinktypes; j++)
			n += (size_t)snprintf(lt + n, sizeof(lt) - n, "%s%s",
			    j ? "," : "", vnd_dlt_name(pt->linktypes[j], nb,
			    sizeof(nb)));
		vnd_put_str(t, pt->name);
		vnd_put_str(t, pt->path);
		vnd_put_str(t, pt->format[0] ? pt->format : NULL);
		vnd_put_str(t, pt->nlinktypes ? lt : NULL);
		vnd_put_int(t, (int64_t)pt->rows);
		vnd_put_int(t, (int64_t)pt->malformed);
		if (pt->first_ts || pt->last_ts) {
			vnd_put_int(t, pt->first_ts);
			vnd_put_int(t, pt->last_ts);
		} else {
			vnd_put_null(t);
			vnd_put_null(t);
		}
		vnd_put_str(t, p->filter);
		vnd_put_str(t, p->config_path);
		vnd_put_str(t, "vnd-parse");
		vnd_put_str(t, VND_VERSION);
		vnd_put_str(t, command);
		put_file(t, pt);
		if (vnd_row_end(t, errbuf) < 0)
			return -1;
	}
	return 0;
}

/* The packets-table columns when no configuration chooses them. */
static struct vnd_conf_table *
default_table(void)
{
	static struct vnd_conf_out outs[VND_NCOLS];
	static struct vnd_conf_field fields[VND_NCOLS];
	static struct vnd_colspec cols[VND_NCOLS];
	static struct vnd_conf_table t;
	int i;

	for (i = 0; i < VND_NCOLS; i++) {
		fields[i].col = i;
		fields[i].cond = 0;
		outs[i].name = (char *)vnd_packet_cols[i].name;
		outs[i].fields = &fields[i];
		outs[i].nfields = 1;
		outs[i].type = vnd_packet_cols[i].type;
		cols[i] = vnd_packet_cols[i];
	}
	t.name = "packets";
	t.outs = outs;
	t.nouts = VND_NCOLS;
	t.cols = cols;
	return &t;
}

/* Configured tables get a point column first unless the Fields name one. */
static int
add_point_column(struct vnd_conf_table *t)
{
	struct vnd_conf_out *no;
	struct vnd_colspec *nc;
	struct vnd_conf_field *f;
	int i;

	for (i = 0; i < t->nouts; i++)
		if (strcmp(t->outs[i].name, "point") == 0)
			return 0;
	if ((no = realloc(t->outs, (size_t)(t->nouts + 1) * sizeof(*no))) == NULL)
		return -1;
	t->outs = no;
	if ((nc = realloc(t->cols, (size_t)(t->nouts + 1) * sizeof(*nc))) == NULL)
		return -1;
	t->cols = nc;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	memmove(t->outs + 1, t->outs, (size_t)t->nouts * sizeof(*no));
	memmove(t->cols + 1, t->cols, (size_t)t->nouts * sizeof(*nc));
	f->col = VND_COL_POINT;
	t->outs[0].fields = f;
	t->outs[0].nfields = 1;
	t->outs[0].type = VND_TEXT;
	if ((t->outs[0].name = strdup("point")) == NULL)
		return -1;
	t->nouts++;
	for (i = 0; i < t->nouts; i++) {
		t->cols[i].name = t->outs[i].name;
		t->cols[i].type = t->outs[i].type;
	}
	return 0;
}

static int
has_col(const struct vnd_conf_table *t, const char *name)
{
	int c;

	for (c = 0; c < t->nouts; c++)
		if (strcmp(t->outs[c].name, name) == 0)
			return 1;
	return 0;
}

/*
 * The one index the joins need: VND's one-hop delay and loss match a point's
 * packets to another's by pkt_id (payload_hash, compared too, narrows the
 * match). pkt_id first: a reader's "point = ? ORDER BY rowid" then scans the
 * table in order rather than sort a point's rows through an index led by
 * point (1.5x slower for vnd-rtt). Built after the load, a scan and a sort:
 * kept up to date row by row it was no faster. On 1.15 M packets it takes
 * 0.7 to 0.9 s; the flow (point and 5-tuple) and time indexes made before
 * took 1.7 to 2.2 s and 0.4 to 0.6 s more, for queries a scan answers.
 */
static int
add_indexes(struct vnd_sink *sink, struct vnd_conf_table **tabs, int ntabs,
    char *errbuf)
{
	char sql[512];
	int i;

	for (i = 0; i < ntabs; i++) {
		if (!has_col(tabs[i], "pkt_id") || !has_col(tabs[i], "point"))
			continue;
		snprintf(sql, sizeof(sql),
		    "CREATE INDEX IF NOT EXISTS \"%s_pkt_id\" ON \"%s\" "
		    "(pkt_id, point)",
		    tabs[i]->name, tabs[i]->name);
		if (vnd_sink_exec(sink, sql, errbuf) < 0)
			return -1;
	}
	return 0;
}

static void
progress(const struct point *pt, uint64_t n, int done)
{
	fprintf(stderr, "\rvnd-parse: %s: %llu packets%s", pt->name,
	    (unsigned long long)n, done ? "\n" : "");
}

/* The link types an input shows, for the meta table; a warning for those not decoded. */
static void
note_linktype(struct reading *rd, int linktype)
{
	struct point *pt = rd->pt;
	char nb[32];
	int j;

	/* most frames have the link type of the frame before */
	if (linktype == VND_LT_NONE || linktype == rd->last_lt)
		return;
	rd->last_lt = linktype;
	for (j = 0; j < pt->nlinktypes; j++)
		if (pt->linktypes[j] == linktype)
			break;
	if (j == pt->nlinktypes && j < MAX_LINKTYPES)
		pt->linktypes[pt->nlinktypes++] = linktype;
	if (!vnd_decode_knows(linktype) && !rd->warned_lt && !rd->p->quiet) {
		warnx("'%s': link type %s is not decoded; its frames have no "
		    "header fields", pt->path, vnd_dlt_name(linktype, nb,
		    sizeof(nb)));
		rd->warned_lt = 1;
	}
}

/* Decode a frame into the writer's next slot and send it to its tables. */
static int
put_frame(struct reading *rd, const struct vnd_frame *f)
{
	const struct parse *p = rd->p;
	struct point *pt = rd->pt;
	struct wpkt *w = writer_slot(rd->wr);
	struct vnd_pkt *pk = &w->pk;
	int i;

	/* decoded straight into the writer's slot: no copy */
	pk->frame = rd->pt->frame_base + rd->frame;
	pk->ts_ns = f->ts_ns;
	pk->wire_bytes = f->wirelen;
	pk->cap_bytes = f->caplen;
	vnd_decode(pk, f->linktype, f->data, f->caplen);
	if (f->ts_ns == VND_NO_TS)
		pk->set &= ~((uint64_t)1 << VND_COL_TS_NS);
	w->tables = 0;
	for (i = 0; i < p->ntabs; i++)
		if (vnd_conf_applies(p->tabs[i], pt->name) &&
		    vnd_conf_match(p->tabs[i], pk))
			w->tables |= (uint32_t)1 << i;
	if (w->tables == 0)
		return 0;
	pk->payload = NULL;	/* the input buffer moves on; the hash is made */
	w->point = pt->name;
	if (writer_push(rd->wr) < 0)
		return -1;
	if (f->ts_ns != VND_NO_TS) {
		if (pt->first_ts == 0 && pt->last_ts == 0)
			pt->first_ts = pk->ts_ns;
		pt->last_ts = pk->ts_ns;
	}
	pt->rows++;
	if (pk->malformed == NULL)
		return 0;
	if (pt->malformed++ == 0) {
		rd->first_bad = pk->malformed;
		rd->first_bad_frame = rd->frame;
	}
	if (!p->strict)
		return 0;
	warnx("'%s': frame %llu: malformed: %s", pt->path,
	    (unsigned long long)rd->frame, pk->malformed);
	return -1;
}

/* One frame read: 0 to go on, -1 to stop. */
static int
take_frame(struct reading *rd, const struct vnd_frame *f)
{
	int failed = 0;

	rd->frame++;
	if (rd->show && rd->frame % PROGRESS_EVERY == 0)
		progress(rd->pt, rd->frame, 0);
	note_linktype(rd, f->linktype);
	if (rd->p->filter != NULL) {
		/* a record that is no packet matches no packet filter */
		if (f->linktype == VND_LT_NONE)
			return 0;
		if (!filter_pass(rd, f, &failed))
			return failed ? -1 : 0;
	}
	return put_frame(rd, f);
}

/* Every frame of an open input: 0, 1 when it was cut short, -1 to stop the run. */
static int
read_frames(struct reading *rd, struct vnd_input *in)
{
	char errbuf[VND_ERRBUF_SIZE];
	struct vnd_frame f;
	int r;

	for (;;) {
		if (stop) {
			warnx("interrupted");
			return -1;
		}
		r = vnd_input_next(in, &f, errbuf);
		if (r == VND_IN_EOF)
			return 0;
		if (r == VND_IN_ERR || r == VND_IN_TRUNC) {
			warnx("'%s': %s", rd->pt->path, errbuf);
			return r == VND_IN_ERR && rd->frame == 0 ? -1 : 1;
		}
		if (take_frame(rd, &f) < 0)
			return -1;
	}
}

static int
open_input(struct vnd_input **in, const struct parse *p, struct point *pt)
{
	char errbuf[VND_ERRBUF_SIZE];

	if (vnd_input_open(in, pt->path, p->format, errbuf) == 0) {
		snprintf(pt->format, sizeof(pt->format), "%s",
		    vnd_input_format(*in));
		return 0;
	}
	/* the library's words, with the option that helps here */
	if (p->format == NULL && strcmp(errbuf, unknown_format) == 0)
		warnx("'%s': not a capture file (unknown format; -F names one)",
		    pt->path);
	else
		warnx("'%s': %s", pt->path, errbuf);
	return -1;
}

/*
 * Read one input into the tables. Returns 0, 1 when the input was cut short
 * (all whole records written), or -1 when the run cannot go on.
 */
static int
parse_one(const struct parse *p, struct point *pt, struct writer *wr, int show)
{
	struct reading rd;
	struct vnd_input *in;
	int i, ret;

	if (open_input(&in, p, pt) < 0)
		return -1;
	memset(&rd, 0, sizeof(rd));
	rd.p = p;
	rd.pt = pt;
	rd.wr = wr;
	rd.last_lt = VND_LT_NONE;
	rd.show = show;
	ret = read_frames(&rd, in);
	pt->frames = rd.frame;
	if (show)
		progress(pt, rd.frame, 1);
	if (pt->malformed && !p->quiet && !p->strict)
		warnx("'%s': %llu malformed packet%s (first: frame %llu, %s)",
		    pt->path, (unsigned long long)pt->malformed,
		    pt->malformed == 1 ? "" : "s",
		    (unsigned long long)rd.first_bad_frame, rd.first_bad);
	for (i = 0; i < rd.nbc; i++)
		if (rd.bc[i].ok)
			pcap_freecode(&rd.bc[i].prog);
	vnd_input_close(in);
	return ret;
}

/* A file operand; the -p before it, if any, names it. */
static void
add_point(struct parse *p, char *arg)
{
	struct point *np;
	const char *name, *path;

	if (p->npts == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		if ((np = realloc(p->pts, (size_t)p->cap * sizeof(*np))) == NULL)
			err(VND_EXIT_FAIL, NULL);
		p->pts = np;
	}
	vnd_point_split(arg, &name, &path);
	memset(&p->pts[p->npts], 0, sizeof(p->pts[0]));
	p->pts[p->npts].path = path;
	p->pts[p->npts].name = name ? name : p->pending;
	p->pending = NULL;
	p->npts++;
}

/* The operands and -p NAME before each, in order; the rest, check()'s. */
static int
option(struct vnd_cli *cli, void *ctx, int ch, char *arg)
{
	struct parse *p = ctx;

	(void)cli;
	if (ch == 1)		/* an operand, in its place among the options */
		add_point(p, arg);
	else if (ch == 'p') {
		if (p->pending != NULL && p->unnamed == NULL)
			p->unnamed = p->pending;
		p->pending = arg;
	}
	return 0;
}

/* The options given once, as the frame kept them. */
static int
check(struct vnd_cli *cli, void *ctx)
{
	struct parse *p = ctx;
	int64_t s = 300;	/* --wait's default */

	p->append = vnd_cli_flag(cli, 'A');
	p->config_path = vnd_cli_str(cli, 'c', NULL);
	p->describe = vnd_cli_flag(cli, 'D');
	p->filter = vnd_cli_str(cli, 'f', NULL);
	p->format = vnd_cli_str(cli, 'F', NULL);
	p->noindex = vnd_cli_flag(cli, 'I');
	p->strict = vnd_cli_flag(cli, 'S');
	if (vnd_cli_get_int(cli, 'W', 0, 86400, &s) < 0)
		return -1;
	p->wait_ns = s * VND_NS_PER_SEC;
	return 0;
}

/* Every point has a name of its own, and standard input is read once. */
static int
check_points(struct vnd_cli *cli, struct parse *p)
{
	struct point *pt;
	int i, j, nstdin = 0;

	for (i = 0; i < p->npts; i++) {
		pt = &p->pts[i];
		if (strcmp(pt->path, "-") == 0 && nstdin++ > 0)
			return vnd_cli_bad(cli, "standard input can be read "
			    "only once");
		if (pt->name == NULL) {
			if ((pt->name = vnd_point_name(pt->path)) == NULL)
				err(VND_EXIT_FAIL, NULL);
			pt->owned = 1;
		}
		/* it would break the TSV it names every row of */
		if (!vnd_point_valid(pt->name))
			return vnd_cli_bad(cli, "bad point name for '%s': "
			    "empty or with a control character", pt->path);
		if (*pt->name == '\0')
			return vnd_cli_bad(cli, "empty point name for '%s'",
			    pt->path);
		/* --append: the files of one point, one after the other */
		for (j = 0; j < i && !p->append; j++)
			if (strcmp(pt->name, p->pts[j].name) == 0)
				return vnd_cli_bad(cli, "point '%s' named twice; "
				    "name them with -p or NAME=file", pt->name);
	}
	return 0;
}

/* A filter that does not compile at all is a usage error. */
static int
check_filter(struct vnd_cli *cli, const struct parse *p)
{
	struct bpf_program prog;
	pcap_t *pc;
	int r = 0;

	if (p->filter == NULL)
		return 0;
	if ((pc = pcap_open_dead(1, 262144)) == NULL)
		errx(VND_EXIT_FAIL, "cannot start libpcap");
	if (pcap_compile(pc, &prog, p->filter, 1, PCAP_NETMASK_UNKNOWN) < 0)
		r = vnd_cli_bad(cli, "filter: %s", pcap_geterr(pc));
	else
		pcap_freecode(&prog);
	pcap_close(pc);
	return r;
}

/* --append loads files into a database, files it can know again. */
static int
check_append(struct vnd_cli *cli, const struct parse *p)
{
	int i;

	if (!p->append)
		return 0;
	if (cli->output == NULL)
		return vnd_cli_bad(cli, "--append needs -o FILE");
	if (p->describe)
		return vnd_cli_bad(cli, "--append writes a database, not -D");
	for (i = 0; i < p->npts; i++)
		if (strcmp(p->pts[i].path, "-") == 0)
			return vnd_cli_bad(cli, "--append loads files, not "
			    "standard input");
	return 0;
}

/* The tables: the packets table, or those of the -c configuration. */
static int
load_tables(struct vnd_cli *cli, struct parse *p)
{
	char errbuf[VND_ERRBUF_SIZE];
	char *text;
	int i, r;

	if (p->config_path == NULL) {
		p->ntabs = 1;
		if ((p->tabs = calloc(1, sizeof(*p->tabs))) == NULL)
			err(VND_EXIT_FAIL, NULL);
		p->tabs[0] = default_table();
		return 0;
	}
	if ((text = read_file(p->config_path, errbuf)) == NULL)
		return vnd_cli_bad(cli, "%s", errbuf);
	r = vnd_conf_parse(&p->conf, text, errbuf);
	free(text);
	if (r < 0)
		return vnd_cli_bad(cli, "'%s': %s", p->config_path, errbuf);
	p->ntabs = p->conf->ntabs;
	if ((p->tabs = calloc((size_t)p->ntabs, sizeof(*p->tabs))) == NULL)
		err(VND_EXIT_FAIL, NULL);
	for (i = 0; i < p->ntabs; i++) {
		p->tabs[i] = &p->conf->tabs[i];
		if (add_point_column(p->tabs[i]) < 0)
			err(VND_EXIT_FAIL, NULL);
	}
	if (p->ntabs > 1 && cli->output == NULL && !p->describe)
		return vnd_cli_bad(cli, "'%s' makes %d tables: TSV "
		    "holds one, use -o", p->config_path, p->ntabs);
	return 0;
}

/*
 * The points, the filter and the tables, or a usage error. Not in the
 * frame's check(): vnd-parse(1) promises these errors one line each, and
 * after check() the frame prints the usage too. run() returns them as
 * VND_RUN_USAGE, before any output is opened.
 */
static int
prepare(struct vnd_cli *cli, struct parse *p)
{
	int i;

	if (p->unnamed != NULL)
		return vnd_cli_bad(cli, "-p '%s' names no file", p->unnamed);
	/* operands after "--" come back to the frame, not to option() */
	for (i = 0; i < cli->nops; i++)
		add_point(p, cli->ops[i]);
	if (p->pending != NULL && p->npts > 0)
		return vnd_cli_bad(cli, "-p '%s' names no file", p->pending);
	if (p->npts == 0)
		add_point(p, stdin_arg);
	p->quiet = cli->quiet;
	cli->nometa = 1;	/* parse's meta table is its own, below */
	if (check_points(cli, p) < 0 || check_filter(cli, p) < 0 ||
	    check_append(cli, p) < 0)
		return -1;
	return load_tables(cli, p);
}

/* The output tables: packets (or the configured ones) and meta, as asked. */
static int
open_tables(struct vnd_cli *cli, struct parse *p)
{
	int i;

	if ((p->outs = calloc((size_t)p->ntabs, sizeof(*p->outs))) == NULL) {
		snprintf(cli->err, sizeof(cli->err), "out of memory");
		return -1;
	}
	if (p->append && vnd_sink_sqlite_append(&cli->sink, cli->output,
	    p->wait_ns, cli->err) < 0) {
		cli->sink = NULL;
		return -1;
	}
	if (vnd_cli_sink(cli) == NULL)
		return -1;
	if (cli->output != NULL)
		snprintf(tmp_path, sizeof(tmp_path), "%s",
		    vnd_sink_tmp_path(cli->sink));
	for (i = 0; i < p->ntabs && (cli->output || !p->describe); i++)
		if ((p->outs[i] = vnd_cli_table(cli, p->tabs[i]->name,
		    p->tabs[i]->cols, p->tabs[i]->nouts)) == NULL)
			return -1;
	if ((cli->output || p->describe) && (p->meta = vnd_cli_table(cli,
	    "meta", meta_cols, VND_NELEM(meta_cols))) == NULL)
		return -1;
	return 0;
}

/* Is point i's file one loaded before, into the database or in this run? */
static int
loaded(struct vnd_cli *cli, struct parse *p, int i, char *as, size_t len)
{
	const struct point *pt = &p->pts[i];
	int j;

	for (j = 0; j < i; j++)
		if (p->pts[j].file_bytes == pt->file_bytes &&
		    strcmp(p->pts[j].sha256, pt->sha256) == 0) {
			snprintf(as, len, "%s", p->pts[j].path);
			return 1;
		}
	return append_loaded(vnd_sink_db(cli->sink), pt->file_bytes,
	    pt->sha256, as, len, cli->err);
}

/*
 * Each file's size and SHA-256 for the meta table; with --append, the
 * files the database holds already are skipped, and a point it has numbers
 * its frames on from its last. A file that cannot be read is left to the
 * reader to say so.
 */
static int
know_files(struct vnd_cli *cli, struct parse *p)
{
	char errbuf[VND_ERRBUF_SIZE], as[4096];
	struct point *pt;
	int64_t last;
	int i, r;

	for (i = 0; i < p->npts && p->meta != NULL; i++) {
		pt = &p->pts[i];
		if (strcmp(pt->path, "-") == 0 || vnd_digest_file(pt->path,
		    &pt->file_bytes, pt->sha256, errbuf) < 0) {
			pt->sha256[0] = '\0';
			continue;
		}
		if (!p->append)
			continue;
		if ((r = loaded(cli, p, i, as, sizeof(as))) < 0)
			return -1;
		if (r > 0) {
			pt->skip = 1;
			if (!p->quiet && strcmp(as, pt->path) == 0)
				warnx("'%s': loaded already, skipped", pt->path);
			else if (!p->quiet)
				warnx("'%s': loaded already (as '%s'), skipped",
				    pt->path, as);
			continue;
		}
		if ((last = append_last_frame(vnd_sink_db(cli->sink), pt->name,
		    cli->err)) < 0)
			return -1;
		pt->frame_base = (uint64_t)last;
	}
	return 0;
}

/* --append: a point's frames go on after those of its files read before. */
static void
frames_before(struct parse *p, int i)
{
	struct point *pt = &p->pts[i];
	int j;

	for (j = 0; j < i; j++)
		if (!p->pts[j].skip && strcmp(p->pts[j].name, pt->name) == 0 &&
		    p->pts[j].frame_base + p->pts[j].frames > pt->frame_base)
			pt->frame_base = p->pts[j].frame_base + p->pts[j].frames;
}

static int
start_writer(struct vnd_cli *cli, struct parse *p, struct writer **wr)
{
	return writer_start(wr, p->tabs, p->outs, p->ntabs,
	    p->config_path == NULL, cli->err);
}

/*
 * --append, file by file: each on a writer of its own (drained before the
 * next) inside a savepoint, so that a file cut short, a capture still
 * being written, is taken back whole and left for a later run, rather
 * than loaded in part now and whole again then. 0, 1 when it was cut
 * short, -1 to stop the run, -2 when the output failed.
 */
static int
append_one(struct vnd_cli *cli, struct parse *p, int i, int show)
{
	struct point *pt = &p->pts[i];
	struct writer *wr;
	int r;

	if (vnd_sink_exec(cli->sink, "SAVEPOINT file", cli->err) < 0 ||
	    start_writer(cli, p, &wr) < 0)
		return -2;
	r = parse_one(p, pt, wr, show);
	if (writer_finish(wr, cli->err) < 0)
		return -2;
	if (r == 1) {
		warnx("'%s': cut short: not loaded, a later run loads it whole",
		    pt->path);
		pt->skip = 1;
		return vnd_sink_exec(cli->sink, "ROLLBACK TO file; RELEASE file",
		    cli->err) < 0 ? -2 : 1;
	}
	return vnd_sink_exec(cli->sink, "RELEASE file", cli->err) < 0 ? -2 : r;
}

/* Read every input, then the meta table and the index: VND_RUN_x. */
static int
load(struct vnd_cli *cli, struct parse *p)
{
	int i, r, status = VND_RUN_OK;
	int show = !cli->quiet && isatty(STDERR_FILENO);
	struct writer *wr = NULL;

	if (know_files(cli, p) < 0)
		return VND_RUN_ABORT;
	if (!p->append && start_writer(cli, p, &wr) < 0)
		return VND_RUN_SINK;
	for (i = 0; i < p->npts && status != VND_RUN_ABORT; i++) {
		if (p->pts[i].skip)
			continue;
		frames_before(p, i);
		r = p->append ? append_one(cli, p, i, show) :
		    parse_one(p, &p->pts[i], wr, show);
		if (r == -2)
			return VND_RUN_SINK;
		if (r != 0)
			status = r < 0 ? VND_RUN_ABORT : VND_RUN_PARTIAL;
	}
	if (wr != NULL && writer_finish(wr, cli->err) < 0)
		return VND_RUN_SINK;
	if (status == VND_RUN_ABORT)
		return status;
	if ((p->meta != NULL && write_meta(p->meta, p, cli->command,
	    cli->err) < 0) || (cli->output != NULL && !p->noindex &&
	    add_indexes(cli->sink, p->tabs, p->ntabs, cli->err) < 0))
		return VND_RUN_SINK;
	return status;
}

static int
run(struct vnd_cli *cli, void *ctx)
{
	struct parse *p = ctx;
	int r;

	if (prepare(cli, p) < 0)
		return VND_RUN_USAGE;
	catch_signals();
	r = open_tables(cli, p) < 0 ? VND_RUN_SINK : load(cli, p);
	/* the frame commits or removes the file now, a signal notwithstanding */
	tmp_path[0] = '\0';
	return r;
}

static void
parse_free(void *ctx)
{
	struct parse *p = ctx;
	int i;

	for (i = 0; i < p->npts; i++)
		if (p->pts[i].owned)
			free((char *)p->pts[i].name);
	free(p->pts);
	free(p->tabs);
	free(p->outs);
	vnd_conf_free(p->conf);
}

static struct parse tool_ctx;

const struct vnd_tool vnd_tool = {
	.name = "vnd-parse", .usage = usage,
	/* operands come back in order, so -p names the file after it */
	.longonly = "append=A no-index=I strict=S wait=W",
	.flags = VND_CLI_TABLE | VND_CLI_QUIET | VND_CLI_INORDER,
	.option = option, .check = check, .run = run, .fini = parse_free,
	.ctx = &tool_ctx,
};
