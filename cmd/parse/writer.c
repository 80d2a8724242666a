/* writer.c: rows are formatted and written on a second thread while the first decodes. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vnd.h"
#include "vnd_pktrow.h"
#include "writer.h"

/*
 * Formatting a row costs more than decoding its frame, so the two halves
 * run on two cores: the decoder fills a batch of packets, hands it over, and
 * goes on with the next while the writer formats this one. A ring of
 * batches bounds the memory (NBATCH x BATCH x 232 bytes, 3.6 MiB).
 *
 * A thread that finds the ring empty (the writer) or full (the decoder)
 * sleeps until the other has made WAKE batches for it, not one: at the
 * same speeds the two used to take turns at every batch, 4 futex calls
 * and two wake-ups a batch (11,800 on the bench trace). And a ring deeper
 * than a scheduler's time slice of work lets one thread go on while the
 * other waits for a core, on a machine shared with other tasks.
 */
#define BATCH	512
#define NBATCH	32
#define WAKE	8

/*
 * A batch handed over waits at most this long for the WAKE - 1 after it,
 * so that rows of a slow input (a live capture on a pipe) still come out.
 */
#define LINGER_NS	(10 * VND_NS_PER_MS)

struct batch {
	struct wpkt	 p[BATCH];
	int		 n;
	int		 full;		/* 1: the writer's to take */
	int		 last;		/* the end: no more after this one */
};

/*
 * What one thread writes often is kept off the cache lines the other reads
 * often: `failed`, read for every packet by the decoder, sat on the line
 * of the frame number's text the writer changes for every row, and the
 * line went back and forth between the cores (vnd-parse 1.27x the floor
 * with both cores, 1.62x with that line shared).
 */
#define LINE	64

/* NOLINTNEXTLINE(clang-analyzer-optin.performance.Padding): the padding is the point */
struct writer {
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 wcv;		/* the writer waits on it */
	pthread_cond_t	 dcv;		/* the decoder waits on it */
	int		 nfull;		/* batches handed over, not yet written */
	int		 wsleeps;	/* the writer waits for batches */
	int		 dsleeps;	/* the decoder waits for room */
	int		 pi;		/* batch the decoder fills */
	struct batch	*cur;		/* &b[pi] */
	struct vnd_conf_table **tabs;
	struct vnd_table **outs;
	int		 ntabs;
	int		 whole;
	_Alignas(LINE) struct batch b[NBATCH];
	_Alignas(LINE) struct vnd_pktfmt fmt; /* whole: kept from row to row */
	_Alignas(LINE) atomic_int failed;
	char		 err[VND_ERRBUF_SIZE];
};

static int
write_batch(struct writer *w, const struct batch *b)
{
	const struct wpkt *p;
	int i, k, r;

	for (i = 0; i < b->n; i++) {
		p = &b->p[i];
		for (k = 0; k < w->ntabs; k++) {
			if (!(p->tables >> k & 1) || w->outs[k] == NULL)
				continue;
			if (w->whole)
				r = vnd_pkt_row(w->outs[k], &w->fmt, &p->pk,
				    p->point, w->err);
			else
				r = vnd_conf_row(w->tabs[k], w->outs[k], &p->pk,
				    p->point, w->err);
			if (r < 0)
				return -1;
		}
	}
	return 0;
}

/* The writer waits for batch b (w->mu held); after LINGER_NS it takes what is full. */
static void
wait_full(struct writer *w, const struct batch *b)
{
	struct timespec ts;
	int64_t ns;

	while (!b->full) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ns = (int64_t)ts.tv_nsec + LINGER_NS;
		ts.tv_sec += (time_t)(ns / VND_NS_PER_SEC);
		ts.tv_nsec = (long)(ns % VND_NS_PER_SEC);
		w->wsleeps = 1;
		pthread_cond_timedwait(&w->wcv, &w->mu, &ts);
	}
	w->wsleeps = 0;
}

static void *
run(void *arg)
{
	struct writer *w = arg;
	struct batch *b;
	int ci = 0, last;

	for (;;) {
		b = &w->b[ci];
		pthread_mutex_lock(&w->mu);
		wait_full(w, b);
		pthread_mutex_unlock(&w->mu);
		/* After a failure the batches are only drained, so the decoder
		 * never waits for a writer that stopped. */
		if (!atomic_load(&w->failed) && write_batch(w, b) < 0)
			atomic_store(&w->failed, 1);
		last = b->last;
		pthread_mutex_lock(&w->mu);
		b->full = 0;
		b->n = 0;
		b->last = 0;
		/* the decoder sleeps until WAKE batches are free */
		if (--w->nfull <= NBATCH - WAKE && w->dsleeps)
			pthread_cond_signal(&w->dcv);
		pthread_mutex_unlock(&w->mu);
		if (last)
			return NULL;
		ci = (ci + 1) % NBATCH;
	}
}

int
writer_start(struct writer **wp, struct vnd_conf_table **tabs,
    struct vnd_table **outs, int ntabs, int whole, char *errbuf)
{
	pthread_condattr_t ca;
	struct writer *w;

	*wp = NULL;
	if (ntabs > WRITER_MAX_TABLES) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "more than %d tables",
		    WRITER_MAX_TABLES);
		return -1;
	}
	/* aligned as its lines are: calloc() promises 16 bytes, not LINE */
	if ((w = aligned_alloc(_Alignof(struct writer), sizeof(*w))) == NULL) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	memset(w, 0, sizeof(*w));
	w->tabs = tabs;
	w->outs = outs;
	w->ntabs = ntabs;
	w->whole = whole;
	w->cur = &w->b[0];
	atomic_init(&w->failed, 0);
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wcv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&w->dcv, NULL);
	if (pthread_create(&w->thread, NULL, run, w) != 0) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "cannot start the writer thread");
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->wcv);
		pthread_cond_destroy(&w->dcv);
		free(w);
		return -1;
	}
	*wp = w;
	return 0;
}

struct wpkt *
writer_slot(struct writer *w)
{
	return &w->cur->p[w->cur->n];
}

/* Hand the current batch over and wait until the next one is free. */
static void
hand_over(struct writer *w, int last)
{
	struct batch *b = w->cur;

	pthread_mutex_lock(&w->mu);
	b->last = last;
	b->full = 1;
	/* the writer sleeps until WAKE batches are full, or the last one */
	if (++w->nfull >= WAKE || last) {
		if (w->wsleeps)
			pthread_cond_signal(&w->wcv);
	}
	w->pi = (w->pi + 1) % NBATCH;
	b = w->cur = &w->b[w->pi];
	while (b->full && !last) {
		w->dsleeps = 1;
		pthread_cond_wait(&w->dcv, &w->mu);
	}
	w->dsleeps = 0;
	pthread_mutex_unlock(&w->mu);
}

int
writer_push(struct writer *w)
{
	if (++w->cur->n < BATCH)
		return 0;
	hand_over(w, 0);
	return atomic_load(&w->failed) ? -1 : 0;
}

int
writer_finish(struct writer *w, char *errbuf)
{
	int r;

	if (w == NULL)
		return 0;
	hand_over(w, 1);
	pthread_join(w->thread, NULL);
	r = atomic_load(&w->failed) ? -1 : 0;
	if (r < 0)
		snprintf(errbuf, VND_ERRBUF_SIZE, "%s", w->err);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->wcv);
	pthread_cond_destroy(&w->dcv);
	free(w);
	return r;
}
