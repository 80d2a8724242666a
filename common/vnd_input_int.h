/* vnd_input_int.h: what the capture-format readers share inside the input layer. */
#ifndef VND_INPUT_INT_H
#define VND_INPUT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vnd_input.h"

#define BUF_MIN		(1 << 20)
#define REC_MAX		(16 << 20)	/* larger records are corruption */
#define MAX_IFACES	4096

enum fmt { F_PCAP, F_PCAPNG, F_SNOOP, F_ERF, F_PEEK, F_LIBTRACE, F_TABLE };

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
	uint8_t		*buf;		/* rbuf, or a window of the mapped file */
	size_t		 cap, beg, end;
	uint8_t		*rbuf;		/* what read(2) fills */
	int		 mapfd;		/* >= 0: the file is read mapped */
	uint8_t		*map;		/* the window mapped, NULL for none */
	size_t		 maplen;
	uint64_t	 mapsize;	/* the file's size, as last seen */
	uint64_t	 base;		/* offset of buf[0] in the stream */
	int		 eof;
	uint64_t	 stop;		/* a part's reader reads to about here */
	int		 swap;		/* file byte order differs from ours */
	int		 nsec;		/* pcap: nanosecond timestamps */
	int		 linktype;	/* pcap, snoop */
	int		 rechdr;	/* pcap record header size (16, or 24) */
	int		 lenswap;	/* pcap < 2.3: caplen and len swapped */
	struct iface	*ifs;		/* pcapng interfaces of this section */
	size_t		 nifs;
	struct vnd_lt	*lt;
	char		*spool;		/* temp file of stdin for libtrace */
	char		 name[48];
};

/* Byte order of the file: in->swap says big-endian. Inline: 4 a record. */
static inline uint16_t
vnd_in_g16(const struct vnd_input *in, const uint8_t *p)
{
	return in->swap ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static inline uint32_t
vnd_in_g32(const struct vnd_input *in, const uint8_t *p)
{
	if (in->swap)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

/* vnd_in_need() when the bytes are not there yet. */
ssize_t	 vnd_in_fill(struct vnd_input *, size_t n, char *errbuf);

/*
 * Make n bytes available at buf + beg; returns how many are, -1 on error.
 * Inline: the bytes are mostly there (twice a record).
 */
static inline ssize_t
vnd_in_need(struct vnd_input *in, size_t n, char *errbuf)
{
	if (in->end - in->beg >= n)
		return (ssize_t)n;
	return vnd_in_fill(in, n, errbuf);
}
uint64_t vnd_in_here(const struct vnd_input *);
/* need() came up short by got bytes: EOF, truncation, or error. */
int	 vnd_in_short(struct vnd_input *, ssize_t got, const char *what,
	    char *errbuf);

int	 vnd_pcap_open(struct vnd_input *, const uint8_t *, char *);
int	 vnd_pcap_next(struct vnd_input *, struct vnd_frame *, char *);
int	 vnd_pcap_plausible(const struct vnd_input *, const uint8_t *, size_t,
	    int eof);
int	 vnd_pcapng_plausible(const struct vnd_input *, const uint8_t *, size_t,
	    int eof);
int	 vnd_pcapng_next(struct vnd_input *, struct vnd_frame *, char *);
int	 vnd_snoop_open(struct vnd_input *, const uint8_t *, char *);
int	 vnd_snoop_next(struct vnd_input *, struct vnd_frame *, char *);

/* ERF (Endace), read by vnd: libtrace 3 refuses newer record types. */
int	 vnd_erf_probe(const uint8_t *, size_t);
int	 vnd_erf_next(struct vnd_input *, struct vnd_frame *, char *);

/* Peek classic (EtherPeek/AiroPeek V5, V6, V7). */
int	 vnd_peek_probe(const uint8_t *, size_t);
int	 vnd_peek_open(struct vnd_input *, const uint8_t *, size_t, char *);
int	 vnd_peek_next(struct vnd_input *, struct vnd_frame *, char *);

#endif
