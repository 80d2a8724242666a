#!/usr/bin/env bats
# vnd-capture: live capture in network namespaces this test makes (root only; skips without).
bats_require_minimum_version 1.5.0
load helpers

setup() {
	[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"
	command -v ip >/dev/null && command -v socat >/dev/null || skip "needs iproute2 and socat"
	ns_pair vndcap$$ 198.18.99
}

teardown() {
	ns_pair_del
}

# send N bytes of random data from B to A over TCP
traffic() {
	local l
	ip netns exec $A socat -u TCP-LISTEN:7000,reuseaddr OPEN:/dev/null &
	l=$!
	sleep 0.3
	head -c "$1" /dev/urandom | ip netns exec $B socat -u - TCP:198.18.99.1:7000,retry=50,interval=0.1
	wait $l
}

@test "capture: every frame the interface sent and received, as its kernel counters say" {
	ip netns exec $A "$BIN/vnd-capture" -q -i a=$IF -w "$BATS_TEST_TMPDIR" -d 3 --counters 1 &
	pid=$!
	sleep 1
	traffic 300000
	wait $pid
	c="$BATS_TEST_TMPDIR/counters.tsv"
	delta() {	# last minus first snapshot of one counter of the interface
		tsv_awk -v e="if:$IF" -v a="$1" 'v["element"] == e && v["attr"] == a { if (f == "") f = v["value"]; l = v["value"] }
		    END { print l - f }' "$c"
	}
	want=$(( $(delta rx_packets) + $(delta tx_packets) ))
	got=$("$BIN/vnd-parse" -q -H "$BATS_TEST_TMPDIR/a.pcap" | wc -l)
	echo "kernel: $want, captured: $got"
	[ "$want" -gt 20 ]
	[ "$got" -eq "$want" ]
	# the manifest says the same, and the times frame the packets
	[ "$(tsv_awk 'v["point"] == "a" { print v["packets"], v["kernel_drops"] }' "$BATS_TEST_TMPDIR/manifest.tsv")" = "$got 0" ]
	grep -q $'^ts_ns\telement\tattr\tvalue$' "$c"
	[ "$(tsv_count 'v["element"] == "backlog:cpu0" && v["attr"] == "dropped"' "$c")" -gt 0 ]
}

@test "capture: SIGINT closes every file whole" {
	ip netns exec $A "$BIN/vnd-capture" -q -i a=$IF -i lo=lo -w "$BATS_TEST_TMPDIR" &
	pid=$!
	sleep 1
	traffic 200000
	kill -INT $pid
	wait $pid
	run -0 "$BIN/vnd-parse" -q "$BATS_TEST_TMPDIR/a.pcap"
	[ "${#lines[@]}" -gt 20 ]
	run -0 "$BIN/vnd-parse" -q "$BATS_TEST_TMPDIR/lo.pcap"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/manifest.tsv")" -eq 3 ]
}

@test "capture: a ring of files by size, each whole, none lost" {
	ip netns exec $A "$BIN/vnd-capture" -q -i a=$IF -w "$BATS_TEST_TMPDIR" -C 1 -d 3 &
	pid=$!
	sleep 1
	traffic 3000000
	wait $pid
	n=0
	for f in "$BATS_TEST_TMPDIR"/a-*.pcap; do
		[ "$(stat -c %s "$f")" -le 1000000 ]
		k=$("$BIN/vnd-parse" -q -H "$f" | wc -l)
		n=$((n + k))
	done
	[ "$(ls "$BATS_TEST_TMPDIR"/a-*.pcap | wc -l)" -ge 3 ]
	[ "$n" -eq "$(tsv_awk 'v["point"] == "a" { print v["packets"] }' "$BATS_TEST_TMPDIR/manifest.tsv")" ]
}

@test "capture: errors and usage" {
	run -2 --separate-stderr "$BIN/vnd-capture"
	[[ $stderr == *"no capture point"* ]]
	run -2 --separate-stderr "$BIN/vnd-capture" -i bogus
	run -2 --separate-stderr "$BIN/vnd-capture" -i a=lo -i a=lo
	run -1 --separate-stderr ip netns exec $A "$BIN/vnd-capture" -i a=nosuchif0 -w "$BATS_TEST_TMPDIR"
	[[ $stderr == *"nosuchif0"* ]]
	run -2 --separate-stderr ip netns exec $A "$BIN/vnd-capture" -i a=$IF -f 'tcp port' -w "$BATS_TEST_TMPDIR" -d 1
}

