/* jobs.c: the other vnd tools run as programs, two at a time, their tables into files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vnd_point.h"
#include "vnd_proc.h"
#include "report.h"

/*
 * The report composes, it does not re-implement: every table is the one the
 * tool writes, and every figure vnd-plot's. The machine's two cores take
 * two runs at once (NPAR); a run's standard error is kept, and shown when it
 * fails.
 */
#define NPAR	2

char *
job_path(const struct report *r, const char *name)
{
	char *p;

	return asprintf(&p, "%s/%s", r->dir, name) < 0 ? NULL : p;
}

int
job_new(struct report *r, const char *tool, const char *out)
{
	struct job *j;
	char name[32];

	if (r->njobs == MAX_JOBS)
		return report_fail(r, "too many runs");
	j = &r->jobs[r->njobs];
	memset(j, 0, sizeof(*j));
	j->from = j->tmparg = j->after = -1;
	j->hide = MAX_ARGS;
	snprintf(name, sizeof(name), "j%d.err", r->njobs);
	if ((j->argv[0] = strdup(tool)) == NULL || (out != NULL &&
	    (j->out = job_path(r, out)) == NULL) ||
	    (j->errf = job_path(r, name)) == NULL)
		return report_fail(r, "out of memory");
	j->argc = 1;
	return r->njobs++;
}

int
job_arg(struct report *r, int j, const char *arg)
{
	struct job *jb = &r->jobs[j];

	if (jb->argc == MAX_ARGS - 1)
		return report_fail(r, "too many arguments");
	if ((jb->argv[jb->argc] = strdup(arg)) == NULL)
		return report_fail(r, "out of memory");
	jb->argc++;
	return 0;
}

int
job_ops(struct report *r, int j)
{
	int i;

	for (i = 0; i < r->nops; i++)
		if (job_arg(r, j, r->ops[i]) < 0)
			return -1;
	return 0;
}

/* The command line a person types: "vnd rtt ...", the hidden arguments out. */
char *
job_command(const struct report *r, int j)
{
	const struct job *jb = &r->jobs[j];
	char *v[MAX_ARGS + 1], *s, *from, *all;
	int i, n = 0;

	v[n++] = "vnd";
	v[n++] = jb->argv[0] + 4;		/* "vnd-" */
	for (i = 1; i < jb->argc && i < jb->hide; i++)
		if (i != jb->tmparg)
			v[n++] = jb->argv[i];
		else if (jb->dash)
			v[n++] = "-";
	if ((s = vnd_command_line(n, v)) == NULL || jb->from < 0)
		return s;
	if ((from = job_command(r, jb->from)) == NULL ||
	    asprintf(&all, "%s | %s", from, s) < 0)
		all = NULL;
	free(from);
	free(s);
	return all;
}

static void
child(const struct report *r, const struct job *j)
{
	char path[4200];
	int fd;

	if ((fd = open(j->errf, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 ||
	    dup2(fd, 2) < 0)
		_exit(127);
	if (j->out != NULL && ((fd = open(j->out, O_WRONLY | O_CREAT |
	    O_TRUNC, 0600)) < 0 || dup2(fd, 1) < 0))
		_exit(127);
	if ((fd = open("/dev/null", O_RDONLY)) < 0 || dup2(fd, 0) < 0)
		_exit(127);
	snprintf(path, sizeof(path), "%s/%s", r->bindir, j->argv[0]);
	if (r->bindir[0] != '\0' && access(path, X_OK) == 0)
		execv(path, j->argv);
	execvp(j->argv[0], j->argv);
	fprintf(stderr, "%s: cannot run: %s\n", j->argv[0], strerror(errno));
	_exit(127);
}

/* A run ended: its job, or -1 with r->err when it failed (-2: not ours). */
static int
reap(struct report *r, pid_t pid, int st)
{
	char why[300], *cmd;
	int i;

	for (i = 0; i < r->njobs; i++)
		if (r->jobs[i].started && r->jobs[i].pid == pid)
			break;
	if (i == r->njobs)
		return -2;
	r->jobs[i].done = 1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return i;
	vnd_proc_last_line(r->jobs[i].errf, why, sizeof(why));
	cmd = job_command(r, i);
	report_fail(r, "'%.100s' failed%s%.140s", cmd ? cmd : r->jobs[i].argv[0],
	    why[0] ? ": " : "", why);
	free(cmd);
	return -1;
}

/* The next job to start: ready (what it reads is done), the first of the lowest prio. */
static int
next_job(const struct report *r)
{
	int i, best = -1;

	for (i = 0; i < r->njobs; i++) {
		const struct job *j = &r->jobs[i];

		if (j->started || (j->after >= 0 && !r->jobs[j->after].done))
			continue;
		if (best < 0 || j->prio < r->jobs[best].prio)
			best = i;
	}
	return best;
}

int
jobs_run(struct report *r, int (*done)(struct report *, int))
{
	int running = 0, st, ret = 0, j;
	pid_t pid;

	for (;;) {
		if (running < NPAR && ret == 0 && (j = next_job(r)) >= 0) {
			fflush(NULL);
			if ((pid = fork()) < 0)
				return report_fail(r, "fork: %s", strerror(errno));
			if (pid == 0)
				child(r, &r->jobs[j]);
			r->jobs[j].pid = pid;
			r->jobs[j].started = 1;
			running++;
			continue;
		}
		if (running == 0)
			break;
		if ((pid = waitpid(-1, &st, 0)) < 0) {
			if (errno == EINTR)
				continue;
			return report_fail(r, "wait: %s", strerror(errno));
		}
		running--;
		if ((j = reap(r, pid, st)) == -1 || (j >= 0 && ret == 0 &&
		    done != NULL && done(r, j) < 0))
			ret = -1;	/* no new run; the others end */
	}
	return ret;
}

void
jobs_free(struct report *r)
{
	int i, k;

	for (i = 0; i < r->njobs; i++) {
		for (k = 0; k < r->jobs[i].argc; k++)
			free(r->jobs[i].argv[k]);
		if (r->jobs[i].out != NULL)
			unlink(r->jobs[i].out);
		unlink(r->jobs[i].errf);
		free(r->jobs[i].out);
		free(r->jobs[i].errf);
	}
	r->njobs = 0;
}
