/* collect.h: VND's trace collection configuration (SoCC 2013, 3.2, Figure 4) as capture points and their filters. */
#ifndef COLLECT_H
#define COLLECT_H

struct coll_point {
	char	*name;		/* a Link's node, or Node.input / Node.output */
	char	*ifname;	/* NULL: not given in the configuration */
	char	*filter;	/* BPF of its appliance's flow patterns; NULL: all */
};

struct coll {
	struct coll_point *pts;
	int		 npts;
};

/* Parse a configuration text; errbuf names the line of a mistake. */
int	 coll_parse(struct coll *, const char *text, char *errbuf);
void	 coll_free(struct coll *);

#endif
