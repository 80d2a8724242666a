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
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp);
	for (i = 0; i < n; i++) {
		printf("%s\n", names[i]);
		free(names[i]);
	}
	free(names);
	return VND_EXIT_OK;
}

/* What vnd printed itself reached standard output, or exit 1. */
static int
flushed(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warnx("stdout: %s", strerror(errno ? errno : EIO));
		return VND_EXIT_FAIL;
	}
	return status;
}

static int
not_a_tool(const char *tool)
{
	warnx("'%s' is not a vnd tool; see 'vnd --list'", tool);
	return VND_EXIT_USAGE;
}

/* vnd help [TOOL]: the manual of vnd-TOOL, or vnd(7). */
static void
help(const char *tool)
{
	char prog[NAME_MAX + 1];

	if (tool != NULL && strchr(tool, '/') == NULL) {
		snprintf(prog, sizeof(prog), "vnd-%s", tool);
		execlp("man", "man", prog, (char *)NULL);
	} else
		execlp("man", "man", "7", "vnd", (char *)NULL);
	err(VND_EXIT_FAIL, "cannot run man");
}

/* vnd-TOOL beside vnd first, so that a build tree runs its own tools; then on PATH. */
static int
run_tool(const char *tool, char **argv)
{
	char dir[PATH_MAX], path[PATH_MAX + NAME_MAX + 2], prog[NAME_MAX + 1];

	if (*tool == '-' || strchr(tool, '/') != NULL ||
	    strlen(tool) > NAME_MAX - 4)
		return not_a_tool(tool);
	snprintf(prog, sizeof(prog), "vnd-%s", tool);
	argv[0] = prog;
	self_dir(dir, sizeof(dir));
	if (*dir != '\0') {
		snprintf(path, sizeof(path), "%s/%s", dir, prog);
		if (access(path, X_OK) == 0) {
			execv(path, argv);
			err(VND_EXIT_FAIL, "cannot run '%s'", path);
		}
	}
	execvp(prog, argv);
	if (errno == ENOENT)
		return not_a_tool(tool);
	err(VND_EXIT_FAIL, "cannot run '%s'", prog);
}

int
main(int argc, char **argv)
{
	const char *tool;

	if (argc < 2) {
		usage(stderr);
		return VND_EXIT_USAGE;
	}
	tool = argv[1];
	if (strcmp(tool, "-h") == 0 || strcmp(tool, "--help") == 0) {
		usage(stdout);
		return flushed(VND_EXIT_OK);
	}
	if (strcmp(tool, "-V") == 0 || strcmp(tool, "--version") == 0) {
		printf("vnd %s\n", VND_VERSION);
		return flushed(VND_EXIT_OK);
	}
	if (strcmp(tool, "--list") == 0)
		return flushed(list_tools());
	if (strcmp(tool, "help") == 0)
		help(argc > 2 ? argv[2] : NULL);
	return run_tool(tool, argv + 1);
}
