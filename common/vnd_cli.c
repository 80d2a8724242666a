/* vnd_cli.c: the frame of every tool's main(): common options, operands, sink, exit status. */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vnd_cli.h"
#include "vnd_errf.h"
#include "vnd_num.h"
#include "vnd_optspec.h"
#include "vnd_point.h"

#define VND_CLI_OPT_NULL	0x1000	/* --null: long only, no letter */

static char stdin_op[] = "-";
static char *stdin_ops[] = { stdin_op, NULL };

static int
common_wanted(const struct vnd_tool *t, int ch)
{
	switch (ch) {
	case 'H':
	case VND_CLI_OPT_NULL:
		return (t->flags & VND_CLI_TABLE) != 0;
	case 'o':
		return (t->flags & (VND_CLI_TABLE | VND_CLI_OUTPUT)) != 0;
	case 'q':
		return (t->flags & VND_CLI_QUIET) != 0;
	default:
		return 1;
	}
}

/* --null: a common option with no letter, so none of optspec's. */
static int
add_null(struct vnd_optspec *spec, char *errbuf)
{
	if (spec->n >= VND_OPTS_MAX)
		return vnd_errf(errbuf, "more than %d options", VND_OPTS_MAX);
	spec->lo[spec->n].name = "null";
	spec->lo[spec->n].has_arg = required_argument;
	spec->lo[spec->n].flag = NULL;
	spec->lo[spec->n].val = VND_CLI_OPT_NULL;
	spec->n++;
	memset(&spec->lo[spec->n], 0, sizeof(spec->lo[spec->n]));
	return 0;
}

/* The common options the tool takes, then its own, read off its usage. */
static int
build_opts(const struct vnd_tool *t, struct vnd_optspec *spec, char *errbuf)
{
	static const struct { const char *name; int ch, arg; } common[] = {
		{ "help", 'h', 0 }, { "version", 'V', 0 },
		{ "no-header", 'H', 0 }, { "output", 'o', 1 }, { "quiet", 'q', 0 },
	};
	char skip[8] = "";
	size_t i, n = 0;

	memset(spec, 0, sizeof(*spec));
	if (t->flags & VND_CLI_INORDER)
		spec->so[0] = '-';
	for (i = 0; i < VND_NELEM(common); i++) {
		if (!common_wanted(t, common[i].ch))
			continue;
		skip[n++] = (char)common[i].ch;
		skip[n] = '\0';
		if (vnd_optspec_add(spec, common[i].ch, common[i].name,
		    common[i].arg, errbuf) < 0)
			return -1;
	}
	if (vnd_optspec_read(spec, t->usage, t->longonly, skip, errbuf) < 0)
		return -1;
	return (t->flags & VND_CLI_TABLE) ? add_null(spec, errbuf) : 0;
}

/*
 * The tool's usage with the lines of the common options it takes after its
 * own, before the notes that follow them (the first line after the
 * synopsis that does not start with a space).
 */
static void
usage(const struct vnd_tool *t, FILE *fp)
{
	const char *notes = strchr(t->usage, '\n');

	while (notes != NULL && notes[1] == ' ')
		notes = strchr(notes + 1, '\n');
	notes = notes != NULL ? notes + 1 : t->usage + strlen(t->usage);
	fwrite(t->usage, 1, (size_t)(notes - t->usage), fp);
	if (t->flags & VND_CLI_TABLE)
		fputs("  -H, --no-header       omit the TSV header line\n"
		    "      --null STRING     write STRING for an unset value, not '-'\n"
		    "                        ('\\N' for ClickHouse)\n", fp);
	fputs("  -h, --help            this help\n"
	    "  -V, --version         print the version\n", fp);
	fputs(notes, fp);
}

static int
usage_error(struct vnd_cli *cli)
{
	if (cli->err[0] != '\0')
		warnx("%s", cli->err);
	usage(cli->tool, stderr);
	return VND_EXIT_USAGE;
}

