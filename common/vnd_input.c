/* vnd_input.c: recognise a capture's format by content and hand out its frames. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "vnd.h"
#include "vnd_input_int.h"
#include "vnd_in_libtrace.h"
#include "vnd_src.h"

/*
 * pcap and pcapng are read by vnd rather than by libpcap: libpcap refuses a
 * pcapng file whose interfaces have different link types, and says nothing of
 * where a file was cut. Records are parsed in place from one large buffer.
 */

/*
 * A plain pcap or pcapng file is read mapped, a window at a time: read(2)
 * copied every byte from the page cache into the buffer (a sixth of the
 * time vnd-parse spent decoding), a window maps the cache's pages where
 * they are. The window before is unmapped when the reader moves on, so the
 * memory is one window's whatever the file's length. (A file truncated by
 * another program while it is read raises SIGBUS, as in git or ripgrep;
 * vnd_cli ends the run on it as on a read error. A file that grows is
 * read to its new end.)
 */
#define MAP_WINDOW	(4 << 20)

/* Map the window from byte at, n bytes at least (fewer at the file's end). */
static int
map_window(struct vnd_input *in, uint64_t at, size_t n, char *errbuf)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t off = at - at % page, len;
	void *m;

	len = at - off + (n > MAP_WINDOW ? n : MAP_WINDOW);
	if (len > in->mapsize - off)
		len = in->mapsize - off;
	/* the last window first: what was read in it is read no more */
	if (in->map != NULL)
		munmap(in->map, in->maplen);
	in->map = NULL;
	m = mmap(NULL, (size_t)len, PROT_READ, MAP_PRIVATE | MAP_POPULATE,
	    in->mapfd, (off_t)off);
	if (m == MAP_FAILED) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "read error: %s",
		    strerror(errno));
		return -1;
	}
	in->map = in->buf = m;
	in->maplen = in->cap = in->end = (size_t)len;
	in->base = off;
	in->beg = (size_t)(at - off);
	return 0;
}

/* vnd_in_need() of a mapped file. */
static ssize_t
map_need(struct vnd_input *in, size_t n, char *errbuf)
{
	uint64_t at = in->base + in->beg;
	size_t have = in->end - in->beg;
	int64_t size;

	if (have >= n)
		return (ssize_t)n;
	/* a file still being written may have grown */
	if (at + have >= in->mapsize && (size = vnd_src_size(in->src)) >
	    (int64_t)in->mapsize)
		in->mapsize = (uint64_t)size;
	if (at + have < in->mapsize) {
		if (map_window(in, at, n, errbuf) < 0)
			return -1;
		have = in->end - in->beg;
	}
	return (ssize_t)(have < n ? have : n);
}

/*
 * A plain pcap or pcapng file is read mapped from here on, if it can be;
 * the bytes read to recognise it are taken again from the map.
 */
static void
start_map(struct vnd_input *in)
{
	char errbuf[VND_ERRBUF_SIZE];
	int64_t size;

	if ((in->fmt != F_PCAP && in->fmt != F_PCAPNG) ||
	    (size = vnd_src_size(in->src)) <= 0 ||
	    (uint64_t)size <= in->base + in->beg)
		return;
	in->mapfd = vnd_src_fd(in->src);
	in->mapsize = (uint64_t)size;
	if (map_window(in, in->base + in->beg, 0, errbuf) < 0) {
		in->mapfd = -1;		/* a file system that cannot: read(2) */
		return;
	}
	free(in->rbuf);			/* read(2) fills it no more */
	in->rbuf = NULL;
}

/*
 * Make n bytes available at buf + beg. Returns how many are (fewer only at
 * the end of the input), or -1 on a read error.
 */
ssize_t
vnd_in_fill(struct vnd_input *in, size_t n, char *errbuf)
{
	ssize_t r;
	size_t want;

	if (in->mapfd >= 0)
		return map_need(in, n, errbuf);
	while (in->end - in->beg < n && !in->eof) {
		if (in->beg + n > in->cap) {
			memmove(in->buf, in->buf + in->beg, in->end - in->beg);
			in->base += in->beg;
			in->end -= in->beg;
			in->beg = 0;
			if (n > in->cap) {
				size_t nc = in->cap;
				uint8_t *nb;

				while (nc < n)
					nc *= 2;
				if ((nb = realloc(in->buf, nc)) == NULL) {
					snprintf(errbuf, VND_ERRBUF_SIZE,
					    "out of memory");
					return -1;
				}
				in->rbuf = in->buf = nb;
				in->cap = nc;
			}
		}
		want = in->cap - in->end;
		if (in->stop != 0) {
			/* a part: no further than its end, but what n needs */
			uint64_t at = in->base + in->end;
			size_t lack = n - (in->end - in->beg);
			size_t upto = at < in->stop ? (size_t)(in->stop - at) : 0;

			if ((upto > lack ? upto : lack) < want)
				want = upto > lack ? upto : lack;
		}
		r = vnd_src_read(in->src, in->buf + in->end, want, errbuf);
		if (r < 0)
			return -1;
		if (r == 0)
			in->eof = 1;
		in->end += (size_t)r;
	}
	return (ssize_t)(in->end - in->beg < n ? in->end - in->beg : n);
}

