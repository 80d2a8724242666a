#!/usr/bin/env bats
# The TCP tools' memory follows the connections alive, not the length of the trace.
bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	export FLOWS="$BATS_FILE_TMPDIR"
	python3 "$TOP/tests/mktcpflows.py" 10000 "$FLOWS/short.pcap"
	python3 "$TOP/tests/mktcpflows.py" 40000 "$FLOWS/long.pcap"
	# the same, and one connection open from the first packet to the last
	python3 "$TOP/tests/mktcpflows.py" -k 10000 "$FLOWS/short-k.pcap"
	python3 "$TOP/tests/mktcpflows.py" -k 40000 "$FLOWS/long-k.pcap"
	# SYNs that nobody answers, never finished
	python3 "$TOP/tests/mktcpflows.py" -s 10000 "$FLOWS/short-s.pcap"
	python3 "$TOP/tests/mktcpflows.py" -s 40000 "$FLOWS/long-s.pcap"
	# the first connection's last packet stamped a day late
	python3 "$TOP/tests/mktcpflows.py" -a 10000 "$FLOWS/short-a.pcap"
	python3 "$TOP/tests/mktcpflows.py" -a 40000 "$FLOWS/long-a.pcap"
	# 60000 one every ms: all within the quiet time of one another
	python3 "$TOP/tests/mktcpflows.py" -g 1 60000 "$FLOWS/dense.pcap"
	# each connection's last packet again, before and after its quiet time (120 s)
	python3 "$TOP/tests/mktcpflows.py" 20 "$FLOWS/late-soon.pcap" 100
	python3 "$TOP/tests/mktcpflows.py" 20 "$FLOWS/late-quiet.pcap" 150
}

# peak_kb TOOL ARGS...: peak resident memory of one run, in KiB.
peak_kb() {
	local tool=$1
	shift
	/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" "$BIN/vnd-$tool" "$@" \
	    >"$BATS_TEST_TMPDIR/out.tsv"
	cat "$BATS_TEST_TMPDIR/rss"
}

# grows [-k|-s|-a] TOOL ARGS...: $more, the KiB more at the peak on the
# long trace than on the short one (-k, -s, -a: mktcpflows.py's); the
# test skipped under AddressSanitizer, which keeps what is freed in
# quarantine: RSS says nothing.
grows() {
	local short long kind=
	case $1 in -k|-s|-a) kind=$1; shift ;; esac
	! ldd "$BIN/vnd-$1" | grep -q libasan || skip "an ASan build"
	short=$(peak_kb "$@" "$FLOWS/short$kind.pcap")
	long=$(peak_kb "$@" "$FLOWS/long$kind.pcap")
	echo "$*: $short KiB for 10000 connections, $long KiB for 40000"
	more=$((long - short))
}

@test "tcpconn memory: tcpstate, four times the connections one after the other, no more memory" {
	# every connection kept to the end (before): 55 MB and 206 MB
	grows tcpstate
	[ "$more" -lt 8192 ]
}

@test "tcpconn memory: tcpstate -i, the slots of the closed connections written as they close" {
	grows tcpstate -i 0.001
	[ "$more" -lt 8192 ]
}

@test "tcpconn memory: rtt's samples, four times the connections, no more memory" {
	# every flow kept to the end (before): 40 MB and 148 MB
	grows rtt
	[ "$more" -lt 8192 ]
}

@test "tcpconn memory: rtt --summary -i, the rows of the closed flows written as they close" {
	# 29 KiB a flow kept to the end (before): 290 MB and 1.1 GB
	grows rtt --summary -i 0.001
	[ "$more" -lt 8192 ]
}

@test "tcpconn memory: select decides as connections close, and forgets those not picked" {
	# 5.3 KiB a connection kept to the end: 58 MB and 216 MB; then 750 B:
	# 18 MB and 39 MB
	grows select -e loss,elephant,scan
	[ "$more" -lt 8192 ]
}

