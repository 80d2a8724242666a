/* vnd_shard.c: a pcap or pcapng file read in parts by N threads; each analyses its own connections, in order. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnd.h"
#include "vnd_decode.h"
#include "vnd_flowtab.h"
#include "vnd_input.h"
#include "vnd_shard.h"

/*
 * Reading is most of an analysis tool's time, so it is shared too: the file
 * is cut in parts of PART_BYTES, and a thread reads and decodes a part from
 * the first place in it where records seem to start (vnd_input_sync). Parts
 * are then confirmed in order: a part's start must be where the records of
 * the one before it end, or it is read again from there, so the packets are
 * exactly those one reader sees, whatever the bytes. In pcapng, what a
 * reader knows beyond its place (the section's byte order and interfaces)
 * is checked too: a part read knowing other interfaces than the parts
 * before it declared is read again. Confirming numbers the packets. Every
 * thread then takes from each confirmed part, in order, the packets of its
 * own connections: a connection sees its packets in their order, on one
 * thread. A part's memory is used again when all are past it.
 */

#ifndef PART_BYTES		/* fuzz/shard.c builds it with tiny parts */
#define PART_BYTES	(512 * 1024)
#endif

enum { P_FREE, P_READING, P_READ, P_CONFIRMED };

/*
 * A part's packets of one thread's connections, in order, each with its
 * place in the part in ord until it is numbered: a thread reads its own
 * packets one after the other, and no cache line holds two threads'.
 */
struct shelf {
	struct vnd_pkt	*pk;
	size_t		 n, cap;
};

struct part {
	uint64_t	 from, to;	/* its records start in [from, to) */
	uint64_t	 start;		/* where it was read from */
	int		 known;		/* start found at all */
	const struct vnd_input_state *assumed;	/* what was known there */
	struct vnd_input_state *end_state;	/* ... and at its end (pcapng) */
	uint64_t	 end;		/* where the next part's first record starts */
	int		 r;		/* how the reading ended: VND_IN_FRAME
					   (at to), _EOF, _ERR, _TRUNC */
	char		 err[VND_ERRBUF_SIZE];
	struct shelf	*shelf;		/* [nj]: each thread's packets */
	size_t		 n;		/* packets in all */
	uint64_t	 frame0, ord0;	/* numbers before its first */
	int		 state;		/* P_x */
	int		 done;		/* threads past it */
};

struct shard {
	int		 nj, nb;
	struct vnd_pktsrc *src;
	const char	*point;
	uint64_t	 first, size;
	int		 stateful;	/* pcapng: interfaces, byte order */
	const struct vnd_input_state *cur;	/* at the confirmed parts' end */
	struct vnd_input_state **states;	/* every one, to free */
	size_t		 nstates;
	vnd_packet_fn	 fn;
	void		**args;
	struct part	*ring;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	uint64_t	 last;		/* parts in the file; fewer once one ends it */
	uint64_t	 taken;		/* parts given to a reader */
	uint64_t	 confirmed;	/* parts confirmed, in order */
	uint64_t	 freed;		/* parts every thread is past */
	int		 confirming;
	uint64_t	 next_start;	/* where the next part's records start */
	uint64_t	 frames;	/* numbered so far */
	uint64_t	*ord;
	int		 failed;	/* errbuf says why */
	char		 errbuf[VND_ERRBUF_SIZE];
	atomic_int	 stop;		/* failed, or a fn returned -1 */
};

struct worker {
	struct shard	*sh;
	int		 w;
	struct vnd_input *in;		/* its own reader of the file */
	pthread_t	 thread;
};

static void
fail(struct shard *sh, const char *why)
{
	if (!sh->failed)
		snprintf(sh->errbuf, sizeof(sh->errbuf), "%s", why);
	sh->failed = 1;
	atomic_store(&sh->stop, 1);
}

