/* vnd_optspec.c: getopt_long's tables read off a tool's --help text. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "vnd_errf.h"
#include "vnd_optspec.h"

/* One option line, taken apart. */
struct optline {
	int		 ch;		/* the letter, 0 for a long-only option */
	const char	*name;		/* the long name, NULL for short only */
	size_t		 namelen;
	int		 has_arg;
};

static size_t
word_len(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0' && s[n] != '\n' && s[n] != ' ' && s[n] != ',')
		n++;
	return n;
}

/* After the option: " WORD" is an argument; two spaces or the end, none. */
static int
takes_arg(const char *s)
{
	return s[0] == ' ' && s[1] != ' ' && s[1] != '\n' && s[1] != '\0';
}

/* An option line into o: 1, or 0 for a line that is no option. */
static int
optline(const char *s, struct optline *o)
{
	memset(o, 0, sizeof(*o));
	if (strncmp(s, "  -", 3) == 0 && isalnum((unsigned char)s[3])) {
		o->ch = (unsigned char)s[3];
		s += 4;
		if (strncmp(s, ", --", 4) != 0) {
			o->has_arg = takes_arg(s);
			return 1;
		}
		s += 2;
	} else if (strncmp(s, "      --", 8) == 0)
		s += 6;
	else
		return 0;
	o->name = s + 2;
	o->namelen = word_len(o->name);
	o->has_arg = takes_arg(o->name + o->namelen);
	return o->namelen > 0;
}

/* The letter longonly ("all=a summary=s") gives name: 0 if none. */
static int
longonly_val(const char *longonly, const char *name, size_t len)
{
	const char *p = longonly;

	while (p != NULL && *p != '\0') {
		while (*p == ' ')
			p++;
		if (strncmp(p, name, len) == 0 && p[len] == '=' &&
		    p[len + 1] != '\0')
			return (unsigned char)p[len + 1];
		p = strchr(p, ' ');
	}
	return 0;
}

/* Put the letter ch in the optstring, as a short option. */
static int
add_short(struct vnd_optspec *spec, int ch, int has_arg, char *errbuf)
{
	size_t sl = strlen(spec->so);

	if (strchr(spec->so, ch) != NULL)
		return vnd_errf(errbuf, "-%c given twice", ch);
	if (sl + 3 >= sizeof(spec->so))
		return vnd_errf(errbuf, "more than %d options", VND_OPTS_MAX);
	spec->so[sl++] = (char)ch;
	if (has_arg)
		spec->so[sl++] = ':';
	spec->so[sl] = '\0';
	return 0;
}

/* The long option name, whose value is ch. */
static int
add_long(struct vnd_optspec *spec, int ch, const char *name, int has_arg,
    char *errbuf)
{
	if (spec->n >= VND_OPTS_MAX)
		return vnd_errf(errbuf, "more than %d options", VND_OPTS_MAX);
	if (name != NULL) {
		if (strlen(name) >= VND_OPTNAME_MAX)
			return vnd_errf(errbuf, "--%s: name too long", name);
		strcpy(spec->names[spec->n], name);
		spec->lo[spec->n].name = spec->names[spec->n];
		spec->lo[spec->n].has_arg = has_arg ? required_argument :
		    no_argument;
		spec->lo[spec->n].val = ch;
		spec->n++;
		memset(&spec->lo[spec->n], 0, sizeof(spec->lo[spec->n]));
	}
	return 0;
}

int
vnd_optspec_add(struct vnd_optspec *spec, int ch, const char *name,
    int has_arg, char *errbuf)
{
	if (add_short(spec, ch, has_arg, errbuf) < 0)
		return -1;
	return add_long(spec, ch, name, has_arg, errbuf);
}

static int
add_line(struct vnd_optspec *spec, const struct optline *o,
    const char *longonly, const char *skip, char *errbuf)
{
	char name[VND_OPTNAME_MAX];
	size_t len;
	int ch = o->ch;

	if (o->namelen >= sizeof(name))
		return vnd_errf(errbuf, "an option name is too long");
	if (o->name != NULL)
		snprintf(name, sizeof(name), "%.*s", (int)o->namelen, o->name);
	if (ch != 0 && strchr(skip, ch) != NULL)
		return 0;
	if (ch != 0)
		return vnd_optspec_add(spec, ch, o->name != NULL ? name : NULL,
		    o->has_arg, errbuf);
	if ((ch = longonly_val(longonly, name, o->namelen)) == 0)
		return vnd_errf(errbuf, "--%s: no letter for it", name);
	if ((len = strlen(spec->lonly)) < VND_OPTS_MAX) {
		spec->lonly[len] = (char)ch;
		spec->lonly[len + 1] = '\0';
	}
	return add_long(spec, ch, name, o->has_arg, errbuf);
}

int
vnd_optspec_read(struct vnd_optspec *spec, const char *help,
    const char *longonly, const char *skip, char *errbuf)
{
	struct optline o;
	const char *s, *next;

	for (s = help; s != NULL; s = next) {
		if ((next = strchr(s, '\n')) != NULL)
			next++;
		if (optline(s, &o) && add_line(spec, &o, longonly, skip,
		    errbuf) < 0)
			return -1;
	}
	for (s = spec->lonly; *s != '\0'; s++)
		if (strchr(spec->so, *s) != NULL)
			return vnd_errf(errbuf, "-%c: a short option and a long "
			    "one's letter", *s);
	return 0;
}