uint64_t
vnd_in_here(const struct vnd_input *in)
{
	return in->base + in->beg;
}

static int
truncated(struct vnd_input *in, const char *what, char *errbuf)
{
	snprintf(errbuf, VND_ERRBUF_SIZE, "truncated %s at byte %llu", what,
	    (unsigned long long)vnd_in_here(in));
	return VND_IN_TRUNC;
}

/* After vnd_in_need() came up short: a read error, or the file ends in a record. */
int
vnd_in_short(struct vnd_input *in, ssize_t got, const char *what, char *errbuf)
{
	if (got < 0)
		return VND_IN_ERR;
	if (got == 0)
		return VND_IN_EOF;
	return truncated(in, what, errbuf);
}

/* --- libtrace, for everything else --- */

/* libtrace opens files by name: standard input goes to a temporary file. */
static int
spool(struct vnd_input *in, char *errbuf)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	FILE *fp;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/vnd-stdin.XXXXXX",
	    dir && *dir ? dir : "/tmp");
	if ((fd = mkstemp(path)) < 0 || (fp = fdopen(fd, "wb")) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "cannot spool standard input: %s",
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if ((in->spool = strdup(path)) == NULL) {
		fclose(fp);
		unlink(path);
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	for (;;) {
		if (fwrite(in->buf + in->beg, 1, in->end - in->beg, fp) !=
		    in->end - in->beg)
			goto werr;
		in->beg = in->end = 0;
		if ((n = vnd_src_read(in->src, in->buf, in->cap, errbuf)) < 0) {
			fclose(fp);
			return -1;
		}
		if (n == 0)
			break;
		in->end = (size_t)n;
	}
	if (fclose(fp) != 0)
		goto werr2;
	return 0;
werr:
	fclose(fp);
werr2:
	snprintf(errbuf, VND_ERRBUF_SIZE, "cannot spool standard input: %s",
	    strerror(errno));
	return -1;
}

static int
lt_open(struct vnd_input *in, const char *path, const char *format,
    char *errbuf)
{
	char uri[4200];
	const char *file = path;

	if (strcmp(path, "-") == 0 || *vnd_src_compression(in->src) == 'z') {
		/* libtrace 3 cannot read stdin after our peek, nor zstd. */
		if (spool(in, errbuf) < 0)
			return -1;
		file = in->spool;
	}
	if (format != NULL)
		snprintf(uri, sizeof(uri), "%s:%s", format, file);
	else
		snprintf(uri, sizeof(uri), "%s", file);
	if (vnd_lt_open(&in->lt, uri, errbuf) < 0) {
		if (format == NULL)
			snprintf(errbuf, VND_ERRBUF_SIZE,
			    "not a capture file (unknown format)");
		return -1;
	}
	snprintf(in->name, sizeof(in->name), "%s", vnd_lt_format(in->lt));
	in->fmt = F_LIBTRACE;
	return 0;
}

int
vnd_input_open(struct vnd_input **ip, const char *path, const char *format,
    char *errbuf)
{
	struct vnd_input *in;
	const uint8_t *h;
	ssize_t got;
	const char *comp;
	int r;

	*ip = NULL;
	if ((in = calloc(1, sizeof(*in))) == NULL ||
	    (in->rbuf = in->buf = malloc(BUF_MIN)) == NULL) {
		free(in);
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	in->cap = BUF_MIN;
	in->mapfd = -1;
	if (vnd_src_open(&in->src, path, errbuf) < 0)
		goto fail;
	if (format != NULL) {
		if (lt_open(in, path, format, errbuf) < 0)
			goto fail;
		goto done;
	}
	if ((got = vnd_in_need(in, 256, errbuf)) < 0)
		goto fail;
	h = in->buf;
	if (got == 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "empty file");
		goto fail;
	}
	if (got >= 4 && (memcmp(h, "\xa1\xb2\xc3\xd4", 4) == 0 ||
	    memcmp(h, "\xd4\xc3\xb2\xa1", 4) == 0 ||
	    memcmp(h, "\xa1\xb2\x3c\x4d", 4) == 0 ||
	    memcmp(h, "\x4d\x3c\xb2\xa1", 4) == 0 ||
	    memcmp(h, "\xa1\xb2\xcd\x34", 4) == 0 ||
	    memcmp(h, "\x34\xcd\xb2\xa1", 4) == 0)) {
		if (got < 24) {
			snprintf(errbuf, VND_ERRBUF_SIZE,
			    "truncated pcap file header");
			goto fail;
		}
		in->fmt = F_PCAP;
		r = vnd_pcap_open(in, h, errbuf);
	} else if (got >= 4 && memcmp(h, "\x0a\x0d\x0d\x0a", 4) == 0) {
		in->fmt = F_PCAPNG;
		snprintf(in->name, sizeof(in->name), "pcapng");
		if (got < 12) {
			snprintf(errbuf, VND_ERRBUF_SIZE,
			    "truncated pcapng section header");
			goto fail;
		}
		r = 0;
	} else if (got >= 16 && memcmp(h, "SQLite format 3", 16) == 0) {
		/* vnd_pktsrc reads vnd-parse's by name, before this */
		snprintf(errbuf, VND_ERRBUF_SIZE, "an SQLite database, not a "
		    "capture (a packets database is read from a file, by name)");
		goto fail;
	} else if (got >= 6 && memcmp(h, "frame\t", 6) == 0) {
		in->fmt = F_TABLE;	/* vnd-parse's packets table */
		snprintf(in->name, sizeof(in->name), "tsv");
		r = 0;
	} else if (got >= 16 && memcmp(h, "snoop\0\0\0", 8) == 0) {
		in->fmt = F_SNOOP;
		r = vnd_snoop_open(in, h, errbuf);
	} else if (vnd_peek_probe(h, (size_t)got)) {
		in->fmt = F_PEEK;
		r = vnd_peek_open(in, h, (size_t)got, errbuf);
	} else if (vnd_erf_probe(h, (size_t)got)) {
		in->fmt = F_ERF;
		snprintf(in->name, sizeof(in->name), "erf");
		r = 0;
	} else
		r = lt_open(in, path, NULL, errbuf);
	if (r < 0)
		goto fail;
	start_map(in);
done:
	comp = vnd_src_compression(in->src);
	if (*comp != '\0') {
		size_t l = strlen(in->name);
		snprintf(in->name + l, sizeof(in->name) - l, "+%s", comp);
	}
	*ip = in;
	return 0;
fail:
	vnd_input_close(in);
	return -1;
}

int
vnd_input_next(struct vnd_input *in, struct vnd_frame *f, char *errbuf)
{
	switch (in->fmt) {
	case F_PCAP:
		return vnd_pcap_next(in, f, errbuf);
	case F_PCAPNG:
		return vnd_pcapng_next(in, f, errbuf);
	case F_SNOOP:
		return vnd_snoop_next(in, f, errbuf);
	case F_ERF:
		return vnd_erf_next(in, f, errbuf);
	case F_PEEK:
		return vnd_peek_next(in, f, errbuf);
	case F_LIBTRACE:
		return vnd_lt_next(in->lt, f, errbuf);
	case F_TABLE:
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "a packets table, not a capture: this tool reads captures");
		return VND_IN_ERR;
	}
	return VND_IN_ERR;
}

