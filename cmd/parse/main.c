/* vnd-parse: captures into the packets table (VND's trace tables), TSV or SQLite. */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "vnd.h"
#include "vnd_conf.h"
#include "vnd_input.h"
#include "vnd_pkt.h"
#include "vnd_pktrow.h"
#include "vnd_point.h"
#include "vnd_table.h"
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
};

/* BPF programs, compiled once per link type as frames show them. */
struct bpf_cache {
	int		 linktype;
	int		 ok;
	struct bpf_program prog;
};

struct opts {
	const char	*config_path;
	const char	*filter;
	const char	*format;
	const char	*output;
	int		 describe;
	int		 header;
	int		 quiet;
	int		 strict;
	int		 noindex;
	char		*command;
};

static volatile sig_atomic_t stop;

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "describe", no_argument, NULL, 'D' },
	{ "filter", required_argument, NULL, 'f' },
	{ "format", required_argument, NULL, 'F' },
	{ "help", no_argument, NULL, 'h' },
	{ "no-header", no_argument, NULL, 'H' },
	{ "no-index", no_argument, NULL, 'I' },
	{ "output", required_argument, NULL, 'o' },
	{ "point", required_argument, NULL, 'p' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "strict", no_argument, NULL, 'S' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: vnd-parse [-DHqV] [-c config] [-f filter] [-F format] [-o file.db]\n"
"                 [-p name]... [--strict] [file | name=file ...]\n"
"  -c, --config FILE     VND parse configuration (filter and field list)\n"
"  -D, --describe        write the meta table (one row per point) instead of packets\n"
"  -f, --filter EXPR     BPF filter (libpcap syntax), applied per frame\n"
"  -F, --format NAME     read every input with this libtrace format, for those\n"
"                        with no recognisable header (legacyeth, tsh, ...)\n"
"  -H, --no-header       omit the TSV header line\n"
"      --no-index        SQLite: no indexes (a bulk load, indexed later or scanned)\n"
"  -h, --help            this help\n"
"  -o, --output FILE     write SQLite database FILE (default: TSV on stdout)\n"
"  -p, --point NAME      capture point name of the next file operand (repeatable)\n"
"  -q, --quiet           no progress line, no malformed-packet summary\n"
"      --strict          a malformed packet is an error\n"
"  -V, --version         print the version\n");
}

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

