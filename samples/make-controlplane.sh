#!/bin/sh
# make-controlplane.sh [OUTDIR [OPS [plain]]]: vnd-stitch's samples: a real
# control plane on loopback (RabbitMQ, oslo.messaging RPC servers, REST
# services: see controlplane.py), OPS server boots (40) 20 at a time with
# injected faults, captured by tcpdump; the services' own logs are the ground
# truth. "plain": no lossy recording (bench/stitch.sh, the tests).
#   controlplane.pcap.gz        the capture
#   controlplane.log            every message each service sent or received
#   controlplane.truth.tsv      each boot: its request id, fault, expected root cause
#   controlplane-lossy.*        the same with 3% of the segments dropped before
#                               the capture point (iptables statistic on OUTPUT):
#                               the capture holds holes, reordering, retransmissions
# Needs root (iptables; without it, no lossy sample), tcpdump, rabbitmq-server,
# python3-oslo.messaging (tests/deps.sh stitch). Exit 77 when they are missing.
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
rule=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	[ -z "$rule" ] || iptables -D OUTPUT $rule 2>/dev/null || true
	"$here/../tests/rabbitmq.sh" stop "$tmp/rmq" || true
	[ -n "${VS_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

free_port() {
	"$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# run NAME LOSS: one recording
run() {
	name=$1 loss=$2
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
	if [ "$loss" != 0 ]; then
		rule="-o lo -p tcp -m multiport --ports $amqp,$api,$net -m statistic --mode random --probability $loss -j DROP"
		# shellcheck disable=SC2086
		iptables -A OUTPUT $rule
	fi
	for role in network compute conductor api; do
		"$py" "$here/controlplane.py" $role "$logs" "$amqp" "$api" "$net" 2>"$logs/$role.err" &
		pids="$pids $!"
	done
	# the RPC servers consume, the REST servers listen
	for i in $(seq 120); do
		[ -f "$logs/api.ready" ] && [ -f "$logs/network.ready" ] &&
		    [ -f "$logs/compute.ready" ] && [ -f "$logs/conductor.ready" ] && break
		sleep 0.5
	done
	sleep 1
	"$py" "$here/controlplane.py" client "$logs" "$amqp" "$api" "$net" "$ops"
	sleep 2			# the last replies and ACKs
	if [ -n "$rule" ]; then
		# shellcheck disable=SC2086
		iptables -D OUTPUT $rule
		rule=""
	fi
	for p in $pids; do [ "$p" = "$tpid" ] || kill "$p" 2>/dev/null || true; done
	sleep 1
	kill "$tpid"
	wait "$tpid" 2>/dev/null || true
	pids=""
	"$here/../tests/rabbitmq.sh" stop "$tmp/rmq"
	rm -rf "$tmp/rmq"
	gzip -9 <"$logs/cap.pcap" >"$out/$name.pcap.gz"
	sort -n "$logs"/network.log "$logs"/compute.log "$logs"/conductor.log \
	    "$logs"/api.log "$logs"/client.log >"$out/$name.log"
	cp "$logs/truth.tsv" "$out/$name.truth.tsv"
}

run controlplane 0
[ -z "$plain" ] || exit 0
if [ "$(id -u)" -eq 0 ] && command -v iptables >/dev/null 2>&1; then
	run controlplane-lossy 0.03
else
	echo "make-controlplane.sh: not root: no lossy sample" >&2
fi
