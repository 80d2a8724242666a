#!/bin/bash
# select-net.sh: record vnd-select's cases in network namespaces, with the kernels' truth.
#
# Usage (as root): tests/select-net.sh OUTDIR [loss|many|scan|hop]
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
# hop: no NAT, no queue; r drops at random only what goes to some
#   destination ports: UDP 9001, 9003, 9005 (of six UDP flows, 9001-9006,
#   400 datagrams each) and TCP 7001 (one 300 kB transfer), not TCP 7000
#   (five transfers); and the other way, the ACKs of 7001's server.
#   Points: rin, rout (r's two sides).
#   OUTDIR/truth.tsv: a row per DROP rule: ip_proto, dst_port (the flow's
#   server's), pkts, hop (rin>rout, or rout>rin for the server's packets).
#
# Namespaces and veths are named sel<pid>-*, deleted on exit; addresses
# only in 198.18.0.0/15, inside them; servers only in them.
set -eu

[ $# -ge 1 ] || { echo "usage: select-net.sh OUTDIR [loss|many|scan|hop]" >&2; exit 2; }
OUT=$1
MODE=${2:-loss}
P=sel$$
. "$(dirname "$0")/netns.bash"

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
	cap_stop
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

# drop PROTO PORT P [back]: r drops a share P of what goes to the server's
# PORT, or with back of what its PORT sends back
drop() {
	local way=(-i "${P}ra" -o "${P}rb" --dport)
	[ "${4:-}" = back ] && way=(-i "${P}rb" -o "${P}ra" --sport)
	nsx r iptables -A FORWARD "${way[@]:0:4}" -p "$1" "${way[4]}" "$2" \
	    -m statistic --mode random --probability "$3" -j DROP
}

# udp_flows: six flows from ports 20001-20006 to 9001-9006, 400 datagrams
# each, interleaved, every one its own payload; a sink reads them
udp_flows() {
	nsx s python3 -c 'import socket, select
ss = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(6)]
for i, s in enumerate(ss): s.bind(("198.18.61.2", 9001 + i))
while True:
	for s in select.select(ss, [], [])[0]: s.recv(2048)' &
	# bound, or the first datagrams are refused (and the sender fails)
	for _ in $(seq 100); do
		nsx s ss -Hlnu "sport = :9006" | grep -q . && break
		sleep 0.05
	done
	nsx c python3 -c 'import socket, time
ss = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(6)]
for i, s in enumerate(ss):
	s.bind(("198.18.60.1", 20001 + i)); s.connect(("198.18.61.2", 9001 + i))
for k in range(400):
	for i, s in enumerate(ss): s.send(b"%d %d " % (i, k) + b"x" * 160)
	time.sleep(0.001)'
}

record_hop() {
	drop udp 9001 0.05
	drop udp 9003 0.1
	drop udp 9005 0.03
	drop tcp 7001 0.05
	drop tcp 7001 0.1 back
	cap_start rin r "${P}ra"
	cap_start rout r "${P}rb"
	nsx s socat -u TCP-LISTEN:7000,fork,reuseaddr OPEN:/dev/null &
	nsx s socat -u TCP-LISTEN:7001,reuseaddr OPEN:/dev/null &
	wait_listen s 7000
	wait_listen s 7001
	head -c 300000 /dev/urandom | nsx c socat -u - TCP:198.18.61.2:7001 &
	tr=$!
	udp_flows
	transfers 5 198.18.60.1
	wait "$tr" || true
	stop_caps
	nsx r iptables -L FORWARD -v -x -n | awk -v OFS='\t' '
	    BEGIN { print "ip_proto", "dst_port", "pkts", "hop" }
	    $3 == "DROP" { for (i = 1; i <= NF; i++) if ($i ~ /^[ds]pt:/) port = $i
		print ($4 == "udp" || $4 == 17 ? 17 : 6), substr(port, 5), $1,
		    port ~ /^dpt/ ? "rin>rout" : "rout>rin" }' >"$OUT/truth.tsv"
}

setup_net
case $MODE in
loss) record_loss ;;
many) record_many ;;
scan) record_scan ;;
hop) record_hop ;;
*) echo "select-net.sh: unknown case '$MODE'" >&2; exit 2 ;;
esac
