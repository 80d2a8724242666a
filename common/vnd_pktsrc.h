/* vnd_pktsrc.h: decoded packets of one capture point, one at a time, for the analysis tools. */
#ifndef VND_PKTSRC_H
#define VND_PKTSRC_H

#include "vnd_input.h"
#include "vnd_pkt.h"

struct vnd_pktsrc {
	struct vnd_input *in;
	const char	*path;
	uint64_t	 frame;
	int		 done;		/* end of input reached (or an error) */
	int		 status;	/* 0 clean end, 1 truncated, -1 error */
	char		 err[256];	/* what ended it, when not clean */
};

int	 vnd_pktsrc_open(struct vnd_pktsrc *, const char *path, char *errbuf);

/*
 * Next packet into pk: 1, or 0 at the end (src->status says how it ended,
 * src->err why). pk's payload pointer is valid until the next call.
 */
int	 vnd_pktsrc_next(struct vnd_pktsrc *, struct vnd_pkt *pk);

void	 vnd_pktsrc_close(struct vnd_pktsrc *);

#endif
