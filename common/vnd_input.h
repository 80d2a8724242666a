/* vnd_input.h: frames from a capture of any format vnd reads, one at a time. */
#ifndef VND_INPUT_H
#define VND_INPUT_H

#include <stdint.h>

struct vnd_frame {
	const uint8_t	*data;		/* valid until the next vnd_input_next() */
	uint32_t	 caplen;
	uint32_t	 wirelen;
	int64_t		 ts_ns;		/* nanoseconds since the epoch, UTC */
	int		 linktype;	/* LINKTYPE_ value */
	uint64_t	 offset;	/* byte offset of the record (decompressed) */
};

/* ts_ns of a record that has no timestamp (a pcapng simple packet block). */
#define VND_NO_TS	INT64_MIN

/*
 * Time stamps are held within VND_TS_LIMIT of the epoch (2^62 ns less
 * 2^40: the years 1824 to 2116), so that the difference of any two, or one
 * plus a timeout, is a number: formats of 64-bit time stamps (pcapng,
 * tables) can say any.
 */
#define VND_TS_LIMIT	((INT64_C(1) << 62) - (INT64_C(1) << 40))

static inline int64_t
vnd_ts_clamp(int64_t ts)
{
	return ts > VND_TS_LIMIT ? VND_TS_LIMIT : ts < -VND_TS_LIMIT ?
	    -VND_TS_LIMIT : ts;
}

/* linktype of a record that is no packet (a pcapng custom block). */
#define VND_LT_NONE	(-1)

enum {
	VND_IN_FRAME = 1,
	VND_IN_EOF = 0,
	VND_IN_ERR = -1,	/* cannot go on: errbuf says why */
	VND_IN_TRUNC = -2	/* ends inside a record: errbuf names the offset */
};

struct vnd_input;

/*
 * Open a capture by path ("-" is standard input). The format is recognised
 * by content; `format` (a libtrace URI prefix such as "legacyeth") is for
 * formats that have no header to recognise, or NULL.
 */
int	 vnd_input_open(struct vnd_input **, const char *path, const char *format,
	    char *errbuf);

/* Next frame: VND_IN_FRAME, VND_IN_EOF, VND_IN_ERR or VND_IN_TRUNC. */
int	 vnd_input_next(struct vnd_input *, struct vnd_frame *, char *errbuf);

/* "pcap", "pcap-ns", "pcapng", "snoop", "erf", ..., with "+gzip" etc. */
const char *vnd_input_format(const struct vnd_input *);

/*
 * vnd's own packets table (TSV, as vnd-parse writes it) is an input too:
 * is this one? Then vnd_input_line() gives its lines, the header first,
 * without the newline; 1, 0 at the end, VND_IN_ERR or VND_IN_TRUNC.
 */
int	 vnd_input_is_table(const struct vnd_input *);
int	 vnd_input_line(struct vnd_input *, char **line, size_t *len,
	    char *errbuf);

/*
 * A plain pcap or pcapng file (a regular file, not compressed) can be read
 * in parts by several threads, each with a reader of its own: returns the
 * file's size and sets *first, the offset of its first record; 0 for other
 * inputs. *stateful: what a reader must know beyond its place (pcapng's
 * byte order and interfaces) changes along the file.
 */
uint64_t vnd_input_parts(const struct vnd_input *, uint64_t *first,
	    int *stateful);

/* That knowledge, copied out of a reader and into another, and compared. */
struct vnd_input_state;
struct vnd_input_state *vnd_input_state(const struct vnd_input *);
int	 vnd_input_set_state(struct vnd_input *, const struct vnd_input_state *);
int	 vnd_input_state_eq(const struct vnd_input_state *,
	    const struct vnd_input_state *);
void	 vnd_input_state_free(struct vnd_input_state *);

/* Another reader of such a file (the path it was opened by), to seek or sync. */
int	 vnd_input_clone(const struct vnd_input *, const char *path,
	    struct vnd_input **, char *errbuf);

/*
 * Read on from byte off, a record's start; read ahead no further than byte
 * stop (0: no limit) unless a record needs it.
 */
int	 vnd_input_seek(struct vnd_input *, uint64_t off, uint64_t stop,
	    char *errbuf);

/*
 * Read on from where records seem to start at or after byte off: a chain of
 * record headers that hold together. 1 with *at set; 0 when none is seen in
 * the next VND_SYNC_WINDOW bytes; -1 on a read error. A guess, which the
 * caller checks against where the records before it end.
 */
#define VND_SYNC_WINDOW	(64 * 1024)
int	 vnd_input_sync(struct vnd_input *, uint64_t off, uint64_t stop,
	    uint64_t *at, char *errbuf);

void	 vnd_input_close(struct vnd_input *);

#endif
