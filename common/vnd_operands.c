/* vnd_operands.c: operands read in turn, with the names and the meta rows they leave behind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "vnd_operands.h"
#include "vnd_flowtab.h"
#include "vnd_point.h"
#include "vnd_shard.h"

/* Where the packets go: to fn(arg), or by connection to fn(args[w]). */
struct to {
	vnd_packet_fn	 fn;
	void		*arg;
	void		**args;
	int		 nj;
};

static int
read_all(struct vnd_operands *o, char **ops, int nops, const struct to *to,
    char *errbuf)
{
	struct vnd_pktsrc *src;
	struct vnd_pkt pk;
	const char *name, *path, *pt;
	char why[VND_ERRBUF_SIZE];
	uint64_t ord = 0, first;
	int stateful;
	void *arg;
	int i, stopped = 0;

	memset(o, 0, sizeof(*o));
	if ((o->names = calloc((size_t)nops + 1, sizeof(*o->names))) == NULL ||
	    (o->srcs = calloc((size_t)nops + 1, sizeof(*o->srcs))) == NULL ||
	    (o->meta = calloc((size_t)nops + 1, sizeof(*o->meta))) == NULL)
		goto oom;
	for (i = 0; i < nops && !stopped; i++) {
		src = &o->srcs[i];
		vnd_point_split(ops[i], &name, &path);
		if ((o->names[i] = name ? strdup(name) : vnd_point_name(path)) ==
		    NULL)
			goto oom;
		if (vnd_pktsrc_open(src, path, name, why) < 0) {
			snprintf(errbuf, VND_ERRBUF_SIZE, "'%.100s': %.140s", path,
			    why);
			o->n = i + 1;
			return -1;
		}
		o->n = i + 1;
		o->meta[i].name = o->names[i];
		o->meta[i].file = path;
		/* a copy: the input's own name goes with it at close */
		if ((o->meta[i].format = strdup(vnd_pktsrc_format(src))) ==
		    NULL)
			goto oom;
		if (to->nj > 1 && !src->table &&
		    vnd_input_parts(src->in, &first, &stateful)) {
			if (vnd_shard_read(to->nj, src, o->names[i], &ord, to->fn,
			    to->args, errbuf) < 0)
				return -1;
		} else while (vnd_pktsrc_next(src, &pk)) {
			pt = name ? NULL : vnd_pktsrc_point(src);
			pk.ord = ord++;
			arg = to->nj > 1 ? to->args[vnd_flow_shard(&pk, to->nj)] : to->arg;
			if (to->fn(arg, &pk, pt ? pt : o->names[i]) < 0) {
				stopped = 1;
				break;
			}
		}
		o->meta[i].packets = src->frame;
		vnd_pktsrc_close(src);
		if (src->status < 0) {
			snprintf(errbuf, VND_ERRBUF_SIZE, "'%.100s': %.140s", path,
			    src->err);
			return -1;
		}
	}
	if (stopped) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "stopped");
		return -1;
	}
	return 0;
oom:
	snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
	return -1;
}

int
vnd_operands_read(struct vnd_operands *o, char **ops, int nops,
    vnd_packet_fn fn, void *arg, char *errbuf)
{
	struct to to = { fn, arg, NULL, 1 };

	return read_all(o, ops, nops, &to, errbuf);
}

int
vnd_operands_read_j(struct vnd_operands *o, char **ops, int nops, int nj,
    vnd_packet_fn fn, void **args, char *errbuf)
{
	struct to to = { fn, args[0], args, nj };

	return read_all(o, ops, nops, &to, errbuf);
}

void
vnd_operands_free(struct vnd_operands *o)
{
	int i;

	for (i = 0; i < o->n; i++) {
		free(o->names[i]);
		free((char *)o->meta[i].format);
		if (o->srcs[i].in != NULL || o->srcs[i].db != NULL)
			vnd_pktsrc_close(&o->srcs[i]);
		vnd_pktsrc_free(&o->srcs[i]);
	}
	free(o->names);
	free(o->srcs);
	free(o->meta);
	memset(o, 0, sizeof(*o));
}
