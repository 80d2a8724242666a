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
	const char	*name;		/* the file as given, or "--chain" */
	char		*buf;
	struct row	 hdr;
	struct row	*rows;
	size_t		 n, cap;
};

int		 tsv_read(struct tsv *, const char *path, char *errbuf);
/* A chain's TSV file, or ELEMENT=IN/OUT,... as its rows. */
int		 chain_read(struct tsv *, const char *arg, char *errbuf);
int		 chain_inline(const char *arg);	/* not a file: ELEMENT=IN/OUT */
int		 col(const struct tsv *, const char *name);	/* -1: none */
const char	*get(const struct row *, int col);		/* "-": none */
void		 tsv_free(struct tsv *);
/*
 * 0 when t has every column of cols, else -1 with errbuf "'NAME': " and
 * what, or "no A, B, C columns" when what is NULL.
 */
int		 tsv_need(const struct tsv *, const char *const *cols, int ncols,
		    const char *what, char *errbuf);

/* Table causes as it is written: the rows ranked in their order. */
struct causes {
	struct vnd_table *t;
	int		 rank;
	int		 failed;	/* the output failed (err says why) */
	char		*err;		/* VND_ERRBUF_SIZE */
};

/* One row of table causes; lost < 0: unset. */
int		 cause_row(struct causes *, const char *element,
		    const char *analysis, const char *resource, const char *kind,
		    long long lost, const char *evidence, const char *sentence);

/*
 * The analyses. Each *_check() says, before anything is written, whether
 * its inputs have the columns it reads (-1, errbuf). The analyses add rows
 * to causes, and fail (-1, causes->err) only when out of memory or when
 * the output fails (causes->failed).
 */

/* PerfSight's Algorithm 1: each element's drops, ranked (drops.c). */
int		 drops_check(const struct tsv *counters, char *errbuf);
int		 drops(struct causes *, const struct tsv *counters);

/*
 * PerfSight's Algorithm 2: the chain's root cause, from tcpstate's
 * connections and/or the elements' own statistics among the counters
 * (chain.c; state or counters may be NULL).
 */
int		 chain_check(const struct tsv *chain, const struct tsv *state,
		    char *errbuf);
int		 chain(struct causes *, const struct tsv *chain,
		    const struct tsv *state, const struct tsv *counters);

/*
 * VND 5.1.1: from vnd-hoploss's hops table, the hop where loss and delay
 * rise; named after the chain's element whose in and out points it joins
 * when the chain is given (NULL: none) (hops.c).
 */
int		 hops_check(const struct tsv *hops, char *errbuf);
int		 hops(struct causes *, const struct tsv *hops,
		    const struct tsv *chain);

#endif
