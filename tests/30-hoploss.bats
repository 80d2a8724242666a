#!/usr/bin/env bats
# vnd-hoploss: loss and delay hop by hop, against the kernel's own drop counters.
bats_require_minimum_version 1.5.0
load helpers

PATHPTS="path-client.pcap path-r1in.pcap path-r1out.pcap path-r2in.pcap path-r2out.pcap path-server.pcap"

# hops of a run: "in out side in_pkts out_pkts lost created dups" per line
hops() {
	tsv_awk '{ print v["in_point"], v["out_point"], v["src_side"], v["in_pkts"], v["out_pkts"],
	    v["lost_pkts"], v["created_pkts"], v["dup_pkts"] }' "$1"
}

@test "hoploss: the path samples give the golden table" {
	cd "$SAMPLES"
	run -0 --separate-stderr "$BIN/vnd-hoploss" -q $PATHPTS
	diff -u "$GOLDEN/hoploss/path.tsv" <(printf '%s\n' "$output")
}

@test "hoploss: lost_pkts per hop equals the kernel's drop counters, 0 where nothing drops" {
	cd "$SAMPLES"
	t=path.truth.tsv
	ipt=$(truth r1:iptables:FORWARD:vnd-random-drop pkts "$t")
	tbf=$(truth r2:tc:eth-server dropped_pkts "$t")
	fwd=$(truth r1:iptables:FORWARD:vnd-fwd-tcp-c2s pkts "$t")
	"$BIN/vnd-hoploss" -q $PATHPTS >"$BATS_TEST_TMPDIR/out"
	hops "$BATS_TEST_TMPDIR/out" >"$BATS_TEST_TMPDIR/h"
	cat "$BATS_TEST_TMPDIR/h"
	grep -qx "path-r1in path-r1out client $fwd $((fwd - ipt)) $ipt 0 0" "$BATS_TEST_TMPDIR/h"
	grep -qx "path-r2in path-r2out client $((fwd - ipt)) $((fwd - ipt - tbf)) $tbf 0 0" "$BATS_TEST_TMPDIR/h"
	# every other hop and direction: nothing lost, nothing created
	[ "$(tsv_count 'v["lost_pkts"] != 0 || v["created_pkts"] != 0' "$BATS_TEST_TMPDIR/out")" -eq 2 ]
	# and the server's packets cross every hop whole
	[ "$(tsv_count 'v["src_side"] == "server" && v["in_pkts"] == 1831 && v["out_pkts"] == 1831' "$BATS_TEST_TMPDIR/out")" -eq 5 ]
}

@test "hoploss: the tbf queue holds packets milliseconds, the routers microseconds" {
	cd "$SAMPLES"
	"$BIN/vnd-hoploss" -q $PATHPTS >"$BATS_TEST_TMPDIR/out"
	# delay_p50_ns of r2's client-side hop, and the largest p50 elsewhere
	r2hop='v["in_point"] == "path-r2in" && v["src_side"] == "client"'
	r2=$(tsv_awk "$r2hop { print v[\"delay_p50_ns\"] }" "$BATS_TEST_TMPDIR/out")
	other=$(tsv_awk "!($r2hop) && v[\"delay_p50_ns\"] > m { m = v[\"delay_p50_ns\"] } END { print m }" "$BATS_TEST_TMPDIR/out")
	echo "p50: r2 $r2 ns, elsewhere at most $other ns"
	[ "$r2" -gt 1000000 ]
	[ "$other" -lt 100000 ]
}

