#!/usr/bin/env bats
# vnd-tcpstate: connections caught mid-stream (window state from the first packet either way), and its command line.
bats_require_minimum_version 1.5.0
load helpers

@test "tcpstate: the meta table records the command as given, reading standard input" {
	need_cmd sqlite3
	cd "$BATS_TEST_TMPDIR"
	"$BIN/vnd-tcpstate" -o x.db <"$SAMPLES/snat-inside.pcap"
	sqlite3 x.db 'SELECT command FROM meta' >cmd
	# the old main() put "-" in argv before recording it: "... -o -"
	[ "$(cat cmd)" = "$BIN/vnd-tcpstate -o x.db" ]
	[ "$(sqlite3 x.db 'SELECT point FROM meta')" = stdin ]
	[ "$(sqlite3 x.db "SELECT count(*) FROM events WHERE event = 'syn'")" -eq 20 ]
}

@test "tcpstate: -i with --events needs -o; a bad -i is a usage error" {
	run -2 --separate-stderr "$BIN/vnd-tcpstate" --events -i 1 "$SAMPLES/snat-inside.pcap"
	[[ $stderr == *"--events and -i are different tables; -o holds both"* ]]
	run -2 --separate-stderr "$BIN/vnd-tcpstate" -i 0 "$SAMPLES/snat-inside.pcap"
	[[ $stderr == *"-i '0': seconds, from 0.000001 to 86400"* ]]
	[[ $stderr == *"usage: vnd-tcpstate"* ]]
}

teardown() {
	[ -n "${VT_A:-}" ] && ip netns del "$VT_A" 2>/dev/null || true
	[ -n "${VT_B:-}" ] && ip netns del "$VT_B" 2>/dev/null || true
}

