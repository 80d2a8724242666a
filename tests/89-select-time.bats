#!/usr/bin/env bats
# vnd-select and time: idle gaps, time stamps far ahead or behind, a 5-tuple used again.
bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	export GAPS="$BATS_FILE_TMPDIR"
	for k in gap ahead behind reuse lastlow finlow resyn huge; do
		python3 "$TOP/tests/mkgaps.py" $k "$GAPS/$k.pcap"
	done
}

# rows FILE: event, client, server, evidence of each row
rows() {
	tsv_awk '{ print v["event"], v["src_ip"] ":" v["src_port"], v["dst_ip"] ":" v["dst_port"], v["evidence"] }' "$1"
}

@test "select time: a connection idle 300 s is closed, what follows a connection of its own, same client" {
	"$BIN/vnd-select" -e elephant,reset --top 1 -w "$BATS_TEST_TMPDIR/w" "$GAPS/gap.pcap" >"$BATS_TEST_TMPDIR/sel"
	# A's two halves have 1000 bytes each: B's 1500 are the most
	[ "$(rows "$BATS_TEST_TMPDIR/sel")" = "elephant 10.0.0.1:40001 10.0.0.3:80 bytes=1500 rank=1
reset 10.0.0.1:40000 10.0.0.2:80 first_rst=server" ]
	# the records of A after its gap (data, ACK, RST) and all of B's
	[ "$(tsv_col out_pkts <"$BATS_TEST_TMPDIR/w/manifest.tsv")" -eq $((3 + 8)) ]
	# vnd-tcpstate closes no connection for being idle: one, 2000 bytes
	"$BIN/vnd-tcpstate" "$GAPS/gap.pcap" >"$BATS_TEST_TMPDIR/conns"
	[ "$(tsv_count 'v["dst_port"] == 40000 && v["sender"] == "server" && v["data_bytes"] == 2000' "$BATS_TEST_TMPDIR/conns")" -eq 1 ]
}

@test "select time: a SYN stamped a day ahead holds no connection's idle close back" {
	"$BIN/vnd-select" -e elephant,reset --top 1 "$GAPS/gap.pcap" >"$BATS_TEST_TMPDIR/gap"
	"$BIN/vnd-select" -e elephant,reset --top 1 "$GAPS/ahead.pcap" >"$BATS_TEST_TMPDIR/ahead"
	[ "$(rows "$BATS_TEST_TMPDIR/ahead")" = "$(rows "$BATS_TEST_TMPDIR/gap")" ]
}

@test "select time: a packet stamped at the epoch does not end its connection" {
	"$BIN/vnd-select" -e elephant,reset --top 1 "$GAPS/behind.pcap" >"$BATS_TEST_TMPDIR/sel"
	# 59 times 100 bytes, one connection, reset by its server
	[ "$(rows "$BATS_TEST_TMPDIR/sel")" = "elephant 10.0.0.1:40000 10.0.0.2:80 bytes=5900 rank=1
reset 10.0.0.1:40000 10.0.0.2:80 first_rst=server" ]
}

@test "select time: an elephant whose 5-tuple opens again later is timed by its own packets" {
	"$BIN/vnd-select" -e elephant,reset,unanswered --top 1 "$GAPS/reuse.pcap" >"$BATS_TEST_TMPDIR/sel"
	# it passed its 2000 bytes at frame 6, 5 ms in
	[ "$(tsv_awk 'v["event"] == "elephant" { print v["ts_ns"], v["frame"] }' "$BATS_TEST_TMPDIR/sel")" = "1700000000005000000 6" ]
	[ "$(rows "$BATS_TEST_TMPDIR/sel" | sed -n 2p)" = "reset 10.0.0.1:40000 10.0.0.2:80 first_rst=server" ]
}

@test "select time: an elephant whose last packet is stamped at the epoch is timed" {
	"$BIN/vnd-select" -e elephant --top 1 "$GAPS/lastlow.pcap" >"$BATS_TEST_TMPDIR/sel"
	[ "$(tsv_awk '{ print v["ts_ns"], v["frame"], v["evidence"] }' "$BATS_TEST_TMPDIR/sel")" = "1700000000101000000 102 bytes=50000 rank=1" ]
}

@test "select time: a finished connection whose last packet is stamped at the epoch waits its quiet time" {
	# the copy of its FIN 5 s later is its own, not a connection of its own
	"$BIN/vnd-tcpstate" "$GAPS/finlow.pcap" >"$BATS_TEST_TMPDIR/conns"
	[ "$(tsv_awk '{ print v["src_port"], v["dst_port"], v["conn_state"], v["end_ts_ns"] }' "$BATS_TEST_TMPDIR/conns")" = "80 40000 SF 1700000005011000000
80 40001 SF 1700000006018000000" ]
	"$BIN/vnd-rtt" --summary "$GAPS/finlow.pcap" >"$BATS_TEST_TMPDIR/rtt"
	[ "$(tsv_count 1 "$BATS_TEST_TMPDIR/rtt")" -eq 4 ]
}

@test "select time: a flow a new SYN replaced while it was queued is not read once dropped" {
	# (an ASan build saw rtt read before its flows when the entry came due)
	"$BIN/vnd-rtt" --summary "$GAPS/resyn.pcap" >"$BATS_TEST_TMPDIR/rtt"
	[ "$(tsv_count 'v["far_end"] == "server" && v["samples"] == 2' "$BATS_TEST_TMPDIR/rtt")" -eq 4 ]
	"$BIN/vnd-tcpstate" "$GAPS/resyn.pcap" >"$BATS_TEST_TMPDIR/conns"
	[ "$(tsv_count 'v["conn_state"] == "SF"' "$BATS_TEST_TMPDIR/conns")" -eq 4 ]
}

@test "select time: a pcapng time stamp 300 000 years ahead is held at 2116, and the tools run on" {
	"$BIN/vnd-parse" "$GAPS/huge.pcap" >"$BATS_TEST_TMPDIR/pkts"
	# 2^62 - 2^40 ns
	[ "$(tsv_awk 'v["frame"] == 6 { print v["ts_ns"] }' "$BATS_TEST_TMPDIR/pkts")" = 4611684918915760128 ]
	[ "$(tsv_awk 'v["frame"] == 5 { print v["ts_ns"] }' "$BATS_TEST_TMPDIR/pkts")" = 1700000000004000000 ]
	run -0 "$BIN/vnd-select" -q -e loss,reset,elephant,unanswered "$GAPS/huge.pcap"
	run -0 "$BIN/vnd-tcpstate" "$GAPS/huge.pcap"
	run -0 "$BIN/vnd-rtt" --summary "$GAPS/huge.pcap"
}
