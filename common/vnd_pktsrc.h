/* vnd_pktsrc.h: decoded packets of one capture point, one at a time, for the analysis tools. */
#ifndef VND_PKTSRC_H
#define VND_PKTSRC_H

#include "vnd_input.h"
#include "vnd_pkt.h"

#define VND_MAX_TABLE_COLS	256

struct vnd_pktsrc {
	struct vnd_input *in;
	const char	*path;
	const char	*point;		/* a table's rows of this point only */
	uint64_t	 frame;		/* packets given so far */
	int		 done;		/* end of input reached (or an error) */
	int		 status;	/* 0 clean end, 1 truncated, -1 error */
	char		 err[256];	/* what ended it, when not clean */
	/* reading a packets table */
	int		 table;
	int		 ncols;
	int		 cols[VND_MAX_TABLE_COLS];	/* VND_COL_x, or -1 */
	uint64_t	 line;
	const char	*row_point;
	char		 malformed[64];
	char		**names;	/* the points of a table, interned */
	size_t		 nnames;
	void		*db, *st;	/* a SQLite file's packets table */
};

/*
 * The point of the packet just read, as the table names it (valid until
 * vnd_pktsrc_close()), or NULL: a capture, or a table without points.
 */
const char *vnd_pktsrc_point(struct vnd_pktsrc *);

/*
 * Open a capture, or a packets table that vnd-parse wrote (TSV, or a SQLite
 * file's table packets); point, when not NULL, keeps a table's rows of that
 * point only.
 */
int	 vnd_pktsrc_open(struct vnd_pktsrc *, const char *path, const char *point,
	    char *errbuf);

/*
 * Next packet into pk: 1, or 0 at the end (src->status says how it ended,
 * src->err why). pk's payload pointer is valid until the next call.
 */
int	 vnd_pktsrc_next(struct vnd_pktsrc *, struct vnd_pkt *pk);

/* "pcap", "pcapng+gzip", ..., "tsv", "sqlite": what was opened. */
const char *vnd_pktsrc_format(const struct vnd_pktsrc *);

/* Close the input (again: nothing); the interned point names stay until
 * vnd_pktsrc_free(). */
void	 vnd_pktsrc_close(struct vnd_pktsrc *);
void	 vnd_pktsrc_free(struct vnd_pktsrc *);

#endif
