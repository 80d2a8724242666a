/* vnd_reasm.c: TCP byte streams in order, retransmissions and overlaps dropped, holes as gaps. */
#include <stdlib.h>
#include <string.h>

#include "vnd_reasm.h"

/* A segment held ahead of the next byte owed, its bytes copied. */
struct vnd_reasm_seg {
	struct vnd_reasm_seg *next;
	uint32_t	 seq;
	uint32_t	 len;
	int64_t		 ts;
	uint8_t		 data[];
};

/* An acknowledgment further ahead than this is not believed (a broken one). */
#define MAX_ACK_JUMP	(1U << 30)

void
vnd_reasm_init(struct vnd_reasm *r, size_t limit, vnd_reasm_fn fn, void *arg)
{
	memset(r, 0, sizeof(*r));
	r->limit = limit;
	r->fn = fn;
	r->arg = arg;
}

static int
give(struct vnd_reasm *r, int dir, const uint8_t *p, uint32_t n, int64_t ts)
{
	struct vnd_reasm_dir *d = &r->d[dir];

	if (n == 0)
		return 0;
	d->next += n;
	if (p == NULL) {
		d->st.gaps++;
		d->st.gap_bytes += n;
	} else
		d->st.bytes += n;
	return r->fn(r->arg, dir, p, n, ts);
}

/* Bytes at sequence number seq: the part past next goes out, the rest is counted. */
static int
give_from(struct vnd_reasm *r, int dir, uint32_t seq, const uint8_t *p,
    uint32_t n, int64_t ts)
{
	struct vnd_reasm_dir *d = &r->d[dir];
	uint32_t old;

	if (vnd_seq_le(seq + n, d->next)) {
		d->st.retx_bytes += n;
		return 0;
	}
	old = d->next - seq;		/* 0 unless it overlaps what went out */
	d->st.overlap_bytes += old;
	return give(r, dir, p + old, n - old, ts);
}

/* Held segments the stream has reached go out, in order. */
static int
drain(struct vnd_reasm *r, int dir)
{
	struct vnd_reasm_dir *d = &r->d[dir];
	struct vnd_reasm_seg *s;
	int ret = 0;

	while ((s = d->held) != NULL && vnd_seq_le(s->seq, d->next)) {
		d->held = s->next;
		d->held_bytes -= s->len;
		d->held_segs--;
		if (ret == 0)
			ret = give_from(r, dir, s->seq, s->data, s->len, s->ts);
		free(s);
	}
	return ret;
}

/* Give up the hole before the first held segment: a gap, then what follows it. */
static int
skip_hole(struct vnd_reasm *r, int dir, int64_t ts)
{
	struct vnd_reasm_dir *d = &r->d[dir];

	if (d->held == NULL)
		return 0;
	if (give(r, dir, NULL, d->held->seq - d->next, ts) < 0)
		return -1;
	return drain(r, dir);
}

static int
hold(struct vnd_reasm *r, int dir, uint32_t seq, const uint8_t *p, uint32_t n,
    int64_t ts)
{
	struct vnd_reasm_dir *d = &r->d[dir];
	struct vnd_reasm_seg *s, **pp;

	if ((s = malloc(sizeof(*s) + n)) == NULL)
		return -1;
	s->seq = seq;
	s->len = n;
	s->ts = ts;
	memcpy(s->data, p, n);
	for (pp = &d->held; *pp != NULL && vnd_seq_le((*pp)->seq, seq);
	    pp = &(*pp)->next)
		;
	s->next = *pp;
	*pp = s;
	d->held_bytes += n;
	d->held_segs++;
	d->st.ooo_segs++;
	if (d->held_bytes > d->st.held_max)
		d->st.held_max = d->held_bytes;
	while (d->held_bytes > r->limit ||
	    d->held_segs > VND_REASM_SEGS)
		if (skip_hole(r, dir, ts) < 0)
			return -1;
	return 0;
}

