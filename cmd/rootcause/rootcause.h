/* rootcause.h: what vnd-rootcause's files share: TSV artifacts and the analyses that read them. */
#ifndef ROOTCAUSE_H
#define ROOTCAUSE_H

#include <stddef.h>

#include "vnd_table.h"

struct row {
	char		*f[64];
	int		 n;
};

/* A TSV file read whole (these artifacts are small): the header and the rows. */
struct tsv {
	char		*buf;
	struct row	 hdr;
	struct row	*rows;
	size_t		 n;
};

int		 tsv_read(struct tsv *, const char *path, char *errbuf);
/* A chain's TSV file, or ELEMENT=IN/OUT,... as its rows. */
int		 chain_read(struct tsv *, const char *arg, char *errbuf);
int		 chain_inline(const char *arg);	/* not a file: ELEMENT=IN/OUT */
int		 col(const struct tsv *, const char *name);	/* -1: none */
const char	*get(const struct row *, int col);		/* "-": none */
void		 tsv_free(struct tsv *);

/* One row of table causes; lost < 0: unset. */
int		 cause_row(struct vnd_table *, int rank, const char *element,
		    const char *analysis, const char *resource, const char *kind,
		    long long lost, const char *evidence, const char *sentence,
		    char *errbuf);

/*
 * VND 5.1.1: from vnd-hoploss's hops table, the hop where loss and delay
 * rise; named after the chain's element whose in and out points it joins
 * when chainpath is given. Rows of table causes, ranked after *rank.
 */
int		 hops(struct vnd_table *, const char *path, const char *chainpath,
		    int *rank, char *errbuf);

#endif
