#!/usr/bin/env bats
# A packet sent twice alike (same bytes: an ACK with IP ID 0 within one TSval
# tick) is two packets on the hop, not a capture's duplicate and a creation.
bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	export TW="$BATS_FILE_TMPDIR"
	python3 "$TOP/tests/mkflows.py" 1000 "$TW/twice-a.pcap" "$TW/twice-b.pcap" twice
	python3 "$TOP/tests/mkflows.py" 1000 "$TW/once-a.pcap" "$TW/once-b.pcap"
}

@test "hoploss twice: both copies cross, the second sent before the first arrived" {
	"$BIN/vnd-hoploss" -q a="$TW/twice-a.pcap" b="$TW/twice-b.pcap" >"$BATS_TEST_TMPDIR/h"
	run -0 tsv_awk 'v["src_side"] == "client" { print v["in_pkts"], v["out_pkts"], v["lost_pkts"], v["created_pkts"], v["dup_pkts"] }' \
	    <"$BATS_TEST_TMPDIR/h"
	[ "$output" = "2000 2000 0 0 0" ]
}

@test "hoploss twice: copies one point holds twice and the other once are its duplicates" {
	# a: every datagram twice; b: once, 20 of them lost on the hop
	"$BIN/vnd-hoploss" -q a="$TW/twice-a.pcap" b="$TW/once-b.pcap" >"$BATS_TEST_TMPDIR/h"
	run -0 tsv_awk 'v["src_side"] == "client" { print v["in_pkts"], v["out_pkts"], v["lost_pkts"], v["created_pkts"], v["dup_pkts"] }' \
	    <"$BATS_TEST_TMPDIR/h"
	[ "$output" = "1000 980 20 0 1000" ]
}
