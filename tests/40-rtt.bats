#!/usr/bin/env bats
# vnd-rtt: Karn's rule samples, against tshark's tcp.analysis.ack_rtt.
bats_require_minimum_version 1.5.0
load helpers

# vnd's accepted data and handshake samples from cumulative ACKs (tshark's
# ack_rtt has no timestamp or SACK samples)
ACK_SAMPLE='v["kind"] != "ts" && v["rule"] != "sack"'

# data_frame ack_frame rtt_ns of those samples
vnd_samples() {
	"$BIN/vnd-rtt" "$@" | tsv_awk "$ACK_SAMPLE"' { print v["data_frame"] "\t" v["ack_frame"] "\t" v["rtt_ns"] }' | sort
}

@test "rtt: without retransmissions, every sample equals tshark's ack_rtt to the nanosecond" {
	for f in chain-slowsource-relay1in chain-slowsink-relay1in snat-inside; do
		tail -n +2 "$DATA/rtt/$f.tshark.tsv" | sort >"$BATS_TEST_TMPDIR/want"
		vnd_samples "$SAMPLES/$f.pcap" >"$BATS_TEST_TMPDIR/got"
		echo "$f: $(wc -l <"$BATS_TEST_TMPDIR/want") tshark, $(wc -l <"$BATS_TEST_TMPDIR/got") vnd"
		[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" -gt 50 ]
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	done
}

@test "rtt: with retransmissions, Karn's rule: vnd keeps a subset of tshark's, none from a resent segment" {
	tail -n +2 "$DATA/rtt/path-client.tshark.tsv" | sort >"$BATS_TEST_TMPDIR/want"
	vnd_samples "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/got"
	# every vnd sample is one tshark also took
	[ "$(comm -13 "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" | wc -l)" -eq 0 ]
	# tshark also took some from retransmitted segments; vnd rejected them, saying why
	[ "$(comm -23 "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" | wc -l)" -gt 100 ]
	"$BIN/vnd-rtt" "$SAMPLES/path-client.pcap" | tsv_awk "$ACK_SAMPLE"' { print v["data_frame"] }' |
	    sort -u >"$BATS_TEST_TMPDIR/frames"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/frames")" -gt 500 ]
	sort -u "$DATA/rtt/path-client.tshark-retx.txt" >"$BATS_TEST_TMPDIR/retx"
	[ "$(comm -12 "$BATS_TEST_TMPDIR/frames" "$BATS_TEST_TMPDIR/retx" | wc -l)" -eq 0 ]
	"$BIN/vnd-rtt" --all "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/all"
	[ "$(tsv_count 'v["rule"] == "karn"' "$BATS_TEST_TMPDIR/all")" -gt 100 ]
	"$BIN/vnd-rtt" "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/kept"
	[ "$(tsv_count 'v["rule"] == "karn"' "$BATS_TEST_TMPDIR/kept")" -eq 0 ]
}

@test "rtt: the handshake gives one sample each way, toward the server and toward the client" {
	"$BIN/vnd-rtt" "$SAMPLES/snat-inside.pcap" >"$BATS_TEST_TMPDIR/out"
	[ "$(tsv_count 'v["kind"] == "syn" && v["far_end"] == "server" && v["rule"] == "handshake"' "$BATS_TEST_TMPDIR/out")" -eq 20 ]
	[ "$(tsv_count 'v["kind"] == "synack" && v["far_end"] == "client"' "$BATS_TEST_TMPDIR/out")" -eq 20 ]
}

@test "rtt: the tbf queue shows in the RTT toward the server at the client, not after r2" {
	"$BIN/vnd-rtt" --summary "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/c"
	"$BIN/vnd-rtt" --summary "$SAMPLES/path-server.pcap" >"$BATS_TEST_TMPDIR/s"
	# the bulk flow 40001 -> 5001: p50 toward the server, at each end
	bulk='v["src_port"] == 40001 && v["far_end"] == "server" { print v["rtt_p50_ns"] }'
	c=$(tsv_awk "$bulk" "$BATS_TEST_TMPDIR/c")
	s=$(tsv_awk "$bulk" "$BATS_TEST_TMPDIR/s")
	echo "client-side p50 $c, server-side p50 $s"
	# VND's per-point RTT: the difference is the time spent between them
	# (at the server, "toward the server" is only its ACK turnaround)
	[ "$c" -gt 2000000 ]
	[ "$s" -lt $((c / 4)) ]
}

