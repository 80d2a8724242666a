/* vnd_input.c: pcap, pcapng and snoop read here, other formats through libtrace. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vnd.h"
#include "vnd_input.h"
#include "vnd_libtrace.h"
#include "vnd_src.h"

/*
 * pcap and pcapng are read here rather than by libpcap: libpcap refuses a
 * pcapng file whose interfaces have different link types, and says nothing of
 * where a file was cut. Records are parsed in place from one large buffer.
 */

#define BUF_MIN		(1 << 20)
#define REC_MAX		(16 << 20)	/* larger records are corruption */
#define MAX_IFACES	4096

enum fmt { F_PCAP, F_PCAPNG, F_SNOOP, F_LIBTRACE };

struct iface {
	int		 linktype;
	uint64_t	 units;		/* timestamp units per second */
	int		 pow2;		/* units is 2^n, n in tsres */
	int		 tsres;
	int64_t		 tsoff;		/* seconds added to every timestamp */
};

struct vnd_input {
	enum fmt	 fmt;
	struct vnd_src	*src;
	uint8_t		*buf;
	size_t		 cap, beg, end;
	uint64_t	 base;		/* offset of buf[0] in the stream */
	int		 eof;
	int		 swap;		/* file byte order differs from ours */
	int		 nsec;		/* pcap: nanosecond timestamps */
	int		 linktype;	/* pcap, snoop */
	int		 rechdr;	/* pcap record header size (16, or 24) */
	struct iface	*ifs;		/* pcapng interfaces of this section */
	size_t		 nifs;
	struct vnd_lt	*lt;
	char		*spool;		/* temp file of stdin for libtrace */
	char		 name[48];
};

static uint16_t
g16(const struct vnd_input *in, const uint8_t *p)
{
	return in->swap ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t
g32(const struct vnd_input *in, const uint8_t *p)
{
	if (in->swap)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

/*
 * Make n bytes available at buf + beg. Returns how many are (fewer only at
 * the end of the input), or -1 on a read error.
 */
static ssize_t
need(struct vnd_input *in, size_t n, char *errbuf)
{
	ssize_t r;

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
				in->buf = nb;
				in->cap = nc;
			}
		}
		r = vnd_src_read(in->src, in->buf + in->end, in->cap - in->end,
		    errbuf);
		if (r < 0)
			return -1;
		if (r == 0)
			in->eof = 1;
		in->end += (size_t)r;
	}
	return (ssize_t)(in->end - in->beg < n ? in->end - in->beg : n);
}

static uint64_t
here(const struct vnd_input *in)
{
	return in->base + in->beg;
}

static int
truncated(struct vnd_input *in, const char *what, char *errbuf)
{
	snprintf(errbuf, VND_ERRBUF_SIZE, "truncated %s at byte %llu", what,
	    (unsigned long long)here(in));
	return VND_IN_TRUNC;
}

/* After need() came up short: a read error, or the file ends in a record. */
static int
short_read(struct vnd_input *in, ssize_t got, const char *what, char *errbuf)
{
	if (got < 0)
		return VND_IN_ERR;
	if (got == 0)
		return VND_IN_EOF;
	return truncated(in, what, errbuf);
}

/* --- pcap (https://www.tcpdump.org/manpages/pcap-savefile.5.html) --- */

static int
pcap_open(struct vnd_input *in, const uint8_t *h, char *errbuf)
{
	uint32_t magic = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
	    (uint32_t)h[2] << 8 | h[3];
	uint16_t major;

	in->rechdr = 16;
	switch (magic) {
	case 0xa1b2c3d4: in->swap = 1; break;
	case 0xd4c3b2a1: in->swap = 0; break;
	case 0xa1b23c4d: in->swap = 1; in->nsec = 1; break;
	case 0x4d3cb2a1: in->swap = 0; in->nsec = 1; break;
	case 0xa1b2cd34: in->swap = 1; in->rechdr = 24; break;	/* Kuznetzov */
	case 0x34cdb2a1: in->swap = 0; in->rechdr = 24; break;
	}
	major = g16(in, h + 4);
	if (major != 2) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "unsupported pcap version %u.%u", major, g16(in, h + 6));
		return -1;
	}
	/* The upper bits carry FCS length and reserved flags (pcap-savefile(5)). */
	in->linktype = (int)(g32(in, h + 20) & 0x03ffffff);
	in->beg += 24;
	snprintf(in->name, sizeof(in->name), "%s", in->nsec ? "pcap-ns" : "pcap");
	return 0;
}

