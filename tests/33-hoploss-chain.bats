#!/usr/bin/env bats
# vnd-hoploss on issue 9's chain, recorded afresh in namespaces three times: drops = the kernels' counters.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
	need_cmd iperf3
	need_cmd tcpdump
	need_cmd iptables
	need_cmd tc
}

# check_run DIR [hoploss options]: every hop and direction against the counters
check_run() {
	local d="$1" t="$1/truth.tsv" out="$1/hops.tsv"
	shift
	# the captures themselves lost nothing
	[ "$(tsv_count 'v["attr"] == "kernel_dropped_pkts" && v["value"] != 0' "$t")" -eq 0 ]
	[ "$(tsv_count 'v["attr"] == "captured_pkts"' "$t")" -eq 4 ]
	c2s=$(tsv_awk 'v["element"] == "m1:iptables:vh-c2s" { print v["value"] }' "$t")
	ipt=$(tsv_awk 'v["element"] == "m1:iptables:vh-drop" { print v["value"] }' "$t")
	tbf=$(truth m2:tc:tbf dropped_pkts "$t")
	echo "run $d: iptables $ipt of $c2s, tbf $tbf"
	[ "$ipt" -gt 0 ]
	[ "$tbf" -gt 0 ]
	(cd "$d" && "$BIN/vnd-hoploss" -q "$@" m1in.pcap m1out.pcap m2in.pcap m2out.pcap) >"$out"
	tsv_col in_point out_point src_side in_pkts out_pkts lost_pkts created_pkts <"$out"
	# m1 drops exactly what its rule counted, of every packet its rules saw
	[ "$(tsv_count "v[\"in_point\"] == \"m1in\" && v[\"src_side\"] == \"client\" && v[\"in_pkts\"] == $c2s && v[\"lost_pkts\"] == $ipt" "$out")" -eq 1 ]
	# m2 exactly what its tbf dropped
	[ "$(tsv_count "v[\"in_point\"] == \"m2in\" && v[\"src_side\"] == \"client\" && v[\"lost_pkts\"] == $tbf" "$out")" -eq 1 ]
	# nothing else lost anywhere, nothing created on a path that creates nothing
	[ "$(tsv_count 'v["lost_pkts"] != 0' "$out")" -eq 2 ]
	[ "$(tsv_count 'v["created_pkts"] != 0' "$out")" -eq 0 ]
	[ "$(wc -l <"$out")" -eq 7 ]
}

@test "hoploss chain: three fresh recordings, every hop's drops are the kernels' counters, one clock or estimated" {
	# (not i: bats's run sets it)
	for rn in 1 2 3; do
		"$TOP/tests/hoploss-chain.sh" "$BATS_TEST_TMPDIR/run$rn" 2
		run -0 --separate-stderr "$BIN/vnd-hoploss" m1in="$BATS_TEST_TMPDIR/run$rn/m1in.pcap" \
		    m1out="$BATS_TEST_TMPDIR/run$rn/m1out.pcap" m2in="$BATS_TEST_TMPDIR/run$rn/m2in.pcap" \
		    m2out="$BATS_TEST_TMPDIR/run$rn/m2out.pcap"
		echo "$stderr"
		# one host, one clock: said so, no offset invented
		[ "$(grep -c ' +0.000000000 s (one clock: ' <<<"$stderr")" -eq 3 ]
		check_run "$BATS_TEST_TMPDIR/run$rn"
		# an offset estimated at every hop anyway (what went wrong in issue 9)
		check_run "$BATS_TEST_TMPDIR/run$rn" --clock estimate
	done
	# the namespaces are gone
	[ "$(ip netns list | grep -c '^vh[0-9]*-')" -eq 0 ]
}

@test "hoploss chain: the tbf queue holds only the client's packets; every hop's delays are as stamped" {
	"$TOP/tests/hoploss-chain.sh" "$BATS_TEST_TMPDIR/run" 2
	cd "$BATS_TEST_TMPDIR/run"
	"$BIN/vnd-hoploss" -q m2in.pcap m2out.pcap >hops.tsv
	cl=$(tsv_awk 'v["src_side"] == "client" { print v["delay_p50_ns"] }' hops.tsv)
	sv=$(tsv_awk 'v["src_side"] == "server" { print v["delay_p50_ns"] }' hops.tsv)
	echo "p50 client $cl server $sv"
	# 48 kb at 40 Mbit/s is up to 9.8 ms of queue; the ACKs go by in microseconds
	[ "$cl" -gt 1000000 ]
	[ "$sv" -lt 100000 ]
	[ "$(tsv_count 'v["offset_ns"] != 0' hops.tsv)" -eq 0 ]
	# every hop's smallest and largest delay, each way, are the raw differences
	"$BIN/vnd-hoploss" -q m1in.pcap m1out.pcap m2in.pcap m2out.pcap >all.tsv
	set -- m1in m1out m2in m2out
	while [ $# -ge 2 ]; do
		"$TOP/tests/hoploss-raw.sh" "$BIN" "$1.pcap" "$2.pcap" 198.18.40.1 | cut -d' ' -f1-3 >raw
		tsv_awk -v a="$1" '(v["in_point"] == a && v["src_side"] == "client") ||
		    (v["out_point"] == a && v["src_side"] == "server") {
		    print v["src_side"], v["delay_min_ns"], v["delay_max_ns"] }' all.tsv | sort >got
		echo "$1 -> $2:"; cat got
		[ "$(wc -l <got)" -eq 2 ]
		diff -u raw got
		shift
	done
}