/* Room for one more packet on the shelf; -1: no memory. */
static int
room(struct shelf *sf)
{
	struct vnd_pkt *npk;
	size_t nc;

	if (sf->n < sf->cap)
		return 0;
	nc = sf->cap ? sf->cap * 2 : 1024;
	if ((npk = realloc(sf->pk, nc * sizeof(*npk))) == NULL)
		return -1;
	sf->pk = npk;
	sf->cap = nc;
	return 0;
}

/* The part's end state goes, unless the file's state moved on to it. */
static void
drop_end(struct part *p)
{
	vnd_input_state_free(p->end_state);
	p->end_state = NULL;
}

/*
 * Read and decode part p, from byte start (a record's start) when exact, or
 * from where records seem to start in it, knowing what p->assumed says of
 * the file there. -1: out of memory or no reader (why says which); how the
 * reading ended is p->r.
 */
static int
read_part(struct shard *sh, struct worker *wk, struct part *p, int exact,
    uint64_t start, char *why)
{
	struct vnd_frame f;
	struct vnd_pkt *pk;
	int r, w, guess = 0;

	p->n = 0;
	for (w = 0; w < sh->nj; w++)
		p->shelf[w].n = 0;
	p->known = 1;
	p->r = VND_IN_FRAME;
	drop_end(p);
	if (wk->in == NULL &&
	    vnd_input_clone(sh->src->in, sh->src->path, &wk->in, why) < 0)
		return -1;
	if (vnd_input_set_state(wk->in, p->assumed) < 0)
		goto oom;
	if (exact) {
		if (vnd_input_seek(wk->in, start, p->to + 4096, why) < 0)
			return -1;
	} else if ((r = vnd_input_sync(wk->in, p->from, p->to + 4096, &start,
	    why)) <= 0) {
		if (r < 0)
			return -1;
		p->known = 0;		/* confirming reads it again */
		return 0;
	}
	p->start = p->end = start;
	for (;;) {
		r = vnd_input_next(wk->in, &f, p->err);
		if (r != VND_IN_FRAME || f.offset >= p->to)
			break;
		/*
		 * Decoded where the last packet's connection goes: the next
		 * one is often of the same; moved when it is not.
		 */
		if (room(&p->shelf[guess]) < 0)
			goto oom;
		pk = &p->shelf[guess].pk[p->shelf[guess].n];
		/* as vnd_pktsrc_next() does */
		pk->ts_ns = f.ts_ns == VND_NO_TS ? 0 : f.ts_ns;
		pk->wire_bytes = f.wirelen;
		pk->cap_bytes = f.caplen;
		vnd_decode(pk, f.linktype, f.data, f.caplen);
		pk->payload = NULL;	/* its bytes are gone with the next read */
		pk->payload_cap = 0;
		pk->ord = p->n++;
		w = vnd_flow_shard(pk, sh->nj);
		if (w != guess) {
			if (room(&p->shelf[w]) < 0)
				goto oom;
			p->shelf[w].pk[p->shelf[w].n] = *pk;
			guess = w;
		}
		p->shelf[w].n++;
	}
	if (r != VND_IN_FRAME)
		p->r = r;
	else
		p->end = f.offset;
	/* what a reader knows at its end, the next part's start (pcapng) */
	if (sh->stateful) {
		if ((p->end_state = vnd_input_state(wk->in)) == NULL)
			goto oom;
	}
	return 0;
oom:
	snprintf(why, VND_ERRBUF_SIZE, "out of memory");
	return -1;
}

/*
 * The next part in order: read again if it did not start where the one
 * before ended; its packets numbered. 1 when the file ends in it (its
 * reading did not stop at its end), 0, or -1 (why says why). Called by one
 * thread at a time.
 */
static int
confirm(struct shard *sh, struct worker *wk, struct part *p, char *why)
{
	if (!p->known || p->start != sh->next_start ||
	    !vnd_input_state_eq(p->assumed, sh->cur)) {
		p->assumed = sh->cur;
		if (read_part(sh, wk, p, 1, sh->next_start, why) < 0)
			return -1;
	}
	p->frame0 = sh->frames;
	p->ord0 = *sh->ord;
	sh->frames += p->n;
	*sh->ord += p->n;
	sh->next_start = p->end;
	/* 1: the file ends in it (the caller says so under the lock) */
	return p->r != VND_IN_FRAME;
}

