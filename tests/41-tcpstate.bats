#!/usr/bin/env bats
# vnd-tcpstate: constants, counters and the limitation verdict, against the kernels' own view.
bats_require_minimum_version 1.5.0
load helpers

# verdict of the client's data on a capture
verdict() {
	"$BIN/vnd-tcpstate" "$1" | tsv_awk 'v["sender"] == "client" { print v["verdict"] }'
}

# conn_col FILE PORT NAME: column NAME of the connections whose data leave PORT
conn_col() {
	tsv_awk -v p="$2" "v[\"src_port\"] == p { print v[\"$3\"] }" "$1"
}

@test "tcpstate: retransmissions of the bulk flow, fast and timeout, equal the sender kernel's counters" {
	t="$SAMPLES/path.truth.tsv"
	want=$(truth client:tcp TcpRetransSegs "$t")
	fast=$(truth client:tcp TcpExtTCPFastRetrans "$t")
	"$BIN/vnd-tcpstate" "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/out"
	o="$BATS_TEST_TMPDIR/out"
	echo "kernel: $want retransmitted, $fast fast; vnd: $(conn_col "$o" 40001 retx_pkts), $(conn_col "$o" 40001 retx_fast) fast"
	[ "$(conn_col "$o" 40001 retx_pkts)" -eq "$want" ]
	# fast retransmits and timeouts as the kernel counted them (357 and 1): a
	# retransmission an ACK prompted is fast, in recovery or not
	[ "$(conn_col "$o" 40001 retx_fast)" -eq "$fast" ]
	[ "$(conn_col "$o" 40001 retx_timeout)" -eq "$(truth client:tcp TcpExtTCPTimeouts "$t")" ]
	# behind a tbf bottleneck: network-limited
	[ "$(conn_col "$o" 40001 verdict)" = network ]
}

@test "tcpstate: every link of the three socat chains is limited as its sender's kernel says (tcp_info rwnd_limited of busy time)" {
	n=0
	for c in slowsink slowsource slowrelay; do
		t="$SAMPLES/chain-$c.truth.tsv"
		for link in "source relay1in" "relay1 relay1out" "relay1 relay2in" "relay2 relay2out"; do
			set -- $link
			# the kernel: window-limited most of a busy time of 100 ms or more
			busy=$(truth "$1" busy_ms "$t")
			rwnd=$(truth "$1" rwnd_limited_ratio "$t")
			want=sender
			if awk -v b="${busy:-0}" -v r="${rwnd:-0}" 'BEGIN { exit !(b >= 100 && r >= 0.5) }'; then
				want=receiver
			fi
			got=$(verdict "$SAMPLES/chain-$c-$2.pcap")
			echo "$c $2: kernel busy ${busy:-0} ms, rwnd-limited ${rwnd:-0}: $want; vnd $got"
			[ "$got" = "$want" ]
			[ "$want" = sender ] || n=$((n + 1))
		done
	done
	# window-limited, at 6 of the 12 captures: relay1 to relay2 (at both ends)
	# and relay2 to the sink behind the slow sink; the source to relay1 and
	# relay1 to relay2 (at both ends) before the slow relay
	[ "$n" -eq 6 ]
}

@test "tcpstate: the handshake's options are what the kernels negotiated" {
	"$BIN/vnd-tcpstate" "$SAMPLES/chain-slowsink-relay1in.pcap" |
	    tsv_col conn_state mss wscale_snd wscale_rcv sack_ok ts_ok >"$BATS_TEST_TMPDIR/out"
	# conn_state, MSS announced by the receiver, wscale each way (ss -ti: 10,10), SACK, timestamps
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(printf 'SF\t1460\t10\t10\t1\t1')" ]
	[ "$(tsv_count 'v["attr"] == "wscale" && v["value"] == "10,10"' "$SAMPLES/chain-slowsink.truth.tsv")" -gt 0 ]
}

