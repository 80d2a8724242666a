#!/bin/bash
# hoploss-chain.sh: record issue 9's chain (client - m1 - m2 - server) with the kernels' drop counters as truth.
#
# Usage (as root): tests/hoploss-chain.sh OUTDIR [SECONDS]
#
#  client 198.18.40.1 -- .40.2 m1 .41.1 -- .41.2 m2 .42.1 -- 198.18.42.2 server
#  m1: iptables statistic drop of 0.5% of the client->server packets it forwards
#  m2: tbf 40 Mbit/s, burst 16 kb, limit 48 kb toward the server
#
# Two iperf3 flows from the same client address to two servers, the second
# starting halfway through the first; tcpdump on both sides of each router
# (OUTDIR/m1in.pcap, m1out, m2in, m2out), all on one host, so one clock.
# OUTDIR/truth.tsv: element, attr, value: the iptables rules' counters, the
# tbf's, and what each tcpdump says it captured and dropped.
#
# Namespaces and veths are named vh<pid>-*, deleted on exit; addresses only
# in 198.18.0.0/15 inside them.
set -eu

if [ "$(id -u)" != 0 ]; then
	echo "hoploss-chain.sh: must run as root" >&2
	exit 1
fi
[ $# -ge 1 ] || { echo "usage: hoploss-chain.sh OUTDIR [SECONDS]" >&2; exit 2; }
OUT=$1
SECS=${2:-2}
P=vh$$
NSLIST=()
CAPS=()

cleanup() {
	local p ns
	set +e
	for p in $(jobs -p); do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	for ns in "${NSLIST[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

nsx() { local ns=$P-$1; shift; ip netns exec "$ns" "$@"; }

mkns() {
	ip netns add "$P-$1"
	NSLIST+=("$P-$1")
	nsx "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	    net.ipv6.conf.default.disable_ipv6=1
	ip -n "$P-$1" link set lo up
}

# link NODE1 IF1 ADDR1 NODE2 IF2 ADDR2: a veth; no GSO, so a capture sees
# the segments a wire would carry and a qdisc drops one at a time
link() {
	ip -n "$P-$1" link add name "$2" type veth peer name "$5" netns "$P-$4"
	ip -n "$P-$1" addr add "$3" dev "$2"
	ip -n "$P-$4" addr add "$6" dev "$5"
	ip -n "$P-$1" link set dev "$2" gso_max_segs 1 gso_max_size 1500 up
	ip -n "$P-$4" link set dev "$5" gso_max_segs 1 gso_max_size 1500 up
}

cap_start() {	# POINT NODE IF
	ip netns exec "$P-$2" tcpdump -i "$3" -s 128 -B 32768 -U \
	    --immediate-mode -w "$OUT/$1.pcap" 2>"$OUT/$1.err" &
	CAPS+=("$1:$!")
	for _ in $(seq 100); do
		grep -q 'listening on' "$OUT/$1.err" && return 0
		sleep 0.05
	done
	echo "hoploss-chain.sh: tcpdump for $1 did not start" >&2
	return 1
}

wait_listen() {	# NODE PORT
	for _ in $(seq 100); do
		nsx "$1" ss -Hlnt "sport = :$2" | grep -q . && return 0
		sleep 0.05
	done
	echo "hoploss-chain.sh: nothing listens on port $2" >&2
	return 1
}

mkdir -p "$OUT"
for n in c m1 m2 s; do mkns "$n"; done
link c "${P}c" 198.18.40.1/24 m1 "${P}m1a" 198.18.40.2/24
link m1 "${P}m1b" 198.18.41.1/24 m2 "${P}m2a" 198.18.41.2/24
link m2 "${P}m2b" 198.18.42.1/24 s "${P}s" 198.18.42.2/24
nsx m1 sysctl -qw net.ipv4.ip_forward=1
nsx m2 sysctl -qw net.ipv4.ip_forward=1
ip -n "$P-c" route add default via 198.18.40.2
ip -n "$P-m1" route add 198.18.42.0/24 via 198.18.41.2
ip -n "$P-m2" route add 198.18.40.0/24 via 198.18.41.1
ip -n "$P-s" route add default via 198.18.42.1
nsx m1 iptables -A FORWARD -i "${P}m1a" -o "${P}m1b" \
    -m comment --comment vh-c2s
nsx m1 iptables -A FORWARD -i "${P}m1a" -o "${P}m1b" \
    -m statistic --mode random --probability 0.005 \
    -m comment --comment vh-drop -j DROP
nsx m2 tc qdisc add dev "${P}m2b" root tbf rate 40mbit burst 16kb limit 48kb

cap_start m1in m1 "${P}m1a"
cap_start m1out m1 "${P}m1b"
cap_start m2in m2 "${P}m2a"
cap_start m2out m2 "${P}m2b"

nsx s iperf3 -s -1 -B 198.18.42.2 -p 5201 >/dev/null 2>&1 &
nsx s iperf3 -s -1 -B 198.18.42.2 -p 5202 >/dev/null 2>&1 &
wait_listen s 5201
wait_listen s 5202
half=$(awk -v s="$SECS" 'BEGIN { print s / 2 }')
nsx c iperf3 -c 198.18.42.2 -B 198.18.40.1 -p 5201 -t "$SECS" >/dev/null &
first=$!
sleep "$half"
nsx c iperf3 -c 198.18.42.2 -B 198.18.40.1 -p 5202 -t "$SECS" >/dev/null
wait "$first"
sleep 0.3
for c in "${CAPS[@]}"; do
	kill -INT "${c#*:}"
done
for c in "${CAPS[@]}"; do
	wait "${c#*:}" || true
done

{
	printf 'element\tattr\tvalue\n'
	nsx m1 iptables-save -c | sed -n \
	    's/^\[\([0-9]*\):[0-9]*\] -A FORWARD .*--comment \(vh-[a-z0-9]*\).*/m1:iptables:\2\tpkts\t\1/p'
	nsx m2 tc -s qdisc show dev "${P}m2b" | awk '
	    $1 == "Sent" { sub(",", "", $7); printf "m2:tc:tbf\tsent_pkts\t%s\nm2:tc:tbf\tdropped_pkts\t%s\n", $4, $7 }'
	for c in "${CAPS[@]}"; do
		p=${c%%:*}
		awk -v p="$p" '
		    / packets captured/ { printf "capture:%s\tcaptured_pkts\t%s\n", p, $1 }
		    / packets dropped by kernel/ { printf "capture:%s\tkernel_dropped_pkts\t%s\n", p, $1 }' "$OUT/$p.err"
		rm -f "$OUT/$p.err"
	done
} >"$OUT/truth.tsv"
