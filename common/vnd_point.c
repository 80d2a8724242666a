/* vnd_point.c: naming capture points from command-line operands; the command line itself. */
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "vnd_point.h"

/* The point name of a file: its base name less capture and compression suffixes. */
char *
vnd_point_name(const char *path)
{
	static const char *const sfx[] = {
		".gz", ".bz2", ".xz", ".zst", ".pcapng", ".pcap", ".erf",
		".cap", ".dmp", ".dump", ".snoop", ".snp", ".ntar", ".tsv",
	};
	const char *b = strrchr(path, '/');
	char *n;
	size_t i, l, sl;
	int again = 1;

	if (strcmp(path, "-") == 0)
		return strdup("stdin");
	b = b ? b + 1 : path;
	if ((n = strdup(b)) == NULL)
		return NULL;
	while (again) {
		again = 0;
		l = strlen(n);
		for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
			sl = strlen(sfx[i]);
			if (l > sl && strcmp(n + l - sl, sfx[i]) == 0) {
				n[l - sl] = '\0';
				again = 1;
				break;
			}
		}
	}
	return n;
}

void
vnd_point_split(char *arg, const char **name, const char **path)
{
	struct stat st;
	char *eq = strchr(arg, '=');

	*name = NULL;
	*path = arg;
	if (eq == NULL || eq == arg || stat(arg, &st) == 0)
		return;
	*eq = '\0';
	*name = arg;
	*path = eq + 1;
}

int
vnd_point_valid(const char *name)
{
	if (*name == '\0')
		return 0;
	for (; *name != '\0'; name++)
		if ((unsigned char)*name < 0x20 || *name == 0x7f)
			return 0;
	return 1;
}

/* Shell-quoted command line, for the meta table. */
char *
vnd_command_line(int argc, char **argv)
{
	size_t n = 1;
	char *s, *p;
	int i;

	for (i = 0; i < argc; i++)
		n += strlen(argv[i]) * 4 + 3;
	if ((s = malloc(n)) == NULL)
		return NULL;
	p = s;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		int plain = *a != '\0' && strspn(a, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == strlen(a);

		if (i)
			*p++ = ' ';
		if (plain) {
			p = stpcpy(p, a);
			continue;
		}
		*p++ = '\'';
		for (; *a; a++) {
			if (*a == '\'')
				p = stpcpy(p, "'\\''");
			else
				*p++ = *a;
		}
		*p++ = '\'';
	}
	*p = '\0';
	return s;
}
