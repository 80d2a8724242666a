/* text.c: the incident's summary as text, for a terminal or a chat message. */
#include <stdio.h>
#include <string.h>

#include "vnd_tsvread.h"
#include "report.h"

/* Each row of a table as a line: its columns joined by sep. */
static int
lines(struct report *r, FILE *fp, const char *path, const char *const *cols,
    int ncols, const char *const *sep, const char *end, int maxrows)
{
	struct vnd_tsvread *t;
	const char *v;
	int c[16], i, n = 0;

	if (vnd_tsvread_open(&t, path, NULL, r->err) < 0)
		return -1;
	for (i = 0; i < ncols; i++)
		c[i] = vnd_tsvread_col(t, cols[i]);
	while (n++ < maxrows && vnd_tsvread_next(t, r->err) > 0) {
		for (i = 0; i < ncols; i++) {
			v = vnd_tsvread_get(t, c[i]);
			fprintf(fp, "%s%s", sep[i], v ? v : "-");
		}
		fprintf(fp, "%s\n", end);
	}
	vnd_tsvread_close(t);
	return 0;
}

int
text_write(struct report *r, FILE *fp)
{
	static const char *const hop[] = { "in_point", "out_point", "src_side",
	    "lost_pkts", "in_pkts", "delay_p50_ns", "delay_p99_ns" };
	static const char *const hsep[] = { "  ", " -> ", " from the ",
	    ": lost ", " of ", ", delay p50 ", " ns, p99 " };
	static const char *const cause[] = { "sentence" };
	static const char *const csep[] = { "" };
	int i;

	fprintf(fp, "vnd report (vnd %s)\n\n== for the postmortem\n", VND_VERSION);
	for (i = 0; i < 2; i++)
		if (r->jcause[i] >= 0 && lines(r, fp, r->jobs[r->jcause[i]].out,
		    cause, 1, csep, "", 3) < 0)
			return -1;
	if (r->jhops >= 0) {
		fputs("\n== the path, hop by hop\n", fp);
		if (lines(r, fp, r->jobs[r->jhops].out, hop, VND_NELEM(hop),
		    hsep, " ns", 1000) < 0)
			return -1;
	}
	fputs("\n== the busy connections (at the first point)\n", fp);
	for (i = 0; i < r->nbusy; i++)
		fprintf(fp, "  %s: %s data bytes, %s sent again (%s fast, %s "
		    "timeout), %s-limited\n", r->busy[i].flow,
		    r->busy[i].data_bytes, r->busy[i].retx, r->busy[i].retx_fast,
		    r->busy[i].retx_timeout, r->busy[i].verdict);
	fprintf(fp, "\ninputs:");
	for (i = 0; i < r->nops; i++)
		fprintf(fp, " %s", r->ops[i]);
	fputc('\n', fp);
	return 0;
}
