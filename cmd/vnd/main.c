/* vnd: runs vnd-TOOL for `vnd TOOL ...`, as git runs git-TOOL. */
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vnd.h"

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: vnd [-hV] [--list] TOOL [ARGS...]\n"
"       vnd help [TOOL]\n"
"  -h, --help            this help\n"
"  -V, --version         print the version\n"
"      --list            list the tools found\n"
"Runs vnd-TOOL from the directory of vnd, or else from PATH.\n");
}

/* The directory this program lives in, or "" when unknown. */
static void
self_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	if (n <= 0) {
		buf[0] = '\0';
		return;
	}
	buf[n] = '\0';
	if ((slash = strrchr(buf, '/')) != NULL)
		*slash = '\0';
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
scan(const char *dir, char ***names, size_t *n)
{
	DIR *d;
	struct dirent *e;
	char path[PATH_MAX], **nn;
	size_t i;

	if (*dir == '\0' || (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "vnd-", 4) != 0 || e->d_name[4] == '\0')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (access(path, X_OK) != 0)
			continue;
		for (i = 0; i < *n; i++)
			if (strcmp((*names)[i], e->d_name + 4) == 0)
				break;
		if (i < *n)
			continue;
		if ((nn = realloc(*names, (*n + 1) * sizeof(*nn))) == NULL)
			err(VND_EXIT_FAIL, NULL);
		*names = nn;
		if (((*names)[(*n)++] = strdup(e->d_name + 4)) == NULL)
			err(VND_EXIT_FAIL, NULL);
	}
	closedir(d);
}

static int
list_tools(void)
{
	char dir[PATH_MAX], *path, *p, *tok, **names = NULL;
	size_t n = 0, i;

	self_dir(dir, sizeof(dir));
	scan(dir, &names, &n);
	if ((p = getenv("PATH")) != NULL && (path = strdup(p)) != NULL) {
		for (tok = strtok(path, ":"); tok; tok = strtok(NULL, ":"))
			scan(tok, &names, &n);
		free(path);
	}
	qsort(names, n, sizeof(*names), cmp);
	for (i = 0; i < n; i++) {
		printf("%s\n", names[i]);
		free(names[i]);
	}
	free(names);
	return VND_EXIT_OK;
}

int
main(int argc, char **argv)
{
	char dir[PATH_MAX], path[PATH_MAX + NAME_MAX + 2], prog[NAME_MAX + 1];
	const char *tool;

	if (argc < 2) {
		usage(stderr);
		return VND_EXIT_USAGE;
	}
	tool = argv[1];
	if (strcmp(tool, "-h") == 0 || strcmp(tool, "--help") == 0) {
		usage(stdout);
		return VND_EXIT_OK;
	}
	if (strcmp(tool, "-V") == 0 || strcmp(tool, "--version") == 0) {
		printf("vnd %s\n", VND_VERSION);
		return VND_EXIT_OK;
	}
	if (strcmp(tool, "--list") == 0)
		return list_tools();
	if (strcmp(tool, "help") == 0) {
		snprintf(prog, sizeof(prog), "%s%s", argc > 2 ? "vnd-" : "",
		    argc > 2 ? argv[2] : "vnd");
		if (argc > 2 && strchr(argv[2], '/') == NULL) {
			execlp("man", "man", prog, (char *)NULL);
		} else
			execlp("man", "man", "7", "vnd", (char *)NULL);
		err(VND_EXIT_FAIL, "cannot run man");
	}
	if (*tool == '-' || strchr(tool, '/') != NULL || strlen(tool) > NAME_MAX - 4) {
		warnx("'%s' is not a vnd tool; see 'vnd --list'", tool);
		return VND_EXIT_USAGE;
	}
	snprintf(prog, sizeof(prog), "vnd-%s", tool);
	argv[1] = prog;
	/* Beside vnd first, so a build tree runs its own tools. */
	self_dir(dir, sizeof(dir));
	if (*dir != '\0') {
		snprintf(path, sizeof(path), "%s/%s", dir, prog);
		if (access(path, X_OK) == 0) {
			execv(path, argv + 1);
			err(VND_EXIT_FAIL, "cannot run '%s'", path);
		}
	}
	execvp(prog, argv + 1);
	if (errno == ENOENT) {
		warnx("'%s' is not a vnd tool; see 'vnd --list'", tool);
		return VND_EXIT_USAGE;
	}
	err(VND_EXIT_FAIL, "cannot run '%s'", prog);
}
