/* vnd_optspec.h: getopt_long's tables read off a tool's --help text. */
#ifndef VND_OPTSPEC_H
#define VND_OPTSPEC_H

#include <getopt.h>
#include <stddef.h>

#define VND_OPTS_MAX	48	/* options of one tool, the common ones too */
#define VND_OPTNAME_MAX	32	/* a long name's bytes, its NUL too */

/*
 * A tool's options, as getopt_long wants them: lo ends with a zeroed
 * entry, so is the optstring. The names live here, so the help text stays
 * the one place an option is described.
 */
struct vnd_optspec {
	struct option	 lo[VND_OPTS_MAX + 1];
	char		 so[3 * VND_OPTS_MAX + 2];
	char		 names[VND_OPTS_MAX][VND_OPTNAME_MAX];
	char		 lonly[VND_OPTS_MAX + 1];	/* long-only options' letters */
	int		 n;
};

/*
 * Read the option lines of help into spec, after what it holds:
 *
 *	"  -x, --name ARG   text"	short and long, taking ARG
 *	"  -x               text"	short only, no argument
 *	"      --name       text"	long only
 *
 * A word after the option, one space away, is its argument's name; two
 * spaces or the end of the line end the option. Other lines (the synopsis,
 * continuations of a text, notes) are not options. A long-only option's
 * value is the letter longonly gives it ("all=a summary=s"): a letter
 * getopt does not take as a short option, so that one switch on the value
 * serves both kinds. An option in skip ("hVHoq"), by its letter, is left
 * out: the caller has it already. Returns 0, or -1 with errbuf.
 */
int	 vnd_optspec_read(struct vnd_optspec *spec, const char *help,
	    const char *longonly, const char *skip, char *errbuf);

/* Add the short option ch, long name (or none: NULL): 0, or -1 with errbuf. */
int	 vnd_optspec_add(struct vnd_optspec *spec, int ch, const char *name,
	    int has_arg, char *errbuf);

#endif