int
vnd_input_is_table(const struct vnd_input *in)
{
	return in->fmt == F_TABLE;
}

int
vnd_input_line(struct vnd_input *in, char **line, size_t *len, char *errbuf)
{
	size_t n = 0, want = 4096;
	ssize_t got;
	char *nl;

	for (;;) {
		if ((got = vnd_in_need(in, want, errbuf)) < 0)
			return VND_IN_ERR;
		nl = memchr(in->buf + in->beg + n, '\n', (size_t)got - n);
		if (nl != NULL) {
			*line = (char *)in->buf + in->beg;
			*len = (size_t)(nl - *line);
			*nl = '\0';
			in->beg += *len + 1;
			return 1;
		}
		if ((size_t)got < want) {
			if (got == 0)
				return VND_IN_EOF;
			snprintf(errbuf, VND_ERRBUF_SIZE,
			    "truncated line at byte %llu",
			    (unsigned long long)vnd_in_here(in));
			return VND_IN_TRUNC;
		}
		n = (size_t)got;
		if (want >= (1 << 20)) {
			snprintf(errbuf, VND_ERRBUF_SIZE,
			    "line longer than 1 MiB at byte %llu",
			    (unsigned long long)vnd_in_here(in));
			return VND_IN_ERR;
		}
		want *= 2;
	}
}



uint64_t
vnd_input_parts(const struct vnd_input *in, uint64_t *first, int *stateful)
{
	int64_t size;

	if ((in->fmt != F_PCAP && in->fmt != F_PCAPNG) ||
	    (size = vnd_src_size(in->src)) < 0)
		return 0;
	*first = in->fmt == F_PCAP ? 24 : 0;
	*stateful = in->fmt == F_PCAPNG;
	return (uint64_t)size;
}