@test "tcpstate: a slow sink makes its upstream link receiver-limited, a slow source sender-limited" {
	[ "$(verdict "$SAMPLES/chain-slowsink-relay2out.pcap")" = receiver ]
	for p in relay1in relay1out relay2in relay2out; do
		[ "$(verdict "$SAMPLES/chain-slowsource-$p.pcap")" = sender ]
	done
	# a slow relay: the link into it is receiver-limited, the one out of it sender-limited
	[ "$(verdict "$SAMPLES/chain-slowrelay-relay2in.pcap")" = receiver ]
	[ "$(verdict "$SAMPLES/chain-slowrelay-relay2out.pcap")" = sender ]
}

@test "tcpstate: zero windows counted as tshark counts them (19 at the slow sink)" {
	"$BIN/vnd-tcpstate" "$SAMPLES/chain-slowsink-relay2out.pcap" >"$BATS_TEST_TMPDIR/out"
	[ "$(tsv_col zero_windows <"$BATS_TEST_TMPDIR/out")" -eq 19 ]
	"$BIN/vnd-tcpstate" --events "$SAMPLES/chain-slowsink-relay2out.pcap" >"$BATS_TEST_TMPDIR/ev"
	[ "$(tsv_count 'v["event"] == "zero_window"' "$BATS_TEST_TMPDIR/ev")" -eq 19 ]
	# events come in time order
	tsv_col ts_ns <"$BATS_TEST_TMPDIR/ev" | sort -c -n
}

@test "tcpstate: 400 haproxy connections, both ways, all closed normally" {
	"$BIN/vnd-tcpstate" "$SAMPLES/haproxy-front.pcap" >"$BATS_TEST_TMPDIR/out"
	[ "$(tsv_count 'v["conn_state"] == "SF"' "$BATS_TEST_TMPDIR/out")" -eq 800 ]
}

@test "tcpstate: from vnd-parse's table the same answer; SQLite; errors" {
	"$BIN/vnd-tcpstate" A="$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/a"
	"$BIN/vnd-parse" -q -p A "$SAMPLES/path-client.pcap" | "$BIN/vnd-tcpstate" A=- >"$BATS_TEST_TMPDIR/b"
	diff -u "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	if command -v sqlite3 >/dev/null; then
		"$BIN/vnd-tcpstate" -o "$BATS_TEST_TMPDIR/t.db" "$SAMPLES/snat-inside.pcap"
		[ "$(sqlite3 "$BATS_TEST_TMPDIR/t.db" "SELECT count(*) FROM events WHERE event = 'syn'")" -eq 20 ]
	fi
	run -2 --separate-stderr "$BIN/vnd-tcpstate" --bogus
	[[ $stderr == *"usage: vnd-tcpstate"* ]]
	run -1 --separate-stderr "$BIN/vnd-tcpstate" /nonexistent.pcap
}

@test "tcpstate: losses before the capture point, reordering, and connections first seen mid-stream" {
	# at the server every loss of the bulk flow happened upstream (r1, r2)
	"$BIN/vnd-tcpstate" "$SAMPLES/path-server.pcap" >"$BATS_TEST_TMPDIR/s"
	s="$BATS_TEST_TMPDIR/s"
	[ "$(conn_col "$s" 40001 unique_bytes)" -eq 3000000 ]	# the transfer
	# every retransmission was of a segment lost upstream
	[ "$(conn_col "$s" 40001 retx_pkts)" -eq "$(conn_col "$s" 40001 retx_lost_upstream)" ]
	[ "$(conn_col "$s" 40001 retx_lost_upstream)" -gt 200 ]
	# at the client, the server's data: 3 retransmissions and 7 out of order, as tshark says
	"$BIN/vnd-tcpstate" "$SAMPLES/path-client.pcap" |
	    tsv_awk 'v["src_port"] == 5002 { print v["unique_bytes"], v["retx_pkts"], v["reordered_pkts"] }' >"$BATS_TEST_TMPDIR/c"
	[ "$(cat "$BATS_TEST_TMPDIR/c")" = "500000 3 7" ]
	# without its handshake (the first 10 frames cut), a connection is still counted
	"$BIN/vnd-parse" -q "$SAMPLES/snat-inside.pcap" | awk 'NR == 1 || NR > 11' >"$BATS_TEST_TMPDIR/cut.tsv"
	"$BIN/vnd-tcpstate" "$BATS_TEST_TMPDIR/cut.tsv" >"$BATS_TEST_TMPDIR/o"
	[ "$(tsv_count 'v["conn_state"] == "OTH" && v["data_bytes"] > 0' "$BATS_TEST_TMPDIR/o")" -gt 0 ]
}

