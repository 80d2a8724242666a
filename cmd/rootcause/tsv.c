/* tsv.c: the small TSV artifacts rootcause reads, whole, by column name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vnd.h"
#include "vnd_grow.h"
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

static int	 tsv_lines(struct tsv *, char *);

int
tsv_read(struct tsv *t, const char *path, char *errbuf)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	size_t len;
	int r;

	memset(t, 0, sizeof(*t));
	if (fp == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "cannot open '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	r = vnd_grow_read(fp, 256u << 20, &t->buf, &len);
	if (r < 0 && (errno == EFBIG || errno == ENOMEM))
		snprintf(errbuf, VND_ERRBUF_SIZE, "'%s': too large", path);
	else if (r < 0)
		snprintf(errbuf, VND_ERRBUF_SIZE, "cannot read '%s': %s", path,
		    strerror(errno));
	if (fp != stdin)
		fclose(fp);
	if (r < 0)
		return -1;
	t->name = path;
	return tsv_lines(t, errbuf);
}

/* t->buf, NUL-terminated, into the header and the rows. */
static int
tsv_lines(struct tsv *t, char *errbuf)
{
	char *line, *nl;
	struct row *nr;

	for (line = t->buf; line != NULL && *line; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		if (t->hdr.n == 0) {
			split(line, &t->hdr);
			continue;
		}
		if ((nr = vnd_grow(t->rows, &t->cap, t->n, sizeof(*nr),
		    256)) == NULL)
			goto oom;
		t->rows = nr;
		split(line, &t->rows[t->n++]);
	}
	if (t->hdr.n == 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "'%s': empty", t->name);
		tsv_free(t);
		return -1;
	}
	return 0;
oom:
	snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
	tsv_free(t);
	return -1;
}

/*
 * A chain: a TSV file, or on the command line as ELEMENT=IN/OUT,... (a
 * point name has no '/'): what is not a file and has an '=' is the latter.
 */
int
chain_inline(const char *arg)
{
	return strcmp(arg, "-") != 0 && strchr(arg, '=') != NULL &&
	    access(arg, F_OK) != 0;
}

int
chain_read(struct tsv *t, const char *arg, char *errbuf)
{
	const char *p, *e, *sl, *end;
	size_t n = 0, cap;

	if (!chain_inline(arg))
		return tsv_read(t, arg, errbuf);
	memset(t, 0, sizeof(*t));
	cap = strlen(arg) * 2 + 64;
	if ((t->buf = malloc(cap)) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		tsv_free(t);
		return -1;
	}
	n = (size_t)snprintf(t->buf, cap, "element\tin_point\tout_point\n");
	for (p = arg; *p != '\0'; p = *end ? end + 1 : end) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		e = memchr(p, '=', (size_t)(end - p));
		sl = e ? memchr(e, '/', (size_t)(end - e)) : NULL;
		if (e == NULL || e == p || sl == NULL || sl == e + 1 ||
		    sl + 1 == end || memchr(sl + 1, '/', (size_t)(end - sl - 1)) ||
		    memchr(p, '\t', (size_t)(end - p))) {
			snprintf(errbuf, VND_ERRBUF_SIZE, "--chain '%.*s': not "
			    "ELEMENT=IN_POINT/OUT_POINT ('-' for none)",
			    (int)(end - p), p);
			tsv_free(t);
			return -1;
		}
		n += (size_t)snprintf(t->buf + n, cap - n, "%.*s\t%.*s\t%.*s\n",
		    (int)(e - p), p, (int)(sl - e - 1), e + 1,
		    (int)(end - sl - 1), sl + 1);
	}
	t->name = "--chain";
	return tsv_lines(t, errbuf);
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

int
tsv_need(const struct tsv *t, const char *const *cols, int ncols,
    const char *what, char *errbuf)
{
	char list[128] = "";
	size_t k = 0;
	int i;

	for (i = 0; i < ncols; i++)
		if (col(t, cols[i]) < 0)
			break;
	if (i == ncols)
		return 0;
	for (i = 0; i < ncols && what == NULL && k < sizeof(list); i++)
		k += (size_t)snprintf(list + k, sizeof(list) - k, "%s%s",
		    i ? ", " : "", cols[i]);
	snprintf(errbuf, VND_ERRBUF_SIZE, "'%s': %s%s%s", t->name,
	    what ? "" : "no ", what ? what : list, what ? "" : " columns");
	return -1;
}

void
tsv_free(struct tsv *t)
{
	free(t->buf);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

