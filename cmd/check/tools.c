/* tools.c: vnd-check runs the analysis tools as programs, as vnd-report does. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vnd_errf.h"
#include "vnd_proc.h"
#include "check.h"

extern char **environ;

char *
tool_path(const struct check *c, const char *name)
{
	char *p;

	return asprintf(&p, "%s/%s", c->dir, name) < 0 ? NULL : p;
}

/* The tool beside this program if it is there, else on $PATH. */
static int
spawn(const struct check *c, pid_t *pid, posix_spawn_file_actions_t *fa,
    char *const argv[])
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", c->bindir, argv[0]);
	if (c->bindir[0] != '\0' && access(path, X_OK) == 0)
		return posix_spawn(pid, path, fa, NULL, argv, environ);
	return posix_spawnp(pid, argv[0], fa, NULL, argv, environ);
}

/*
 * A tool's standard error is kept and shown only when it fails: cron mails
 * what a job prints, and a check that passes prints nothing.
 */
int
tool_run(struct check *c, const char *out, char *const argv[])
{
	posix_spawn_file_actions_t fa;
	char *o = tool_path(c, out), *e = tool_path(c, "stderr"), why[300];
	pid_t pid;
	int r, st;

	if (o == NULL || e == NULL || posix_spawn_file_actions_init(&fa) != 0) {
		free(o);
		free(e);
		return vnd_errf(c->err, "out of memory");
	}
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, o, O_WRONLY | O_CREAT | O_TRUNC,
	    0600);
	posix_spawn_file_actions_addopen(&fa, 2, e, O_WRONLY | O_CREAT | O_TRUNC,
	    0600);
	r = spawn(c, &pid, &fa, argv);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		r = vnd_errf(c->err, "cannot run %s: %s", argv[0], strerror(r));
	else if (waitpid(pid, &st, 0) < 0)
		r = vnd_errf(c->err, "wait: %s", strerror(errno));
	else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		vnd_proc_last_line(e, why, sizeof(why));
		r = vnd_errf(c->err, "%s failed%s%.200s", argv[0],
		    why[0] ? ": " : "", why);
	}
	free(o);
	free(e);
	return r;
}
