#!/usr/bin/env bats
# vnd-select -e loss --at A,B,...: the flows that lost packets on a hop, against the kernels' counters.
bats_require_minimum_version 1.5.0
load helpers

SIX="client=path-client.pcap r1in=path-r1in.pcap r1out=path-r1out.pcap r2in=path-r2in.pcap r2out=path-r2out.pcap server=path-server.pcap"
AT=client,r1in,r1out,r2in,r2out,server

# hop_rows SEL: a row per hop loss: ip_proto dst_port hoplost hop point, sorted
hop_rows() {
	tsv_awk 'v["evidence"] ~ /^hoplost=/ { split(v["evidence"], e, /[= ]/)
	    print v["ip_proto"] "\t" v["dst_port"] "\t" e[2] "\t" e[4] "\t" v["point"] }' "$1" | sort
}

# hop_sum SEL HOP: the packets lost on HOP (A>B), all flows
hop_sum() {
	hop_rows "$1" | awk -F'\t' -v h="$2" '$4 == h { n += $3 } END { print n + 0 }'
}

# truth VALUE ELEMENT ATTR: a value of samples/path.truth.tsv
truth() {
	tsv_awk -v el="$1" -v at="$2" 'v["element"] == el && v["attr"] == at { print v["value"] }' \
	    "$SAMPLES/path.truth.tsv"
}

@test "select hoploss: the path's six points give the golden table" {
	cd "$SAMPLES"
	# shellcheck disable=SC2086
	"$BIN/vnd-select" -q -e loss --at "$AT" $SIX >"$BATS_TEST_TMPDIR/out"
	diff -u "$GOLDEN/select/path-hops.tsv" "$BATS_TEST_TMPDIR/out"
}

@test "select hoploss: the path's hops lost what r1's drop rule and r2's tbf counted" {
	cd "$SAMPLES"
	# shellcheck disable=SC2086
	"$BIN/vnd-select" -q -e loss --at "$AT" $SIX >"$BATS_TEST_TMPDIR/sel"
	[ "$(hop_sum "$BATS_TEST_TMPDIR/sel" r1in\>r1out)" -eq "$(truth r1:iptables:FORWARD:vnd-random-drop pkts)" ]
	[ "$(hop_sum "$BATS_TEST_TMPDIR/sel" r2in\>r2out)" -eq "$(truth r2:tc:eth-server dropped_pkts)" ]
	[ "$(hop_rows "$BATS_TEST_TMPDIR/sel" | wc -l)" -eq 3 ]
	# vnd-hoploss counts the same, flow by flow
	# shellcheck disable=SC2086
	"$BIN/vnd-hoploss" -q --by flow $SIX >"$BATS_TEST_TMPDIR/hl"
	tsv_awk 'v["lost_pkts"] > 0 { print v["ip_proto"] "\t" v["dst_port"] "\t" v["lost_pkts"] "\t" \
	    v["in_point"] ">" v["out_point"] "\t" v["in_point"] }' "$BATS_TEST_TMPDIR/hl" | sort >"$BATS_TEST_TMPDIR/hl.rows"
	hop_rows "$BATS_TEST_TMPDIR/sel" >"$BATS_TEST_TMPDIR/sel.rows"
	diff -u "$BATS_TEST_TMPDIR/hl.rows" "$BATS_TEST_TMPDIR/sel.rows"
}

@test "select hoploss: one point in --at is the selector alone, as before" {
	cd "$SAMPLES"
	"$BIN/vnd-select" -e loss --at client client=path-client.pcap server=path-server.pcap >"$BATS_TEST_TMPDIR/one"
	"$BIN/vnd-select" -e loss client=path-client.pcap >"$BATS_TEST_TMPDIR/plain"
	diff -u "$BATS_TEST_TMPDIR/plain" "$BATS_TEST_TMPDIR/one"
	[ "$(tsv_count 'v["evidence"] ~ /hoplost/' "$BATS_TEST_TMPDIR/one")" -eq 0 ]
}

@test "select hoploss: --at naming no point, or one twice, is a usage error" {
	cd "$SAMPLES"
	run -2 --separate-stderr "$BIN/vnd-select" -e loss --at client,nowhere client=path-client.pcap server=path-server.pcap
	[[ $stderr == *"--at 'nowhere': no such point"* ]]
	run -2 --separate-stderr "$BIN/vnd-select" -e loss --at client,client client=path-client.pcap server=path-server.pcap
	[[ $stderr == *"point 'client' twice"* ]]
}