@test "hoploss: --lost lists exactly the packets in at a router and not out" {
	cd "$SAMPLES"
	"$BIN/vnd-hoploss" -q --lost $PATHPTS >"$BATS_TEST_TMPDIR/lost"
	[ "$(tsv_count 'v["what"] == "lost"' "$BATS_TEST_TMPDIR/lost")" -eq 370 ]
	[ "$(tsv_count 'v["what"] == "created"' "$BATS_TEST_TMPDIR/lost")" -eq 0 ]
	# the same set by vnd-parse: pkt_ids at r1in, client to server, missing at r1out
	# (no two packets there share a pkt_id)
	"$BIN/vnd-parse" -q -f 'tcp and src host 198.18.1.1' path-r1in.pcap | tsv_col pkt_id | sort >"$BATS_TEST_TMPDIR/a"
	"$BIN/vnd-parse" -q -f 'tcp and src host 198.18.1.1' path-r1out.pcap | tsv_col pkt_id | sort >"$BATS_TEST_TMPDIR/b"
	[ "$(sort -u "$BATS_TEST_TMPDIR/a" | wc -l)" -eq "$(wc -l <"$BATS_TEST_TMPDIR/a")" ]
	comm -23 "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b" >"$BATS_TEST_TMPDIR/want"
	tsv_awk 'v["in_point"] == "path-r1in" && v["what"] == "lost" { print v["pkt_id"] }' "$BATS_TEST_TMPDIR/lost" |
	    sort >"$BATS_TEST_TMPDIR/got"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" -eq 85 ]
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "hoploss: --path names the tbf hop as the bottleneck" {
	cd "$SAMPLES"
	run -0 --separate-stderr "$BIN/vnd-hoploss" -q --path $PATHPTS
	diff -u "$GOLDEN/hoploss/path-report.txt" <(printf '%s\n' "$output")
	[[ ${lines[-1]} == "bottleneck: path-r2in -> path-r2out: 285 of 2596 packets from the client lost (11.0%)"* ]]
}

@test "hoploss: clock offsets of 17 s, 49 s and 5959 s are estimated and corrected" {
	for s in 17 -49.25 5959; do
		python3 "$TOP/tests/pcapshift.py" "$s" "$SAMPLES/path-r2in.pcap" "$BATS_TEST_TMPDIR/r2in.pcap"
		run -0 --separate-stderr "$BIN/vnd-hoploss" r1out="$SAMPLES/path-r1out.pcap" \
		    r2in="$BATS_TEST_TMPDIR/r2in.pcap" r2out="$SAMPLES/path-r2out.pcap"
		echo "$stderr"
		[[ $stderr == *"clock of r2in = clock of r1out $(printf '%+.9f' "$s") s"* ]]
		hops <(printf '%s\n' "$output") >"$BATS_TEST_TMPDIR/h"
		grep -qx "r1out r2in client 2596 2596 0 0 0" "$BATS_TEST_TMPDIR/h"
		grep -qx "r2in r2out client 2596 2311 285 0 0" "$BATS_TEST_TMPDIR/h"
	done
}

@test "hoploss: SQLite output holds the same hops" {
	need_cmd sqlite3
	cd "$SAMPLES"
	"$BIN/vnd-hoploss" -q -o "$BATS_TEST_TMPDIR/h.db" $PATHPTS
	sqlite3 -separator $'\t' -nullvalue - "$BATS_TEST_TMPDIR/h.db" "SELECT in_point, out_point, src_side, in_pkts, out_pkts, lost_pkts FROM hops" >"$BATS_TEST_TMPDIR/db"
	tsv_col in_point out_point src_side in_pkts out_pkts lost_pkts <"$GOLDEN/hoploss/path.tsv" |
	    diff -u - "$BATS_TEST_TMPDIR/db"
	# and how it was made: every point, its packets, its clock
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/h.db" "SELECT count(*), sum(packets), min(tool) FROM meta")" = "6|26174|vnd-hoploss" ]
}

@test "hoploss: errors and usage" {
	cd "$SAMPLES"
	run -2 --separate-stderr "$BIN/vnd-hoploss" path-r1in.pcap
	[[ $stderr == *"two or more points"* ]]
	run -2 --separate-stderr "$BIN/vnd-hoploss" --lost --path path-r1in.pcap path-r1out.pcap
	run -2 --separate-stderr "$BIN/vnd-hoploss" -w 0 path-r1in.pcap path-r1out.pcap
	run -2 --separate-stderr "$BIN/vnd-hoploss" - path-r1out.pcap
	run -2 --separate-stderr "$BIN/vnd-hoploss" a=path-r1in.pcap a=path-r1out.pcap
	run -2 --separate-stderr "$BIN/vnd-hoploss" --bogus
	[[ $stderr == *"usage: vnd-hoploss"* ]]
	run -1 --separate-stderr "$BIN/vnd-hoploss" path-r1in.pcap /nonexistent.pcap
	[[ $stderr == *"/nonexistent.pcap"*"No such file or directory"* ]]
	run -1 --separate-stderr "$BIN/vnd-hoploss" /nonexistent.pcap path-r1in.pcap
	[[ $stderr == "vnd-hoploss: '/nonexistent.pcap': No such file or directory" ]]
	# a truncated point: its whole records count, a warning, exit 1
	head -c 300000 path-r1out.pcap >"$BATS_TEST_TMPDIR/cut.pcap"
	run -1 --separate-stderr "$BIN/vnd-hoploss" -q path-r1in.pcap "$BATS_TEST_TMPDIR/cut.pcap"
	[[ $stderr == *"truncated record"*"at byte"* ]]
	[ "${#lines[@]}" -eq 3 ]
}

# a row of --lost: where, which way, what, and the frame at the point that saw it
LOST_ROW='{ print v["in_point"], v["out_point"], v["src_side"], v["what"], v["point"], v["frame"] }'

@test "hoploss: corpus: the packet removed from dns-tcp-ts-gap is the one lost" {
	need_corpus
	d="$CORPUS/suricata-verify/tests/dns-tcp-ts-gap"
	"$BIN/vnd-hoploss" -q --lost orig="$d/original.pcap_" cut="$d/input.pcap" >"$BATS_TEST_TMPDIR/lost"
	run -0 tsv_awk "$LOST_ROW" "$BATS_TEST_TMPDIR/lost"
	assert_output "orig cut client lost orig 8"
}

@test "hoploss: corpus: the smb2 minus-p191 pair differs by exactly one packet" {
	need_corpus
	d="$CORPUS/suricata-verify/tests"
	"$BIN/vnd-hoploss" -q --lost \
	    b="$d/smb2-frames-gap-payload-logging-02/smb2-peter-minus-p191-p192.pcap" \
	    a="$d/smb2-frames-gap-payload-logging/smb2-peter-minus-p191.pcap" >"$BATS_TEST_TMPDIR/lost"
	run -0 tsv_awk "$LOST_ROW" "$BATS_TEST_TMPDIR/lost"
	assert_output "a b server lost a 191"
}