@test "tcpstate: corpus: Zeek's ssh-dups are the capture's duplicates, not retransmissions" {
	need_corpus
	"$BIN/vnd-tcpstate" "$CORPUS/zeek/testing/btest/Traces/tcp/ssh-dups.pcap" >"$BATS_TEST_TMPDIR/o"
	[ "$(tsv_col retx_pkts <"$BATS_TEST_TMPDIR/o" | sort -u)" = 0 ]
	[ "$(tsv_col capture_dups <"$BATS_TEST_TMPDIR/o" | paste -sd+ | bc)" -eq 162 ]
}

@test "tcpstate: spurious retransmissions of each side = the D-SACKs its kernel received" {
	"$BIN/vnd-tcpstate" "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/o"
	for side in client server; do
		want=$(truth "$side:tcp" TcpExtTCPDSACKRecv "$SAMPLES/path.truth.tsv")
		got=$(tsv_awk -v s="$side" 'v["sender"] == s && v["data_bytes"] > 100000 { n += v["retx_spurious"] } END { print n + 0 }' \
		    "$BATS_TEST_TMPDIR/o")
		echo "$side: kernel $want, vnd $got"
		[ -n "$want" ]
		[ "$got" -eq "$want" ]
	done
}

@test "tcpstate: corpus: spurious retransmissions by timestamps (Eifel) and by D-SACK, one found by both counted once" {
	need_corpus
	t="$CORPUS/zeek/testing/btest/Traces/tcp/composite"
	# comp008: two timeouts whose first covering ACK echoes the original's TSval
	"$BIN/vnd-tcpstate" --events "$t/comp008.trace" >"$BATS_TEST_TMPDIR/e"
	[ "$(tsv_awk 'v["event"] == "spurious_retx" && (v["frame"] == 2090 || v["frame"] == 2114) { print v["frame"], v["value"] }' \
	    "$BATS_TEST_TMPDIR/e" | paste -sd' ')" = "2090 76607 2114 1435275" ]
	# each right after the timeout it undoes
	[ "$(tsv_awk 'v["event"] == "retx_timeout" && (v["frame"] == 2089 || v["frame"] == 2113) { print v["frame"] }' \
	    "$BATS_TEST_TMPDIR/e" | paste -sd' ')" = "2089 2113" ]
	# comp014: one segment sent 10 times; Eifel finds it (frame 358), then two
	# D-SACKs report it (369, 370): the first is the same finding, the second another
	"$BIN/vnd-tcpstate" --events "$t/comp014.trace" >"$BATS_TEST_TMPDIR/e"
	[ "$(tsv_awk 'v["event"] == "spurious_retx" && v["value"] == 247572 { print v["frame"] }' "$BATS_TEST_TMPDIR/e" |
	    paste -sd' ')" = "358 370" ]
	[ "$("$BIN/vnd-tcpstate" "$t/comp014.trace" | tsv_col retx_spurious | paste -sd+ | bc)" -eq 2 ]
}

