#!/usr/bin/env bats
# TCP Fast Open (RFC 7413): a SYN's data follows the SYN's own sequence number.
bats_require_minimum_version 1.5.0
load helpers

TFO="zeek/testing/btest/Traces/tcp/tcp-fast-open.pcap
tcpdump/tests/tfo-5c1fa7f9ae91.pcap
suricata-verify/tests/tcp-fastopen-07/tcp_fastopen_segmentation.pcap"

@test "tcpstate tfo: a SYN that carries data is no retransmission, as tshark says" {
	need_corpus
	for f in $TFO; do
		"$BIN/vnd-tcpstate" "$CORPUS/$f" >"$BATS_TEST_TMPDIR/conns.tsv"
		retx=$(tsv_col retx_pkts <"$BATS_TEST_TMPDIR/conns.tsv" | sort -u)
		[ "$retx" = 0 ] || { echo "$f: retx_pkts $retx"; false; }
		[ "$(tshark -r "$CORPUS/$f" -Y tcp.analysis.retransmission 2>/dev/null | wc -l)" -eq 0 ]
	done
}

@test "tcpstate tfo: the SYN's data is counted once, as bytes sent" {
	need_corpus
	f="$CORPUS/suricata-verify/tests/tcp-fastopen-07/tcp_fastopen_segmentation.pcap"
	"$BIN/vnd-tcpstate" "$f" >"$BATS_TEST_TMPDIR/conns.tsv"
	# frame 1, the first SYN, carries 65 bytes; the client sends nothing else
	run -0 tsv_awk 'v["src_port"] == 56288 && v["sender"] == "client" { print v["data_bytes"], v["unique_bytes"] }' \
	    <"$BATS_TEST_TMPDIR/conns.tsv"
	[ "$output" = "65 65" ]
	[ "$(tshark -r "$f" -Y 'frame.number == 1' -T fields -e tcp.len 2>/dev/null)" = 65 ]
}