struct vnd_input_state {
	int		 swap;
	size_t		 nifs;
	struct iface	*ifs;
};

struct vnd_input_state *
vnd_input_state(const struct vnd_input *in)
{
	struct vnd_input_state *st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	st->swap = in->swap;
	if (in->nifs > 0) {
		if ((st->ifs = malloc(in->nifs * sizeof(*st->ifs))) == NULL) {
			free(st);
			return NULL;
		}
		memcpy(st->ifs, in->ifs, in->nifs * sizeof(*st->ifs));
		st->nifs = in->nifs;
	}
	return st;
}

int
vnd_input_set_state(struct vnd_input *in, const struct vnd_input_state *st)
{
	struct iface *n = NULL;

	if (st->nifs > 0) {
		if ((n = malloc(st->nifs * sizeof(*n))) == NULL)
			return -1;
		memcpy(n, st->ifs, st->nifs * sizeof(*n));
	}
	free(in->ifs);
	in->ifs = n;
	in->nifs = st->nifs;
	in->swap = st->swap;
	return 0;
}

int
vnd_input_state_eq(const struct vnd_input_state *a,
    const struct vnd_input_state *b)
{
	size_t i;

	if (a->swap != b->swap || a->nifs != b->nifs)
		return 0;
	for (i = 0; i < a->nifs; i++)
		if (a->ifs[i].linktype != b->ifs[i].linktype ||
		    a->ifs[i].units != b->ifs[i].units ||
		    a->ifs[i].pow2 != b->ifs[i].pow2 ||
		    a->ifs[i].tsres != b->ifs[i].tsres ||
		    a->ifs[i].tsoff != b->ifs[i].tsoff)
			return 0;
	return 1;
}

void
vnd_input_state_free(struct vnd_input_state *st)
{
	if (st == NULL)
		return;
	free(st->ifs);
	free(st);
}

int
vnd_input_clone(const struct vnd_input *in, const char *path,
    struct vnd_input **cp, char *errbuf)
{
	struct vnd_input *c;

	*cp = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->rbuf = c->buf = malloc(BUF_MIN)) == NULL) {
		free(c);
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	c->cap = BUF_MIN;
	c->mapfd = -1;
	if (vnd_src_open(&c->src, path, errbuf) < 0) {
		vnd_input_close(c);
		return -1;
	}
	if (in->mapfd >= 0 && (c->mapfd = vnd_src_fd(c->src)) >= 0)
		c->mapsize = (uint64_t)vnd_src_size(c->src);	/* mapped at need */
	c->fmt = in->fmt;
	c->swap = in->swap;
	c->nsec = in->nsec;
	c->linktype = in->linktype;
	c->rechdr = in->rechdr;
	c->lenswap = in->lenswap;
	memcpy(c->name, in->name, sizeof(c->name));
	*cp = c;
	return 0;
}

int
vnd_input_seek(struct vnd_input *in, uint64_t off, uint64_t stop,
    char *errbuf)
{
	if (in->mapfd < 0 && vnd_src_seek(in->src, off, errbuf) < 0)
		return -1;
	in->beg = in->end = 0;
	in->base = off;
	in->eof = 0;
	in->stop = stop;
	return 0;
}

int
vnd_input_sync(struct vnd_input *in, uint64_t off, uint64_t stop,
    uint64_t *at, char *errbuf)
{
	ssize_t got;
	size_t i;

	if (vnd_input_seek(in, off, stop, errbuf) < 0 ||
	    (got = vnd_in_need(in, VND_SYNC_WINDOW, errbuf)) < 0)
		return -1;
	for (i = 0; i < (size_t)got; i += in->fmt == F_PCAPNG ? 4 : 1)
		if ((in->fmt == F_PCAPNG ? vnd_pcapng_plausible :
		    vnd_pcap_plausible)(in, in->buf + i, (size_t)got - i,
		    (size_t)got < VND_SYNC_WINDOW)) {
			in->beg = i;
			*at = off + i;
			return 1;
		}
	return 0;
}

const char *
vnd_input_format(const struct vnd_input *in)
{
	return in->name;
}

void
vnd_input_close(struct vnd_input *in)
{
	if (in == NULL)
		return;
	vnd_lt_close(in->lt);
	vnd_src_close(in->src);
	if (in->spool != NULL) {
		unlink(in->spool);
		free(in->spool);
	}
	free(in->ifs);
	if (in->map != NULL)
		munmap(in->map, in->maplen);
	free(in->rbuf);
	free(in);
}
