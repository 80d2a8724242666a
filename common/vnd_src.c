/* vnd_src.c: byte sources: a file or stdin read(2) in large blocks, gzip, bzip2, xz or zstd undone. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "vnd.h"
#include "vnd_src.h"

/*
 * Not libwandio: version 3.0 (Debian's, bundled with libtrace 3) knows no
 * zstd, says nothing of a compressed stream that stops short, and copies every
 * block through buffers it allocates per read (18% of vnd-parse's time on a
 * plain pcap). Each decompressor here is its library's own streaming API.
 */
enum comp { C_NONE, C_GZIP, C_BZIP2, C_XZ, C_ZSTD };

struct vnd_src {
	int		 fd;
	uint8_t		 head[8];	/* bytes read to recognise compression */
	size_t		 hlen, hpos;
	enum comp	 comp;
	uint8_t		*ibuf;		/* compressed bytes */
	size_t		 ilen, ipos;
	int		 ieof;
	int		 done;		/* the compressed stream ended cleanly */
	z_stream	 z;
	bz_stream	 bz;
	lzma_stream	 xz;
	ZSTD_DCtx	*zd;
	int		 zmid;
};

#define IBUF_SIZE	(1 << 17)

static const char *const comp_names[] = { "", "gzip", "bzip2", "xz", "zstd" };

int
vnd_src_open(struct vnd_src **sp, const char *path, char *errbuf)
{
	struct vnd_src *s;
	uint8_t h[6];
	ssize_t n;
	int r = 0;

	*sp = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "%s", strerror(errno));
		return -1;
	}
	/*
	 * libtrace reads its formats through libwandio, which reads ahead in a
	 * thread into ~50 MB of buffers: memory that grows with the trace, for
	 * no gain here. A user's own LIBTRACEIO setting wins.
	 */
	setenv("LIBTRACEIO", "nothreads", 0);
	s->fd = -1;
	if (strcmp(path, "-") == 0)
		s->fd = STDIN_FILENO;
	else if ((s->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "%s", strerror(errno));
		free(s);
		return -1;
	}
	/* Up to 6 bytes to recognise a compressor; a pipe may give fewer at once. */
	while (s->hlen < sizeof(h)) {
		n = read(s->fd, s->head + s->hlen, sizeof(h) - s->hlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(errbuf, VND_ERRBUF_SIZE, "%s", strerror(errno));
			vnd_src_close(s);
			return -1;
		}
		if (n == 0)
			break;
		s->hlen += (size_t)n;
	}
	memcpy(h, s->head, s->hlen);
	n = (ssize_t)s->hlen;
	if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b)
		s->comp = C_GZIP;
	else if (n >= 3 && memcmp(h, "BZh", 3) == 0)
		s->comp = C_BZIP2;
	else if (n >= 6 && memcmp(h, "\xfd" "7zXZ", 5) == 0 && h[5] == 0)
		s->comp = C_XZ;
	else if (n >= 4 && h[0] == 0x28 && h[1] == 0xb5 && h[2] == 0x2f &&
	    h[3] == 0xfd)
		s->comp = C_ZSTD;
	if (s->comp == C_NONE) {
		*sp = s;
		return 0;
	}
	if ((s->ibuf = malloc(IBUF_SIZE)) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		vnd_src_close(s);
		return -1;
	}
	switch (s->comp) {
	case C_GZIP:
		/* 15 + 32: a gzip or zlib header, detected. */
		r = inflateInit2(&s->z, 15 + 32) == Z_OK ? 0 : -1;
		break;
	case C_BZIP2:
		r = BZ2_bzDecompressInit(&s->bz, 0, 0) == BZ_OK ? 0 : -1;
		break;
	case C_XZ:
		s->xz = (lzma_stream)LZMA_STREAM_INIT;
		r = lzma_stream_decoder(&s->xz, UINT64_MAX, LZMA_CONCATENATED) ==
		    LZMA_OK ? 0 : -1;
		break;
	case C_ZSTD:
		r = (s->zd = ZSTD_createDCtx()) != NULL ? 0 : -1;
		break;
	case C_NONE:
		break;
	}
	if (r < 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "cannot start %s decoder",
		    comp_names[s->comp]);
		s->comp = C_NONE;	/* nothing to end in close */
		vnd_src_close(s);
		return -1;
	}
	*sp = s;
	return 0;
}

