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

[ $# -ge 1 ] || { echo "usage: hoploss-chain.sh OUTDIR [SECONDS]" >&2; exit 2; }
OUT=$1
SECS=${2:-2}
P=vh$$
. "$(dirname "$0")/netns.bash"

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
cap_stop

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