# record_sink FILE: real kernel TCP into a sink that reads 4 KiB every 10 ms
# through a 16 KiB buffer (its window closes, then opens), captured at the sender
record_sink() {
	[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"
	need_cmd tcpdump
	need_cmd python3
	VT_A=vta$$ VT_B=vtb$$
	ip netns add "$VT_A" 2>/dev/null || skip "cannot make network namespaces"
	ip netns add "$VT_B"
	ip link add "${VT_A}x" netns "$VT_A" type veth peer name "${VT_B}x" netns "$VT_B"
	ip -n "$VT_A" addr add 198.18.42.1/24 dev "${VT_A}x"
	ip -n "$VT_B" addr add 198.18.42.2/24 dev "${VT_B}x"
	ip -n "$VT_A" link set "${VT_A}x" up
	ip -n "$VT_B" link set "${VT_B}x" up
	ip netns exec "$VT_A" tcpdump -q -n -U --immediate-mode -s 128 -i "${VT_A}x" -w "$1" tcp 2>"$1.log" &
	local td=$! sink i
	for i in $(seq 50); do grep -q listening "$1.log" && break; sleep 0.1; done
	ip netns exec "$VT_B" python3 "$SAMPLES/traffic.py" sink 198.18.42.2 6000 \
	    --rcvbuf 16384 --chunk 4096 --interval 0.01 >/dev/null &
	sink=$!
	for i in $(seq 50); do ip netns exec "$VT_B" ss -Hltn 'sport = 6000' | grep -q . && break; sleep 0.1; done
	ip netns exec "$VT_A" python3 "$SAMPLES/traffic.py" source 198.18.42.2 6000 --bytes 300000 >/dev/null
	wait "$sink"
	sleep 0.2
	kill "$td"
	wait "$td" || true
}

# the sink's zero windows in a packets table: its packets to port 6000's peer,
# window 0, no SYN (2) and no RST (4), as tshark's tcp.analysis.zero_window
zero_windows_of() {
	tsv_count 'v["src_port"] == 6000 && v["win"] == 0 && int(v["tcp_flags"] / 2) % 4 == 0' "$1"
}

@test "tcpstate: netns: a capture starting at the receiver's zero window counts it, and the stall is the receiver's" {
	d=$BATS_TEST_TMPDIR
	record_sink "$d/full.pcap"
	"$BIN/vnd-parse" -q "$d/full.pcap" >"$d/full.tsv"
	# cut the table at the sink's first zero window: no data segment before it
	z=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	    $h["src_port"] == 6000 && $h["win"] == 0 { print NR; exit }' "$d/full.tsv")
	[ -n "$z" ]
	awk -v z="$z" 'NR == 1 || NR >= z' "$d/full.tsv" >"$d/cut.tsv"
	want=$(zero_windows_of "$d/cut.tsv")
	echo "zero windows in the cut: $want"
	[ "$want" -ge 3 ]
	"$BIN/vnd-tcpstate" "$d/cut.tsv" >"$d/conn"
	[ "$(tsv_col zero_windows <"$d/conn")" -eq "$want" ]
	# the first event is that zero window, at the cut's first frame
	"$BIN/vnd-tcpstate" --events "$d/cut.tsv" >"$d/ev"
	[ "$(sed -n 2p "$d/ev" | cut -f3,8)" = "$(sed -n 2p "$d/cut.tsv" | cut -f1)	zero_window" ]
	# the stall before the window opens is the receiver's, from that frame:
	# the first 1 ms slot holds it and is wholly receiver-limited
	t0=$(sed -n 2p "$d/cut.tsv" | cut -f3)
	"$BIN/vnd-tcpstate" -i 0.001 "$d/cut.tsv" >"$d/slots"
	[ "$(tsv_col slot_ts_ns <"$d/slots" | head -1)" -eq $((t0 / 1000000 * 1000000)) ]
	[ "$(tsv_col receiver_limited_ratio <"$d/slots" | head -1)" = 1 ]
	# the whole capture: as many as its table says, and tshark on the cut
	"$BIN/vnd-tcpstate" "$d/full.pcap" >"$d/fullconn"
	[ "$(tsv_col zero_windows <"$d/fullconn")" -eq "$(zero_windows_of "$d/full.tsv")" ]
	command -v tshark >/dev/null && command -v editcap >/dev/null || return 0
	editcap -r "$d/full.pcap" "$d/cut.pcap" "$(sed -n 2p "$d/cut.tsv" | cut -f1)-$(($(wc -l <"$d/full.tsv") - 1))"
	[ "$(tshark -r "$d/cut.pcap" -Y tcp.analysis.zero_window 2>/dev/null | wc -l)" -eq "$want" ]
	[ "$("$BIN/vnd-tcpstate" "$d/cut.pcap" | tsv_col zero_windows)" -eq "$want" ]
}

@test "tcpstate: the slow sink's link cut at each of its first zero windows counts those left, as tshark flags them" {
	"$BIN/vnd-parse" -q "$SAMPLES/chain-slowsink-relay2out.pcap" >"$BATS_TEST_TMPDIR/t.tsv"
	n=0
	for z in $(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	    $h["src_port"] == 6000 && $h["win"] == 0 { print NR }' "$BATS_TEST_TMPDIR/t.tsv" | head -5); do
		awk -v z="$z" 'NR == 1 || NR >= z' "$BATS_TEST_TMPDIR/t.tsv" >"$BATS_TEST_TMPDIR/cut.tsv"
		want=$(zero_windows_of "$BATS_TEST_TMPDIR/cut.tsv")
		got=$("$BIN/vnd-tcpstate" "$BATS_TEST_TMPDIR/cut.tsv" | tsv_col zero_windows)
		echo "cut at row $z: $want zero windows, vnd $got"
		[ "$got" -eq "$want" ]
		n=$((n + 1))
	done
	[ "$n" -eq 5 ]
}

@test "tcpstate: mid-stream, the chain's 12 links keep their verdicts: window scale and MSS inferred from the data" {
	for f in "$SAMPLES"/chain-*.pcap; do
		"$BIN/vnd-tcpstate" -H "$f" | awk -F'\t' '$17 > 100000 { print $3, $32 }' >"$BATS_TEST_TMPDIR/full"
		# no handshake: the rows from the 200th on
		"$BIN/vnd-parse" -q "$f" | awk 'NR == 1 || NR > 200' >"$BATS_TEST_TMPDIR/cut.tsv"
		"$BIN/vnd-tcpstate" -H "$BATS_TEST_TMPDIR/cut.tsv" | awk -F'\t' '$17 > 100000 { print $3, $32 }' >"$BATS_TEST_TMPDIR/cut"
		echo "$(basename "$f"): $(cat "$BATS_TEST_TMPDIR/full") / $(cat "$BATS_TEST_TMPDIR/cut")"
		[ -s "$BATS_TEST_TMPDIR/full" ]
		diff -u "$BATS_TEST_TMPDIR/full" "$BATS_TEST_TMPDIR/cut"
	done
}

@test "tcpstate: corpus: zero windows before any data are counted, as tshark counts them" {
	need_corpus
	# urgent.dmp: the receiver's two first packets advertise 0 (tshark: 96)
	"$BIN/vnd-tcpstate" "$CORPUS/tcptrace/input/urgent.dmp.gz" >"$BATS_TEST_TMPDIR/o"
	[ "$(tsv_col zero_windows <"$BATS_TEST_TMPDIR/o" | paste -sd+ | bc)" -eq 96 ]
	"$BIN/vnd-tcpstate" --events "$CORPUS/tcptrace/input/urgent.dmp.gz" >"$BATS_TEST_TMPDIR/e"
	[ "$(awk -F'\t' '$8 == "zero_window" { print $3 }' "$BATS_TEST_TMPDIR/e" | head -2 | paste -sd' ')" = "1 2" ]
	# gre-aruba: the client's 9, toward servers whose packets were not captured
	"$BIN/vnd-tcpstate" --events "$CORPUS/zeek/testing/btest/Traces/tunnels/gre-aruba.pcap" >"$BATS_TEST_TMPDIR/e"
	[ "$(tsv_count 'v["event"] == "zero_window"' "$BATS_TEST_TMPDIR/e")" -eq 9 ]
}