static int
pcap_next(struct vnd_input *in, struct vnd_frame *f, char *errbuf)
{
	const uint8_t *h;
	uint32_t sec, frac, incl, orig;
	ssize_t got;

	if ((got = need(in, (size_t)in->rechdr, errbuf)) < in->rechdr)
		return short_read(in, got, "record header", errbuf);
	h = in->buf + in->beg;
	sec = g32(in, h);
	frac = g32(in, h + 4);
	incl = g32(in, h + 8);
	orig = g32(in, h + 12);
	if (incl > REC_MAX) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "bad record length %u at byte %llu", incl,
		    (unsigned long long)here(in));
		return VND_IN_ERR;
	}
	if ((got = need(in, in->rechdr + (size_t)incl, errbuf)) <
	    (ssize_t)(in->rechdr + incl))
		return short_read(in, got < 0 ? -1 : 1, "record", errbuf);
	h = in->buf + in->beg;
	f->offset = here(in);
	f->ts_ns = (int64_t)sec * 1000000000 +
	    (in->nsec ? (int64_t)frac : (int64_t)frac * 1000);
	f->caplen = incl;
	f->wirelen = orig;
	f->linktype = in->linktype;
	f->data = h + in->rechdr;
	in->beg += in->rechdr + incl;
	return VND_IN_FRAME;
}

/* --- pcapng (draft-ietf-opsawg-pcapng) --- */

#define BT_SHB	0x0a0d0d0a
#define BT_IDB	0x00000001
#define BT_OPB	0x00000002
#define BT_SPB	0x00000003
#define BT_EPB	0x00000006

/* Walk the options of a block body; -1 when one runs past the end. */
static int
pcapng_opts(struct vnd_input *in, const uint8_t *p, size_t len,
    struct iface *ifc)
{
	uint16_t code, olen;
	size_t pad;

	while (len >= 4) {
		code = g16(in, p);
		olen = g16(in, p + 2);
		if (code == 0)
			return 0;		/* opt_endofopt */
		pad = ((size_t)olen + 3) & ~(size_t)3;
		if (4 + pad > len)
			return -1;
		if (ifc != NULL && code == 9 && olen >= 1) {	/* if_tsresol */
			ifc->tsres = p[4] & 0x7f;
			ifc->pow2 = (p[4] & 0x80) != 0;
		}
		if (ifc != NULL && code == 14 && olen >= 8)	/* if_tsoffset */
			ifc->tsoff = (int64_t)((uint64_t)g32(in, p + 4 + (in->swap ? 0 : 4)) << 32 |
			    g32(in, p + 4 + (in->swap ? 4 : 0)));
		p += 4 + pad;
		len -= 4 + pad;
	}
	return 0;
}

static int
pcapng_shb(struct vnd_input *in, const uint8_t *b, uint32_t blen, char *errbuf)
{
	uint16_t major, minor;

	major = g16(in, b + 12);
	minor = g16(in, b + 14);
	/* libpcap and Wireshark read 1.0, and 1.2 as 1.0 (pcapng draft, 4.1). */
	if (major != 1 || (minor != 0 && minor != 2)) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "unsupported pcapng version %u.%u", major, minor);
		return -1;
	}
	if (pcapng_opts(in, b + 24, blen - 28, NULL) < 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "corrupt pcapng section header options at byte %llu",
		    (unsigned long long)here(in));
		return -1;
	}
	free(in->ifs);
	in->ifs = NULL;
	in->nifs = 0;
	return 0;
}

static int
pcapng_idb(struct vnd_input *in, const uint8_t *b, uint32_t blen, char *errbuf)
{
	struct iface ifc, *n;

	if (blen < 20) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "short interface description block at byte %llu",
		    (unsigned long long)here(in));
		return -1;
	}
	if (in->nifs >= MAX_IFACES) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "more than %d interfaces",
		    MAX_IFACES);
		return -1;
	}
	memset(&ifc, 0, sizeof(ifc));
	ifc.linktype = g16(in, b + 8);
	ifc.tsres = 6;
	if (pcapng_opts(in, b + 16, blen - 20, &ifc) < 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "corrupt interface options at byte %llu",
		    (unsigned long long)here(in));
		return -1;
	}
	if ((!ifc.pow2 && ifc.tsres > 19) || (ifc.pow2 && ifc.tsres > 63)) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "unsupported timestamp resolution at byte %llu",
		    (unsigned long long)here(in));
		return -1;
	}
	if (ifc.pow2)
		ifc.units = (uint64_t)1 << ifc.tsres;
	else {
		int i;

		for (ifc.units = 1, i = 0; i < ifc.tsres; i++)
			ifc.units *= 10;
	}
	if ((n = realloc(in->ifs, (in->nifs + 1) * sizeof(*n))) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	in->ifs = n;
	in->ifs[in->nifs++] = ifc;
	return 0;
}