@test "capture: -u drops privileges after opening, the ring goes on as that user; -c stops at N" {
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	# a directory nobody can reach (bats's own are private to root)
	d=$(mktemp -d /tmp/vndcap.XXXXXX)
	chmod 755 "$d"
	ip netns exec $A "$BIN/vnd-capture" -q -i a=$IF -w "$d/out" -C 1 -d 3 -u nobody &
	pid=$!
	sleep 1
	traffic 3000000
	st=0
	wait $pid || st=$?
	owner=$(stat -c %U "$d"/out/a-001.pcap)
	rm -rf "$d"
	[ "$st" -eq 0 ]
	[ "$owner" = nobody ]
	ip netns exec $A "$BIN/vnd-capture" -q -i a=$IF -w "$BATS_TEST_TMPDIR/c" -c 10 &
	pid=$!
	sleep 0.5
	traffic 300000
	wait $pid
	[ "$("$BIN/vnd-parse" -q -H "$BATS_TEST_TMPDIR/c/a.pcap" | wc -l)" -eq 10 ]
}

# causes ELEMENT RESOURCE KIND LOST FILE: rows of rootcause's drops analysis that say so
causes() {
	tsv_awk -v e="$1" -v r="$2" -v k="$3" -v n="$4" 'v["element"] == e && v["analysis"] == "drops" &&
	    v["resource"] == r && v["kind"] == k && v["lost_pkts"] == n { c++ } END { print c + 0 }' "$5"
}

@test "capture: counters of a tbf and an iptables DROP rule, and rootcause names both with their counts" {
	command -v tc >/dev/null && command -v iptables >/dev/null || skip "needs tc and iptables"
	# in B: a slow egress queue toward A, and a rule dropping a share of what B sends
	ip netns exec $B tc qdisc add dev $IFB root tbf rate 2mbit burst 4kb latency 5ms
	ip netns exec $B iptables -A OUTPUT -p tcp -d 198.18.99.1 -m statistic --mode random --probability 0.05 -j DROP
	ip netns exec $B "$BIN/vnd-capture" -q -i b=$IFB -w "$BATS_TEST_TMPDIR" -d 60 --counters 1 &
	pid=$!
	sleep 1
	# a burst of UDP the bucket cannot hold, so that it surely drops; then TCP
	ip netns exec $B python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(1000):
    s.sendto(b"x" * 1000, ("198.18.99.1", 9))
'
	traffic 400000
	# stopped once the traffic is over: its last snapshot, at the end, has every drop
	kill -INT $pid
	wait $pid
	c="$BATS_TEST_TMPDIR/counters.tsv"
	tbf=$(ip netns exec $B tc -s qdisc show dev $IFB | sed -n 's/.*(dropped \([0-9]*\),.*/\1/p')
	tbf=${tbf%%$'\n'*}	# the first qdisc's
	ipt=$(ip netns exec $B iptables -L OUTPUT -v -x -n | awk '$3 == "DROP" { print $1 }')
	echo "kernel: tbf dropped $tbf, iptables dropped $ipt"
	"$BIN/vnd-rootcause" -c "$c" >"$BATS_TEST_TMPDIR/causes"
	cat "$BATS_TEST_TMPDIR/causes"
	[ "$ipt" -gt 0 ]
	[ "$(causes iptables:filter:OUTPUT:1:DROP 'policy drop (firewall rule)' bottleneck "$ipt" "$BATS_TEST_TMPDIR/causes")" -eq 1 ]
	[ "$tbf" -gt 0 ]
	[ "$(causes tc:$IFB 'egress bandwidth (queue discipline)' bottleneck "$tbf" "$BATS_TEST_TMPDIR/causes")" -eq 1 ]
}

@test "capture: a collection configuration captures its flow, both ways, and nothing else" {
	printf 'Appliance Type Node: a\nCapture Point input\nFlow Pattern ip.src = 198.18.99.2, ip.dst = 198.18.99.1, tcp.dst = 7000\n' \
	    >"$BATS_TEST_TMPDIR/c.conf"
	mkdir "$BATS_TEST_TMPDIR/all" "$BATS_TEST_TMPDIR/flow"
	ip netns exec $A "$BIN/vnd-capture" -q -i all=$IF -w "$BATS_TEST_TMPDIR/all" -d 4 &
	p1=$!
	ip netns exec $A "$BIN/vnd-capture" -q --collection "$BATS_TEST_TMPDIR/c.conf" -i a.input=$IF \
	    -w "$BATS_TEST_TMPDIR/flow" -d 4 &
	p2=$!
	sleep 1
	# the flow of interest on 7000, and another on 7001 at the same time
	ip netns exec $A socat -u TCP-LISTEN:7001,reuseaddr OPEN:/dev/null &
	l=$!
	sleep 0.3
	head -c 100000 /dev/urandom | ip netns exec $B socat -u - TCP:198.18.99.1:7001 &
	traffic 200000
	wait $l $p1 $p2
	"$BIN/vnd-parse" -q "$BATS_TEST_TMPDIR/flow/a.input.pcap" >"$BATS_TEST_TMPDIR/flow.tsv"
	"$BIN/vnd-parse" -q "$BATS_TEST_TMPDIR/all/all.pcap" >"$BATS_TEST_TMPDIR/all.tsv"
	want=$(tsv_count 'v["src_port"] == 7000 || v["dst_port"] == 7000' "$BATS_TEST_TMPDIR/all.tsv")
	other=$(tsv_count 'v["src_port"] == 7001 || v["dst_port"] == 7001' "$BATS_TEST_TMPDIR/all.tsv")
	echo "flow: $want of $(($(wc -l <"$BATS_TEST_TMPDIR/all.tsv") - 1)), other: $other"
	[ "$want" -gt 20 ]
	[ "$other" -gt 20 ]
	[ "$(tsv_count 1 "$BATS_TEST_TMPDIR/flow.tsv")" -eq "$want" ]
	[ "$(tsv_count 'v["dst_port"] == 7000' "$BATS_TEST_TMPDIR/flow.tsv")" -gt 10 ]
	[ "$(tsv_count 'v["src_port"] == 7000' "$BATS_TEST_TMPDIR/flow.tsv")" -gt 10 ]
	[ "$(tsv_awk '{ print v["point"], v["interface"] }' "$BATS_TEST_TMPDIR/flow/manifest.tsv")" = "a.input $IF" ]
}

