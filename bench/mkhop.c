/* mkhop.c: a synthetic two-point trace of one hop (in, out) for bench/clickhouse.sh: N packets, some lost. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * usage: mkhop N IN.pcap OUT.pcap [LOSS_PER_MILLE]
 *
 * FLOWS TCP connections from 198.18.0.1 to 198.18.0.2:5001 cross a hop
 * captured at its input and output (nanosecond pcap, 54 bytes kept of each
 * frame): full segments from the client, an ACK from the server every
 * second segment. A packet is sent every GAP ns; it crosses the hop in
 * DELAY ns plus a jitter below GAP (so each point's file stays in time
 * order), or is lost with the probability given (3 per mille by default),
 * in both directions. Flows start at sequence numbers and IP ids apart, so
 * that no two packets share a fingerprint. The lost packets are counted on
 * standard output, as
 * vnd-hoploss should find them.
 */

#define FLOWS	16
#define GAP	1000		/* ns between two packets sent */
#define DELAY	40000		/* ns to cross the hop, at least */
#define SNAP	54
#define QCAP	1024		/* packets in flight across the hop, at most */

struct rec {
	int64_t		 ts;
	unsigned char	 b[SNAP];
	uint32_t	 wire;
};

struct point {
	FILE		*fp;
	struct rec	 q[QCAP];	/* the other side's packets, still crossing */
	size_t		 head, n;
};

static void
put_rec(FILE *fp, const struct rec *r)
{
	uint32_t h[4] = { (uint32_t)(r->ts / 1000000000),
	    (uint32_t)(r->ts % 1000000000), SNAP, r->wire };

	fwrite(h, sizeof(h), 1, fp);
	fwrite(r->b, SNAP, 1, fp);
}

static void
header(FILE *fp)
{
	uint32_t magic = 0xa1b23c4d, snap = 65535, link = 1, zero = 0;
	uint16_t major = 2, minor = 4;

	fwrite(&magic, 4, 1, fp);
	fwrite(&major, 2, 1, fp);
	fwrite(&minor, 2, 1, fp);
	fwrite(&zero, 4, 1, fp);
	fwrite(&zero, 4, 1, fp);
	fwrite(&snap, 4, 1, fp);
	fwrite(&link, 4, 1, fp);
}

static void
be16(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static void
be32(unsigned char *p, uint32_t v)
{
	be16(p, v >> 16);
	be16(p + 2, v & 0xffff);
}

/* Ethernet, IPv4 (checksummed), TCP with ACK (and PSH for data). */
static void
frame(struct rec *r, int up, int f, uint16_t id, uint32_t seq, uint32_t ack,
    uint32_t payload)
{
	unsigned char *e = r->b, *ip = e + 14, *tcp = ip + 20;
	uint32_t sum = 0;
	int i;
	static const unsigned char mac[2][12] = {
		{ 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 },
		{ 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 },
	};
	static const unsigned char addr[2][8] = {
		{ 198, 18, 0, 2, 198, 18, 0, 1 },
		{ 198, 18, 0, 1, 198, 18, 0, 2 },
	};

	memset(r->b, 0, SNAP);
	memcpy(e, mac[up], sizeof(mac[up]));
	be16(e + 12, 0x0800);
	ip[0] = 0x45;
	be16(ip + 2, 40 + payload);
	be16(ip + 4, id);
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, addr[up], sizeof(addr[up]));
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	be16(ip + 10, ~sum & 0xffff);
	be16(tcp, up ? 40000 + f : 5001);
	be16(tcp + 2, up ? 5001 : 40000 + f);
	be32(tcp + 4, seq);
	be32(tcp + 8, ack);
	tcp[12] = 0x50;
	tcp[13] = payload ? 0x18 : 0x10;
	be16(tcp + 14, 1000);
	r->wire = 14 + 40 + payload;
}

/* Write what crossed from the other side before ts, then r itself. */
static void
emit(struct point *p, const struct rec *r)
{
	while (p->n && p->q[p->head].ts <= r->ts) {
		put_rec(p->fp, &p->q[p->head]);
		p->head = (p->head + 1) % QCAP;
		p->n--;
	}
	put_rec(p->fp, r);
}

static void
cross(struct point *p, const struct rec *r)
{
	p->q[(p->head + p->n) % QCAP] = *r;
	p->n++;
}

int
main(int argc, char **argv)
{
	static struct point in, out;
	uint32_t seq[FLOWS] = { 0 }, ack[FLOWS] = { 0 };
	uint16_t cid[FLOWS] = { 0 }, sid[FLOWS] = { 0 };
	long long n, i, lost[2] = { 0, 0 }, per_mille = 3;
	int64_t t0 = INT64_C(1795000000000000000), ts;
	struct rec r;
	int f, up;

	if (argc < 4 || (n = atoll(argv[1])) <= 0 ||
	    (argc > 4 && (per_mille = atoll(argv[4])) < 0)) {
		fprintf(stderr, "usage: mkhop N IN.pcap OUT.pcap [LOSS_PER_MILLE]\n");
		return 2;
	}
	if ((in.fp = fopen(argv[2], "wb")) == NULL ||
	    (out.fp = fopen(argv[3], "wb")) == NULL) {
		perror("mkhop");
		return 1;
	}
	header(in.fp);
	header(out.fp);
	srand(14);
	/* flows apart: their fingerprints (ip_id + seq << 16) never meet */
	for (f = 0; f < FLOWS; f++) {
		seq[f] = (uint32_t)f * 1000003u;
		cid[f] = (uint16_t)(f * 4001);
		sid[f] = (uint16_t)(f * 4001 + 2000);
	}
	for (i = 0; i < n; i++) {
		f = (int)(i % FLOWS);
		up = (i / FLOWS) % 3 != 2;	/* two segments, then an ACK */
		ts = t0 + i * GAP;
		if (up) {
			frame(&r, 1, f, ++cid[f], seq[f], 1, 1448);
			seq[f] += 1448;
		} else {
			ack[f] = seq[f];
			frame(&r, 0, f, ++sid[f], 7 + 13 * (uint32_t)f, ack[f], 0);
		}
		r.ts = ts;
		emit(up ? &in : &out, &r);
		if (rand() % 1000 < per_mille) {
			lost[!up]++;
			continue;
		}
		r.ts = ts + DELAY + rand() % GAP;
		cross(up ? &out : &in, &r);
	}
	r.ts = INT64_MAX;
	for (; in.n; in.head = (in.head + 1) % QCAP, in.n--)
		put_rec(in.fp, &in.q[in.head]);
	for (; out.n; out.head = (out.head + 1) % QCAP, out.n--)
		put_rec(out.fp, &out.q[out.head]);
	if (fclose(in.fp) != 0 || fclose(out.fp) != 0) {
		perror("mkhop");
		return 1;
	}
	printf("lost_client\t%lld\nlost_server\t%lld\n", lost[0], lost[1]);
	return 0;
}