static int64_t
pcapng_ts(const struct iface *ifc, uint64_t ts)
{
	uint64_t sec = ts / ifc->units, frac = ts % ifc->units;
	unsigned __int128 ns = (unsigned __int128)frac * 1000000000u / ifc->units;

	return (int64_t)(sec + (uint64_t)ifc->tsoff) * 1000000000 + (int64_t)ns;
}

static int
pcapng_next(struct vnd_input *in, struct vnd_frame *f, char *errbuf)
{
	const uint8_t *b;
	uint32_t type, blen, ifid, incl, orig;
	uint64_t ts;
	ssize_t got;

	for (;;) {
		if ((got = need(in, 12, errbuf)) < 12)
			return short_read(in, got, "block header", errbuf);
		b = in->buf + in->beg;
		type = g32(in, b);
		if (type == BT_SHB) {
			/* A new section may change the byte order. */
			if ((got = need(in, 28, errbuf)) < 28)
				return short_read(in, got < 0 ? -1 : 1,
				    "section header", errbuf);
			b = in->buf + in->beg;
			if (memcmp(b + 8, "\x1a\x2b\x3c\x4d", 4) == 0)
				in->swap = 1;
			else if (memcmp(b + 8, "\x4d\x3c\x2b\x1a", 4) == 0)
				in->swap = 0;
			else {
				snprintf(errbuf, VND_ERRBUF_SIZE,
				    "bad pcapng byte-order magic at byte %llu",
				    (unsigned long long)here(in));
				return VND_IN_ERR;
			}
		}
		blen = g32(in, b + 4);
		if (blen < 12 || blen % 4 != 0 || blen > REC_MAX ||
		    (type == BT_SHB && blen < 28)) {
			snprintf(errbuf, VND_ERRBUF_SIZE,
			    "bad pcapng block length %u at byte %llu", blen,
			    (unsigned long long)here(in));
			return VND_IN_ERR;
		}
		if ((got = need(in, blen, errbuf)) < (ssize_t)blen)
			return short_read(in, got < 0 ? -1 : 1, "block", errbuf);
		b = in->buf + in->beg;
		if (g32(in, b + blen - 4) != blen) {
			snprintf(errbuf, VND_ERRBUF_SIZE,
			    "pcapng block lengths disagree at byte %llu",
			    (unsigned long long)here(in));
			return VND_IN_ERR;
		}
		f->offset = here(in);
		switch (type) {
		case BT_SHB:
			if (pcapng_shb(in, b, blen, errbuf) < 0)
				return VND_IN_ERR;
			break;
		case BT_IDB:
			if (pcapng_idb(in, b, blen, errbuf) < 0)
				return VND_IN_ERR;
			break;
		case BT_EPB:
		case BT_OPB:
			if (blen < 32)
				goto badblock;
			if (type == BT_EPB)
				ifid = g32(in, b + 8);
			else
				ifid = g16(in, b + 8);
			ts = (uint64_t)g32(in, b + 12) << 32 | g32(in, b + 16);
			incl = g32(in, b + 20);
			orig = g32(in, b + 24);
			if (incl > blen - 32)
				goto badblock;
			if (ifid >= in->nifs) {
				snprintf(errbuf, VND_ERRBUF_SIZE,
				    "packet on undeclared interface %u at byte %llu",
				    ifid, (unsigned long long)here(in));
				return VND_IN_ERR;
			}
			f->ts_ns = pcapng_ts(&in->ifs[ifid], ts);
			f->caplen = incl;
			f->wirelen = orig;
			f->linktype = in->ifs[ifid].linktype;
			f->data = b + 28;
			in->beg += blen;
			return VND_IN_FRAME;
		case BT_SPB:
			if (blen < 16)
				goto badblock;
			if (in->nifs == 0) {
				snprintf(errbuf, VND_ERRBUF_SIZE,
				    "simple packet block before any interface");
				return VND_IN_ERR;
			}
			orig = g32(in, b + 8);
			incl = orig < blen - 16 ? orig : blen - 16;
			f->ts_ns = 0;
			f->caplen = incl;
			f->wirelen = orig;
			f->linktype = in->ifs[0].linktype;
			f->data = b + 12;
			in->beg += blen;
			return VND_IN_FRAME;
		}
		in->beg += blen;
	}
badblock:
	snprintf(errbuf, VND_ERRBUF_SIZE, "corrupt packet block at byte %llu",
	    (unsigned long long)here(in));
	return VND_IN_ERR;
}

