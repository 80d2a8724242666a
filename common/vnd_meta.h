/* vnd_meta.h: the meta table of an analysis tool's artifact: its points and how it was made. */
#ifndef VND_META_H
#define VND_META_H

#include <stdint.h>

#include "vnd_table.h"

struct vnd_meta_point {
	const char	*name;
	const char	*file;
	const char	*format;	/* as vnd_input_format() says */
	uint64_t	 packets;
	int64_t		 offset_ns;	/* clock minus the first point's */
	const char	*offset_how;
};

/* Table `meta`: a row per point, with tool, version and command line. */
int	 vnd_meta_write(struct vnd_sink *, const char *tool, const char *command,
	    const struct vnd_meta_point *, int n, char *errbuf);

#endif
