/* page.c: the incident on one HTML page: inline CSS and SVG, no script, nothing fetched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vnd_tsvread.h"
#include "report.h"

static const char css[] =
"body{font-family:'DejaVu Sans',sans-serif;max-width:1060px;margin:1em auto;"
"padding:0 1em;color:#222;line-height:1.4}\n"
"h1{font-size:1.5em;border-bottom:2px solid #0072b2}h2{font-size:1.2em;"
"margin-top:1.6em;border-bottom:1px solid #ccc}h3{font-size:1.05em}\n"
".postmortem{background:#fbe3d6;border-left:4px solid #d55e00;padding:.5em 1em}\n"
".postmortem p{margin:.3em 0}\n"
"figure{margin:1em 0;break-inside:avoid}figure svg{width:100%;height:auto}\n"
"figcaption{font-size:.9em;color:#444}\n"
"pre{background:#f4f4f4;padding:.4em .6em;white-space:pre-wrap;"
"word-break:break-all;font-size:.85em}\n"
"table{border-collapse:collapse;font-size:.85em;margin:.5em 0}\n"
"th,td{border:1px solid #ccc;padding:.15em .5em;text-align:left}\n"
"td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
"@media print{body{max-width:none}h2{break-after:avoid}}\n";

static void
esc(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		default: fputc(*s, fp);
		}
}

/*
 * An SVG of vnd-plot inside the page: from its <svg> on, each of gnuplot's
 * ids (the same in every figure) made the figure's own, so that one
 * figure's marks never point at another's.
 */
static int
put_svg(FILE *fp, const char *path, int fig)
{
	static const char *const ids[] = {
		"gpPt", "gpDot", "gnuplot_", "textbox", "greybox",
	};
	char buf[8192];
	FILE *in = fopen(path, "r");
	size_t i, n, started = 0;

	if (in == NULL)
		return -1;
	while (fgets(buf, sizeof(buf), in) != NULL) {
		char *p = buf, *s;

		if (!started && (p = strstr(buf, "<svg")) == NULL)
			continue;
		started = 1;
		while (*p != '\0') {
			for (i = 0, n = 0; i < VND_NELEM(ids); i++)
				if (strncmp(p, ids[i], n = strlen(ids[i])) == 0)
					break;
			if (i < VND_NELEM(ids)) {
				fprintf(fp, "f%d-%s", fig, ids[i]);
				p += n;
				continue;
			}
			s = p + 1;
			while (*s != '\0' && *s != 'g' && *s != 't')
				s++;
			fwrite(p, 1, (size_t)(s - p), fp);
			p = s;
		}
	}
	fclose(in);
	return started ? 0 : -1;
}

static int
figure(struct report *r, FILE *fp, int j, const char *caption)
{
	static int nfig;
	char *cmd = job_command(r, j);

	fputs("<figure>\n", fp);
	if (put_svg(fp, r->jobs[j].out, ++nfig) < 0) {
		report_fail(r, "no picture from '%s'", cmd ? cmd : "vnd plot");
		free(cmd);
		return -1;
	}
	fputs("<figcaption>", fp);
	esc(fp, caption);
	fputs(" Drawn by:<pre>", fp);
	esc(fp, cmd ? cmd : "");
	fputs("</pre></figcaption>\n</figure>\n", fp);
	free(cmd);
	return 0;
}