static int
filter_pass(struct bpf_cache *bc, int *nbc, const char *expr,
    const struct vnd_frame *f, const char *file, int *failed)
{
	struct pcap_pkthdr h;
	pcap_t *p;
	int i;

	for (i = 0; i < *nbc; i++)
		if (bc[i].linktype == f->linktype)
			break;
	if (i == *nbc) {
		if (*nbc == MAX_LINKTYPES) {
			warnx("'%s': too many link types for one filter", file);
			*failed = 1;
			return 0;
		}
		bc[i].linktype = f->linktype;
		bc[i].ok = 0;
		(*nbc)++;
		if ((p = pcap_open_dead(f->linktype, 262144)) == NULL) {
			warnx("'%s': cannot filter link type %d", file,
			    f->linktype);
			*failed = 1;
			return 0;
		}
		if (pcap_compile(p, &bc[i].prog, expr, 1,
		    PCAP_NETMASK_UNKNOWN) < 0) {
			warnx("'%s': filter: %s", file, pcap_geterr(p));
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
};

static int
write_meta(struct vnd_table *t, const struct point *pts, int npts,
    const struct opts *o, char *errbuf)
{
	char lt[MAX_LINKTYPES * 24], nb[32];
	size_t n;
	int i, j;

	for (i = 0; i < npts; i++) {
		const struct point *pt = &pts[i];

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
		vnd_put_str(t, o->filter);
		vnd_put_str(t, o->config_path);
		vnd_put_str(t, "vnd-parse");
		vnd_put_str(t, VND_VERSION);
		vnd_put_str(t, o->command);
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
		    "CREATE INDEX \"%s_pkt_id\" ON \"%s\" (pkt_id, point)",
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

/*
 * Read one input into the tables. Returns 0, 1 when the input was cut short
 * (all whole records written), or -1 when the run cannot go on.
 */
static int
parse_one(struct point *pt, const struct opts *o, struct vnd_conf_table **tabs,
    int ntabs, struct writer *wr, int show)
{
	char errbuf[VND_ERRBUF_SIZE], nb[32];
	struct bpf_cache bc[MAX_LINKTYPES];
	struct vnd_input *in = NULL;
	struct vnd_frame f;
	struct vnd_pkt *pk;
	struct wpkt *w;
	const char *first_bad = NULL;
	uint64_t frame = 0, first_bad_frame = 0;
	int nbc = 0, r, i, j, failed = 0, ret = 0, warned_lt = 0;

	if (vnd_input_open(&in, pt->path, o->format, errbuf) < 0) {
		warnx("'%s': %s", pt->path, errbuf);
		return -1;
	}
	snprintf(pt->format, sizeof(pt->format), "%s", vnd_input_format(in));
	for (;;) {
		if (stop) {
			warnx("interrupted");
			ret = -1;
			break;
		}
		r = vnd_input_next(in, &f, errbuf);
		if (r == VND_IN_EOF)
			break;
		if (r == VND_IN_ERR) {
			warnx("'%s': %s", pt->path, errbuf);
			ret = frame ? 1 : -1;
			break;
		}
		if (r == VND_IN_TRUNC) {
			warnx("'%s': %s", pt->path, errbuf);
			ret = 1;
			break;
		}
		frame++;
		if (show && frame % PROGRESS_EVERY == 0)
			progress(pt, frame, 0);
		for (j = 0; j < pt->nlinktypes; j++)
			if (pt->linktypes[j] == f.linktype)
				break;
		if (j == pt->nlinktypes && j < MAX_LINKTYPES &&
		    f.linktype != VND_LT_NONE)
			pt->linktypes[pt->nlinktypes++] = f.linktype;
		if (!vnd_decode_knows(f.linktype) && f.linktype != VND_LT_NONE &&
		    !warned_lt && !o->quiet) {
			warnx("'%s': link type %s is not decoded; its frames "
			    "have no header fields", pt->path,
			    vnd_dlt_name(f.linktype, nb, sizeof(nb)));
			warned_lt = 1;
		}
		if (o->filter != NULL) {
			/* a record that is no packet matches no packet filter */
			if (f.linktype == VND_LT_NONE)
				continue;
			if (!filter_pass(bc, &nbc, o->filter, &f, pt->path,
			    &failed)) {
				if (failed) {
					ret = -1;
					break;
				}
				continue;
			}
		}
		/* decoded straight into the writer's slot: no copy */
		w = writer_slot(wr);
		pk = &w->pk;
		pk->frame = frame;
		pk->ts_ns = f.ts_ns;
		pk->wire_bytes = f.wirelen;
		pk->cap_bytes = f.caplen;
		vnd_decode(pk, f.linktype, f.data, f.caplen);
		if (f.ts_ns == VND_NO_TS)
			pk->set &= ~((uint64_t)1 << VND_COL_TS_NS);
		w->tables = 0;
		for (i = 0; i < ntabs; i++)
			if (vnd_conf_applies(tabs[i], pt->name) &&
			    vnd_conf_match(tabs[i], pk))
				w->tables |= (uint32_t)1 << i;
		if (w->tables == 0)
			continue;
		pk->payload = NULL;	/* the input buffer moves on; the hash is made */
		w->point = pt->name;
		writer_push(wr);
		if (writer_failed(wr)) {
			ret = -1;
			break;
		}
		if (f.ts_ns != VND_NO_TS) {
			if (pt->first_ts == 0 && pt->last_ts == 0)
				pt->first_ts = pk->ts_ns;
			pt->last_ts = pk->ts_ns;
		}
		pt->rows++;
		if (pk->malformed != NULL) {
			if (pt->malformed++ == 0) {
				first_bad = pk->malformed;
				first_bad_frame = frame;
			}
			if (o->strict) {
				warnx("'%s': frame %llu: malformed: %s", pt->path,
				    (unsigned long long)frame, pk->malformed);
				ret = -1;
				break;
			}
		}
	}
	if (show)
		progress(pt, frame, 1);
	if (pt->malformed && !o->quiet && !o->strict)
		warnx("'%s': %llu malformed packet%s (first: frame %llu, %s)",
		    pt->path, (unsigned long long)pt->malformed,
		    pt->malformed == 1 ? "" : "s",
		    (unsigned long long)first_bad_frame, first_bad);
	for (i = 0; i < nbc; i++)
		if (bc[i].ok)
			pcap_freecode(&bc[i].prog);
	vnd_input_close(in);
	return ret;
}

int
main(int argc, char **argv)
{
	char errbuf[VND_ERRBUF_SIZE];
	struct opts o;
	struct point *pts = NULL;
	struct vnd_conf *conf = NULL;
	struct vnd_conf_table **tabs = NULL;
	struct vnd_table **outs = NULL, *meta = NULL;
	struct vnd_sink *sink = NULL;
	struct writer *wr = NULL;
	const char *pending = NULL, *name, *path;
	char *text;
	int npts = 0, ntabs = 0, ch, i, j, r, status = VND_EXIT_OK, show;

	memset(&o, 0, sizeof(o));
	o.header = 1;
	/* before getopt and NAME=file splitting change argv */
	if ((o.command = vnd_command_line(argc, argv)) == NULL)
		err(VND_EXIT_FAIL, NULL);
	if ((pts = calloc((size_t)argc + 1, sizeof(*pts))) == NULL)
		err(VND_EXIT_FAIL, NULL);
	/* '-': operands come back in order, so -p names the file after it. */
	while ((ch = getopt_long(argc, argv, "-c:Df:F:hHo:p:qV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 1:
			vnd_point_split(optarg, &name, &path);
			pts[npts].path = path;
			pts[npts].name = name ? name : pending;
			pending = NULL;
			npts++;
			break;
		case 'c':
			o.config_path = optarg;
			break;
		case 'D':
			o.describe = 1;
			break;
		case 'f':
			o.filter = optarg;
			break;
		case 'F':
			o.format = optarg;
			break;
		case 'h':
			usage(stdout);
			{
				status = VND_EXIT_OK;
				goto out;
			}
		case 'H':
			o.header = 0;
			break;
		case 'I':
			o.noindex = 1;
			break;
		case 'o':
			o.output = strcmp(optarg, "-") == 0 ? NULL : optarg;
			break;
		case 'p':
			if (pending != NULL) {
				warnx("-p '%s' names no file", pending);
				{
				status = VND_EXIT_USAGE;
				goto out;
			}
			}
			pending = optarg;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'S':
			o.strict = 1;
			break;
		case 'V':
			printf("vnd-parse %s\n", VND_VERSION);
			{
				status = VND_EXIT_OK;
				goto out;
			}
		default:
			usage(stderr);
			{
				status = VND_EXIT_USAGE;
				goto out;
			}
		}
	}
	if (npts == 0) {
		pts[0].path = "-";
		pts[0].name = pending;
		npts = 1;
	} else if (pending != NULL) {
		warnx("-p '%s' names no file", pending);
		{
				status = VND_EXIT_USAGE;
				goto out;
			}
	}
	for (i = 0; i < npts; i++) {
		if (strcmp(pts[i].path, "-") == 0 && npts > 1) {
			for (j = 0; j < i; j++)
				if (strcmp(pts[j].path, "-") == 0)
					break;
			if (j < i) {
				warnx("standard input can be read only once");
				{
				status = VND_EXIT_USAGE;
				goto out;
			}
			}
		}
		if (pts[i].name == NULL) {
			if ((pts[i].name = vnd_point_name(pts[i].path)) == NULL)
				err(VND_EXIT_FAIL, NULL);
			pts[i].owned = 1;
		}
		if (!vnd_point_valid(pts[i].name)) {
			/* it would break the TSV it names every row of */
			warnx("bad point name for '%s': empty or with a control "
			    "character", pts[i].path);
			{
				status = VND_EXIT_USAGE;
				goto out;
			}
		}
		if (*pts[i].name == '\0') {
			warnx("empty point name for '%s'", pts[i].path);
			{
				status = VND_EXIT_USAGE;
				goto out;
			}
		}
		for (j = 0; j < i; j++)
			if (strcmp(pts[i].name, pts[j].name) == 0) {
				warnx("point '%s' named twice; name them with -p "
				    "or NAME=file", pts[i].name);
				{
				status = VND_EXIT_USAGE;
				goto out;
			}
			}
	}
	/* A filter that does not compile at all is a usage error. */
	if (o.filter != NULL) {
		pcap_t *p = pcap_open_dead(1, 262144);
		struct bpf_program prog;

		if (p == NULL)
			errx(VND_EXIT_FAIL, "cannot start libpcap");
		if (pcap_compile(p, &prog, o.filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			warnx("filter: %s", pcap_geterr(p));
			pcap_close(p);
			{
				status = VND_EXIT_USAGE;
				goto out;
			}
		}
		pcap_freecode(&prog);
		pcap_close(p);
	}
	if (o.config_path != NULL) {
		if ((text = read_file(o.config_path, errbuf)) == NULL) {
			warnx("%s", errbuf);
			{
				status = VND_EXIT_USAGE;
				goto out;
			}
		}
		if (vnd_conf_parse(&conf, text, errbuf) < 0) {
			warnx("'%s': %s", o.config_path, errbuf);
			free(text);
			{
				status = VND_EXIT_USAGE;
				goto out;
			}
		}
		free(text);
		ntabs = conf->ntabs;
		if ((tabs = calloc((size_t)ntabs, sizeof(*tabs))) == NULL)
			err(VND_EXIT_FAIL, NULL);
		for (i = 0; i < ntabs; i++) {
			tabs[i] = &conf->tabs[i];
			if (add_point_column(tabs[i]) < 0)
				err(VND_EXIT_FAIL, NULL);
		}
		if (ntabs > 1 && o.output == NULL && !o.describe) {
			warnx("'%s' makes %d tables: TSV holds one, use -o",
			    o.config_path, ntabs);
			{
				status = VND_EXIT_USAGE;
				goto out;
			}
		}
	} else {
		ntabs = 1;
		if ((tabs = calloc(1, sizeof(*tabs))) == NULL)
			err(VND_EXIT_FAIL, NULL);
		tabs[0] = default_table();
	}
	if ((outs = calloc((size_t)ntabs, sizeof(*outs))) == NULL)
		err(VND_EXIT_FAIL, NULL);

	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	r = o.output ? vnd_sink_sqlite(&sink, o.output, errbuf) :
	    vnd_sink_tsv(&sink, stdout, o.header, errbuf);
	if (r < 0)
		errx(VND_EXIT_FAIL, "'%s': %s", o.output ? o.output : "stdout",
		    errbuf);
	if (o.output)
		snprintf(tmp_path, sizeof(tmp_path), "%s", vnd_sink_tmp_path(sink));
	for (i = 0; i < ntabs && (o.output || !o.describe); i++)
		if ((outs[i] = vnd_sink_table(sink, tabs[i]->name, tabs[i]->cols,
		    tabs[i]->nouts, errbuf)) == NULL)
			goto fail;
	if ((o.output || o.describe) && (meta = vnd_sink_table(sink, "meta",
	    meta_cols, (int)(sizeof(meta_cols) / sizeof(meta_cols[0])),
	    errbuf)) == NULL)
		goto fail;

	show = !o.quiet && isatty(STDERR_FILENO);
	if (writer_start(&wr, tabs, outs, ntabs, o.config_path == NULL,
	    errbuf) < 0)
		goto fail;
	for (i = 0; i < npts; i++) {
		r = parse_one(&pts[i], &o, tabs, ntabs, wr, show);
		if (r < 0)
			status = VND_EXIT_FAIL;
		if (r != 0)
			status = VND_EXIT_FAIL;
		if (r < 0)
			break;
	}
	r = writer_finish(wr, errbuf);
	wr = NULL;
	if (r < 0)
		goto fail;
	if (i < npts)
		goto abort;
	if (meta != NULL && write_meta(meta, pts, npts, &o, errbuf) < 0)
		goto fail;
	if (o.output && !o.noindex && add_indexes(sink, tabs, ntabs, errbuf) < 0)
		goto fail;
	tmp_path[0] = '\0';
	r = vnd_sink_close(sink, 1, errbuf);
	sink = NULL;
	if (r < 0) {
		warnx("'%s': %s", o.output ? o.output : "stdout", errbuf);
		status = VND_EXIT_FAIL;
	}
	goto out;
fail:
	warnx("'%s': %s", o.output ? o.output : "stdout", errbuf);
	status = VND_EXIT_FAIL;
abort:
	/* SQLite: the temporary file goes, an existing database stays. */
	tmp_path[0] = '\0';
	vnd_sink_close(sink, o.output == NULL, errbuf);
	sink = NULL;
out:
	/* Everything goes back, so the sanitizers' leak check stays quiet. */
	vnd_sink_close(sink, 0, errbuf);
	for (i = 0; i < npts; i++)
		if (pts[i].owned)
			free((char *)pts[i].name);
	free(pts);
	free(tabs);
	free(outs);
	free(o.command);
	vnd_conf_free(conf);
	return status;
}