/* The file's bytes: first those read to recognise it, then read(2). */
static ssize_t
raw_read(struct vnd_src *s, void *buf, size_t len, char *errbuf)
{
	ssize_t n;

	if (s->hpos < s->hlen) {
		n = (ssize_t)(s->hlen - s->hpos < len ? s->hlen - s->hpos : len);
		memcpy(buf, s->head + s->hpos, (size_t)n);
		s->hpos += (size_t)n;
		return n;
	}
	do
		n = read(s->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		snprintf(errbuf, VND_ERRBUF_SIZE, "read error: %s", strerror(errno));
	return n;
}

/* Refill the compressed buffer; -1 on a read error. */
static int
fill(struct vnd_src *s, char *errbuf)
{
	ssize_t n;

	if (s->ipos < s->ilen || s->ieof)
		return 0;
	n = raw_read(s, s->ibuf, IBUF_SIZE, errbuf);
	if (n < 0)
		return -1;
	s->ilen = (size_t)n;
	s->ipos = 0;
	if (n == 0)
		s->ieof = 1;
	return 0;
}

/* One step of the decoder: consume input at s->ipos, produce into out. */
static int
step(struct vnd_src *s, uint8_t *out, size_t len, size_t *made, char *errbuf)
{
	size_t in = s->ilen - s->ipos;
	int r;

	switch (s->comp) {
	case C_GZIP:
		s->z.next_in = s->ibuf + s->ipos;
		s->z.avail_in = (uInt)in;
		s->z.next_out = out;
		s->z.avail_out = (uInt)len;
		r = inflate(&s->z, Z_NO_FLUSH);
		*made = len - s->z.avail_out;
		s->ipos += in - s->z.avail_in;
		if (r == Z_STREAM_END) {
			/* Concatenated members (gzip -c a b) go on. */
			inflateReset(&s->z);
			s->done = 1;
		} else if (r == Z_OK || r == Z_BUF_ERROR) {
			if (*made || in != s->z.avail_in)
				s->done = 0;
		} else if (s->done) {
			/* trailing garbage after a whole member, as gzip(1) ignores */
			s->ipos = s->ilen;
			s->ieof = 1;
		} else {
			snprintf(errbuf, VND_ERRBUF_SIZE, "gzip: %s",
			    s->z.msg ? s->z.msg : "corrupt data");
			return -1;
		}
		return 0;
	case C_BZIP2:
		s->bz.next_in = (char *)s->ibuf + s->ipos;
		s->bz.avail_in = (unsigned)in;
		s->bz.next_out = (char *)out;
		s->bz.avail_out = (unsigned)len;
		r = BZ2_bzDecompress(&s->bz);
		*made = len - s->bz.avail_out;
		s->ipos += in - s->bz.avail_in;
		if (r == BZ_STREAM_END) {
			BZ2_bzDecompressEnd(&s->bz);
			memset(&s->bz, 0, sizeof(s->bz));
			BZ2_bzDecompressInit(&s->bz, 0, 0);
			s->done = 1;
		} else if (r == BZ_OK) {
			if (*made || in != s->bz.avail_in)
				s->done = 0;
		} else {
			snprintf(errbuf, VND_ERRBUF_SIZE, "bzip2: corrupt data");
			return -1;
		}
		return 0;
	case C_XZ:
		s->xz.next_in = s->ibuf + s->ipos;
		s->xz.avail_in = in;
		s->xz.next_out = out;
		s->xz.avail_out = len;
		r = lzma_code(&s->xz, s->ieof ? LZMA_FINISH : LZMA_RUN);
		*made = len - s->xz.avail_out;
		s->ipos += in - s->xz.avail_in;
		if (r == LZMA_STREAM_END)
			s->done = 1;
		else if (r != LZMA_OK && r != LZMA_BUF_ERROR) {
			snprintf(errbuf, VND_ERRBUF_SIZE, "xz: corrupt data");
			return -1;
		}
		return 0;
	case C_ZSTD: {
		ZSTD_inBuffer zi = { s->ibuf + s->ipos, in, 0 };
		ZSTD_outBuffer zo = { out, len, 0 };
		size_t z = ZSTD_decompressStream(s->zd, &zo, &zi);

		if (ZSTD_isError(z)) {
			snprintf(errbuf, VND_ERRBUF_SIZE, "zstd: %s",
			    ZSTD_getErrorName(z));
			return -1;
		}
		*made = zo.pos;
		s->ipos += zi.pos;
		s->done = z == 0;
		return 0;
	}
	case C_NONE:
		break;
	}
	return -1;
}

ssize_t
vnd_src_read(struct vnd_src *s, void *buf, size_t len, char *errbuf)
{
	size_t made = 0;

	if (s->comp == C_NONE)
		return raw_read(s, buf, len, errbuf);
	while (made == 0) {
		if (fill(s, errbuf) < 0)
			return -1;
		if (s->ieof && s->ipos == s->ilen) {
			if (s->comp == C_XZ && s->ieof == 1) {
				/* xz wants LZMA_FINISH once the input is over */
				if (step(s, buf, len, &made, errbuf) < 0)
					return -1;
				if (made)
					break;
				s->ieof = 2;
			}
			if (!s->done) {
				snprintf(errbuf, VND_ERRBUF_SIZE,
				    "%s stream ends early", comp_names[s->comp]);
				return -1;
			}
			return 0;
		}
		if (step(s, buf, len, &made, errbuf) < 0)
			return -1;
	}
	return (ssize_t)made;
}

const char *
vnd_src_compression(const struct vnd_src *s)
{
	return comp_names[s->comp];
}

int64_t
vnd_src_size(const struct vnd_src *s)
{
	struct stat st;

	if (s->comp != C_NONE || s->fd == STDIN_FILENO ||
	    fstat(s->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	return (int64_t)st.st_size;
}

int
vnd_src_fd(const struct vnd_src *s)
{
	return vnd_src_size(s) < 0 ? -1 : s->fd;
}

int
vnd_src_seek(struct vnd_src *s, uint64_t off, char *errbuf)
{
	if (s->comp != C_NONE || s->fd == STDIN_FILENO ||
	    lseek(s->fd, (off_t)off, SEEK_SET) < 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "cannot seek to byte %llu",
		    (unsigned long long)off);
		return -1;
	}
	s->hpos = s->hlen;	/* the bytes read to recognise it are behind */
	return 0;
}

void
vnd_src_close(struct vnd_src *s)
{
	if (s == NULL)
		return;
	switch (s->comp) {
	case C_GZIP:
		inflateEnd(&s->z);
		break;
	case C_BZIP2:
		BZ2_bzDecompressEnd(&s->bz);
		break;
	case C_XZ:
		lzma_end(&s->xz);
		break;
	case C_ZSTD:
		ZSTD_freeDCtx(s->zd);
		break;
	case C_NONE:
		break;
	}
	if (s->fd > STDIN_FILENO)
		close(s->fd);
	free(s->ibuf);
	free(s);
}