/* Columns of a table a tool wrote, as it wrote them. */
static int
table(struct report *r, FILE *fp, const char *path, const char *const *cols,
    int ncols, int maxrows)
{
	struct vnd_tsvread *t;
	const char *v;
	int c[16], i, n = 0, k = 0;

	if (vnd_tsvread_open(&t, path, NULL, r->err) < 0)
		return -1;
	fputs("<table>\n<tr>", fp);
	for (i = 0; i < ncols; i++) {
		c[i] = vnd_tsvread_col(t, cols[i]);
		fputs("<th>", fp);
		esc(fp, cols[i]);
		fputs("</th>", fp);
	}
	fputs("</tr>\n", fp);
	while (n < maxrows && (k = vnd_tsvread_next(t, r->err)) > 0) {
		fputs("<tr>", fp);
		for (i = 0; i < ncols; i++) {
			v = vnd_tsvread_get(t, c[i]);
			fputs(v && strspn(v, "0123456789.-") == strlen(v) ?
			    "<td class=n>" : "<td>", fp);
			esc(fp, v ? v : "-");
			fputs("</td>", fp);
		}
		fputs("</tr>\n", fp);
		n++;
	}
	fputs("</table>\n", fp);
	vnd_tsvread_close(t);
	return k < 0 ? -1 : 0;
}

/* The sentences of vnd-rootcause, the first the one for the postmortem. */
static int
postmortem(struct report *r, FILE *fp)
{
	struct vnd_tsvread *t;
	const char *s;
	int c, k, n = 0, m;

	fputs("<div class=postmortem>\n", fp);
	for (k = 0; k < 2; k++) {
		if (r->jcause[k] < 0)
			continue;
		if (vnd_tsvread_open(&t, r->jobs[r->jcause[k]].out, NULL,
		    r->err) < 0)
			return -1;
		c = vnd_tsvread_col(t, "sentence");
		for (m = 0; m < 3 && vnd_tsvread_next(t, r->err) > 0; )
			if ((s = vnd_tsvread_get(t, c)) != NULL) {
				fputs(n++ ? "<p>" : "<p><strong>", fp);
				esc(fp, s);
				fputs(n > 1 ? "</p>\n" : "</strong></p>\n", fp);
				m++;
			}
		vnd_tsvread_close(t);
	}
	if (n == 0)
		fputs(r->jhops < 0 && r->counters == NULL ? "<p>One capture "
		    "point and no counters (-c): no hop or element to judge.</p>\n" :
		    "<p>No cause found: no hop lost or held packets, no "
		    "counter dropped.</p>\n", fp);
	fputs("</div>\n", fp);
	return 0;
}

/* What the page was made of: the version, the inputs and their sizes, the command. */
static void
provenance(struct report *r, FILE *fp)
{
	struct stat st;
	const char *f;
	int i;

	fprintf(fp, "<h2>Provenance</h2>\n<p>vnd %s. Inputs:</p>\n<table>\n"
	    "<tr><th>operand</th><th>bytes</th></tr>\n", VND_VERSION);
	for (i = 0; i < r->nops + 2; i++) {
		f = i < r->nops ? r->ops[i] : i == r->nops ? r->counters : r->chain;
		if (f == NULL)
			continue;
		fputs("<tr><td>", fp);
		esc(fp, f);
		/* NAME=file: the file's size (a file of that whole name first) */
		if (stat(f, &st) < 0 && (strchr(f, '=') == NULL ||
		    stat(strchr(f, '=') + 1, &st) < 0))
			fputs("</td><td>-</td></tr>\n", fp);
		else
			fprintf(fp, "</td><td class=n>%lld</td></tr>\n",
			    (long long)st.st_size);
	}
	fputs("</table>\n<p>Made by:</p><pre>", fp);
	esc(fp, r->command);
	fputs("</pre>\n", fp);
}

static const char *const hop_cols[] = {
	"in_point", "out_point", "src_side", "in_pkts", "out_pkts", "lost_pkts",
	"loss_ratio", "delay_p50_ns", "delay_p99_ns",
};
static const char *const cause_cols[] = {
	"rank", "element", "analysis", "resource", "kind", "lost_pkts",
	"evidence",
};

static int
path_section(struct report *r, FILE *fp)
{
	if (r->jhfig < 0)
		return 0;
	fputs("<h2>The path, hop by hop</h2>\n", fp);
	if (figure(r, fp, r->jhfig, "Loss (above, the exact counts) and delay "
	    "(below, median to 99th percentile) of every hop, each way; the "
	    "bottleneck shaded.") < 0)
		return -1;
	return table(r, fp, r->jobs[r->jhops].out, hop_cols,
	    VND_NELEM(hop_cols), 1000);
}