@test "tcpstate: corpus: at least 95% agreement with Zeek's labelled retransmissions and their type, none it does not label" {
	need_corpus
	run -0 python3 "$TOP/tests/zeekretx.py" "$BIN" "$CORPUS"
	echo "$output"
	# the six where Zeek says timeout and vnd fast, each looked at: four came
	# 0.1 ms or less after a duplicate ACK with SACK blocks, which prompted them
	# (a head past its RTO, retransmitted on an ACK: Linux counts it fast too)
	[ "$(echo "$output" | grep -c 'Zeek timeout')" -le 6 ]
	[ "$(echo "$output" | grep -c 'Zeek fast')" -eq 0 ]
}

@test "tcpstate: -i gives the limitation shares per time slot; they sum to one, slots in order" {
	"$BIN/vnd-tcpstate" -i 0.5 "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/s"
	head -1 "$BATS_TEST_TMPDIR/s" | grep -q $'\tsender\tslot_ts_ns\tsender_limited_ratio\t'
	[ "$(wc -l <"$BATS_TEST_TMPDIR/s")" -gt 4 ]
	run -0 tsv_awk '{ d = v["sender_limited_ratio"] + v["receiver_limited_ratio"] + v["network_limited_ratio"] - 1
	    if (d > 1e-6 || d < -1e-6) bad++
	    k = v["src_port"]; if (k in last && v["slot_ts_ns"] <= last[k]) bad++; last[k] = v["slot_ts_ns"] }
	    END { print bad + 0 }' "$BATS_TEST_TMPDIR/s"
	[ "$output" = 0 ]
	# the bulk flow is network-limited in its first slot (slow start into the tbf queue)
	[ "$(tsv_awk 'v["src_port"] == 40001 { print v["verdict"]; exit }' "$BATS_TEST_TMPDIR/s")" = network ]
	run -2 --separate-stderr "$BIN/vnd-tcpstate" -i 0 "$SAMPLES/path-client.pcap"
}

# same_j FILE [OPTIONS...]: -j 2 and -j 3 write what -j 1 writes (stdout,
# stderr, exit status)
same_j() {
	local f=$1 j r1 rn
	shift
	r1=0
	"$BIN/vnd-tcpstate" -j 1 "$@" "$f" >"$BATS_TEST_TMPDIR/j1.out" 2>"$BATS_TEST_TMPDIR/j1.err" || r1=$?
	for j in 2 3; do
		rn=0
		"$BIN/vnd-tcpstate" -j $j "$@" "$f" >"$BATS_TEST_TMPDIR/jn.out" 2>"$BATS_TEST_TMPDIR/jn.err" || rn=$?
		[ "$r1" = "$rn" ] || { echo "-j $j $* $f: exit $rn, -j 1: $r1"; return 1; }
		cmp "$BATS_TEST_TMPDIR/j1.out" "$BATS_TEST_TMPDIR/jn.out" || { echo "-j $j $* $f"; return 1; }
		cmp "$BATS_TEST_TMPDIR/j1.err" "$BATS_TEST_TMPDIR/jn.err" || { echo "-j $j $* $f"; return 1; }
	done
}

@test "tcpstate -j: 2 and 3 threads write what one writes: connections, events, slots" {
	for f in path-client path-r2out haproxy-front chain-slowsink-relay2out; do
		same_j "$SAMPLES/$f.pcap"
		same_j "$SAMPLES/$f.pcap" --events
		same_j "$SAMPLES/$f.pcap" -i 0.1
	done
	# the bulk flow's own figures, to know the comparison compared something
	"$BIN/vnd-tcpstate" -j 2 "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/j2"
	[ "$(conn_col "$BATS_TEST_TMPDIR/j2" 40001 retx_pkts)" -eq "$(truth client:tcp TcpRetransSegs "$SAMPLES/path.truth.tsv")" ]
	# several points, a packets table on standard input: one thread reads, the same rows
	"$BIN/vnd-parse" -q -p A "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/a.tsv"
	same_j "$BATS_TEST_TMPDIR/a.tsv"
	"$BIN/vnd-tcpstate" -j 1 "$SAMPLES/path-r1in.pcap" "$SAMPLES/path-server.pcap" >"$BATS_TEST_TMPDIR/m1"
	"$BIN/vnd-tcpstate" -j 2 "$SAMPLES/path-r1in.pcap" "$SAMPLES/path-server.pcap" >"$BATS_TEST_TMPDIR/m2"
	cmp "$BATS_TEST_TMPDIR/m1" "$BATS_TEST_TMPDIR/m2"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/m1")" -eq 5 ]
}

