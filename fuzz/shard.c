/* shard.c: libFuzzer harness, differential: a pcap or pcapng read in parts by threads against one reader. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vnd.h"
#include "vnd_operands.h"

/*
 * vnd_shard reads a pcap or pcapng file in parts from where records seem
 * to start (pcapng: with the interfaces a part assumes checked too),
 * and promises the packets one reader sees, numbered alike, with the same
 * end. Built with parts of a few dozen bytes, every input is many parts,
 * and the bytes are the fuzzer's: each guess may be wrong. Each packet is
 * reduced to a record of what a tool sees; the records of 1, 2 and 3
 * threads, put in input order, and how the file ended must be the same.
 */

#define MAXREC	4096

struct rec {
	uint64_t	 frame, ord, set, hash;
	int64_t		 ts;
	uint32_t	 wire, cap, seq;
	uint16_t	 sport, dport;
	const char	*malformed;
};

struct got {
	struct rec	 r[MAXREC];
	size_t		 n;
};

static int
take(void *arg, const struct vnd_pkt *pk, const char *point)
{
	struct got *g = arg;
	struct rec *r;

	(void)point;
	if (g->n == MAXREC)
		return 0;
	r = &g->r[g->n++];
	memset(r, 0, sizeof(*r));
	r->frame = pk->frame;
	r->ord = pk->ord;
	r->set = pk->set;
	r->ts = pk->ts_ns;
	r->wire = pk->wire_bytes;
	r->cap = pk->cap_bytes;
	if (VND_ISSET(pk, VND_COL_SEQ))
		r->seq = pk->seq;
	if (VND_ISSET(pk, VND_COL_SRC_PORT))
		r->sport = pk->src_port, r->dport = pk->dst_port;
	if (VND_ISSET(pk, VND_COL_PAYLOAD_HASH))
		r->hash = pk->payload_hash;
	r->malformed = pk->malformed;
	return 0;
}

static int
by_ord(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	return x->ord < y->ord ? -1 : x->ord > y->ord;
}

/* Read path on nj threads into all (in input order); how it ended into end. */
static size_t
run(char *path, int nj, struct rec *all, char *end, size_t endlen)
{
	static struct got g[3];
	struct vnd_operands ops;
	char errbuf[VND_ERRBUF_SIZE], *argv[1] = { path };
	void *args[3] = { &g[0], &g[1], &g[2] };
	size_t n = 0, i;
	int r, w;

	for (w = 0; w < 3; w++)
		g[w].n = 0;
	r = vnd_operands_read_j(&ops, argv, 1, nj, take, args, errbuf);
	snprintf(end, endlen, "%d %d %s %llu %s", r, ops.srcs[0].status,
	    ops.srcs[0].status ? ops.srcs[0].err : "",
	    (unsigned long long)(ops.n ? ops.meta[0].packets : 0),
	    r < 0 ? errbuf : "");
	vnd_operands_free(&ops);
	for (w = 0; w < nj; w++)
		for (i = 0; i < g[w].n; i++)
			all[n++] = g[w].r[i];
	qsort(all, n, sizeof(*all), by_ord);
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static struct rec one[3 * MAXREC], many[3 * MAXREC];
	char end1[512], endn[512];
	/* the first byte picks: little-endian pcap 2.4, microseconds, Ethernet;
	   or pcapng, a section and one Ethernet interface. The rest is the
	   fuzzer's: records, or blocks (other interfaces, sections...) */
	static const uint8_t pcap[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0 };
	static const uint8_t pcapng[48] = {
	    0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0,
	    0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0,
	    1, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0 };
	size_t n1, nn;
	FILE *fp;
	int nj, ng;

	if (size < 1)
		return 0;
	ng = data[0] & 1;
	data++;
	size--;
	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/dev/shm/vnd-fuzz-shard-%d", (int)getpid());
	if ((fp = fopen(path, "wb")) == NULL)
		return 0;
	if (ng)
		fwrite(pcapng, 1, sizeof(pcapng), fp);
	else
		fwrite(pcap, 1, sizeof(pcap), fp);
	fwrite(data, 1, size, fp);
	fclose(fp);
	n1 = run(path, 1, one, end1, sizeof(end1));
	for (nj = 2; nj <= 3; nj++) {
		nn = run(path, nj, many, endn, sizeof(endn));
		if (nn != n1 || strcmp(end1, endn) != 0 ||
		    memcmp(one, many, n1 * sizeof(*one)) != 0) {
			fprintf(stderr, "-j %d: %zu packets, ended '%s'; -j 1: %zu, '%s'\n",
			    nj, nn, endn, n1, end1);
			__builtin_trap();
		}
	}
	unlink(path);
	return 0;
}
