#!/bin/bash
# select-net.sh: record vnd-select's cases in network namespaces, with the kernels' truth.
#
# Usage (as root): tests/select-net.sh OUTDIR [loss|many|scan]
#
#  client 198.18.60.1, .60.9 -- .60.254 r .61.254 -- 198.18.61.2 server
#
# loss: r drops 2% of what it forwards toward the server (iptables
#   statistic), queues it in a tbf (20 Mbit/s) and masquerades the clients
#   (SNAT); two iperf3 flows and 30 short transfers of 8-40 kB (socat).
#   Points: ctap (the client's side), rin, rout (r's two sides), srv.
#   OUTDIR/truth.tsv: the DROP rule's packets (element, attr, value, no header).
#   OUTDIR/conntrack.tsv: every connection's inside and outside 5-tuple, as
#   conntrack mapped it.
# many: the same router; 16 clients at once, 12 transfers of 8-40 kB each
#   (192 connections). Points: ctap, rout, srv.
# scan: no drop, no NAT; 20 ordinary transfers from .60.1 and a connect
#   scan of 200 ports of the server from .60.9 (nmap -sT, or a loop).
#
# Namespaces and veths are named sel<pid>-*, deleted on exit; addresses
# only in 198.18.0.0/15, inside them; servers only in them.
set -eu

if [ "$(id -u)" != 0 ]; then
	echo "select-net.sh: must run as root" >&2
	exit 1
fi
[ $# -ge 1 ] || { echo "usage: select-net.sh OUTDIR [loss|scan]" >&2; exit 2; }
OUT=$1
MODE=${2:-loss}
P=sel$$
NSLIST=()
CAPS=()

cleanup() {
	local p ns
	set +e
	for p in $(jobs -p); do
		kill "$p" 2>/dev/null
	done
	# servers started through nsx in the background are the namespaces' own
	for ns in "${NSLIST[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
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

# link NODE1 IF1 ADDR1 NODE2 IF2 ADDR2: a veth without GSO
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
	echo "select-net.sh: tcpdump for $1 did not start" >&2
	return 1
}

wait_listen() {	# NODE PORT
	for _ in $(seq 100); do
		nsx "$1" ss -Hlnt "sport = :$2" | grep -q . && return 0
		sleep 0.05
	done
	echo "select-net.sh: nothing listens on port $2" >&2
	return 1
}

# transfers N FROM: N short transfers of 8 to 40 kB to the sink, one by one
transfers() {
	local k
	for k in $(seq "$1"); do
		head -c $(((k % 5 + 1) * 8000)) /dev/urandom |
		    nsx c socat -u - "TCP:198.18.61.2:7000,bind=$2" || true
	done
}

setup_net() {
	mkdir -p "$OUT"
	for n in c r s; do mkns "$n"; done
	link c "${P}c" 198.18.60.1/24 r "${P}ra" 198.18.60.254/24
	link r "${P}rb" 198.18.61.254/24 s "${P}s" 198.18.61.2/24
	ip -n "$P-c" addr add 198.18.60.9/24 dev "${P}c"
	nsx r sysctl -qw net.ipv4.ip_forward=1
	ip -n "$P-c" route add default via 198.18.60.254
	ip -n "$P-s" route add default via 198.18.61.254
}

stop_caps() {
	local c
	sleep 0.3
	for c in "${CAPS[@]}"; do
		kill -INT "${c#*:}"
	done
	for c in "${CAPS[@]}"; do
		wait "${c#*:}" || true
	done
	rm -f "$OUT"/*.err
}

# lossy_router: r drops 2% toward the server, queues in a tbf, masquerades
lossy_router() {
	nsx r iptables -A FORWARD -i "${P}ra" -o "${P}rb" -m statistic \
	    --mode random --probability 0.02 -j DROP
	nsx r iptables -t nat -A POSTROUTING -o "${P}rb" -j MASQUERADE
	nsx r tc qdisc add dev "${P}rb" root tbf rate 20mbit burst 16kb limit 48kb
}

record_loss() {
	lossy_router
	cap_start ctap c "${P}c"
	cap_start rin r "${P}ra"
	cap_start rout r "${P}rb"
	cap_start srv s "${P}s"
	nsx s socat -u TCP-LISTEN:7000,fork,reuseaddr OPEN:/dev/null &
	nsx s iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
	wait_listen s 7000
	wait_listen s 5201
	nsx c iperf3 -c 198.18.61.2 -B 198.18.60.1 -p 5201 -P 2 -t 2 >/dev/null &
	ipf=$!
	transfers 30 198.18.60.9
	wait "$ipf" || true
	stop_caps
	router_truth
}

# the drop rule's counter, and conntrack's mapping of every connection
router_truth() {
	nsx r iptables -L FORWARD -v -x -n | awk '$3 == "DROP" { print "r:iptables:drop\tpkts\t" $1 }' >"$OUT/truth.tsv"
	# conntrack's mapping: inside source, destination, outside source
	nsx r conntrack -L -p tcp 2>/dev/null | awk -v OFS='\t' '
	    BEGIN { print "src_ip", "src_port", "dst_ip", "dst_port", "nat_ip", "nat_port" }
	    { n = 0; for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1], ++c[kv[1]]] = kv[2] }
	      print v["src", 1], v["sport", 1], v["dst", 1], v["dport", 1], v["dst", 2], v["dport", 2]
	      delete v; delete c }' >"$OUT/conntrack.tsv"
}

# many: 16 clients at once, 12 transfers each, through the lossy router
record_many() {
	local k pids=()
	lossy_router
	cap_start ctap c "${P}c"
	cap_start rout r "${P}rb"
	cap_start srv s "${P}s"
	nsx s socat -u TCP-LISTEN:7000,fork,reuseaddr,backlog=64 OPEN:/dev/null &
	wait_listen s 7000
	for k in $(seq 16); do
		transfers 12 198.18.60.1 &
		pids+=($!)
	done
	wait "${pids[@]}" || true
	stop_caps
	router_truth
}

record_scan() {
	cap_start rin r "${P}ra"
	cap_start srv s "${P}s"
	nsx s socat -u TCP-LISTEN:7000,fork,reuseaddr OPEN:/dev/null &
	wait_listen s 7000
	transfers 20 198.18.60.1 &
	tr=$!
	if command -v nmap >/dev/null; then
		nsx c nmap -n -Pn -sT -S 198.18.60.9 -e "${P}c" -p 1-200 \
		    --max-retries 0 198.18.61.2 >/dev/null 2>&1
	else
		for port in $(seq 1 200); do
			nsx c socat -u /dev/null \
			    "TCP:198.18.61.2:$port,bind=198.18.60.9,connect-timeout=0.2" \
			    2>/dev/null || true
		done
	fi
	wait "$tr" || true
	stop_caps
}

setup_net
case $MODE in
loss) record_loss ;;
many) record_many ;;
scan) record_scan ;;
*) echo "select-net.sh: unknown case '$MODE'" >&2; exit 2 ;;
esac