static void
analyse(struct shard *sh, struct part *p, int w)
{
	struct shelf *sf = &p->shelf[w];
	struct vnd_pkt *pk;
	size_t k;

	for (k = 0; k < sf->n && !atomic_load(&sh->stop); k++) {
		pk = &sf->pk[k];
		pk->frame = p->frame0 + pk->ord + 1;
		pk->ord += p->ord0;
		if (sh->fn(sh->args[w], pk, sh->point) < 0)
			atomic_store(&sh->stop, 1);
	}}

static void *
work(void *arg)
{
	struct worker *wk = arg;
	struct shard *sh = wk->sh;
	struct part *p;
	uint64_t next = 0, i;		/* the next part to analyse */
	char why[VND_ERRBUF_SIZE];
	int r;

	pthread_mutex_lock(&sh->mu);
	for (;;) {
		if (atomic_load(&sh->stop) && sh->last > sh->confirmed)
			sh->last = sh->confirmed;	/* no more parts */
		p = &sh->ring[sh->confirmed % (uint64_t)sh->nb];
		if (!sh->confirming && sh->confirmed < sh->last &&
		    sh->confirmed < sh->taken && p->state == P_READ) {
			sh->confirming = 1;
			pthread_mutex_unlock(&sh->mu);
			r = confirm(sh, wk, p, why);
			pthread_mutex_lock(&sh->mu);
			if (r >= 0 && p->end_state != NULL &&
			    !vnd_input_state_eq(p->end_state, sh->cur)) {
				/* the file's state moved on: the next parts
				   start from it, and it is kept to the end */
				struct vnd_input_state **ns = realloc(sh->states,
				    (sh->nstates + 1) * sizeof(*ns));

				if (ns == NULL) {
					snprintf(why, VND_ERRBUF_SIZE,
					    "out of memory");
					r = -1;
				} else {
					sh->states = ns;
					sh->states[sh->nstates++] = p->end_state;
					sh->cur = p->end_state;
					p->end_state = NULL;
				}
			}
			if (r < 0)
				fail(sh, why);
			else {
				p->state = P_CONFIRMED;
				sh->confirmed++;
				if (r == 1 || sh->confirmed == sh->last)
					sh->last = sh->confirmed;
			}
			sh->confirming = 0;
			pthread_cond_broadcast(&sh->cv);
			continue;
		}
		if (next < sh->confirmed) {
			p = &sh->ring[next % (uint64_t)sh->nb];
			pthread_mutex_unlock(&sh->mu);
			analyse(sh, p, wk->w);
			pthread_mutex_lock(&sh->mu);
			if (++p->done == sh->nj) {
				p->state = P_FREE;
				sh->freed++;
				pthread_cond_broadcast(&sh->cv);
			}
			next++;
			continue;
		}
		/* where the file's state changes (pcapng), the others
		   wait for the first part: it declares the interfaces */
		if (sh->taken < sh->last &&
		    sh->taken - sh->freed < (uint64_t)sh->nb &&
		    (!sh->stateful || sh->taken == 0 || sh->confirmed > 0)) {
			i = sh->taken++;
			p = &sh->ring[i % (uint64_t)sh->nb];
			p->state = P_READING;
			p->done = 0;
			p->from = sh->first + i * PART_BYTES;
			p->to = p->from + PART_BYTES;
			p->assumed = sh->cur;
			pthread_mutex_unlock(&sh->mu);
			r = read_part(sh, wk, p, i == 0, sh->first, why);
			pthread_mutex_lock(&sh->mu);
			if (r < 0)
				fail(sh, why);
			p->state = P_READ;
			pthread_cond_broadcast(&sh->cv);
			continue;
		}
		if (next >= sh->last && !sh->confirming)
			break;
		pthread_cond_wait(&sh->cv, &sh->mu);
	}
	pthread_mutex_unlock(&sh->mu);
	return NULL;
}

