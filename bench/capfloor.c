/* capfloor.c: the floor for live capture, a bare libpcap loop that writes every packet to a file. */

/*
 * Opens one interface as vnd-capture does (snapshot length 262144, promiscuous,
 * immediate mode, a 32 MiB buffer, nanosecond stamps), writes every packet
 * with pcap_dump() until SIGINT or SIGTERM, flushes the file and exits. No
 * capture tool can write a pcap file for less CPU on the same traffic.
 */

/* libpcap headers use u_char and u_int from <sys/types.h> */
#define _DEFAULT_SOURCE

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <pcap/pcap.h>

static pcap_t *pc;

static void
on_signal(int sig)
{
	(void)sig;
	pcap_breakloop(pc);
}

int
main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct sigaction sa = { 0 };
	struct pcap_stat ps;
	pcap_dumper_t *d;

	if (argc != 3) {
		fprintf(stderr, "usage: capfloor INTERFACE FILE.pcap\n");
		return 2;
	}
	if ((pc = pcap_create(argv[1], errbuf)) == NULL) {
		fprintf(stderr, "capfloor: %s\n", errbuf);
		return 1;
	}
	pcap_set_snaplen(pc, 262144);
	pcap_set_promisc(pc, 1);
	pcap_set_immediate_mode(pc, 1);
	pcap_set_buffer_size(pc, 32 << 20);
	(void)pcap_set_tstamp_precision(pc, PCAP_TSTAMP_PRECISION_NANO);
	if (pcap_activate(pc) < 0) {
		fprintf(stderr, "capfloor: '%s': %s\n", argv[1], pcap_geterr(pc));
		return 1;
	}
	if ((d = pcap_dump_open(pc, argv[2])) == NULL) {
		fprintf(stderr, "capfloor: %s\n", pcap_geterr(pc));
		return 1;
	}
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	(void)pcap_loop(pc, -1, pcap_dump, (u_char *)d);
	if (pcap_stats(pc, &ps) == 0)
		fprintf(stderr, "capfloor: %u dropped by the kernel\n", ps.ps_drop);
	if (pcap_dump_flush(d) < 0) {
		fprintf(stderr, "capfloor: write error\n");
		return 1;
	}
	pcap_dump_close(d);
	pcap_close(pc);
	return 0;
}