@test "tcpconn memory: select, one connection open from first to last holds nothing behind it" {
	# closed rows dropped from the front only: 18 MB and 39 MB
	grows -k select -e loss,elephant,scan,reset --top 20
	[ "$more" -lt 8192 ]
	"$BIN/vnd-select" -e reset,elephant --top 3 "$FLOWS/long-k.pcap" >"$BATS_TEST_TMPDIR/sel"
	# every 8th reset by its server: 5000 of 40000
	[ "$(tsv_count 'v["event"] == "reset"' "$BATS_TEST_TMPDIR/sel")" -eq 5000 ]
	# the long one has the most bytes (10 each way every 10 s for 4000 s);
	# then the two first of the equal ones (1100 bytes each), by arrival;
	# rows in the order each passed the third's bytes
	[ "$(tsv_awk 'v["event"] == "elephant" { print v["src_port"], v["evidence"] }' \
	    "$BATS_TEST_TMPDIR/sel")" = "1024 bytes=1100 rank=2
1025 bytes=1100 rank=3
2000 bytes=8000 rank=1" ]
}

@test "tcpconn memory: select, SYNs never answered are closed once idle for 300 s" {
	# kept to the end, unfinished: 18 MB and 62 MB
	grows -s select -e loss,scan
	[ "$more" -lt 8192 ]
	"$BIN/vnd-select" -e unanswered "$FLOWS/long-s.pcap" >"$BATS_TEST_TMPDIR/sel"
	[ "$(tsv_count 'v["evidence"] == "answer=none"' "$BATS_TEST_TMPDIR/sel")" -eq 40000 ]
}

@test "tcpconn memory: a time stamp a day ahead holds back no other connection's close" {
	# the finished ones queued behind it, never closed: 135 MB for 40000
	grows -a select -e loss,elephant
	[ "$more" -lt 8192 ]
	# tcpstate writes in order: the rows after it wait (450 B each), not
	# their states (135 MB before)
	grows -a tcpstate
	[ "$more" -lt 24576 ]
}

@test "tcpconn memory: select --monitor forgets the flows no table holds, once idle" {
	! ldd "$BIN/vnd-select" | grep -q libasan || skip "an ASan build"
	local short long
	short=$(peak_kb select --monitor -e elephant --top 5 a="$FLOWS/short.pcap" b="$FLOWS/short.pcap")
	long=$(peak_kb select --monitor -e elephant --top 5 a="$FLOWS/long.pcap" b="$FLOWS/long.pcap")
	echo "select --monitor: $short KiB for 10000 connections, $long KiB for 40000"
	# every flow kept to the end (before): 25 MB and 80 MB
	[ $((long - short)) -lt 8192 ]
	# the five elephants at the monitor in every table, all 11 of their
	# packets before the decision (their last passes the bar); the
	# strawman, which records a flow once it is selected, misses them all
	tsv_awk '{ print v["mode"], v["selected_flows"], v["pre_pkts"], v["mode"] == "strawman" ? v["missed"] : "-" }' \
	    "$BATS_TEST_TMPDIR/out.tsv" | sort | uniq -c >"$BATS_TEST_TMPDIR/rows"
	[ "$(cat "$BATS_TEST_TMPDIR/rows")" = "      8 strawman 5 55 5
     24 two-mode 5 55 -" ]
}

@test "tcpconn memory: connections finished 10 s ago keep about 1 kB each, not 3" {
	! ldd "$BIN/vnd-tcpstate" | grep -q libasan || skip "an ASan build"
	kb=$(peak_kb tcpstate "$FLOWS/dense.pcap")
	echo "tcpstate: $kb KiB for 60000 connections in 60 s"
	# settled: 94 MB; unsettled: 193 MB; main: 306 MB
	[ "$kb" -lt 131072 ]
	kb=$(peak_kb rtt "$FLOWS/dense.pcap")
	echo "rtt: $kb KiB for 60000 connections in 60 s"
	# settled: 78 MB; unsettled: 227 MB; main: 219 MB
	[ "$kb" -lt 131072 ]
}

@test "tcpconn memory: rtt --summary's histograms hold the buckets their samples fell in" {
	! ldd "$BIN/vnd-rtt" | grep -q libasan || skip "an ASan build"
	kb=$(peak_kb rtt --summary "$FLOWS/dense.pcap")
	echo "rtt --summary: $kb KiB for 60000 connections in 60 s"
	# 4 KiB a direction, all 64 powers of two: 588 MB
	[ "$kb" -lt 131072 ]
	# the same answers: the medians, 200 us; 190 us toward the servers
	# that reset (every 8th), which leaves fewer samples
	[ "$(tsv_awk '{ print v["far_end"], v["rtt_p50_ns"] }' "$BATS_TEST_TMPDIR/out.tsv" |
	    sort | uniq -c)" = "  60000 client 200000
   7500 server 190000
  52500 server 200000" ]
}

@test "tcpconn memory: the long trace's connections are all there, in order, closed as they were" {
	"$BIN/vnd-tcpstate" "$FLOWS/long.pcap" >"$BATS_TEST_TMPDIR/conns.tsv"
	c="$BATS_TEST_TMPDIR/conns.tsv"
	[ "$(tsv_count 'v["conn_state"] == "SF"' "$c")" -eq 70000 ]
	# every 8th reset by its server
	[ "$(tsv_count 'v["conn_state"] == "RSTR"' "$c")" -eq 10000 ]
	[ "$(tsv_count 'v["sender"] == "server" && v["data_bytes"] == 1000' "$c")" -eq 40000 ]
	# in the order of their first packets: one every 100 ms
	tsv_col start_ts_ns <"$c" | sort -c -n
	[ "$(tsv_col start_ts_ns <"$c" | tail -1)" -eq 1700003999900000000 ]
}

@test "tcpconn memory: the long trace's round trips are all there" {
	"$BIN/vnd-rtt" "$FLOWS/long.pcap" >"$BATS_TEST_TMPDIR/rtt.tsv"
	r="$BATS_TEST_TMPDIR/rtt.tsv"
	# SYN to SYN-ACK: 200 us, every one
	[ "$(tsv_count 'v["kind"] == "syn" && v["rtt_ns"] == 200000' "$r")" -eq 40000 ]
	[ "$(tsv_count 'v["kind"] == "syn"' "$r")" -eq 40000 ]
	"$BIN/vnd-rtt" --summary "$FLOWS/long.pcap" >"$BATS_TEST_TMPDIR/flows.tsv"
	[ "$(tsv_count 'v["far_end"] == "server"' "$BATS_TEST_TMPDIR/flows.tsv")" -eq 40000 ]
}

@test "tcpconn memory: a late packet within the quiet time still counts for its connection" {
	"$BIN/vnd-tcpstate" "$FLOWS/late-soon.pcap" >"$BATS_TEST_TMPDIR/conns.tsv"
	c="$BATS_TEST_TMPDIR/conns.tsv"
	[ "$(tsv_count 1 "$c")" -eq 40 ]
	# its end is the late packet's, 100 s after its first
	[ "$(tsv_count 'v["end_ts_ns"] - v["start_ts_ns"] > 100000000000' "$c")" -eq 40 ]
}

@test "tcpconn memory: a late packet after the quiet time opens a connection of its own" {
	"$BIN/vnd-tcpstate" "$FLOWS/late-quiet.pcap" >"$BATS_TEST_TMPDIR/conns.tsv"
	c="$BATS_TEST_TMPDIR/conns.tsv"
	[ "$(tsv_count 'v["conn_state"] == "OTH"' "$c")" -eq 20 ]
	[ "$(tsv_count 'v["conn_state"] == "SF"' "$c")" -eq 36 ]
}
