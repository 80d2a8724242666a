/* floor.c: the floor for packet tools, a bare libpcap loop that touches headers. */

/*
 * Reads every packet of a capture with pcap_next_ex() and reads the fields a
 * parser cannot avoid (ethertype, IP header length and protocol, TCP/UDP
 * ports), so no vnd tool can be faster than this on the same file.  The sum
 * goes to a volatile so the compiler keeps the work.
 */

/* libpcap headers use u_char and u_int from <sys/types.h> */
#define _DEFAULT_SOURCE

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <pcap/pcap.h>

static volatile uint64_t sink;

static uint64_t
touch(int dlt, const u_char *p, uint32_t len)
{
	uint32_t off, l3, ihl;
	unsigned int type, proto;
	uint64_t sum = 0;

	switch (dlt) {
	case DLT_EN10MB:
		if (len < 14)
			return 0;
		type = (unsigned int)p[12] << 8 | p[13];
		off = 14;
		while ((type == 0x8100 || type == 0x88a8) && len >= off + 4) {
			sum += ((unsigned int)p[off] << 8 | p[off + 1]) & 0xfff;
			type = (unsigned int)p[off + 2] << 8 | p[off + 3];
			off += 4;
		}
		break;
	case DLT_LINUX_SLL:
		if (len < 16)
			return 0;
		type = (unsigned int)p[14] << 8 | p[15];
		off = 16;
		break;
	case DLT_RAW:
		if (len < 1)
			return 0;
		type = (p[0] >> 4) == 6 ? 0x86dd : 0x0800;
		off = 0;
		break;
	default:
		return 0;
	}
	sum += type;
	if (type == 0x0800) {
		if (len < off + 20)
			return sum;
		ihl = (uint32_t)(p[off] & 0x0f) * 4;
		proto = p[off + 9];
		sum += ihl + proto;
		l3 = off + ihl;
	} else if (type == 0x86dd) {
		if (len < off + 40)
			return sum;
		proto = p[off + 6];
		sum += proto;
		l3 = off + 40;
	} else
		return sum;
	if ((proto == 6 || proto == 17) && len >= l3 + 4)
		sum += ((unsigned int)p[l3] << 8 | p[l3 + 1]) +
		    ((unsigned int)p[l3 + 2] << 8 | p[l3 + 3]);
	return sum;
}

int
main(int argc, char *argv[])
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *p;
	pcap_t *pc;
	uint64_t n = 0, sum = 0;
	int dlt, rc;

	if (argc != 2) {
		fprintf(stderr, "usage: floor FILE.pcap\n");
		return 2;
	}
	pc = pcap_open_offline_with_tstamp_precision(argv[1],
	    PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (pc == NULL) {
		fprintf(stderr, "floor: %s\n", errbuf);
		return 1;
	}
	dlt = pcap_datalink(pc);
	while ((rc = pcap_next_ex(pc, &h, &p)) == 1) {
		n++;
		sum += (uint64_t)h->ts.tv_sec + (uint64_t)h->ts.tv_usec + h->len;
		sum += touch(dlt, p, h->caplen);
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "floor: '%s': %s\n", argv[1], pcap_geterr(pc));
		pcap_close(pc);
		return 1;
	}
	sink = sum;
	pcap_close(pc);
	printf("%llu\n", (unsigned long long)n);
	return 0;
}