/* --null STRING: checked now, used when the TSV sink opens. */
static int
set_unset(struct vnd_cli *cli, const char *arg)
{
	size_t i, n = strlen(arg);

	for (i = 0; i < n; i++)
		if ((unsigned char)arg[i] < 0x20 || arg[i] == 0x7f)
			break;
	if (n == 0 || n > VND_UNSET_MAX || i < n)
		return vnd_cli_bad(cli, "--null '%s': 1 to %d characters, "
		    "no tab or newline", arg, VND_UNSET_MAX);
	cli->unset = arg;
	return 0;
}

/* cli->opt: option ch as it was given last, long (li >= 0) or short. */
static void
name_opt(struct vnd_cli *cli, int ch, int li)
{
	if (li >= 0)
		snprintf(cli->opt, sizeof(cli->opt), "--%s",
		    cli->spec.lo[li].name);
	else
		snprintf(cli->opt, sizeof(cli->opt), "-%c", ch);
}

/* One of the tool's options, kept by its letter for the accessors. */
static void
record(struct vnd_cli *cli, int ch, int li, char *arg)
{
	if (ch <= 0 || ch > 255)
		return;
	cli->arg[ch] = arg;
	cli->given[cli->ngiven].ch = ch;
	cli->given[cli->ngiven++].arg = arg;
	if (cli->seen[ch] < 255)
		cli->seen[ch]++;
	cli->lng[ch] = (unsigned char)(li + 1);
}

/* The options: -1 to go on, else the exit status. */
static int
parse_opts(struct vnd_cli *cli, void *ctx, int argc, char **argv)
{
	const struct vnd_tool *t = cli->tool;
	struct vnd_optspec *spec = &cli->spec;
	int ch, at, li = -1;

	if (build_opts(t, spec, cli->err) < 0)
		errx(VND_EXIT_FAIL, "%s's usage: %s", t->name, cli->err);
	while ((ch = getopt_long(argc, argv, spec->so, spec->lo, &li)) != -1) {
		name_opt(cli, ch, li);
		at = li;
		li = -1;
		/* a common option the tool did not ask for is the tool's */
		switch (common_wanted(t, ch) ? ch : 0) {
		case 'h':
			usage(t, stdout);
			return VND_EXIT_OK;
		case 'H':
			cli->header = 0;
			continue;
		case 'o':
			cli->output = strcmp(optarg, "-") == 0 ? NULL : optarg;
			continue;
		case 'q':
			cli->quiet = 1;
			continue;
		case VND_CLI_OPT_NULL:
			if (set_unset(cli, optarg) < 0)
				return usage_error(cli);
			continue;
		case 'V':
			printf("%s %s\n", t->name, VND_VERSION);
			return VND_EXIT_OK;
		case '?':
		case ':':
			return usage_error(cli);
		}
		record(cli, ch, at, optarg);
		if (t->option != NULL && t->option(cli, ctx, ch, optarg) < 0)
			return usage_error(cli);
	}
	return -1;
}

static int
parse_ops(struct vnd_cli *cli, int argc, char **argv)
{
	const struct vnd_tool *t = cli->tool;

	cli->ops = argv + optind;
	cli->nops = argc - optind;
	if (cli->nops == 0 && (t->flags & VND_CLI_STDIN)) {
		cli->ops = stdin_ops;
		cli->nops = 1;
	}
	if (cli->nops < t->min_ops || (t->max_ops > 0 && cli->nops > t->max_ops))
		return -1;
	return 0;
}

/* Did standard output fail? Said once, when say is set. */
static int
stdout_failed(int say)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	if (say)
		warnx("stdout: %s", strerror(errno ? errno : EIO));
	return 1;
}

/*
 * Close the sink: the meta table and commit; or, when the run aborted,
 * throw a SQLite file away and what TSV is still buffered (a header and
 * the first rows: for an input that cannot be read, nothing at all).
 */
