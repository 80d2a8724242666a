/* flow.h: the connection a picture is of: -f's spec, or the busiest, found in a first pass. */
#ifndef PLOT_FLOW_H
#define PLOT_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "vnd_operands.h"

struct fend {
	int		 ver;		/* 0: any address */
	uint8_t		 ip[16];
	int		 port;		/* -1: any */
};

/* "PORT", or "A:P>B:Q" (a: the data's sender), "flow:" allowed before. */
struct fspec {
	struct fend	 a, b;
	int		 full;		/* both addresses and ports */
};

int	 flow_parse(struct fspec *, const char *);
/* Is pk of the connection? *dir 0: from a (its data), 1: toward it. */
int	 flow_match(const struct fspec *, const struct vnd_pkt *, int *dir);
/* The busiest connection f lets by, made f (full); *t0 its first packet. */
int	 flow_choose(struct fspec *f, char **ops, int nops, int64_t *t0,
	    char *errbuf);
/* Every packet of the operands (left intact) to fn. */
int	 flow_read(char **ops, int nops, vnd_packet_fn fn, void *arg,
	    char *errbuf);
void	 flow_ops_free(char **, int);
void	 flow_name(const struct fspec *, char *buf, size_t len);
/* A '-' operand made a file to read twice: 1 (*tmp set), 0 none, -1 error. */
int	 flow_spool(char **ops, int nops, char **tmp, char *errbuf);

#endif