@test "rtt: vnd parse | vnd rtt - gives what vnd rtt gives on the capture" {
	"$BIN/vnd-rtt" A="$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/a"
	"$BIN/vnd-parse" -q -p A "$SAMPLES/path-client.pcap" | "$BIN/vnd-rtt" A=- >"$BATS_TEST_TMPDIR/b"
	diff -u "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
}

@test "rtt: --summary and SQLite" {
	need_cmd sqlite3
	"$BIN/vnd-rtt" -o "$BATS_TEST_TMPDIR/r.db" "$SAMPLES/snat-inside.pcap"
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/r.db" "SELECT count(*) FROM samples WHERE kind = 'syn'")" -eq 20 ]
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/r.db" "SELECT sum(samples) FROM flows")" -eq "$(sqlite3 "$BATS_TEST_TMPDIR/r.db" "SELECT count(*) FROM samples")" ]
}

@test "rtt: errors and usage" {
	run -2 --separate-stderr "$BIN/vnd-rtt" --bogus
	[[ $stderr == *"usage: vnd-rtt"* ]]
	run -1 --separate-stderr "$BIN/vnd-rtt" /nonexistent.pcap
	[[ $stderr == *"No such file or directory"* ]]
	head -c 30000 "$SAMPLES/snat-inside.pcap" >"$BATS_TEST_TMPDIR/cut.pcap"
	run -1 --separate-stderr "$BIN/vnd-rtt" "$BATS_TEST_TMPDIR/cut.pcap"
	[[ $stderr == *"truncated record"* ]]
	[ "${#lines[@]}" -gt 10 ]
}

@test "rtt: past the loss, segments that waited for a retransmission are not timed (rule hole)" {
	# at r1out the drops of r1 are upstream: the originals were never seen
	# (above the hole, SACK blocks timed them on arrival: their cumulative
	# ACK is rejected as sacked, which comes first)
	"$BIN/vnd-rtt" --all "$SAMPLES/path-r1out.pcap" >"$BATS_TEST_TMPDIR/out"
	[ "$(tsv_count 'v["rule"] == "hole" || v["rule"] == "sacked"' "$BATS_TEST_TMPDIR/out")" -gt 50 ]
	[ "$(tsv_count '(v["rule"] == "hole" || v["rule"] == "sacked") && v["rtt_ns"] > 200000000' "$BATS_TEST_TMPDIR/out")" -gt 0 ]
	# no kept sample is the client's retransmission timeout (200 ms and more)
	[ "$(tsv_count 'v["rule"] != "hole" && v["rule"] != "sacked" && v["rule"] != "karn" && v["rtt_ns"] > 100000000' "$BATS_TEST_TMPDIR/out")" -eq 0 ]
}