static const char *const conn_cols[] = {
	"connection", "from the", "data bytes", "sent again", "fast",
	"timeout", "limited by",
};

/* The busy connections at the first point: their numbers, then their figures. */
static int
conn_section(struct report *r, FILE *fp)
{
	const struct busy *b;
	int i, k;

	fputs("<h2>The busy connections</h2>\n<p>At ", fp);
	esc(fp, r->ops[0]);
	fputs(", as vnd-tcpstate counts them:</p>\n<table>\n<tr>", fp);
	for (k = 0; k < (int)VND_NELEM(conn_cols); k++)
		fprintf(fp, "<th>%s</th>", conn_cols[k]);
	fputs("</tr>\n", fp);
	for (i = 0; i < r->nbusy; i++) {
		b = &r->busy[i];
		fputs("<tr><td>", fp);
		esc(fp, b->flow);
		fprintf(fp, "</td><td>%s</td><td class=n>%s</td><td class=n>%s"
		    "</td><td class=n>%s</td><td class=n>%s</td><td>", b->sender,
		    b->data_bytes, b->retx, b->retx_fast, b->retx_timeout);
		esc(fp, b->verdict);
		fputs("</td></tr>\n", fp);
	}
	fputs("</table>\n", fp);
	if (figure(r, fp, r->jlim, "What limited each over time: the share of "
	    "each slot the sender, the receiver's window and the network "
	    "held it back (vnd-tcpstate -i).") < 0)
		return -1;
	return figure(r, fp, r->jseq, "Their time-sequence graphs at every "
	    "point: segments as bars, a colour per point (the gap between "
	    "colours is the hop's delay), the ACK and window lines, "
	    "retransmissions marked, and a cross for every packet that "
	    "vanished between two points.");
}

static int
ranking(struct report *r, FILE *fp, int j, int counters)
{
	char *cmd = job_command(r, j);
	int ret;

	fprintf(fp, "<h2>Root-cause ranking: %s</h2>\n", counters ?
	    "the elements' drops" : "the path's hops");
	ret = table(r, fp, r->jobs[j].out, cause_cols, VND_NELEM(cause_cols), 50);
	fputs("<p>Ranked by:</p><pre>", fp);
	esc(fp, cmd ? cmd : "");
	fputs("</pre>\n", fp);
	free(cmd);
	return ret;
}

int
page_write(struct report *r, FILE *fp)
{
	int i;

	fprintf(fp, "<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n"
	    "<title>vnd report</title>\n<style>\n%s</style>\n</head>\n<body>\n"
	    "<h1>Incident report</h1>\n", css);
	if (postmortem(r, fp) < 0 || path_section(r, fp) < 0)
		return -1;
	fputs("<h2>RTT over time at every point</h2>\n", fp);
	if (figure(r, fp, r->jrfig, "Every RTT sample vnd-rtt kept (Karn's "
	    "rule), a colour per capture point.") < 0)
		return -1;
	fputs("<h2>Throughput</h2>\n", fp);
	if (figure(r, fp, r->jtput, "Wire bits per second in each time slot, "
	    "a line per point.") < 0)
		return -1;
	if (r->nbusy > 0 && conn_section(r, fp) < 0)
		return -1;
	if (r->jcnt >= 0) {
		fputs("<h2>Drops per element</h2>\n", fp);
		if (figure(r, fp, r->jcnt, "The drop counters that rose.") < 0)
			return -1;
	}
	for (i = 0; i < 2; i++)
		if (r->jcause[i] >= 0 && ranking(r, fp, r->jcause[i], i) < 0)
			return -1;
	provenance(r, fp);
	fputs("</body>\n</html>\n", fp);
	return 0;
}
