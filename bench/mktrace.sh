#!/bin/bash
# mktrace.sh: capture a real TCP trace of at least 1M packets for bench/run.sh.
#
# Two network namespaces joined by a veth pair (198.18.0.0/15 only), real
# kernel TCP from iperf3 (several parallel streams, a fixed number of bytes),
# captured with tcpdump -s 256 on the sending side.  Needs root.
#
# usage: bench/mktrace.sh [OUT.pcap]      (default bench/data/trace.pcap)
# env:   MIN_PKTS (default 1000000), BYTES (iperf3 -n, default 1500M),
#        STREAMS (iperf3 -P, default 4), FORCE=1 to capture again
set -eu

prog=mktrace.sh
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/data/trace.pcap}
min_pkts=${MIN_PKTS:-1000000}
bytes=${BYTES:-1500M}
streams=${STREAMS:-4}

die() { echo "$prog: $*" >&2; exit 1; }

for t in ip tcpdump iperf3; do
	command -v "$t" >/dev/null 2>&1 || die "'$t' not found; install it (Debian: iproute2 tcpdump iperf3)"
done

# bench/floor counts packets quickly; build it when missing or stale
make -s -C "$here" floor >/dev/null || die "cannot build bench/floor"
count() { "$here/floor" "$1" 2>/dev/null || echo 0; }

if [ -f "$out" ] && [ "${FORCE:-0}" != 1 ]; then
	n=$(count "$out")
	if [ "$n" -ge "$min_pkts" ]; then
		echo "$prog: '$out' exists with $n packets; nothing to do (FORCE=1 to redo)"
		exit 0
	fi
	echo "$prog: '$out' has only $n packets; capturing again" >&2
fi

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, veth, tcpdump); run as root or with sudo"

ns_a=vndbench-a-$$
ns_b=vndbench-b-$$
addr_a=198.18.0.1
addr_b=198.18.0.2
work=$(mktemp -d "${TMPDIR:-/tmp}/vnd-mktrace.XXXXXX")
tmp=$out.tmp.$$
tcpdump_pid=
server_pid=

cleanup() {
	# only what this script started: its two processes, namespaces and files
	if [ -n "$tcpdump_pid" ]; then kill "$tcpdump_pid" 2>/dev/null || true; fi
	if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
	wait 2>/dev/null || true
	ip netns del "$ns_a" 2>/dev/null || true
	ip netns del "$ns_b" 2>/dev/null || true
	rm -rf "$work"
	rm -f "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

ip netns add "$ns_a" 2>/dev/null ||
	die "cannot create network namespace '$ns_a' (no netns support, or not permitted)"
ip netns add "$ns_b" || die "cannot create network namespace '$ns_b'"
ip link add veth-a netns "$ns_a" type veth peer name veth-b netns "$ns_b" ||
	die "cannot create a veth pair"
in_a() { ip netns exec "$ns_a" "$@"; }
in_b() { ip netns exec "$ns_b" "$@"; }

in_a ip link set lo up
in_b ip link set lo up
in_a ip addr add "$addr_a/30" dev veth-a
in_b ip addr add "$addr_b/30" dev veth-b

# one wire packet per captured frame: no TSO/GSO/GRO super-packets
if command -v ethtool >/dev/null 2>&1; then
	in_a ethtool -K veth-a tso off gso off gro off lro off >/dev/null 2>&1 || true
	in_b ethtool -K veth-b tso off gso off gro off lro off >/dev/null 2>&1 || true
fi
# without ethtool (and as a second guard) cap GSO at one segment per skb
in_a ip link set dev veth-a gso_max_segs 1 2>/dev/null || true
in_b ip link set dev veth-b gso_max_segs 1 2>/dev/null || true
in_a ip link set veth-a up
in_b ip link set veth-b up

mkdir -p "$(dirname "$out")"

# run background jobs without the shell function, so $! is the process itself
ip netns exec "$ns_b" iperf3 -s -1 -B "$addr_b" >"$work/server.log" 2>&1 &
server_pid=$!

# -Z root: keep write access to the output directory
ip netns exec "$ns_a" tcpdump -i veth-a -n -s 256 -B 65536 -Z root \
	--time-stamp-precision=nano -w "$tmp" \
	"host $addr_a and host $addr_b" 2>"$work/tcpdump.log" &
tcpdump_pid=$!

i=0
until grep -q 'listening on' "$work/tcpdump.log" 2>/dev/null &&
	in_b ss -ltn 2>/dev/null | grep -q ":5201 "; do
	i=$((i + 1))
	[ "$i" -le 100 ] || die "tcpdump or iperf3 did not start: $(cat "$work/tcpdump.log" "$work/server.log")"
	kill -0 "$tcpdump_pid" 2>/dev/null || die "tcpdump failed: $(cat "$work/tcpdump.log")"
	sleep 0.1
done

echo "$prog: sending $bytes over $streams TCP streams $addr_a -> $addr_b"
in_a iperf3 -c "$addr_b" -n "$bytes" -P "$streams" >"$work/client.log" 2>&1 ||
	die "iperf3 failed: $(tail -5 "$work/client.log")"
sleep 0.5
# TERM, not INT: background jobs of a script start with SIGINT ignored
kill -TERM "$tcpdump_pid"
wait "$tcpdump_pid" || true
tcpdump_pid=
wait "$server_pid" 2>/dev/null || true
server_pid=

grep -E 'captured|dropped' "$work/tcpdump.log" | sed "s/^/$prog: tcpdump: /" >&2 || true
n=$(count "$tmp")
[ "$n" -ge "$min_pkts" ] ||
	die "captured only $n packets (< $min_pkts); raise BYTES (now $bytes)"
mv "$tmp" "$out"
echo "$prog: wrote '$out': $n packets, $(du -h "$out" | cut -f1)"
