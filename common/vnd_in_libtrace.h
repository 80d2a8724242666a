/* vnd_in_libtrace.h: capture formats read through libtrace (ERF, legacy DAG, TSH, ...). */
#ifndef VND_IN_LIBTRACE_H
#define VND_IN_LIBTRACE_H

#include "vnd_input.h"

struct vnd_lt;

/* uri is "format:path", or a bare path for libtrace to guess the format of. */
int	 vnd_lt_open(struct vnd_lt **, const char *uri, char *errbuf);
int	 vnd_lt_next(struct vnd_lt *, struct vnd_frame *, char *errbuf);
const char *vnd_lt_format(const struct vnd_lt *);
void	 vnd_lt_close(struct vnd_lt *);

#endif
