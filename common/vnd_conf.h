/* vnd_conf.h: VND's parse configuration (SoCC 2013, Figure 7): per table a filter and a field list. */
#ifndef VND_CONF_H
#define VND_CONF_H

#include "vnd_pkt.h"
#include "vnd_table.h"

struct vnd_conf_node;

/* A field of the configuration: a packets-table column, maybe for one protocol. */
struct vnd_conf_field {
	int		 col;		/* VND_COL_x */
	int		 cond;		/* 0, an ip_proto, or 256 + IP version */
};

struct vnd_conf_out {
	char		*name;		/* column name in the trace table */
	struct vnd_conf_field *fields;	/* the first one set gives the value */
	int		 nfields;
	enum vnd_coltype type;
};

struct vnd_conf_table {
	char		*name;
	char		**traces;	/* points it applies to; NULL: all */
	int		 ntraces;
	struct vnd_conf_node *filter;	/* NULL: every packet */
	struct vnd_conf_out *outs;
	int		 nouts;
	struct vnd_colspec *cols;	/* outs as column specs */
};

struct vnd_conf {
	struct vnd_conf_table *tabs;
	int		 ntabs;
};

/* Parse a configuration text; errbuf names the line of a mistake. */
int	 vnd_conf_parse(struct vnd_conf **, const char *text, char *errbuf);

/* Does the table apply to this point, and does the packet pass its filter? */
int	 vnd_conf_applies(const struct vnd_conf_table *, const char *point);
int	 vnd_conf_match(const struct vnd_conf_table *, const struct vnd_pkt *);

/* Write the table's columns of pk as one row. */
int	 vnd_conf_row(const struct vnd_conf_table *, struct vnd_table *,
	    const struct vnd_pkt *, const char *point, char *errbuf);

void	 vnd_conf_free(struct vnd_conf *);

#endif
