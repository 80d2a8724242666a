/* tsv.c: the small TSV artifacts rootcause reads, whole, by column name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "rootcause.h"

static int
split(char *line, struct row *r)
{
	char *t;

	r->n = 0;
	for (; line != NULL && r->n < 64; line = t) {
		if ((t = strchr(line, '\t')) != NULL)
			*t++ = '\0';
		r->f[r->n++] = line;
	}
	return r->n;
}

int
tsv_read(struct tsv *t, const char *path, char *errbuf)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	size_t len = 0, cap = 0, k;
	char *line, *nl, *nb;
	struct row *nr;

	memset(t, 0, sizeof(*t));
	if (fp == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "'%s': cannot open", path);
		return -1;
	}
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			if (cap > (256u << 20) || (nb = realloc(t->buf, cap + 1)) == NULL) {
				snprintf(errbuf, VND_ERRBUF_SIZE, "'%s': too large", path);
				goto fail;
			}
			t->buf = nb;
		}
		k = fread(t->buf + len, 1, cap - len, fp);
		len += k;
		if (k == 0)
			break;
	}
	if (fp != stdin)
		fclose(fp);
	fp = NULL;
	t->buf[len] = '\0';
	for (line = t->buf; line != NULL && *line; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		if (t->hdr.n == 0) {
			split(line, &t->hdr);
			continue;
		}
		if ((nr = realloc(t->rows, (t->n + 1) * sizeof(*nr))) == NULL)
			goto oom;
		t->rows = nr;
		split(line, &t->rows[t->n++]);
	}
	if (t->hdr.n == 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "'%s': empty", path);
		return -1;
	}
	return 0;
oom:
	snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
fail:
	if (fp != NULL && fp != stdin)
		fclose(fp);
	return -1;
}

int
col(const struct tsv *t, const char *name)
{
	int i;

	for (i = 0; i < t->hdr.n; i++)
		if (strcmp(t->hdr.f[i], name) == 0)
			return i;
	return -1;
}

const char *
get(const struct row *r, int c)
{
	return c >= 0 && c < r->n ? r->f[c] : "-";
}

void
tsv_free(struct tsv *t)
{
	free(t->buf);
	free(t->rows);
}

