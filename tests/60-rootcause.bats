#!/usr/bin/env bats
# vnd-rootcause: PerfSight's Algorithm 1 on counters and Algorithm 2 on a chain, against the samples' truth.
bats_require_minimum_version 1.5.0
load helpers

@test "rootcause: the tbf is named as egress bandwidth, the iptables rule as a policy drop, with the kernel's counts" {
	t="$SAMPLES/path.truth.tsv"
	"$BIN/vnd-rootcause" -c "$t" >"$BATS_TEST_TMPDIR/causes"
	tsv_col rank element resource lost_pkts <"$BATS_TEST_TMPDIR/causes" >"$BATS_TEST_TMPDIR/got"
	printf '1\tr2:tc:eth-server\tegress bandwidth (queue discipline)\t%s\n2\tr1:iptables:FORWARD:vnd-random-drop\tpolicy drop (firewall rule)\t%s\n' \
	    "$(truth r2:tc:eth-server dropped_pkts "$t")" "$(truth r1:iptables:FORWARD:vnd-random-drop pkts "$t")" >"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

# the chain's four captures through vnd-tcpstate, into rootcause
# (the chain as a file, or as the same on the command line: $2)
cause() {
	"$BIN/vnd-tcpstate" r1in="$SAMPLES/chain-$1-relay1in.pcap" r1out="$SAMPLES/chain-$1-relay1out.pcap" \
	    r2in="$SAMPLES/chain-$1-relay2in.pcap" r2out="$SAMPLES/chain-$1-relay2out.pcap" |
	    "$BIN/vnd-rootcause" --chain "${2:-$DATA/chain.tsv}" -s - | tsv_col element
}

@test "rootcause: in the socat chain, the slow sink, the slow source and the slow relay are each named" {
	for v in slowsink slowsource slowrelay; do
		# the element the samples' script made slow, by its own record
		want=$(tsv_awk 'v["attr"] == "slow_element" { print v["value"] }' "$SAMPLES/chain-$v.truth.tsv")
		got=$(cause "$v")
		echo "$v: made slow $want, named $got"
		[ -n "$want" ]
		[ "$got" = "$want" ]
		[ "$(cause "$v" source=-/r1in,relay1=r1in/r1out,relay2=r2in/r2out,sink=r2out/-)" = "$want" ]
	done
	run -2 --separate-stderr "$BIN/vnd-rootcause" --chain source=-/r1in,relay1=r1out -s /dev/null
	[ -z "$output" ]
	[[ $stderr == *"--chain 'relay1=r1out': not ELEMENT=IN_POINT/OUT_POINT"* ]]
}

@test "rootcause: both analyses in one run, SQLite, errors" {
	need_cmd sqlite3
	"$BIN/vnd-tcpstate" r1in="$SAMPLES/chain-slowsink-relay1in.pcap" r1out="$SAMPLES/chain-slowsink-relay1out.pcap" \
	    r2in="$SAMPLES/chain-slowsink-relay2in.pcap" r2out="$SAMPLES/chain-slowsink-relay2out.pcap" >"$BATS_TEST_TMPDIR/st.tsv"
	"$BIN/vnd-rootcause" -o "$BATS_TEST_TMPDIR/r.db" -c "$SAMPLES/path.truth.tsv" --chain "$DATA/chain.tsv" -s "$BATS_TEST_TMPDIR/st.tsv"
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/r.db" "SELECT group_concat(element, ' ') FROM causes ORDER BY rank")" = "sink r2:tc:eth-server r1:iptables:FORWARD:vnd-random-drop" ]
	run -2 --separate-stderr "$BIN/vnd-rootcause"
	run -2 --separate-stderr "$BIN/vnd-rootcause" --chain "$DATA/chain.tsv"
	run -1 --separate-stderr "$BIN/vnd-rootcause" -c /nonexistent.tsv
	run -1 --separate-stderr "$BIN/vnd-rootcause" -c "$DATA/chain.tsv"
	[[ $stderr == *"no element, attr, value columns"* ]]
}

@test "rootcause: a chain with PerfSight's element statistics alone names the slow relay" {
	run -0 --separate-stderr "$BIN/vnd-rootcause" -c "$DATA/perfsight-chain-stats.tsv" --chain "$DATA/perfsight-chain.tsv"
	[ "$(tsv_col element analysis resource <<<"$output")" = "ids	chain	processing (relay)" ]
	[[ $output == *"client=WriteBlocked lb=WriteBlocked ids=- server=ReadBlocked"* ]]
	run -2 --separate-stderr "$BIN/vnd-rootcause" -s "$DATA/perfsight-chain.tsv"
}

@test "rootcause: VND's bottleneck middlebox from hoploss's hops: r2's tbf, then r1's drop rule, with the kernel's counts" {
	S=$SAMPLES
	"$BIN/vnd-hoploss" -q client=$S/path-client.pcap r1in=$S/path-r1in.pcap r1out=$S/path-r1out.pcap \
	    r2in=$S/path-r2in.pcap r2out=$S/path-r2out.pcap server=$S/path-server.pcap >"$BATS_TEST_TMPDIR/hops.tsv"
	run -0 --separate-stderr "$BIN/vnd-rootcause" --hops "$BATS_TEST_TMPDIR/hops.tsv" --chain "$DATA/path-chain.tsv"
	# the truth: the tbf (a queue: loss and delay) at r2, the iptables rule (loss alone) at r1
	# (one snapshot after the run: counters of a qdisc and a rule made for it)
	tbf=$(truth r2:tc:eth-server dropped_pkts "$S/path.truth.tsv")
	ipt=$(truth r1:iptables:FORWARD:vnd-random-drop pkts "$S/path.truth.tsv")
	[ "$tbf" -gt 0 ]
	[ "$ipt" -gt 0 ]
	[ "$(tsv_col element analysis resource kind lost_pkts <<<"$output")" = "r2	hops	queue (loss and delay rise)	bottleneck	$tbf
r1	hops	loss (no queueing delay)	lossy_hop	$ipt" ]
	# without the chain, the hops by their points; a table per slot is refused
	run -0 --separate-stderr "$BIN/vnd-rootcause" --hops "$BATS_TEST_TMPDIR/hops.tsv"
	[ "$(tsv_awk '{ print v["element"]; exit }' <<<"$output")" = "r2in -> r2out" ]
	"$BIN/vnd-hoploss" -q -i 1 "$S/path-r2in.pcap" "$S/path-r2out.pcap" >"$BATS_TEST_TMPDIR/slots.tsv"
	run -1 --separate-stderr "$BIN/vnd-rootcause" --hops "$BATS_TEST_TMPDIR/slots.tsv"
	[[ $stderr == *"per slot or per flow"* ]]
	run -1 --separate-stderr "$BIN/vnd-rootcause" --hops "$DATA/path-chain.tsv"
	[[ $stderr == *"not vnd-hoploss's hops table"* ]]
}
