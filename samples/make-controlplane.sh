#!/bin/sh
# make-controlplane.sh [OUTDIR [OPS [plain]]]: vnd-stitch's samples: a real
# control plane on loopback (RabbitMQ, oslo.messaging RPC servers, REST
# services: see controlplane.py), OPS server boots (40) 20 at a time with
# injected faults, captured by tcpdump; the services' own logs are the ground
# truth. "plain": no lossy recording (bench/stitch.sh, the tests).
#   controlplane.pcap.gz        the capture
#   controlplane.log            every message each service sent or received
#   controlplane.truth.tsv      each boot: its request id, fault (4 in 20), expected root cause
#   controlplane-lossy.*        the same across a router that drops 3% of the
#                               segments (iptables statistic): the services in
#                               namespace vscA$$, the broker, the network service
#                               and the user in vscB$$, captured in vscB$$: the
#                               capture holds holes, reordering, retransmissions
# Needs root (namespaces, iptables; without it, no lossy sample), tcpdump,
# rabbitmq-server, python3-oslo.messaging (tests/deps.sh stitch). Addresses in
# 198.18.0.0/15, only in the namespaces it makes. Exit 77 when they are missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
ops=${2:-40}
plain=${3:-}
py=/usr/bin/python3
for c in tcpdump "$py"; do
	command -v "$c" >/dev/null 2>&1 || { echo "make-controlplane.sh: $c is missing" >&2; exit 77; }
done
"$py" -c 'import oslo_messaging' 2>/dev/null || { echo "make-controlplane.sh: python3-oslo.messaging is missing" >&2; exit 77; }

tmp=$(mktemp -d /tmp/vs-cp.XXXXXX)
pids=""
A=vscA$$ R=vscR$$ B=vscB$$
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	"$here/../tests/rabbitmq.sh" stop "$tmp/rmq" || true
	if [ -f "$tmp/rmqB/env" ]; then
		ip netns exec $B "$here/../tests/rabbitmq.sh" stop "$tmp/rmqB" || true
	fi
	for ns in $A $R $B; do ip netns del $ns 2>/dev/null || true; done
	[ -n "${VS_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

free_port() {
	"$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# run NAME: one recording on loopback
run() {
	name=$1
	amqp=$("$here/../tests/rabbitmq.sh" start "$tmp/rmq")
	api=$(free_port)
	net=$(free_port)
	logs="$tmp/$name"
	mkdir -p "$logs"
	tcpdump -i lo -s 0 -U -n -w "$logs/cap.pcap" \
	    "tcp port $amqp or tcp port $api or tcp port $net" 2>"$logs/tcpdump.err" &
	tpid=$!
	pids="$pids $tpid"
	sleep 1
	for role in network compute conductor api; do
		"$py" "$here/controlplane.py" $role "$logs" "$amqp" "$api" "$net" 2>"$logs/$role.err" &
		pids="$pids $!"
	done
	wait_ready "$logs"
	"$py" "$here/controlplane.py" client "$logs" "$amqp" "$api" "$net" "$ops"
	sleep 2			# the last replies and ACKs
	for p in $pids; do [ "$p" = "$tpid" ] || kill "$p" 2>/dev/null || true; done
	sleep 1
	kill "$tpid"
	wait "$tpid" 2>/dev/null || true
	pids=""
	"$here/../tests/rabbitmq.sh" stop "$tmp/rmq"
	rm -rf "$tmp/rmq"
	keep "$name" "$logs"
}

# keep NAME LOGDIR: the capture, the logs and the truth into $out
keep() {
	gzip -9 <"$2/cap.pcap" >"$out/$1.pcap.gz"
	sort -n "$2"/network.log "$2"/compute.log "$2"/conductor.log \
	    "$2"/api.log "$2"/client.log >"$out/$1.log"
	cp "$2/truth.tsv" "$out/$1.truth.tsv"
}

# wait_ready LOGDIR: the RPC servers consume, the REST servers listen
wait_ready() {
	for i in $(seq 120); do
		[ -f "$1/api.ready" ] && [ -f "$1/network.ready" ] &&
		    [ -f "$1/compute.ready" ] && [ -f "$1/conductor.ready" ] && break
		sleep 0.5
	done
	sleep 1
}

# veth NS1 IF1 ADDR1 NS2 IF2 ADDR2: a link between two namespaces
veth() {
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
	ip -n "$1" addr add "$3/24" dev "$2"
	ip -n "$4" addr add "$6/24" dev "$5"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}

# run_lossy NAME LOSS: services in A, broker, network service and user in B,
# a router R between them dropping LOSS of the packets both ways, captured in B
run_lossy() {
	name=$1 loss=$2 logs="$tmp/$1"
	mkdir -p "$logs"
	for ns in $A $R $B; do ip netns add $ns; ip -n $ns link set lo up; done
	veth $A vsa0 198.18.1.1 $R vsra 198.18.1.2
	veth $R vsrb 198.18.2.2 $B vsb0 198.18.2.1
	ip -n $A route add default via 198.18.1.2
	ip -n $B route add default via 198.18.2.2
	ip netns exec $R sysctl -qw net.ipv4.ip_forward=1
	ip netns exec $R iptables -A FORWARD -m statistic --mode random --probability "$loss" -j DROP
	VS_RMQ_ADDR=198.18.2.1 VS_RMQ_PORT=5672 ip netns exec $B "$here/../tests/rabbitmq.sh" start "$tmp/rmqB" >/dev/null
	ip netns exec $B tcpdump -i vsb0 -s 0 -U -n -w "$logs/cap.pcap" tcp 2>"$logs/tcpdump.err" &
	tpid=$!
	sleep 1
	export VS_AMQP_HOST=198.18.2.1 VS_API_HOST=198.18.1.1 VS_NET_HOST=198.18.2.1
	ip netns exec $B "$py" "$here/controlplane.py" network "$logs" 5672 8774 9696 2>"$logs/network.err" &
	pids="$pids $!"
	for role in compute conductor api; do
		ip netns exec $A "$py" "$here/controlplane.py" $role "$logs" 5672 8774 9696 2>"$logs/$role.err" &
		pids="$pids $!"
	done
	wait_ready "$logs"
	ip netns exec $B "$py" "$here/controlplane.py" client "$logs" 5672 8774 9696 "$ops"
	sleep 3			# the last replies, retransmissions and ACKs
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	sleep 1
	kill "$tpid"
	wait "$tpid" 2>/dev/null || true
	pids=""
	ip netns exec $B "$here/../tests/rabbitmq.sh" stop "$tmp/rmqB"
	rm -f "$tmp/rmqB/env"
	keep "$name" "$logs"
}

run controlplane
[ -z "$plain" ] || exit 0
if [ "$(id -u)" -eq 0 ] && command -v iptables >/dev/null 2>&1; then
	run_lossy controlplane-lossy 0.03
else
	echo "make-controlplane.sh: not root: no lossy sample" >&2
fi
