#!/usr/bin/env bats
# vnd-capture: VND's trace collection configuration into points and filters (no root needed).
bats_require_minimum_version 1.5.0
load helpers

@test "capture: a collection configuration gives its points, their interfaces and both-way flow filters" {
	run -0 --separate-stderr "$BIN/vnd-capture" --collection "$DATA/collection.conf" --print-policy \
	    -i lb.output=veth-lb1 -i r1=veth-r1
	diff -u "$GOLDEN/collection-policy.tsv" - <<<"$output"
	# -f narrows every point, -i overrides the configuration's interface
	run -0 --separate-stderr "$BIN/vnd-capture" --collection "$DATA/collection.conf" --print-policy \
	    -i lb.output=veth-lb1 -i r1=veth-r1 -i r2=eth7 -f 'not arp'
	[ "$(tsv_awk 'v["point"] == "r2" { print v["interface"] }' <<<"$output")" = eth7 ]
	[ "$(tsv_awk 'v["point"] == "r2" { print v["filter"] }' <<<"$output")" = "((udp and udp port 53) or (net 198.18.0.0/15 and (ip proto 1 or ip6 proto 1))) and (not arp)" ]
	# without a configuration, the -i points and -f
	run -0 --separate-stderr "$BIN/vnd-capture" -i a=lo -f 'tcp port 7000' --print-policy
	[ "$output" = $'point\tinterface\tfilter\na\tlo\ttcp port 7000' ]
}

@test "capture: a collection configuration's mistakes name their line" {
	bad() {
		printf '%b' "$1" >"$BATS_TEST_TMPDIR/bad.conf"
		run -"$2" --separate-stderr "$BIN/vnd-capture" --collection "$BATS_TEST_TMPDIR/bad.conf" -i a=lo --print-policy
		[ -z "$output" ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ $stderr == *"$3"* ]]
	}
	bad 'Capture Point a\n' 1 "line 1: a capture point before any appliance"
	bad 'Appliance Link: l\nCapture Point a\nFlow Pattern ip.src = 1.2.3.4; reboot\n' 1 "line 3: ip.src = '1.2.3.4; reboot': not a value of that field"
	bad 'Appliance Link: l\nCapture Point a\nFlow Pattern frob = 1\n' 1 "line 3: 'frob': not a field of a flow pattern"
	bad 'Appliance Switch: s\n' 1 "line 1: an appliance is a Link or a Node"
	bad 'Appliance Link: l\nCapture Point a\nFlow Pattern tcp.dst = 65536\n' 1 "line 3: tcp.dst = '65536': not a value of that field"
	bad 'Appliance Link: l\nCapture Point a, a\n' 1 "line 2: point 'a' named twice"
	bad '# nothing\n' 1 "no capture point"
	bad 'Appliance Link: l\nCapture Point a, b\n' 2 "point 'b' of"
	bad 'Appliance Link: l\nCapture Point b = lo\n' 2 "-i a: no such capture point"
	run -1 --separate-stderr "$BIN/vnd-capture" --collection /nonexistent.conf --print-policy
	[[ $stderr == *"cannot open '/nonexistent.conf': No such file or directory" ]]
	run -2 --separate-stderr "$BIN/vnd-capture" -i a=lo -f 'tcp port' --print-policy
	[[ $stderr == *"filter of 'a'"* ]]
}