/* --- snoop (RFC 1761) --- */

static int
snoop_open(struct vnd_input *in, const uint8_t *h, char *errbuf)
{
	uint32_t ver, dl;

	in->swap = 1;
	ver = g32(in, h + 8);
	dl = g32(in, h + 12);
	if (ver != 2) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "unsupported snoop version %u",
		    ver);
		return -1;
	}
	switch (dl) {
	case 4:
		in->linktype = 1;	/* Ethernet */
		break;
	case 8:
		in->linktype = 10;	/* FDDI */
		break;
	default:
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "unsupported snoop datalink type %u", dl);
		return -1;
	}
	in->beg += 16;
	snprintf(in->name, sizeof(in->name), "snoop");
	return 0;
}

static int
snoop_next(struct vnd_input *in, struct vnd_frame *f, char *errbuf)
{
	const uint8_t *h;
	uint32_t orig, incl, rlen;
	ssize_t got;

	if ((got = need(in, 24, errbuf)) < 24)
		return short_read(in, got, "record header", errbuf);
	h = in->buf + in->beg;
	orig = g32(in, h);
	incl = g32(in, h + 4);
	rlen = g32(in, h + 8);
	if (rlen < 24 + incl || rlen > REC_MAX) {
		snprintf(errbuf, VND_ERRBUF_SIZE,
		    "bad snoop record length at byte %llu",
		    (unsigned long long)here(in));
		return VND_IN_ERR;
	}
	if ((got = need(in, rlen, errbuf)) < (ssize_t)rlen) {
		/* The last record's padding may be missing. */
		if (got >= (ssize_t)(24 + incl) && in->eof)
			rlen = (uint32_t)got;
		else
			return short_read(in, got < 0 ? -1 : 1, "record", errbuf);
	}
	h = in->buf + in->beg;
	f->offset = here(in);
	f->ts_ns = (int64_t)g32(in, h + 16) * 1000000000 +
	    (int64_t)g32(in, h + 20) * 1000;
	f->caplen = incl;
	f->wirelen = orig;
	f->linktype = in->linktype;
	f->data = h + 24;
	in->beg += rlen;
	return VND_IN_FRAME;
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
			    "not a capture file (unknown format; -F names one)");
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
	    (in->buf = malloc(BUF_MIN)) == NULL) {
		free(in);
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	in->cap = BUF_MIN;
	if (vnd_src_open(&in->src, path, errbuf) < 0)
		goto fail;
	if (format != NULL) {
		if (lt_open(in, path, format, errbuf) < 0)
			goto fail;
		goto done;
	}
	if ((got = need(in, 24, errbuf)) < 0)
		goto fail;
	h = in->buf;
	if (got == 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "empty file");
		goto fail;
	}
	r = 1;
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
		r = pcap_open(in, h, errbuf);
	} else if (got >= 4 && memcmp(h, "\x0a\x0d\x0d\x0a", 4) == 0) {
		in->fmt = F_PCAPNG;
		snprintf(in->name, sizeof(in->name), "pcapng");
		if (got < 12) {
			snprintf(errbuf, VND_ERRBUF_SIZE,
			    "truncated pcapng section header");
			goto fail;
		}
		r = 0;
	} else if (got >= 16 && memcmp(h, "snoop\0\0\0", 8) == 0) {
		in->fmt = F_SNOOP;
		r = snoop_open(in, h, errbuf);
	} else
		r = lt_open(in, path, NULL, errbuf);
	if (r < 0)
		goto fail;
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
		return pcap_next(in, f, errbuf);
	case F_PCAPNG:
		return pcapng_next(in, f, errbuf);
	case F_SNOOP:
		return snoop_next(in, f, errbuf);
	case F_LIBTRACE:
		return vnd_lt_next(in->lt, f, errbuf);
	}
	return VND_IN_ERR;
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
	free(in->buf);
	free(in);
}
