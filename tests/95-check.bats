#!/usr/bin/env bats
# vnd-check: silent while all is well; one line per threshold crossed, exit 3.
bats_require_minimum_version 1.5.0
load helpers

PATHPTS="path-client.pcap path-r1in.pcap path-r1out.pcap path-r2in.pcap path-r2out.pcap path-server.pcap"

# a counter of the path sample's truth table: its last value
truth() {
	tsv_awk -v e="$1" -v a="$2" 'v["element"] == e && v["attr"] == a { x = v["value"] } END { print x }' \
	    "$SAMPLES/path.truth.tsv"
}

@test "check: the lossy path sample crosses the thresholds: its lines, exit 3" {
	cd "$SAMPLES"
	run -3 --separate-stderr "$BIN/vnd-check" $PATHPTS
	[ "$stderr" = "" ]
	printf '%s\n' "${lines[@]}" >"$BATS_TEST_TMPDIR/out"
	diff -u "$GOLDEN/check/path.txt" "$BATS_TEST_TMPDIR/out"
}

@test "check: the losses it reports are the drops the routers counted" {
	cd "$SAMPLES"
	run -3 "$BIN/vnd-check" $PATHPTS
	# r1's random-drop rule and r2's token bucket, as their counters say
	r1=$(truth r1:iptables:FORWARD:vnd-random-drop pkts)
	r2=$(truth r2:tc:eth-server dropped_pkts)
	[ "$r1" -eq 85 ]
	[ "$r2" -eq 285 ]
	[[ ${lines[0]} == "loss path-r1in->path-r1out from client: 3.17% lost ($r1 of 2681 packets), threshold 1%" ]]
	[[ ${lines[1]} == "loss path-r2in->path-r2out from client: 10.98% lost ($r2 of 2596 packets), threshold 1%" ]]
}

@test "check: a clean sample (through SNAT) prints nothing and exits 0" {
	run -0 --separate-stderr "$BIN/vnd-check" "$SAMPLES/snat-inside.pcap" "$SAMPLES/snat-outside.pcap"
	[ "$output" = "" ]
	[ "$stderr" = "" ]
	# clean indeed: its hop lost nothing
	"$BIN/vnd-hoploss" -q "$SAMPLES/snat-inside.pcap" "$SAMPLES/snat-outside.pcap" >"$BATS_TEST_TMPDIR/hops"
	[ "$(tsv_awk '{ n += v["lost_pkts"] } END { print n + 0 }' "$BATS_TEST_TMPDIR/hops")" -eq 0 ]
}

@test "check: thresholds from the flags: looser is quieter, tighter finds the RTT" {
	cd "$SAMPLES"
	# r1's 3.17% is under 5%; the hop's cause line goes with it
	run -3 "$BIN/vnd-check" --loss 0.05 $PATHPTS
	[ "${#lines[@]}" -eq 4 ]
	[ "${lines[0]}" = "loss path-r2in->path-r2out from client: 10.98% lost (285 of 2596 packets), threshold 5%" ]
	[ "$(printf '%s\n' "${lines[@]}" | grep -c 'path-r1in->path-r1out')" -eq 0 ]
	# everything tolerated: silent
	run -0 "$BIN/vnd-check" --loss 0.2 --delay-p99 0.02 --retx 0.2 $PATHPTS
	[ "$output" = "" ]
	# an RTT p99 of 12 ms at the client crosses 10 ms, and is vnd-rtt's own
	run -3 "$BIN/vnd-check" --loss 0.2 --delay-p99 0.02 --retx 0.2 --rtt-p99 0.01 $PATHPTS
	p99=$("$BIN/vnd-rtt" -q --summary path-client.pcap | tsv_awk 'v["src_port"] == 40001 { print v["rtt_p99_ns"] }')
	[ "$p99" -eq 12058624 ]
	[ "$output" = "rtt 198.18.1.1:40001>198.18.3.2:5001 at path-client: p99 12.06 ms over 2020 samples, threshold 10.00 ms" ]
}

@test "check: a database of vnd-parse gives the lines its captures give" {
	cd "$SAMPLES"
	"$BIN/vnd-parse" -q -o "$BATS_TEST_TMPDIR/path.db" $PATHPTS
	run -3 --separate-stderr "$BIN/vnd-check" "$BATS_TEST_TMPDIR/path.db"
	printf '%s\n' "${lines[@]}" >"$BATS_TEST_TMPDIR/out"
	diff -u "$GOLDEN/check/path.txt" "$BATS_TEST_TMPDIR/out"
}

@test "check: after each --append, the database as it stands" {
	db="$BATS_TEST_TMPDIR/inc.db"
	cd "$SAMPLES"
	"$BIN/vnd-parse" -q --append -o "$db" path-client.pcap path-r1in.pcap
	run -0 "$BIN/vnd-check" --retx 0.5 "$db"
	[ "$output" = "" ]
	"$BIN/vnd-parse" -q --append -o "$db" path-r1out.pcap
	run -3 "$BIN/vnd-check" --retx 0.5 "$db"
	[ "${lines[0]}" = "loss path-r1in->path-r1out from client: 3.17% lost (85 of 2681 packets), threshold 1%" ]
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} == "cause path-r1in->path-r1out: "* ]]
}

@test "check: counter snapshots name the elements that dropped" {
	run -3 "$BIN/vnd-check" --retx 0.5 -c "$SAMPLES/path.truth.tsv" "$SAMPLES/path-client.pcap"
	[ "${lines[0]}" = "cause r2:tc:eth-server: bottleneck: r2:tc:eth-server dropped 285 packets: egress bandwidth (queue discipline)" ]
	[ "${lines[1]}" = "cause r1:iptables:FORWARD:vnd-random-drop: bottleneck: r1:iptables:FORWARD:vnd-random-drop dropped 85 packets: policy drop (firewall rule)" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "check: errors exit 1, usage errors 2, each distinct from a finding" {
	run -1 --separate-stderr "$BIN/vnd-check" "$BATS_TEST_TMPDIR/none.pcap"
	[ "$output" = "" ]
	[ "$stderr" = "vnd-check: vnd-rtt failed: vnd-rtt: '$BATS_TEST_TMPDIR/none.pcap': No such file or directory" ]
	run -2 --separate-stderr "$BIN/vnd-check" --loss 2 "$SAMPLES/path-client.pcap"
	[ "${stderr%%$'\n'*}" = "vnd-check: --loss '2': a ratio from 0 to 1" ]
	run -2 --separate-stderr "$BIN/vnd-check"
	[[ $stderr == *"usage: vnd-check"* ]]
	# no temporary directory left behind
	[ "$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'vnd-check.*' -newer "$BATS_TEST_TMPDIR" | wc -l)" -eq 0 ]
}