static void
free_ring(struct shard *sh, int nj)
{
	int i, w;

	for (i = 0; sh->ring != NULL && i < sh->nb; i++) {
		for (w = 0; sh->ring[i].shelf != NULL && w < nj; w++)
			free(sh->ring[i].shelf[w].pk);
		free(sh->ring[i].shelf);
		drop_end(&sh->ring[i]);
	}
	free(sh->ring);
	for (i = 0; i < (int)sh->nstates; i++)
		vnd_input_state_free(sh->states[i]);
	free(sh->states);
}

int
vnd_shard_read(int nj, struct vnd_pktsrc *src, const char *point,
    uint64_t *ord, vnd_packet_fn fn, void **args, char *errbuf)
{
	struct shard sh;
	struct worker *wk;
	struct part *end;
	int i, started = 1, r = 0;

	if (nj < 1) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "%d threads: at least one", nj);
		return -1;
	}
	memset(&sh, 0, sizeof(sh));
	sh.nj = nj;
	sh.nb = nj + 2;
	sh.src = src;
	sh.point = point;
	sh.fn = fn;
	sh.args = args;
	sh.ord = ord;
	atomic_init(&sh.stop, 0);
	sh.size = vnd_input_parts(src->in, &sh.first, &sh.stateful);
	sh.next_start = sh.first;
	sh.last = sh.size > sh.first ?
	    (sh.size - sh.first + PART_BYTES - 1) / PART_BYTES : 0;
	wk = NULL;
	if ((sh.ring = calloc((size_t)sh.nb, sizeof(*sh.ring))) == NULL ||
	    (wk = calloc((size_t)nj, sizeof(*wk))) == NULL)
		goto oom;
	for (i = 0; i < sh.nb; i++)
		if ((sh.ring[i].shelf = calloc((size_t)nj,
		    sizeof(*sh.ring[i].shelf))) == NULL)
			goto oom;
	/* what the reader that opened the file knows: the first part's start */
	if ((sh.states = calloc(1, sizeof(*sh.states))) == NULL ||
	    (sh.states[0] = vnd_input_state(src->in)) == NULL)
		goto oom;
	sh.nstates = 1;
	sh.cur = sh.states[0];
	pthread_mutex_init(&sh.mu, NULL);
	pthread_cond_init(&sh.cv, NULL);
	for (i = 0; i < nj; i++) {
		wk[i].sh = &sh;
		wk[i].w = i;
	}
	/* this thread is worker 0 */
	for (i = 1; i < nj; i++, started++)
		if (pthread_create(&wk[i].thread, NULL, work, &wk[i]) != 0)
			break;
	if (started < nj) {
		/* the threads there only go past the parts, then end */
		fail(&sh, "cannot start the threads");
		sh.nj = started;
	}
	work(&wk[0]);
	for (i = 1; i < started; i++)
		pthread_join(wk[i].thread, NULL);
	if (sh.failed) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "%s", sh.errbuf);
		r = -1;
	} else if (atomic_load(&sh.stop)) {
		snprintf(errbuf, VND_ERRBUF_SIZE, "stopped");
		r = -1;
	} else {
		/* how the last part ended is how the file did */
		src->frame = sh.frames;
		src->done = 1;
		if (sh.last == 0)
			src->status = 0;
		else {
			end = &sh.ring[(sh.last - 1) % (uint64_t)sh.nb];
			src->status = end->r == VND_IN_EOF ||
			    end->r == VND_IN_FRAME ? 0 :
			    end->r == VND_IN_TRUNC || sh.frames ? 1 : -1;
			if (src->status != 0)
				snprintf(src->err, sizeof(src->err), "%s",
				    end->err);
		}
	}
	for (i = 0; i < nj; i++)
		vnd_input_close(wk[i].in);
	pthread_mutex_destroy(&sh.mu);
	pthread_cond_destroy(&sh.cv);
	free_ring(&sh, nj);
	free(wk);
	return r;
oom:
	free_ring(&sh, nj);
	free(wk);
	snprintf(errbuf, VND_ERRBUF_SIZE, "out of memory");
	return -1;
}