# send N UDP datagrams to a neighbour behind each of the taps named
blast() {
	local n=$1
	shift
	ip netns exec $A python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[1])):
    for d in sys.argv[2:]:
        s.sendto(b"x" * 500, (d, 9))
' "$n" "$@"
}

# taps vtap0..: held open by a process that never reads, each with a neighbour
taps() {
	ip netns exec $A python3 "$TOP/tests/tapholder.py" "$@" >"$BATS_TEST_TMPDIR/th.out" &
	TH=$!
	for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$BATS_TEST_TMPDIR/th.out" ] && break; sleep 0.2; done
	local i=0
	for t in "$@"; do
		ip -n $A addr add 198.18.21$i.1/24 dev $t
		ip -n $A link set $t up
		ip -n $A neigh add 198.18.21$i.2 lladdr 02:00:00:00:00:0$i dev $t
		i=$((i + 1))
	done
}

txdrop() { ip netns exec $A cat /sys/class/net/$1/statistics/tx_dropped; }

@test "capture + rootcause: VMs that do not read: two are contention, one is the bottleneck, with the kernel's drops" {
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	taps vtap0 vtap1
	b0=$(txdrop vtap0) b1=$(txdrop vtap1)
	ip netns exec $A "$BIN/vnd-capture" -q -i a=$IF -w "$BATS_TEST_TMPDIR/two" -d 3 --counters 1 &
	pid=$!
	sleep 1
	blast 3000 198.18.210.2 198.18.211.2
	wait $pid
	d0=$(( $(txdrop vtap0) - b0 )) d1=$(( $(txdrop vtap1) - b1 ))
	echo "kernel: vtap0 $d0, vtap1 $d1 dropped"
	[ "$d0" -gt 100 ]
	[ "$d1" -gt 100 ]
	run -0 --separate-stderr "$BIN/vnd-rootcause" -c "$BATS_TEST_TMPDIR/two/counters.tsv"
	echo "$output"
	[ "$(tsv_awk 'v["element"] == "if:vtap0" { print v["kind"], v["lost_pkts"] }' <<<"$output")" = "contention $d0" ]
	[ "$(tsv_awk 'v["element"] == "if:vtap1" { print v["kind"], v["lost_pkts"] }' <<<"$output")" = "contention $d1" ]
	[[ $output == *"CPU or memory bandwidth (contention among VMs)"* ]]
	# one VM that does not read, the other idle: that VM is the bottleneck
	b0=$(txdrop vtap0)
	ip netns exec $A "$BIN/vnd-capture" -q -i a=$IF -w "$BATS_TEST_TMPDIR/one" -d 3 --counters 1 &
	pid=$!
	sleep 1
	blast 3000 198.18.210.2
	wait $pid
	d0=$(( $(txdrop vtap0) - b0 ))
	run -0 --separate-stderr "$BIN/vnd-rootcause" -c "$BATS_TEST_TMPDIR/one/counters.tsv"
	echo "$output"
	[ "$(tsv_awk '{ print v["element"] "/" v["resource"] "/" v["kind"] "/" v["lost_pkts"]; exit }' <<<"$output")" = \
	    "if:vtap0/VM (CPU or bandwidth)/bottleneck/$d0" ]
	# (the idle tap may drop a stray packet of the kernel's own: not contention)
	[ "$(tsv_count 'v["kind"] == "contention"' - <<<"$output")" -eq 0 ]
	kill $TH
}
