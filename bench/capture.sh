#!/bin/bash
# capture.sh: CPU per captured packet of vnd-capture, the libpcap floor and tcpdump, on the same traffic.
#
# usage: bench/capture.sh            (root: it makes network namespaces)
# env:   BIN=dir    the vnd programs (default bin)
#        RUNS=n     runs per capturer, the least CPU kept (default 3)
#        RATE=bits  iperf3's UDP rate (default 200M), LEN=bytes its datagrams
#                   (default 200), SECS=s how long it sends (default 4)
#
# Two namespaces joined by a veth pair (198.18.0.1, 198.18.0.2; nothing leaves
# them, all removed on exit). For each capturer in turn, and RUNS times: it
# captures the receiving veth while iperf3 sends UDP at a fixed rate, and is
# stopped by SIGINT; its user+system CPU seconds and the packets its file
# holds give microseconds of CPU per packet. The ratios are to the floor
# (capfloor.c: pcap_loop + pcap_dump, opened as vnd-capture opens it) and to
# tcpdump -w. No absolute time is a result: only the ratios, on one run.
set -eu

prog=capture.sh
die() { echo "$prog: $*" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
abspath() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
bin=$(abspath "${BIN:-bin}")
runs=${RUNS:-3} rate=${RATE:-200M} len=${LEN:-200} secs=${SECS:-4}
case $runs in '' | *[!0-9]* | 0) die "RUNS must be a positive integer" ;; esac

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
for c in ip iperf3 tcpdump; do
	command -v $c >/dev/null 2>&1 || die "'$c' not found"
done
[ -x /usr/bin/time ] || die "/usr/bin/time not found (Debian: time)"
[ -x "$bin/vnd-capture" ] && [ -x "$bin/vnd-parse" ] || die "'$bin/vnd-capture' not found; run make"
make -s -C "$here" capfloor >/dev/null || die "cannot build bench/capfloor"

A=vndbench-a-$$ B=vndbench-b-$$
work=$(mktemp -d "${TMPDIR:-/tmp}/vnd-capbench.XXXXXX")
cleanup() {
	ip netns del $A 2>/dev/null || true
	ip netns del $B 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

ip netns add $A
ip netns add $B
ip link add vb$$a type veth peer name vb$$b
ip link set vb$$a netns $A
ip link set vb$$b netns $B
ip -n $A addr add 198.18.0.1/24 dev vb$$a
ip -n $B addr add 198.18.0.2/24 dev vb$$b
for n in $A $B; do ip -n $n link set lo up; done
ip -n $A link set vb$$a up
ip -n $B link set vb$$b up
IF=vb$$a

# one run: capture with "$@" (OUT in it stands for the file), print "cpu_s packets"
one() {
	local out=$work/run.pcap cmd=() a
	for a in "$@"; do cmd+=("${a//OUT/$out}"); done
	rm -f "$out" "$work"/a.pcap
	ip netns exec $A iperf3 -s -D -1 >/dev/null 2>&1 || true
	ip netns exec $A /usr/bin/time -f '%U %S' -o "$work/time" \
	    timeout -s INT $((secs + 2)) "${cmd[@]}" >/dev/null 2>"$work/err" &
	local pid=$!
	sleep 1
	ip netns exec $B iperf3 -c 198.18.0.1 -u -b "$rate" -l "$len" -t "$secs" >/dev/null 2>&1 ||
	    die "iperf3 failed"
	wait $pid || true
	[ -s "$out" ] || out=$work/a.pcap
	[ -s "$out" ] || die "no capture from: $*: $(head -1 "$work/err")"
	# (the last line: time writes "Command exited with non-zero status" first)
	tail -1 "$work/time" | awk -v p="$("$bin/vnd-parse" -q -H "$out" | wc -l)" \
	    '{ printf "%.3f %d\n", $1 + $2, p }'
}

best() {	# the run with the least CPU per packet, of RUNS
	local i r b=
	for ((i = 0; i < runs; i++)); do
		r=$(one "$@")
		b=$(printf '%s\n%s\n' "$b" "$r" | awk 'NF == 2 && $2 > 0 {
		    v = $1 / $2; if (m == "" || v < m) { m = v; l = $0 } } END { print l }')
	done
	echo "$b"
}

echo "$prog: $rate UDP, $len-byte datagrams, $secs s, $runs runs each, least CPU kept" >&2
floor=$(best "$here/capfloor" "$IF" OUT)
peer=$(best tcpdump -i "$IF" -s 262144 --immediate-mode -B 32768 \
    --time-stamp-precision=nano -w OUT -q)
vnd=$(best "$bin/vnd-capture" -q -i a="$IF" -w "$work")

printf '%-34s %8s %9s %9s %8s %8s\n' command cpu_s packets us/pkt x_floor x_peer
row() {
	awk -v n="$1" -v r="$2" -v f="$floor" -v p="$peer" 'BEGIN {
	    split(r, x, " "); split(f, y, " "); split(p, z, " ")
	    u = 1e6 * x[1] / x[2]; uf = 1e6 * y[1] / y[2]; up = 1e6 * z[1] / z[2]
	    rf = uf > 0 ? u / uf : 0; rp = up > 0 ? u / up : 0
	    printf "%-34s %8.3f %9d %9.3f %8.2f %8.2f\n", n, x[1], x[2], u, rf, rp }'
}
row "capfloor (pcap_loop + pcap_dump)" "$floor"
row "tcpdump -w" "$peer"
row "vnd-capture" "$vnd"
