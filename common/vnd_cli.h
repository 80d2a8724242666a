/* vnd_cli.h: the frame of every tool's main(): common options, operands, sink, exit status. */
#ifndef VND_CLI_H
#define VND_CLI_H

#include "vnd.h"
#include "vnd_meta.h"
#include "vnd_operands.h"
#include "vnd_optspec.h"
#include "vnd_table.h"

/*
 * The one module of common/ that talks to the user: it prints usage, the
 * version and the errors a run ends with, and its vnd_cli_main() returns
 * the exit status. Everything else in common/ stays silent.
 *
 * A tool is a struct vnd_tool: its usage text (whose option lines are its
 * options), its state, and the callbacks that fill and use that state.
 * The frame parses the common options (-h, -V, and as flags ask, -H and
 * -o for a table, -q), records every other option's last argument and
 * count by its letter (read back with vnd_cli_flag(), vnd_cli_str() and
 * the checked vnd_cli_get_x(), where the tool uses them), hands each to
 * tool->option too when the tool has one (for the options that repeat or
 * build something), records the command line before anyone touches argv,
 * supplies "-" when a tool that reads standard input has no operand,
 * opens the sink on first use, writes the meta table of a SQLite
 * artifact, and closes the sink:
 * committed unless the run aborted (then a SQLite file is never renamed into
 * place), with standard output checked last.
 */

#define VND_CLI_TABLE	0x01	/* -H, -o FILE: the tool writes tables */
#define VND_CLI_QUIET	0x02	/* -q */
#define VND_CLI_STDIN	0x04	/* no operand reads standard input ('-') */
#define VND_CLI_OUTPUT	0x08	/* -o FILE alone: the tool writes one file */
#define VND_CLI_INORDER	0x10	/* operands come to option() as ch 1, in order */

/* What tool->run returns. */
#define VND_RUN_OK	0	/* success: commit, exit 0 */
#define VND_RUN_PARTIAL	1	/* an input was cut or bad, the rest is right: commit, exit 1 */
#define VND_RUN_FOUND	2	/* success, and what the tool looks for found: exit 3 */
#define VND_RUN_ABORT	(-1)	/* cli->err is the message ("" if said): no commit, exit 1 */
#define VND_RUN_SINK	(-2)	/* as ABORT, cli->err the reason the output failed */
#define VND_RUN_USAGE	(-3)	/* as ABORT, but exit 2: a usage error found late */

struct vnd_cli;

struct vnd_tool {
	const char	*name;		/* "vnd-rtt": messages, -V */
	/*
	 * --help: all but -H, -h, -V's lines. Its option lines are the
	 * options (see vnd_optspec.h); longonly gives each long-only option
	 * the letter option() sees ("all=a summary=s").
	 */
	const char	*usage;
	const char	*longonly;
	int		 flags;		/* VND_CLI_x */
	int		 min_ops, max_ops;	/* operands; max_ops 0 (or -1): any number */
	/*
	 * Each of the tool's options, in order, once the frame recorded it;
	 * may be NULL. 0 (also for the options it leaves to the accessors),
	 * or -1 with cli->err (a usage error).
	 */
	int		(*option)(struct vnd_cli *, void *ctx, int ch, char *arg);
	/*
	 * The options are in, the operands not yet counted: the tool reads
	 * the options it was given (the accessors). 0, or -1 with cli->err:
	 * a usage error, said before a wrong number of operands is, as
	 * option() says its own. May be NULL.
	 */
	int		(*opts)(struct vnd_cli *, void *ctx);
	/* Once the options are in: 0, or -1 with cli->err (a usage error). */
	int		(*check)(struct vnd_cli *, void *ctx);
	/* The work: VND_RUN_x. */
	int		(*run)(struct vnd_cli *, void *ctx);
	/* What the run left in ctx, freed whatever happened; may be NULL. */
	void		(*fini)(void *ctx);
	void		*ctx;		/* the tool's state, its defaults set */
};

/* The tool: each program defines it, and vnd_main.c's main() runs it. */
extern const struct vnd_tool vnd_tool;

