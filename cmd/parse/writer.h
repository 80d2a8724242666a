/* writer.h: the output half of vnd-parse, on a thread of its own, fed decoded packets in batches. */
#ifndef WRITER_H
#define WRITER_H

#include <stdint.h>

#include "vnd_conf.h"
#include "vnd_pkt.h"
#include "vnd_table.h"

#define WRITER_MAX_TABLES	32

/* A decoded packet on its way out: which tables take it, from which point. */
struct wpkt {
	struct vnd_pkt	 pk;
	uint32_t	 tables;	/* bit i: a row in table i */
	const char	*point;
};

struct writer;

/*
 * Start the output thread. whole: the one table is the whole packets table
 * (no configuration), written straight through.
 */
int	 writer_start(struct writer **, struct vnd_conf_table **tabs,
	    struct vnd_table **outs, int ntabs, int whole, char *errbuf);

/*
 * The slot to fill next; it goes out only when writer_push() is called,
 * which returns -1 when the output failed (the decoding side should stop):
 * known when a batch is handed over, not for every packet.
 */
struct wpkt *writer_slot(struct writer *);
int	 writer_push(struct writer *);

/* Send what is left, wait for the thread; -1 with errbuf when output failed. */
int	 writer_finish(struct writer *, char *errbuf);

#endif
