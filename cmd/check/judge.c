/* judge.c: the rows of the tools' tables that cross a threshold, one line each. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd_num.h"
#include "vnd_tsvread.h"
#include "check.h"

#define MAX_COLS	8

/* the columns of a row about a flow at a point, first in its judge's */
#define FLOW_COLS	"src_ip", "src_port", "dst_ip", "dst_port", "point"

/* A table's judge: the columns it reads, and what it makes of a row's values. */
struct judge {
	/* the values in the order of cols; NULL: unset */
	void		(*fn)(struct check *, const char *const *v);
	const char	*cols[MAX_COLS + 1];	/* NULL ends them */
};

/* Every row of the table at path, its columns picked by name. */
int
judge(struct check *c, const struct judge *j, const char *path)
{
	const char *v[MAX_COLS];
	struct vnd_tsvread *t;
	int col[MAX_COLS], i, r, ncols = 0;

	if (vnd_tsvread_open(&t, path, NULL, c->err) < 0)
		return -1;
	while (ncols < MAX_COLS && j->cols[ncols] != NULL)
		ncols++;
	for (i = 0; i < ncols; i++)
		col[i] = vnd_tsvread_col(t, j->cols[i]);
	while ((r = vnd_tsvread_next(t, c->err)) > 0) {
		for (i = 0; i < ncols; i++)
			v[i] = vnd_tsvread_get(t, col[i]);
		j->fn(c, v);
	}
	vnd_tsvread_close(t);
	return r;
}

static int64_t
num(const char *s)
{
	return s != NULL ? strtoll(s, NULL, 10) : 0;
}

static double
real(const char *s)
{
	return s != NULL ? strtod(s, NULL) : 0;
}

static const char *
str(const char *s)
{
	return s != NULL ? s : "-";
}

/* A finding: one line on standard output. */
static void
say(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(struct check *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start is above; clang-tidy 14 loses it */
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	c->found++;
}

/* "198.18.1.1:40001>198.18.3.2:5001", an IPv6 address in brackets. */
static void
flow(char *buf, size_t len, const char *const *v)
{
	const char *sb = strchr(str(v[0]), ':') ? "[" : "", *se = *sb ? "]" : "";
	const char *db = strchr(str(v[2]), ':') ? "[" : "", *de = *db ? "]" : "";

	snprintf(buf, len, "%s%s%s:%s>%s%s%s:%s", sb, str(v[0]), se, str(v[1]),
	    db, str(v[2]), de, str(v[3]));
}

static void
hop_row(struct check *c, const char *const *v)
{
	int64_t in = num(v[3]), lost = num(v[4]), p99 = num(v[6]);
	double ratio = real(v[5]);
	char d[32], t[32];

	if (in < c->min_pkts)
		return;
	if (((lost > 0 && ratio >= c->loss) || (v[6] != NULL &&
	    p99 >= c->delay_ns)) && c->nhops < (int)VND_NELEM(c->hops))
		snprintf(c->hops[c->nhops++], sizeof(c->hops[0]), "%s->%s",
		    str(v[0]), str(v[1]));
	if (lost > 0 && ratio >= c->loss)
		say(c, "loss %s->%s from %s: %.2f%% lost (%lld of %lld packets), "
		    "threshold %g%%", str(v[0]), str(v[1]), str(v[2]),
		    ratio * 100, (long long)lost, (long long)in, c->loss * 100);
	if (v[6] != NULL && p99 >= c->delay_ns) {
		vnd_fmt_ns(d, sizeof(d), p99);
		vnd_fmt_ns(t, sizeof(t), c->delay_ns);
		say(c, "delay %s->%s from %s: p99 %s, threshold %s", str(v[0]),
		    str(v[1]), str(v[2]), d, t);
	}
}

const struct judge judge_hops = { hop_row, { "in_point", "out_point",
    "src_side", "in_pkts", "lost_pkts", "loss_ratio", "delay_p99_ns" } };

static void
rtt_row(struct check *c, const char *const *v)
{
	int64_t n = num(v[5]), p99 = num(v[6]);
	char f[160], d[32], t[32];

	if (n < c->min_pkts || v[6] == NULL || p99 < c->rtt_ns)
		return;
	flow(f, sizeof(f), v);
	vnd_fmt_ns(d, sizeof(d), p99);
	vnd_fmt_ns(t, sizeof(t), c->rtt_ns);
	say(c, "rtt %s at %s: p99 %s over %lld samples, threshold %s", f,
	    str(v[4]), d, (long long)n, t);
}

const struct judge judge_rtt = { rtt_row,
    { FLOW_COLS, "samples", "rtt_p99_ns" } };

static void
retx_row(struct check *c, const char *const *v)
{
	int64_t data = num(v[5]), retx = num(v[6]);
	char f[160];

	if (data < c->min_pkts || retx == 0 ||
	    (double)retx / (double)data < c->retx)
		return;
	flow(f, sizeof(f), v);
	say(c, "retx %s at %s: %.2f%% of data packets retransmitted (%lld of "
	    "%lld), threshold %g%%", f, str(v[4]),
	    100.0 * (double)retx / (double)data, (long long)retx,
	    (long long)data, c->retx * 100);
}

const struct judge judge_retx = { retx_row,
    { FLOW_COLS, "data_pkts", "retx_pkts" } };

static int
flagged(const struct check *c, const char *hop)
{
	int i;

	for (i = 0; i < c->nhops; i++)
		if (strcmp(c->hops[i], hop) == 0)
			return 1;
	return 0;
}

/* vnd-rootcause names a hop "in -> out": one word here, as in the other lines */
static void
cause_row(struct check *c, const char *const *v)
{
	const char *s = str(v[0]);
	char el[256];
	size_t n = 0;

	while (*s != '\0' && n < sizeof(el) - 3) {
		if (strncmp(s, " -> ", 4) == 0) {
			memcpy(el + n, "->", 2);
			n += 2;
			s += 4;
		} else
			el[n++] = *s++;
	}
	el[n] = '\0';
	/*
	 * A hop's cause explains its loss or delay line; alone it would be an
	 * alert for a loss below --loss. Counter causes (-c) stand alone.
	 */
	if (v[3] != NULL && strcmp(v[3], "hops") == 0 && !flagged(c, el))
		return;
	say(c, "cause %s: %s: %s", el, str(v[1]), str(v[2]));
}

const struct judge judge_causes = { cause_row,
    { "element", "kind", "sentence", "analysis" } };