# one fresh recording (tests/select-net.sh hop) in $1, checked
check_recording() {
	local d=$1 p nflows nudp
	"$TOP/tests/select-net.sh" "$d" hop
	cd "$d"
	cat truth.tsv
	"$BIN/vnd-select" -q -e loss --at rin,rout -w out rin=rin.pcap rout=rout.pcap >sel.tsv
	cat sel.tsv
	# the kernel's counter of each rule that dropped: ip_proto dst_port pkts
	# hop, and the hop's start (the server's ACKs: from rout to rin)
	tsv_awk 'v["pkts"] > 0 { split(v["hop"], w, ">")
	    print v["ip_proto"] "\t" v["dst_port"] "\t" v["pkts"] "\t" v["hop"] "\t" w[1] }' truth.tsv |
	    sort >want
	[ "$(wc -l <want)" -ge 4 ]
	# both ways
	[ "$(grep -c 'rout>rin' want)" -eq 1 ]
	# exactly the flows with a drop rule, each with the rule's count
	hop_rows sel.tsv >got
	diff -u want got
	# UDP flows only by hop loss: those of the rules, no other
	nudp=$(tsv_count 'v["ip_proto"] == 17 && v["pkts"] > 0' truth.tsv)
	[ "$(tsv_count 'v["ip_proto"] == 17' sel.tsv)" -eq "$nudp" ]
	# the transfers to 7000 had no rule and lost nothing on the hop: none
	# has a hop's row (above); a retransmission's row is vnd-tcpstate's
	tsv_awk 'v["evidence"] ~ /^retx=/ { print v["src_port"] }' sel.tsv | sort >retx.sel
	"$BIN/vnd-tcpstate" rin.pcap | tsv_awk 'v["retx_pkts"] > 0 {
	    print (v["sender"] == "server" ? v["dst_port"] : v["src_port"]) }' | sort -u >retx.ts
	diff -u retx.ts retx.sel
	# the event's time and frame: vnd-hoploss's first lost packet of the flow
	# (per hop and flow: its server's port)
	"$BIN/vnd-hoploss" -q --lost rin=rin.pcap rout=rout.pcap |
	    tsv_awk 'v["what"] == "lost" { k = v["in_point"] ">" v["out_point"] "\t" \
	    (v["src_side"] == "client" ? v["dst_port"] : v["src_port"])
	    if (!(k in t)) t[k] = v["ts_ns"] "\t" v["frame"] }
	    END { for (k in t) print k "\t" t[k] }' | sort >first.hl
	tsv_awk 'v["evidence"] ~ /^hoplost=/ { split(v["evidence"], e, /[= ]/)
	    print e[4] "\t" v["dst_port"] "\t" v["ts_ns"] "\t" v["frame"] }' sel.tsv | sort >first.sel
	diff -u first.hl first.sel
	# -w: each side's file holds exactly its records of the selected flows
	for p in rin rout; do
		run -0 python3 "$TOP/tests/select-check.py" "$p.pcap" "out/$p.pcap" sel.tsv
		echo "$p: $output"
	done
	nflows=$(tsv_col src_port dst_port ip_proto <sel.tsv | sort -u | wc -l)
	[ "$(tsv_count "v[\"selected_flows\"] == $nflows" out/manifest.tsv)" -eq 2 ]
	# --monitor: the monitor at rout knows every selected flow
	"$BIN/vnd-select" -q --monitor --entries 64 -p 0.1 -e loss --at rin,rout rin=rin.pcap rout=rout.pcap >mon.tsv
	[ "$(tsv_count "v[\"selected_flows\"] == $nflows" mon.tsv)" -eq 2 ]
}

@test "select hoploss: three fresh recordings, UDP and TCP through a router dropping by port: exact" {
	[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
	need_cmd tcpdump
	need_cmd iptables
	need_cmd socat
	need_cmd python3
	local k
	for k in 1 2 3; do
		check_recording "$BATS_TEST_TMPDIR/run$k"
	done
}

@test "select hoploss: ten times the trace, the flows one after the other: no more memory" {
	# AddressSanitizer keeps what is freed in quarantine: RSS says nothing
	! ldd "$BIN/vnd-select" | grep -q libasan || skip "an ASan build"
	local t=$BATS_TEST_TMPDIR n
	python3 "$TOP/tests/mkflows.py" 20000 "$t/sa.pcap" "$t/sb.pcap"
	python3 "$TOP/tests/mkflows.py" 200000 "$t/la.pcap" "$t/lb.pcap"
	/usr/bin/time -f %M -o "$t/short.rss" "$BIN/vnd-select" -q -e loss --at a,b a="$t/sa.pcap" b="$t/sb.pcap" >"$t/short.tsv"
	/usr/bin/time -f %M -o "$t/long.rss" "$BIN/vnd-select" -q -e loss --at a,b a="$t/la.pcap" b="$t/lb.pcap" >"$t/long.tsv"
	echo "peak: $(cat "$t/short.rss") KiB for 20000 flows, $(cat "$t/long.rss") KiB for 200000"
	[ "$(cat "$t/long.rss")" -lt $(($(cat "$t/short.rss") + 16384)) ]
	# every 50th datagram lost on the hop: 4000 flows, one packet each
	n=$(tsv_count 'v["evidence"] == "hoplost=1 hop=a>b" && v["ip_proto"] == 17' "$t/long.tsv")
	[ "$n" -eq 4000 ]
	[ "$(($(wc -l <"$t/long.tsv") - 1))" -eq 4000 ]
}