static int
finish(struct vnd_cli *cli, int r)
{
	char errbuf[VND_ERRBUF_SIZE];
	const char *out = cli->output ? cli->output : "stdout";
	/* an aborted run's rows still in the buffer are not written either */
	int commit = r >= 0;

	if (r >= 0 && cli->output != NULL && cli->sink != NULL && !cli->nometa &&
	    vnd_meta_write(cli->sink, cli->tool->name, cli->command, cli->meta,
	    cli->nmeta, errbuf) < 0) {
		warnx("'%s': %s", out, errbuf);
		r = VND_RUN_ABORT;
		commit = 0;
	}
	if (cli->sink != NULL && vnd_sink_close(cli->sink, commit, errbuf) < 0 &&
	    r >= 0) {
		warnx("'%s': %s", out, errbuf);
		r = VND_RUN_ABORT;
	}
	cli->sink = NULL;
	if (stdout_failed(r >= 0))
		r = VND_RUN_ABORT;
	if (r == VND_RUN_USAGE)
		return VND_EXIT_USAGE;
	if (r == VND_RUN_FOUND)
		return VND_EXIT_FOUND;
	return r == VND_RUN_OK ? VND_EXIT_OK : VND_EXIT_FAIL;
}

/*
 * A mapped input file that another program cuts short while it is read
 * kills the reader with SIGBUS (vnd_input.c): the run ends as a read
 * error would, in one line and exit 1, the SQLite file it was writing
 * removed. Only what is async-signal-safe, made ready beforehand.
 */
static char bus_msg[160];
static size_t bus_len;
static char bus_tmp[4096];

static void
on_bus(int sig)
{
	(void)sig;
	if (bus_tmp[0] != '\0')
		(void)unlink(bus_tmp);
	if (write(STDERR_FILENO, bus_msg, bus_len) < 0)
		_exit(VND_EXIT_FAIL);
	_exit(VND_EXIT_FAIL);
}

static void
catch_bus(const struct vnd_tool *t)
{
	struct sigaction sa;
	int n;

	n = snprintf(bus_msg, sizeof(bus_msg), "%s: an input file was cut "
	    "short while it was read (SIGBUS)\n", t->name);
	bus_len = n > 0 && (size_t)n < sizeof(bus_msg) ? (size_t)n : 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_bus;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGBUS, &sa, NULL);
}

int
vnd_cli_main(const struct vnd_tool *t, int argc, char **argv)
{
	struct vnd_cli cli;
	void *ctx = t->ctx;
	int r;

	memset(&cli, 0, sizeof(cli));
	cli.tool = t;
	catch_bus(t);
	cli.header = 1;
	/* before anything cuts a NAME=file operand or puts "-" in argv */
	if ((cli.command = vnd_command_line(argc, argv)) == NULL ||
	    (cli.given = calloc((size_t)argc + 1, sizeof(*cli.given))) == NULL)
		err(VND_EXIT_FAIL, NULL);
	if ((r = parse_opts(&cli, ctx, argc, argv)) >= 0) {
		/* -h and -V wrote to standard output too */
		if (r == VND_EXIT_OK && stdout_failed(1))
			r = VND_EXIT_FAIL;
		goto out;
	}
	if ((t->opts != NULL && t->opts(&cli, ctx) < 0) ||
	    parse_ops(&cli, argc, argv) < 0 ||
	    (t->check != NULL && t->check(&cli, ctx) < 0)) {
		r = usage_error(&cli);
		goto out;
	}
	r = t->run(&cli, ctx);
	if (r == VND_RUN_SINK)
		warnx("'%s': %s", cli.output ? cli.output : "stdout", cli.err);
	else if ((r == VND_RUN_ABORT || r == VND_RUN_USAGE) &&
	    cli.err[0] != '\0')
		warnx("%s", cli.err);
	r = finish(&cli, r);
out:
	if (t->fini != NULL)
		t->fini(ctx);
	vnd_operands_free(&cli.pts);
	free(cli.command);
	free(cli.given);
	return r;
}

