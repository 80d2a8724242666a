#!/usr/bin/env bats
# vnd-capture on the vnd_cli frame: -c over several points, SIGTERM, a failed -u, stdout, messages with errno.
bats_require_minimum_version 1.5.0
load helpers

# a namespace with lo and one veth end whose neighbour is a static entry:
# what is sent to 198.18.97.2 goes out on the veth, no one answers
netns() {
	[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"
	command -v ip >/dev/null || skip "needs iproute2"
	N=vp-$$
	IF=vp$$a
	ip netns add $N 2>/dev/null || skip "cannot make network namespaces"
	ip -n $N link set lo up
	ip -n $N link add $IF type veth peer name vp$$b
	ip -n $N addr add 198.18.97.1/24 dev $IF
	ip -n $N link set $IF up
	ip -n $N link set vp$$b up
	ip -n $N neigh add 198.18.97.2 lladdr 02:00:00:00:00:01 dev $IF
}

teardown() {
	[ -n "${SENDER:-}" ] && kill "$SENDER" 2>/dev/null || true
	[ -n "${N:-}" ] && ip netns del "$N" 2>/dev/null || true
}

# UDP datagrams on lo and on the veth at once, for $1 seconds, in the background
send_both() {
	ip netns exec $N python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.time() + float(sys.argv[1])
while time.time() < end:
    s.sendto(b"x", ("127.0.0.1", 9))
    s.sendto(b"x", ("198.18.97.2", 9))
    time.sleep(0.0002)
' "$1" &
	SENDER=$!
	sleep 0.3
}

# packets in the files of a capture directory, by vnd-parse
parsed() {
	local n=0 f
	for f in "$1"/*.pcap; do
		n=$((n + $("$BIN/vnd-parse" -q -H "$f" | wc -l)))
	done
	echo $n
}

@test "capture: -c N stops at N packets in all, over two busy points" {
	netns
	send_both 10
	for k in 1 2 3; do
		d=$BATS_TEST_TMPDIR/c$k
		run -0 --separate-stderr timeout 5 ip netns exec $N "$BIN/vnd-capture" -q -i a=$IF -i l=lo -w "$d" -c 10
		n=$(tsv_col packets <"$d/manifest.tsv" | awk '{ s += $1 } END { print s }')
		echo "run $k: $n packets"
		[ "$n" -eq 10 ]
		[ "$(parsed "$d")" -eq 10 ]
	done
}

@test "capture: SIGTERM closes every file whole, the manifest and the counters with it" {
	netns
	send_both 3
	ip netns exec $N "$BIN/vnd-capture" -q -i a=$IF -i l=lo -w "$BATS_TEST_TMPDIR" --counters 1 &
	pid=$!
	sleep 1.5
	kill -TERM $pid
	st=0
	wait $pid || st=$?
	[ "$st" -eq 0 ]
	m=$BATS_TEST_TMPDIR/manifest.tsv
	[ "$(tsv_count 1 "$m")" -eq 2 ]
	# each file holds what the manifest says it holds, every record whole
	a=$(tsv_count 'v["point"] == "a"' "$m")
	[ "$a" -eq 1 ]
	run -0 --separate-stderr "$BIN/vnd-parse" -H "$BATS_TEST_TMPDIR/a.pcap"
	[ "${#lines[@]}" -eq "$(awk -F'\t' '$1 == "a" { print $6 }' "$m")" ]
	[ "${#lines[@]}" -gt 100 ]
	run -0 --separate-stderr "$BIN/vnd-parse" -H "$BATS_TEST_TMPDIR/l.pcap"
	[ "${#lines[@]}" -eq "$(awk -F'\t' '$1 == "l" { print $6 }' "$m")" ]
	# the last snapshot, taken after the signal, is whole: every line 4 fields
	[ "$(awk -F'\t' 'NF != 4' "$BATS_TEST_TMPDIR/counters.tsv" | wc -l)" -eq 0 ]
	[ "$(grep -c $'\tif:'$IF$'\ttx_packets\t' "$BATS_TEST_TMPDIR/counters.tsv")" -ge 2 ]
}

@test "capture: a user that does not exist fails after opening, the files closed whole" {
	netns
	run -1 --separate-stderr ip netns exec $N "$BIN/vnd-capture" -q -i a=$IF -w "$BATS_TEST_TMPDIR" -u vp-nosuchuser-$$
	[ "$stderr" = "vnd-capture: no user 'vp-nosuchuser-$$'" ]
	[ "$(head -1 "$BATS_TEST_TMPDIR/manifest.tsv")" = $'point\tinterface\tfile\tfirst_ts_ns\tlast_ts_ns\tpackets\tkernel_drops\tif_drops' ]
	[ "$(tsv_col packets <"$BATS_TEST_TMPDIR/manifest.tsv")" = 0 ]
	run -0 "$BIN/vnd-parse" -q "$BATS_TEST_TMPDIR/a.pcap"
}

@test "capture: a full standard output is one line on stderr and exit 1" {
	run -1 --separate-stderr bash -c '"$1" -i a=lo --print-policy >/dev/full' - "$BIN/vnd-capture"
	[ "$stderr" = "vnd-capture: stdout: No space left on device" ]
	run -1 --separate-stderr bash -c '"$1" --help >/dev/full' - "$BIN/vnd-capture"
	[ "$stderr" = "vnd-capture: stdout: No space left on device" ]
	run -1 --separate-stderr bash -c '"$1" -V >/dev/full' - "$BIN/vnd-capture"
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "capture: messages name the operand, and say why a configuration cannot be read" {
	run -2 --separate-stderr "$BIN/vnd-capture" -i a=lo extra
	[ "${stderr_lines[0]}" = "vnd-capture: unexpected operand 'extra'" ]
	[ "${stderr_lines[1]}" = "usage: vnd-capture [-qV] -i name=iface... [-c count] [-C mbytes] [-d seconds]" ]
	run -1 --separate-stderr "$BIN/vnd-capture" --collection "$BATS_TEST_TMPDIR" -i a=lo --print-policy
	[ "$stderr" = "vnd-capture: cannot read '$BATS_TEST_TMPDIR': Is a directory" ]
	run -1 --separate-stderr "$BIN/vnd-capture" --collection "$BATS_TEST_TMPDIR/none.conf" --print-policy
	[ "$stderr" = "vnd-capture: cannot open '$BATS_TEST_TMPDIR/none.conf': No such file or directory" ]
	[ -z "$output" ]
}

@test "capture: -h and -V come from the frame, as before" {
	run -0 --separate-stderr "$BIN/vnd-capture" -V
	[[ $output == "vnd-capture "[0-9]* ]]
	run -0 --separate-stderr "$BIN/vnd-capture" --help
	[ "${lines[0]}" = "usage: vnd-capture [-qV] -i name=iface... [-c count] [-C mbytes] [-d seconds]" ]
	[ "${lines[-1]}" = "SIGINT or SIGTERM ends the capture: every file is flushed and closed." ]
}
