/* gp.c: the gnuplot script of a picture, and gnuplot run on it as a program. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plot.h"

/*
 * gnuplot, and not a plotter of our own: its SVG terminal is what network
 * tools draw with (tcptrace's xpl2gpl, ns-3, iperf's scripts), Debian keeps
 * it (gnuplot-nox, no X11), its script is text a user can restyle (--script),
 * and its PNG comes from cairo. PLplot would be a C library in the process,
 * but its SVG is heavier and its scripts are C programs, not text.
 */

/* Colour-blind safe (Okabe and Ito), then grey. */
static const char *const palette[] = {
	"#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9",
	"#000000", "#999999",
};

const char *
gp_color(int i)
{
	return palette[(unsigned)i % VND_NELEM(palette)];
}

int
gp_begin(struct plot *p)
{
	if ((p->gp = open_memstream(&p->gpbuf, &p->gplen)) == NULL)
		return plot_fail(p, "out of memory");
	fprintf(p->gp, "# vnd-plot %s %s: the gnuplot script of the picture,"
	    " its data inline\n", VND_VERSION, p->kind);
	if (p->png)
		fprintf(p->gp, "set terminal pngcairo size %d,%d font "
		    "\"DejaVu Sans,10\" noenhanced background rgb \"white\"\n",
		    p->width, p->height);
	else
		fprintf(p->gp, "set terminal svg size %d,%d font "
		    "\"DejaVu Sans,11\" noenhanced background rgb \"white\"\n",
		    p->width, p->height);
	fputs("set encoding utf8\nset grid lc rgb \"#dddddd\"\n"
	    "set key outside top center horizontal noautotitle box "
	    "lc rgb \"#cccccc\"\nset border 3\nset tics nomirror out\n", p->gp);
	return 0;
}

/* A gnuplot string: double quotes, backslash escapes. */
void
gp_str(struct plot *p, const char *s)
{
	fputc('"', p->gp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', p->gp);
		if ((unsigned char)*s >= ' ')
			fputc(*s, p->gp);
	}
	fputc('"', p->gp);
}

void
gp_title(struct plot *p, const char *deflt)
{
	fputs("set title ", p->gp);
	gp_str(p, p->title ? p->title : deflt);
	fputc('\n', p->gp);
}

/* x in seconds since t0, its label saying when t0 was (UTC). */
void
gp_xtime(struct plot *p, int64_t t0)
{
	time_t sec = (time_t)(t0 / VND_NS_PER_SEC);
	struct tm tm;
	char buf[64];

	gmtime_r(&sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(p->gp, "set xlabel \"seconds since %s.%03d UTC\"\n", buf,
	    (int)(t0 % VND_NS_PER_SEC / VND_NS_PER_MS));
}

int
gp_block(struct plot *p)
{
	fprintf(p->gp, "$d%d << EOD\n", p->nblocks);
	return p->nblocks++;
}

void
gp_block_end(struct plot *p)
{
	fputs("EOD\n", p->gp);
}

/* The executable gnuplot on $PATH, into buf; -1: none. */
static int
find_gnuplot(char *buf, size_t len)
{
	const char *path = getenv("PATH"), *e;

	for (; path != NULL && *path != '\0'; path = *e ? e + 1 : e) {
		size_t n = (e = strchr(path, ':')) ? (size_t)(e - path) : strlen(path);

		if (e == NULL)
			e = path + n;
		if ((size_t)snprintf(buf, len, "%.*s/gnuplot", (int)n,
		    n ? path : ".") < len && access(buf, X_OK) == 0)
			return 0;
	}
	return -1;
}

/* All of buf to fd; -1 on a write error (gnuplot gone: EPIPE). */
static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t k;

	while (len > 0) {
		if ((k = write(fd, buf, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += k;
		len -= (size_t)k;
	}
	return 0;
}

/*
 * gnuplot with the script on its standard input and its standard output on
 * ours (or -o's file). The script is whole before gnuplot starts and ends
 * with its input: gnuplot reads it, draws, and exits; we write all, close,
 * and wait. Nothing is read back, so neither side can wait on the other.
 */
static int
run_gnuplot(struct plot *p, int outfd)
{
	char exe[4096];
	int fds[2], st, werr;
	pid_t pid;

	if (find_gnuplot(exe, sizeof(exe)) < 0)
		return plot_fail(p, "gnuplot not found on PATH (Debian: "
		    "apt-get install gnuplot-nox)");
	if (pipe(fds) < 0 || (pid = fork()) < 0)
		return plot_fail(p, "cannot run gnuplot: %s", strerror(errno));
	if (pid == 0) {
		if (dup2(fds[0], 0) < 0 || dup2(outfd, 1) < 0)
			_exit(127);
		close(fds[0]);
		close(fds[1]);
		execl(exe, "gnuplot", (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	werr = write_all(fds[1], p->gpbuf, p->gplen);
	close(fds[1]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return plot_fail(p, "gnuplot: %s", strerror(errno));
	if (WIFSIGNALED(st))
		return plot_fail(p, "gnuplot killed by signal %d", WTERMSIG(st));
	if (WEXITSTATUS(st) != 0)
		return plot_fail(p, "gnuplot failed (exit status %d)",
		    WEXITSTATUS(st));
	if (werr < 0)
		return plot_fail(p, "gnuplot did not read its script");
	return 0;
}

int
gp_finish(struct plot *p)
{
	int fd = 1, ret;

	if (fclose(p->gp) != 0) {
		p->gp = NULL;
		return plot_fail(p, "out of memory");
	}
	p->gp = NULL;
	if (p->output != NULL && (fd = open(p->output,
	    O_WRONLY | O_CREAT | O_TRUNC, 0666)) < 0)
		return plot_fail(p, "cannot open '%s': %s", p->output,
		    strerror(errno));
	if (p->script)
		ret = write_all(fd, p->gpbuf, p->gplen) < 0 ? plot_fail(p,
		    "'%s': %s", p->output ? p->output : "stdout",
		    strerror(errno)) : 0;
	else
		ret = run_gnuplot(p, fd);
	if (fd != 1 && close(fd) < 0 && ret == 0)
		ret = plot_fail(p, "'%s': %s", p->output, strerror(errno));
	if (ret < 0 && fd != 1)
		unlink(p->output);
	return ret;
}

void
gp_free(struct plot *p)
{
	if (p->gp != NULL)
		fclose(p->gp);
	free(p->gpbuf);
	p->gp = NULL;
	p->gpbuf = NULL;
}