struct vnd_sink *
vnd_cli_sink(struct vnd_cli *cli)
{
	if (cli->sink == NULL && (cli->output != NULL ?
	    vnd_sink_sqlite(&cli->sink, cli->output, cli->err) :
	    vnd_sink_tsv(&cli->sink, stdout, cli->header, cli->err)) < 0)
		cli->sink = NULL;
	/* checked by set_unset(); SQLite's unset is NULL whatever it says */
	if (cli->sink != NULL && cli->unset != NULL)
		(void)vnd_sink_unset(cli->sink, cli->unset);
	if (cli->sink != NULL && strlen(vnd_sink_tmp_path(cli->sink)) <
	    sizeof(bus_tmp))
		strcpy(bus_tmp, vnd_sink_tmp_path(cli->sink));
	return cli->sink;
}

struct vnd_table *
vnd_cli_table(struct vnd_cli *cli, const char *name,
    const struct vnd_colspec *cols, int ncols)
{
	if (vnd_cli_sink(cli) == NULL)
		return NULL;
	return vnd_sink_table(cli->sink, name, cols, ncols, cli->err);
}

static int
read_end(struct vnd_cli *cli, int r, const char *errbuf)
{
	int i, partial = 0;

	for (i = 0; i < cli->pts.n; i++)
		if (cli->pts.srcs[i].status > 0) {
			if (!cli->quiet)
				warnx("'%s': %s", cli->pts.srcs[i].path,
				    cli->pts.srcs[i].err);
			partial = 1;
		}
	cli->meta = cli->pts.meta;
	cli->nmeta = cli->pts.n;
	if (r < 0) {
		/* fn's own reason, when it stopped the reading */
		if (cli->err[0] == '\0')
			snprintf(cli->err, sizeof(cli->err), "%s", errbuf);
		return VND_RUN_ABORT;
	}
	return partial ? VND_RUN_PARTIAL : VND_RUN_OK;
}

int
vnd_cli_read(struct vnd_cli *cli, vnd_packet_fn fn, void *arg)
{
	char errbuf[VND_ERRBUF_SIZE];
	int r;

	r = vnd_operands_read(&cli->pts, cli->ops, cli->nops, fn, arg, errbuf);
	return read_end(cli, r, errbuf);
}

int
vnd_cli_read_j(struct vnd_cli *cli, int nj, vnd_packet_fn fn, void **args)
{
	char errbuf[VND_ERRBUF_SIZE];
	int r;

	r = vnd_operands_read_j(&cli->pts, cli->ops, cli->nops, nj, fn, args,
	    errbuf);
	return read_end(cli, r, errbuf);
}

int
vnd_cli_fail(struct vnd_cli *cli, int status, const char *why)
{
	snprintf(cli->err, sizeof(cli->err), "%s", why);
	return status;
}

int
vnd_cli_bad(struct vnd_cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start is above; clang-tidy 14 loses it */
	vsnprintf(cli->err, sizeof(cli->err), fmt, ap);
	va_end(ap);
	return -1;
}

int
vnd_cli_seconds(struct vnd_cli *cli, const char *arg, int64_t *ns)
{
	if (vnd_strtons(arg, ns) < 0)
		return vnd_cli_bad(cli, "%s '%s': seconds, from 0.000001 to 86400",
		    cli->opt, arg);
	return 0;
}

int
vnd_cli_int(struct vnd_cli *cli, const char *arg, int64_t min, int64_t max,
    int64_t *v)
{
	char errbuf[VND_ERRBUF_SIZE];

	if (vnd_strtonum(arg, min, max, v, errbuf) < 0)
		return vnd_cli_bad(cli, "%s '%s': %s", cli->opt, arg, errbuf);
	return 0;
}