@test "rtt: SACK blocks time segments above a hole on arrival, as the path's RTT, never a wait for the hole" {
	# at the client, r1's drops and r2's tbf make holes; the server SACKs what arrives
	"$BIN/vnd-rtt" --all "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/out"
	n=$(tsv_count 'v["rule"] == "sack"' "$BATS_TEST_TMPDIR/out")
	echo "sack samples: $n"
	[ "$n" -gt 100 ]
	# each within the largest RTT the cumulative ACKs saw (the tbf's queue, ~12 ms) ...
	max=$(tsv_awk '(v["rule"] == "ack" || v["rule"] == "cumulative") && v["rtt_ns"] > m { m = v["rtt_ns"] } END { print m }' \
	    "$BATS_TEST_TMPDIR/out")
	echo "largest cumulative-ACK sample: $max ns"
	[ "$max" -gt 5000000 ]
	[ "$(tsv_count "v[\"rule\"] == \"sack\" && v[\"rtt_ns\"] > $max * 1.1" "$BATS_TEST_TMPDIR/out")" -eq 0 ]
	# ... and none from a segment sent twice: those are karn
	sort -u "$DATA/rtt/path-client.tshark-retx.txt" >"$BATS_TEST_TMPDIR/retx"
	tsv_awk 'v["rule"] == "sack" { print v["data_frame"] }' "$BATS_TEST_TMPDIR/out" | sort -u >"$BATS_TEST_TMPDIR/frames"
	[ "$(comm -12 "$BATS_TEST_TMPDIR/frames" "$BATS_TEST_TMPDIR/retx" | wc -l)" -eq 0 ]
	# the waits for the hole that the later cumulative ACKs time are rejected
	[ "$(tsv_count 'v["rule"] == "sacked" && v["rtt_ns"] > 200000000' "$BATS_TEST_TMPDIR/out")" -gt 0 ]
}

@test "rtt: a table read from stdin names its points as the capture would" {
	"$BIN/vnd-rtt" "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/a"
	"$BIN/vnd-parse" -q "$SAMPLES/path-client.pcap" | "$BIN/vnd-rtt" - >"$BATS_TEST_TMPDIR/b"
	diff -u "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	# two points in one table: two points out
	"$BIN/vnd-parse" -q "$SAMPLES/path-client.pcap" "$SAMPLES/path-server.pcap" | "$BIN/vnd-rtt" --summary - >"$BATS_TEST_TMPDIR/c"
	[ "$(tsv_col point <"$BATS_TEST_TMPDIR/c" | sort -u | tr '\n' ' ')" = "path-client path-server " ]
}

@test "rtt: -i splits each flow's samples into time slots that add up to the whole" {
	"$BIN/vnd-rtt" --summary "$SAMPLES/path-client.pcap" |
	    tsv_awk '{ print v["src_port"], v["samples"], v["rejected"] }' | sort >"$BATS_TEST_TMPDIR/whole"
	"$BIN/vnd-rtt" -i 0.5 "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/slots"
	head -1 "$BATS_TEST_TMPDIR/slots" | grep -q $'^point\tslot_ts_ns\tsrc_ip'
	tsv_awk '{ n[v["src_port"]] += v["samples"]; r[v["src_port"]] += v["rejected"] } END { for (k in n) print k, n[k], r[k] }' \
	    "$BATS_TEST_TMPDIR/slots" | sort >"$BATS_TEST_TMPDIR/sum"
	diff -u "$BATS_TEST_TMPDIR/whole" "$BATS_TEST_TMPDIR/sum"
	[ "$(tsv_col slot_ts_ns <"$BATS_TEST_TMPDIR/slots" | sort -u | wc -l)" -ge 4 ]
}

@test "rtt: corpus: tcptrace's RTT figures, direction by direction: the same, or every difference explained" {
	need_corpus
	need_cmd tcptrace
	run -0 python3 "$TOP/tests/tcptrace-rtt.py" "$BIN" "$CORPUS" "$DATA/tcptrace-pinned.tsv"
	echo "$output" | tail -6
	# most directions agree outright (count, min, max and mean to 0.1 ms)
	n=$(echo "$output" | sed -n 's/^tcptrace-rtt: \([0-9]*\) directions: \([0-9]*\) agree.*/\2/p')
	all=$(echo "$output" | sed -n 's/^tcptrace-rtt: \([0-9]*\) directions.*/\1/p')
	[ "$all" -gt 1000 ]
	[ $((n * 100)) -ge $((all * 90)) ]
}

@test "rtt: corpus: a 5-tuple used again is a new connection, its handshake timed (tcptrace: 18 connections)" {
	need_corpus
	f=$CORPUS/tcptrace/input/fast_reuse.dmp.gz
	[ -f "$f" ] || skip "no $f"
	# 18 connections on one 5-tuple, the first seen mid-stream
	"$BIN/vnd-tcpstate" "$f" >"$BATS_TEST_TMPDIR/conns"
	[ "$(tsv_count 1 "$BATS_TEST_TMPDIR/conns")" -eq 18 ]
	[ "$(tsv_count 'v["conn_state"] == "OTH"' "$BATS_TEST_TMPDIR/conns")" -eq 1 ]
	[ "$(tsv_count 'v["conn_state"] == "SF"' "$BATS_TEST_TMPDIR/conns")" -eq 17 ]
	# each new one's SYN and SYN-ACK are timed
	"$BIN/vnd-rtt" "$f" >"$BATS_TEST_TMPDIR/samples"
	[ "$(tsv_count 'v["rule"] == "handshake"' "$BATS_TEST_TMPDIR/samples")" -eq 34 ]
}

@test "rtt: a sample whose answer is stamped before its question is rejected (rule backwards)" {
	need_corpus
	f=$CORPUS/PcapPlusPlus/Tests/Pcap++Test/PcapExamples/pcapng-example.pcapng
	[ -f "$f" ] || skip "no $f"
	"$BIN/vnd-rtt" --all "$f" >"$BATS_TEST_TMPDIR/all"
	[ "$(tsv_count 'v["rule"] == "backwards"' "$BATS_TEST_TMPDIR/all")" -eq 1 ]
	# no kept sample is negative
	"$BIN/vnd-rtt" "$f" >"$BATS_TEST_TMPDIR/kept"
	[ "$(tsv_count 1 "$BATS_TEST_TMPDIR/kept")" -gt 0 ]
	[ "$(tsv_count 'v["rtt_ns"] < 0' "$BATS_TEST_TMPDIR/kept")" -eq 0 ]
}