/* Did the copy seen again differ from what went out? Only what is still held can tell. */
static void
count_conflict(struct vnd_reasm_dir *d, uint32_t seq, const uint8_t *p,
    uint32_t n)
{
	const struct vnd_reasm_seg *s;
	uint32_t i;

	for (s = d->held; s != NULL; s = s->next)
		for (i = 0; i < n; i++) {
			uint32_t k = seq + i - s->seq;

			if (k < s->len && s->data[k] != p[i])
				d->st.conflict_bytes++;
		}
}

static int
data(struct vnd_reasm *r, int dir, uint32_t seq, const uint8_t *p, uint32_t n,
    int64_t ts)
{
	struct vnd_reasm_dir *d = &r->d[dir];

	d->st.segs++;
	if (!d->started) {
		d->started = 1;
		d->next = seq;
	}
	if (vnd_seq_le(seq + n, d->next)) {
		d->st.retx_bytes += n;
		return 0;
	}
	if (vnd_seq_lt(d->next, seq)) {
		count_conflict(d, seq, p, n);
		return hold(r, dir, seq, p, n, ts);
	}
	if (give_from(r, dir, seq, p, n, ts) < 0)
		return -1;
	return drain(r, dir);
}

/*
 * The peer acknowledged up to ack: it had every byte before, so a byte the
 * capture never saw is a gap, now. The FIN takes a sequence number, no byte.
 */
static int
acked(struct vnd_reasm *r, int dir, uint32_t ack, int64_t ts)
{
	struct vnd_reasm_dir *d = &r->d[dir];

	if (!d->started || !vnd_seq_lt(d->next, ack) || ack - d->next > MAX_ACK_JUMP)
		return 0;
	if (d->has_fin && vnd_seq_lt(d->fin, ack))
		ack = d->fin;
	while (d->held != NULL && vnd_seq_lt(d->held->seq, ack))
		if (skip_hole(r, dir, ts) < 0)
			return -1;
	if (vnd_seq_lt(d->next, ack))
		return give(r, dir, NULL, ack - d->next, ts);
	return 0;
}

int
vnd_reasm_add(struct vnd_reasm *r, int dir, const struct vnd_pkt *pk)
{
	struct vnd_reasm_dir *d = &r->d[dir];
	uint32_t seq = pk->seq, n = pk->payload_bytes, cap = pk->payload_cap;
	int ret = 0;

	if ((pk->tcp_flags & VND_TH_ACK) &&
	    acked(r, !dir, pk->ack, pk->ts_ns) < 0)
		return -1;
	if (pk->tcp_flags & VND_TH_SYN) {
		if (!d->started || d->st.segs == 0) {
			d->started = 1;
			d->next = seq + 1;
		}
		seq++;
	}
	if (pk->payload == NULL)
		cap = 0;
	if (cap > n)
		cap = n;
	if (n > 0 && cap > 0)
		ret = data(r, dir, seq, pk->payload, cap, pk->ts_ns);
	/* cut by the snapshot length: the rest of it is a hole the ACK will show */
	if (pk->tcp_flags & VND_TH_FIN) {
		d->has_fin = 1;
		d->fin = seq + n;
	}
	return ret;
}

int
vnd_reasm_end(struct vnd_reasm *r, int dir)
{
	struct vnd_reasm_dir *d = &r->d[dir];

	while (d->held != NULL)
		if (skip_hole(r, dir, d->held->ts) < 0)
			return -1;
	return 0;
}

int
vnd_reasm_finished(const struct vnd_reasm *r, int dir)
{
	const struct vnd_reasm_dir *d = &r->d[dir];

	return d->has_fin && d->next == d->fin && d->held == NULL;
}

int64_t
vnd_reasm_held_ts(const struct vnd_reasm *r, int dir)
{
	const struct vnd_reasm_seg *s;
	int64_t low = INT64_MAX;

	for (s = r->d[dir].held; s != NULL; s = s->next)
		if (s->ts < low)
			low = s->ts;
	return low;
}

void
vnd_reasm_free(struct vnd_reasm *r)
{
	struct vnd_reasm_seg *s;
	int i;

	for (i = 0; i < 2; i++)
		while ((s = r->d[i].held) != NULL) {
			r->d[i].held = s->next;
			free(s);
		}
	r->d[0].held_bytes = r->d[1].held_bytes = 0;
	r->d[0].held_segs = r->d[1].held_segs = 0;
}