int
vnd_cli_ratio(struct vnd_cli *cli, const char *arg, double *v)
{
	char *end;

	*v = strtod(arg, &end);
	if (end == arg || *end != '\0' || !(*v >= 0 && *v <= 1))
		return vnd_cli_bad(cli, "%s '%s': a ratio from 0 to 1",
		    cli->opt, arg);
	return 0;
}

int
vnd_cli_flag(const struct vnd_cli *cli, int ch)
{
	return ch > 0 && ch <= 255 ? cli->seen[ch] : 0;
}

const char *
vnd_cli_str(const struct vnd_cli *cli, int ch, const char *dflt)
{
	return vnd_cli_flag(cli, ch) && cli->arg[ch] != NULL ? cli->arg[ch] :
	    dflt;
}

const char *
vnd_cli_nth(const struct vnd_cli *cli, int ch, int n)
{
	int i;

	for (i = 0; i < cli->ngiven; i++)
		if (cli->given[i].ch == ch && n-- == 0)
			return cli->given[i].arg;
	return NULL;
}

/* The index of the point called name (len bytes) among n; -1: none. */
static int
point_index(const char *const *names, size_t stride, int n, const char *name,
    size_t len)
{
	const char *s;
	int i;

	for (i = 0; i < n; i++) {
		s = *(const char *const *)(const void *)
		    ((const char *)names + (size_t)i * stride);
		if (strlen(s) == len && strncmp(s, name, len) == 0)
			return i;
	}
	return -1;
}

int
vnd_cli_offset(struct vnd_cli *cli, int ch, int n, const char *const *names,
    size_t stride, int npts, int64_t *ns)
{
	const char *arg;
	size_t len;
	int k;

	if ((arg = vnd_cli_nth(cli, ch, n)) == NULL)
		return VND_CLI_NONE;
	name_opt(cli, ch, cli->lng[ch] - 1);
	if (vnd_name_offset(arg, &len, ns) < 0)
		return vnd_cli_bad(cli, "%s '%s': NAME=SECONDS, seconds from "
		    "-86400 to 86400", cli->opt, arg);
	if ((k = point_index(names, stride, npts, arg, len)) < 0)
		return vnd_cli_bad(cli, "%s '%s': no point of that name",
		    cli->opt, arg);
	return k;
}

/* Option ch's last argument, cli->opt naming it as given; NULL: none. */
static const char *
given(struct vnd_cli *cli, int ch)
{
	const char *arg = vnd_cli_str(cli, ch, NULL);

	if (arg != NULL)
		name_opt(cli, ch, cli->lng[ch] - 1);
	return arg;
}

/* What vnd_cli_get_x() return: 0 not given, 1 given and good, -1 bad. */
#define GOT(arg, check)	((arg) == NULL ? 0 : (check) < 0 ? -1 : 1)

int
vnd_cli_get_seconds(struct vnd_cli *cli, int ch, int64_t *ns)
{
	const char *arg = given(cli, ch);

	return GOT(arg, vnd_cli_seconds(cli, arg, ns));
}

int
vnd_cli_get_seconds0(struct vnd_cli *cli, int ch, int64_t *ns)
{
	if (strcmp(vnd_cli_str(cli, ch, ""), "0") != 0)
		return vnd_cli_get_seconds(cli, ch, ns);
	*ns = 0;
	return 1;
}

int
vnd_cli_get_int(struct vnd_cli *cli, int ch, int64_t min, int64_t max,
    int64_t *v)
{
	const char *arg = given(cli, ch);

	return GOT(arg, vnd_cli_int(cli, arg, min, max, v));
}

int
vnd_cli_get_ratio(struct vnd_cli *cli, int ch, double *v)
{
	const char *arg = given(cli, ch);

	return GOT(arg, vnd_cli_ratio(cli, arg, v));
}