@test "tcpstate -j: a pcap or pcapng made to mislead a reader that starts mid-file gives the packets one reader sees, and its errors" {
	need_cmd python3
	d=$BATS_TEST_TMPDIR
	# payloads of chained pcap record headers: each part's reader starts on one of them
	python3 "$TOP/tests/mkparts.py" "$d/clean.pcap" clean
	python3 "$TOP/tests/mkparts.py" "$d/badlen.pcap" badlen
	python3 "$TOP/tests/mkparts.py" "$d/cut.pcap" cut
	[ "$(stat -c %s "$d/clean.pcap")" -gt $((6 * 512 * 1024)) ]
	same_j "$d/clean.pcap"
	same_j "$d/clean.pcap" --events
	# 8 connections, each 300 segments of 1400 bytes one way, none sent twice
	"$BIN/vnd-tcpstate" -j 2 "$d/clean.pcap" >"$d/out"
	[ "$(tsv_count 1 "$d/out")" -eq 8 ]
	[ "$(tsv_col data_pkts data_bytes retx_pkts <"$d/out" | sort -u)" = "$(printf '300\t420000\t0')" ]
	# a record that claims 64 MB past the middle: what comes before it, then its error
	same_j "$d/badlen.pcap"
	run -1 "$BIN/vnd-tcpstate" -j 2 "$d/badlen.pcap"
	assert_output --partial "bad record length 67108864 at byte"
	# cut inside a record
	same_j "$d/cut.pcap" --events
	run -1 "$BIN/vnd-tcpstate" -j 3 "$d/cut.pcap"
	assert_output --partial "truncated record at byte"
	# pcapng, in two sections that declare their interfaces in another order:
	# the parts after the second must know them; the answer of the pcap
	python3 "$TOP/tests/mkparts.py" "$d/ng.pcapng" pcapng
	same_j "$d/ng.pcapng" --events
	"$BIN/vnd-tcpstate" -j 2 clean="$d/ng.pcapng" >"$d/ng"
	"$BIN/vnd-tcpstate" clean="$d/clean.pcap" >"$d/pcap"
	cmp "$d/ng" "$d/pcap"
}

@test "tcpstate -j: corpus: the largest captures give the same under 2 and 3 threads" {
	need_corpus
	n=0
	for f in PcapPlusPlus/Tests/Pcap++Test/PcapExamples/example.pcap \
	    zeek/testing/btest/Traces/http/206_example_a.pcap \
	    zeek/testing/btest/Traces/ssh/ssh.server-side-half-duplex.pcap \
	    zeek/testing/btest/Traces/modbus/modbusBig.pcap; do
		[ -f "$CORPUS/$f" ] || continue
		same_j "$CORPUS/$f" --events
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}

@test "tcpstate -j: a thread count from 1 to 64, else usage" {
	run -2 "$BIN/vnd-tcpstate" -j 0 "$SAMPLES/path-client.pcap"
	assert_output --partial "-j '0': threads, from 1 to 64"
	run -2 "$BIN/vnd-tcpstate" -j 65 "$SAMPLES/path-client.pcap"
	run -2 "$BIN/vnd-tcpstate" --jobs two "$SAMPLES/path-client.pcap"
	run -0 "$BIN/vnd-tcpstate" -j 64 "$SAMPLES/snat-inside.pcap"
}