struct vnd_cli {
	const struct vnd_tool *tool;
	int		 header;	/* 0 after -H */
	int		 quiet;		/* -q */
	const char	*output;	/* -o FILE; NULL: standard output */
	const char	*unset;		/* --null STRING; NULL: "-" */
	char		*command;	/* the command line as given */
	char		**ops;		/* the operands */
	int		 nops;
	struct vnd_sink	*sink;		/* NULL until vnd_cli_table() */
	struct vnd_operands pts;	/* what vnd_cli_read() read */
	const struct vnd_meta_point *meta;	/* the meta table's points */
	int		 nmeta;
	int		 nometa;	/* the tool writes no meta table */
	char		 opt[40];	/* the option in hand, as given: -w, --window */
	/* the tool's options by letter (a long-only one's from longonly) */
	const char	*arg[256];	/* the last argument; NULL: none given */
	unsigned char	 seen[256];	/* times given, up to 255 */
	unsigned char	 lng[256];	/* last given as --name: its spec.lo index + 1 */
	struct vnd_cli_given {		/* every one, in order, for vnd_cli_nth() */
		int	 ch;
		char	*arg;
	}		*given;
	int		 ngiven;
	struct vnd_optspec spec;	/* the options getopt_long was given */
	char		 err[VND_ERRBUF_SIZE];
};

/* Parse, run, finish: main()'s whole body. Returns the exit status. */
int	 vnd_cli_main(const struct vnd_tool *, int argc, char **argv);

/* A table of the run's output, the sink opened on first use; NULL: err set. */
struct vnd_table *vnd_cli_table(struct vnd_cli *, const char *name,
	    const struct vnd_colspec *cols, int ncols);

/* The output's sink, opened if it was not: NULL with err set. */
struct vnd_sink *vnd_cli_sink(struct vnd_cli *);

/*
 * Read the operands as points, one after the other, every packet to fn
 * (nj > 1: on nj threads, args[w] for worker w; see vnd_operands.h). An
 * input cut short is warned about by name and makes the result
 * VND_RUN_PARTIAL; an input that cannot be read, or fn's -1, VND_RUN_ABORT
 * (cli->err says why, unless fn had filled it and returned -1). The points
 * become the meta table's.
 */
int	 vnd_cli_read(struct vnd_cli *, vnd_packet_fn fn, void *arg);
int	 vnd_cli_read_j(struct vnd_cli *, int nj, vnd_packet_fn fn, void **args);

/* The run ends with status, why (a tool's error buffer) its message. */
int	 vnd_cli_fail(struct vnd_cli *, int status, const char *why);

/* "-i '%s': ..." style usage complaint: fills err, returns -1. */
int	 vnd_cli_bad(struct vnd_cli *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * A tool's option as the frame recorded it, by its letter: how often it
 * was given (0: not), its last argument (dflt if none was given).
 */
int	 vnd_cli_flag(const struct vnd_cli *, int ch);
const char *vnd_cli_str(const struct vnd_cli *, int ch, const char *dflt);

/*
 * The last argument of option ch, checked as vnd_cli_seconds(),
 * vnd_cli_int() and vnd_cli_ratio() check it, the message naming the
 * option as it was given last: 1 and *v set, 0 and *v untouched (its
 * default) when the option was not given, or -1 with cli->err.
 */
int	 vnd_cli_get_seconds(struct vnd_cli *, int ch, int64_t *ns);
int	 vnd_cli_get_seconds0(struct vnd_cli *, int ch, int64_t *ns);	/* or "0" */
int	 vnd_cli_get_int(struct vnd_cli *, int ch, int64_t min, int64_t max,
	    int64_t *v);
int	 vnd_cli_get_ratio(struct vnd_cli *, int ch, double *v);

/* The n-th argument (from 0) option ch was given, for one that repeats. */
const char *vnd_cli_nth(const struct vnd_cli *, int ch, int n);

/*
 * Option ch's n-th argument as a clock offset, NAME=[-]SECONDS, of one of
 * npts points: the index of the point it names, its offset into *ns;
 * VND_CLI_NONE past the last argument; -1 with cli->err when it is
 * malformed or names no point. The name of point i is the string pointer
 * at byte i * stride from names: an array of names (stride sizeof(char *))
 * or the name member of the first of an array of structs (their size).
 */
#define VND_CLI_NONE	(-2)
int	 vnd_cli_offset(struct vnd_cli *, int ch, int n,
	    const char *const *names, size_t stride, int npts, int64_t *ns);

/*
 * The argument of the option in hand, checked, or vnd_cli_bad() naming the
 * option as it was given: seconds (0.000001 to 86400) into *ns, an integer
 * in [min, max], a ratio from 0 to 1.
 */
int	 vnd_cli_seconds(struct vnd_cli *, const char *arg, int64_t *ns);
int	 vnd_cli_int(struct vnd_cli *, const char *arg, int64_t min, int64_t max,
	    int64_t *v);
int	 vnd_cli_ratio(struct vnd_cli *, const char *arg, double *v);

#endif