@test "hoploss: corpus: both ends of one ns-3 link lose nothing" {
	need_corpus
	"$BIN/vnd-hoploss" -q "$CORPUS/multicast-tcp/tcp-bulk-send-0-0.pcap" "$CORPUS/multicast-tcp/tcp-bulk-send-1-0.pcap" \
	    >"$BATS_TEST_TMPDIR/out"
	hops "$BATS_TEST_TMPDIR/out"
	[ "$(tsv_count 1 "$BATS_TEST_TMPDIR/out")" -eq 2 ]
	[ "$(tsv_count 'v["lost_pkts"] == 0 && v["created_pkts"] == 0 && v["in_pkts"] == v["out_pkts"] && v["in_pkts"] > 0' \
	    "$BATS_TEST_TMPDIR/out")" -eq 2 ]
}

@test "hoploss: --by flow and -i split the hop's totals exactly" {
	cd "$SAMPLES"
	"$BIN/vnd-hoploss" -q $PATHPTS >"$BATS_TEST_TMPDIR/tot"
	"$BIN/vnd-hoploss" -q --by flow $PATHPTS >"$BATS_TEST_TMPDIR/flow"
	"$BIN/vnd-hoploss" -q -i 0.5 $PATHPTS >"$BATS_TEST_TMPDIR/slot"
	"$BIN/vnd-hoploss" -q --by flow -i 1 $PATHPTS >"$BATS_TEST_TMPDIR/both"
	sum() {	# in out side in_pkts out_pkts lost_pkts per hop, from named columns
		tsv_awk '{ k = v["in_point"] " " v["out_point"] " " v["src_side"]
		    a[k] += v["in_pkts"]; b[k] += v["out_pkts"]; c[k] += v["lost_pkts"] }
		    END { for (k in a) print k, a[k], b[k], c[k] }' "$1" | sort
	}
	sum "$BATS_TEST_TMPDIR/tot" >"$BATS_TEST_TMPDIR/want"
	for f in flow slot both; do
		sum "$BATS_TEST_TMPDIR/$f" | diff -u "$BATS_TEST_TMPDIR/want" -
	done
	# r1's 85 drops fall on the two client flows
	[ "$(tsv_awk 'v["in_point"] == "path-r1in" && v["src_side"] == "client" { print v["src_port"] ":" v["lost_pkts"] }' \
	    "$BATS_TEST_TMPDIR/flow" | tr '\n' ' ')" = "40001:74 40002:11 " ]
	head -1 "$BATS_TEST_TMPDIR/both" | grep -q $'^in_point\tout_point\tsrc_side\tslot_ts_ns\tsrc_ip\tsrc_port\tdst_ip\tdst_port\tip_proto\tin_pkts'
}

@test "hoploss: vnd-parse's tables give the same answer as the captures, one file per point or one for all" {
	cd "$SAMPLES"
	for p in $PATHPTS; do
		"$BIN/vnd-parse" -q "$p" >"$BATS_TEST_TMPDIR/${p%.pcap}.tsv"
	done
	(cd "$BATS_TEST_TMPDIR" && "$BIN/vnd-hoploss" -q ${PATHPTS//.pcap/.tsv}) >"$BATS_TEST_TMPDIR/out"
	diff -u "$GOLDEN/hoploss/path.tsv" "$BATS_TEST_TMPDIR/out"
	"$BIN/vnd-parse" -q $PATHPTS >"$BATS_TEST_TMPDIR/all.tsv"
	set --
	for p in $PATHPTS; do set -- "$@" "${p%.pcap}=$BATS_TEST_TMPDIR/all.tsv"; done
	"$BIN/vnd-hoploss" -q "$@" >"$BATS_TEST_TMPDIR/out"
	diff -u "$GOLDEN/hoploss/path.tsv" "$BATS_TEST_TMPDIR/out"
	# gzip'd tables too
	gzip -c "$BATS_TEST_TMPDIR/all.tsv" >"$BATS_TEST_TMPDIR/all.tsv.gz"
	set --
	for p in $PATHPTS; do set -- "$@" "${p%.pcap}=$BATS_TEST_TMPDIR/all.tsv.gz"; done
	"$BIN/vnd-hoploss" -q "$@" | diff -u "$GOLDEN/hoploss/path.tsv" -
}

@test "hoploss: a packets table with a bad value is one clear error" {
	printf 'frame\tpoint\tts_ns\tsrc_ip\n1\ta\t100\t300.1.2.3\n' >"$BATS_TEST_TMPDIR/bad.tsv"
	run -1 --separate-stderr "$BIN/vnd-hoploss" -q "$BATS_TEST_TMPDIR/bad.tsv" "$SAMPLES/path-r1in.pcap"
	[[ $stderr == *"line 2: bad src_ip '300.1.2.3'"* ]]
}
