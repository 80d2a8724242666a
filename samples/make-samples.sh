#!/bin/bash
# make-samples.sh: build namespace topologies, run real kernel TCP through real
# middleboxes, capture at every hop and write ground truth from kernel counters.
#
# Usage (as root): samples/make-samples.sh [scenario...]
#   scenarios: path snat haproxy chain (default: all)
#
# Only addresses in 198.18.0.0/15 are used, and only inside the namespaces
# this script creates (all named vnds-*); every one of them is deleted on exit.
set -eu

if [ "$(id -u)" != 0 ]; then
	echo "make-samples.sh: must run as root" >&2
	exit 1
fi

HERE=$(cd "$(dirname "$0")" && pwd)
TRAFFIC="$HERE/traffic.py"
SNAPLEN=200
WORK=$(mktemp -d /tmp/vnd-samples.XXXXXX)
NSLIST=()
declare -A CAPPID=()
declare -A CAPFILE=()
declare -A SSLOOP=()
SUMMARY=()

cleanup() {
	local p ns
	set +e
	# Only our own live background jobs: never a stale or foreign pid.
	for p in $(jobs -p); do
		kill "$p" 2>/dev/null
	done
	sleep 0.2
	for p in $(jobs -p); do
		kill -9 "$p" 2>/dev/null
	done
	for ns in "${NSLIST[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf 'make-samples: %s\n' "$*" >&2; }
now() { date +%s%N; }

# ---- topology helpers ------------------------------------------------------

mkns() {
	local ns=vnds-$1
	# A namespace of that exact name can only be a leftover of a killed run.
	ip netns del "$ns" 2>/dev/null || true
	ip netns add "$ns"
	NSLIST+=("$ns")
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	    net.ipv6.conf.default.disable_ipv6=1
	ip -n "$ns" link set lo up
}

rmns() {
	local n ns keep=()
	for n in "$@"; do
		ip netns del "vnds-$n"
	done
	for ns in "${NSLIST[@]}"; do
		for n in "$@"; do
			[ "$ns" = "vnds-$n" ] && continue 2
		done
		keep+=("$ns")
	done
	NSLIST=("${keep[@]}")
}

nsx() { local ns=vnds-$1; shift; ip netns exec "$ns" "$@"; }

# Keep segments MTU-sized: no TSO/GSO/GRO, so the capture shows what a wire
# would carry.  Without ethtool, a GSO limit of one segment does the same for
# TCP senders on this host.
nooffload() {
	if command -v ethtool >/dev/null; then
		nsx "$1" ethtool -K "$2" tso off gso off gro off 2>/dev/null || true
	else
		ip -n "vnds-$1" link set dev "$2" gso_max_segs 1 gso_max_size 1500
	fi
}

# link NODE1 IF1 ADDR1/LEN NODE2 IF2 ADDR2/LEN
link() {
	ip -n "vnds-$1" link add name "$2" type veth peer name "$5" netns "vnds-$4"
	ip -n "vnds-$1" addr add "$3" dev "$2"
	ip -n "vnds-$4" addr add "$6" dev "$5"
	nooffload "$1" "$2"
	nooffload "$4" "$5"
	ip -n "vnds-$1" link set "$2" up
	ip -n "vnds-$4" link set "$5" up
}

# Run a program in a namespace in the background; $! is the program itself
# (ip netns exec execs it), so signals reach it.
bg() { local ns=vnds-$1; shift; ip netns exec "$ns" "$@" & }

wait_listen() {	# NODE PORT [t|u]
	for _ in $(seq 100); do
		if nsx "$1" ss -Hln"${3:-t}" "sport = :$2" | grep -q .; then
			return 0
		fi
		sleep 0.05
	done
	log "nothing listens on port $2 in vnds-$1"
	return 1
}

# ---- capture helpers -------------------------------------------------------

cap_start() {	# POINT NODE IF   (file: $WORK/POINT.pcap)
	local f=$WORK/$1.pcap
	ip netns exec "vnds-$2" tcpdump -i "$3" -s "$SNAPLEN" -B 16384 -U \
	    --immediate-mode -Z root -w "$f" 2>"$WORK/$1.tcpdump.err" &
	CAPPID[$1]=$!
	CAPFILE[$1]=$f
	for _ in $(seq 100); do
		grep -q 'listening on' "$WORK/$1.tcpdump.err" && return 0
		sleep 0.05
	done
	log "tcpdump for $1 did not start"
	cat "$WORK/$1.tcpdump.err" >&2
	return 1
}

# Stop every capture with SIGINT, move the files into place and append truth
# rows for what tcpdump saw to $WORK/caprows.  Must run in the main shell.
cap_stop_all() {
	local p ts
	for p in "${!CAPPID[@]}"; do
		kill -INT "${CAPPID[$p]}"
	done
	for p in "${!CAPPID[@]}"; do
		wait "${CAPPID[$p]}" || true
	done
	ts=$(now)
	for p in $(printf '%s\n' "${!CAPPID[@]}" | sort); do
		awk -v ts="$ts" -v p="$p" '
		    / packets captured/ { printf "%s\tcapture:%s\tcaptured_pkts\t%s\n", ts, p, $1 }
		    / packets dropped by kernel/ { printf "%s\tcapture:%s\tkernel_dropped_pkts\t%s\n", ts, p, $1 }
		    ' "$WORK/$p.tcpdump.err" >>"$WORK/caprows"
		mv "${CAPFILE[$p]}" "$HERE/$p.pcap"
	done
	CAPPID=()
	CAPFILE=()
}

# ---- counter helpers (truth rows: ts_ns element attr value) -------------------

ifrows() {	# NODE IF
	local ts a
	ts=$(now)
	for a in rx_packets tx_packets rx_bytes tx_bytes rx_dropped tx_dropped; do
		printf '%s\t%s:if:%s\t%s\t%s\n' "$ts" "$1" "$2" "$a" \
		    "$(nsx "$1" cat "/sys/class/net/$2/statistics/$a")"
	done
}

tcprows() {	# NODE: the host's TCP MIB counters
	local ts
	ts=$(now)
	nsx "$1" nstat -asz | awk -v ts="$ts" -v n="$1" '
	    $1 ~ /^(TcpActiveOpens|TcpPassiveOpens|TcpInSegs|TcpOutSegs|TcpRetransSegs|TcpOutRsts|TcpExtTCPTimeouts|TcpExtTCPFastRetrans|TcpExtTCPSlowStartRetrans|TcpExtTCPLossProbes|TcpExtTCPSackRecovery|TcpExtTCPDSACKRecv|TcpExtTCPOFOQueue|TcpExtTCPRcvQDrop|TcpExtTCPZeroWindowDrop|TcpExtTCPToZeroWindowAdv|TcpExtTCPFromZeroWindowAdv|TcpExtTCPWantZeroWindowAdv)$/ \
		{ printf "%s\t%s:tcp\t%s\t%s\n", ts, n, $1, $2 }'
}

qdiscrows() {	# NODE IF
	local ts
	ts=$(now)
	nsx "$1" tc -s -j qdisc show dev "$2" | python3 -c '
import json, sys
ts, el = sys.argv[1], sys.argv[2]
for q in json.load(sys.stdin):
	if q.get("root") or q.get("parent") == "root":
		for k, a in (("kind", "kind"), ("bytes", "sent_bytes"),
		    ("packets", "sent_pkts"), ("drops", "dropped_pkts"),
		    ("overlimits", "overlimits"), ("requeues", "requeues"),
		    ("backlog", "backlog_bytes"), ("qlen", "backlog_pkts")):
			print(ts, el, a, q.get(k, "-"), sep="\t")
' "$ts" "$1:tc:$2"
}

iptrows() {	# NODE: counters of the rules that carry a vnd-* comment
	local ts
	ts=$(now)
	nsx "$1" iptables-save -c | sed -n \
	    's/^\[\([0-9]*\):\([0-9]*\)\] -A \([A-Z]*\) .*--comment \(vnd-[a-z0-9-]*\).*/\1 \2 \3 \4/p' |
	    while read -r pk by chain name; do
		printf '%s\t%s:iptables:%s:%s\tpkts\t%s\n' "$ts" "$1" "$chain" "$name" "$pk"
		printf '%s\t%s:iptables:%s:%s\tbytes\t%s\n' "$ts" "$1" "$chain" "$name" "$by"
	    done
}

# ---- scenario 1: path --------------------------------------------------------
#
#  client 198.18.1.1 -- .1.2 r1 .2.1 -- .2.2 r2 .3.1 -- 198.18.3.2 server
#  r1 drops ~3% of forwarded client->server TCP; r2 has a tbf toward server.

path_loss=0.03

scenario_path() {
	local T=$HERE/path.truth.tsv n
	log "path: building client - r1 - r2 - server"
	for n in path-client path-r1 path-r2 path-server; do mkns "$n"; done
	link path-client eth-r1 198.18.1.1/24 path-r1 eth-client 198.18.1.2/24
	link path-r1 eth-r2 198.18.2.1/24 path-r2 eth-r1 198.18.2.2/24
	link path-r2 eth-server 198.18.3.1/24 path-server eth-r2 198.18.3.2/24
	nsx path-r1 sysctl -qw net.ipv4.ip_forward=1
	nsx path-r2 sysctl -qw net.ipv4.ip_forward=1
	ip -n vnds-path-client route add default via 198.18.1.2
	ip -n vnds-path-r1 route add 198.18.3.0/24 via 198.18.2.2
	ip -n vnds-path-r2 route add 198.18.1.0/24 via 198.18.2.1
	ip -n vnds-path-server route add default via 198.18.3.1
	nsx path-r1 iptables -A FORWARD -i eth-client -o eth-r2 -p tcp \
	    -m comment --comment vnd-fwd-tcp-c2s
	nsx path-r1 iptables -A FORWARD -i eth-client -o eth-r2 -p tcp \
	    -m statistic --mode random --probability "$path_loss" \
	    -m comment --comment vnd-random-drop -j DROP
	nsx path-r2 tc qdisc add dev eth-server root tbf rate 20mbit burst 32kbit latency 10ms

	head -c 3000000 /dev/urandom >"$WORK/c2s.bin"
	head -c 500000 /dev/urandom >"$WORK/s2c.bin"

	cap_start path-client path-client eth-r1
	cap_start path-r1in path-r1 eth-client
	cap_start path-r1out path-r1 eth-r2
	cap_start path-r2in path-r2 eth-r1
	cap_start path-r2out path-r2 eth-server
	cap_start path-server path-server eth-r2

	log "path: 3000000 bytes client->server, 500000 bytes server->client"
	bg path-server socat -u TCP-LISTEN:5001,bind=198.18.3.2,reuseaddr OPEN:/dev/null
	local sink=$!
	wait_listen path-server 5001
	nsx path-client socat -u "OPEN:$WORK/c2s.bin" TCP:198.18.3.2:5001,sourceport=40001
	wait "$sink"
	bg path-server socat -u "OPEN:$WORK/s2c.bin" TCP-LISTEN:5002,bind=198.18.3.2,reuseaddr
	local src=$!
	wait_listen path-server 5002
	nsx path-client socat -u TCP:198.18.3.2:5002,sourceport=40002 OPEN:/dev/null
	wait "$src"
	sleep 1
	: >"$WORK/caprows"
	cap_stop_all

	{
		printf 'ts_ns\telement\tattr\tvalue\n'
		n=$(now)
		printf '%s\tflow:198.18.1.1:40001>198.18.3.2:5001\tpayload_bytes\t3000000\n' "$n"
		printf '%s\tflow:198.18.3.2:5002>198.18.1.1:40002\tpayload_bytes\t500000\n' "$n"
		printf '%s\tr1:iptables:FORWARD:vnd-random-drop\tprobability\t%s\n' "$n" "$path_loss"
		iptrows path-r1 | sed 's/\tpath-r1:/\tr1:/'
		qdiscrows path-r2 eth-server | sed 's/\tpath-r2:/\tr2:/'
		ifrows path-client eth-r1
		ifrows path-r1 eth-client
		ifrows path-r1 eth-r2
		ifrows path-r2 eth-r1
		ifrows path-r2 eth-server
		ifrows path-server eth-r2
		tcprows path-client
		tcprows path-server
		cat "$WORK/caprows"
	} | sed 's/\tpath-\([a-z0-9]*\):/\t\1:/' >"$T"
	rmns path-client path-r1 path-r2 path-server
	SUMMARY+=("path: iptables drop $(awk -F'\t' '$2~/random-drop/ && $3=="pkts"{print $4}' "$T") pkts, tbf drop $(awk -F'\t' '$2~/:tc:/ && $3=="dropped_pkts"{print $4}' "$T") pkts")
}

# ---- scenario 2: snat ---------------------------------------------------------
#
#  client 198.18.10.1 -- .10.2 nat .11.1 (+.11.100) -- 198.18.11.2 server
#  nat: SNAT to 198.18.11.100:20000-30000 on the way out.

scenario_snat() {
	local T=$HERE/snat.truth.tsv n
	log "snat: building client - nat - server"
	for n in snat-client snat-nat snat-server; do mkns "$n"; done
	link snat-client eth-nat 198.18.10.1/24 snat-nat eth-client 198.18.10.2/24
	link snat-nat eth-server 198.18.11.1/24 snat-server eth-nat 198.18.11.2/24
	ip -n vnds-snat-nat addr add 198.18.11.100/24 dev eth-server
	nsx snat-nat sysctl -qw net.ipv4.ip_forward=1
	ip -n vnds-snat-client route add default via 198.18.10.2
	# The server has no route back to 198.18.10.0/24: replies only work
	# because the NAT rewrote the source.
	for p in tcp udp; do
		nsx snat-nat iptables -t nat -A POSTROUTING -o eth-server -p "$p" \
		    -j SNAT --to-source 198.18.11.100:20000-30000
	done

	cap_start snat-inside snat-nat eth-client
	cap_start snat-outside snat-nat eth-server
	bg snat-nat conntrack -E -e NEW -o timestamp,id >"$WORK/ct-events" 2>/dev/null
	local ct=$!
	bg snat-server python3 "$TRAFFIC" rrserver 198.18.11.2 7000 --udp-port 7001 \
	    --reply-min 100 --reply-max 6000
	wait_listen snat-server 7000
	wait_listen snat-server 7001 u
	sleep 0.2

	log "snat: 20 TCP connections and 4 UDP exchanges"
	nsx snat-client python3 "$TRAFFIC" snatclient 198.18.10.1 198.18.11.2 7000 7001 \
	    --tcp 20 --udp 4 >"$WORK/snat-client.tsv"
	sleep 1
	nsx snat-nat conntrack -L -o id,extended >"$WORK/ct-list" 2>/dev/null || true
	kill -INT "$ct" 2>/dev/null || true
	wait "$ct" 2>/dev/null || true
	cap_stop_all
	python3 - "$WORK/ct-events" "$WORK/ct-list" >"$T" <<'EOF'
import re, sys
ev, lst = sys.argv[1], sys.argv[2]
kv = re.compile(r"(\w+)=(\S+)")
print("ts_ns\tproto\torig_src_ip\torig_src_port\torig_dst_ip\torig_dst_port"
      "\treply_src_ip\treply_src_port\treply_dst_ip\treply_dst_port"
      "\tnat_src_ip\tnat_src_port\tport_rewritten\tct_id")
listed = set()
for line in open(lst):
	m = re.search(r"id=(\d+)", line)
	if m:
		listed.add(m.group(1))
n = 0
for line in open(ev):
	if "[NEW]" not in line:
		continue
	m = re.match(r"\[(\d+)\.(\d+)\]", line)
	ts = int(m.group(1)) * 10**9 + int(m.group(2).ljust(9, "0")[:9])
	proto = line.split("[NEW]")[1].split()[0]
	pairs = kv.findall(line)
	src = [v for k, v in pairs if k == "src"]
	dst = [v for k, v in pairs if k == "dst"]
	sp = [v for k, v in pairs if k == "sport"]
	dp = [v for k, v in pairs if k == "dport"]
	cid = dict(pairs).get("id", "-")
	if len(src) < 2 or len(sp) < 2:
		continue
	rew = int(sp[0] != dp[1])
	print(f"{ts}\t{proto}\t{src[0]}\t{sp[0]}\t{dst[0]}\t{dp[0]}"
	      f"\t{src[1]}\t{sp[1]}\t{dst[1]}\t{dp[1]}\t{dst[1]}\t{dp[1]}\t{rew}\t{cid}")
	n += 1
	if listed and cid not in listed:
		print(f"warning: conntrack id {cid} not in conntrack -L", file=sys.stderr)
EOF
	rmns snat-client snat-nat snat-server
	SUMMARY+=("snat: $(($(wc -l <"$T") - 1)) conntrack mappings, $(awk -F'\t' 'NR>1&&$13==1' "$T" | wc -l) with the port rewritten (client saw $(($(wc -l <"$WORK/snat-client.tsv") - 1)))")
}

# ---- scenario 3: haproxy --------------------------------------------------------
#
#  client 198.18.20.1 -- .20.2:8080 lb .21.1 -- 198.18.21.2:9000 server

hap_conns=400
hap_rate=400

scenario_haproxy() {
	local T=$HERE/haproxy.truth.tsv n
	log "haproxy: building client - lb - server"
	for n in hap-client hap-lb hap-server; do mkns "$n"; done
	link hap-client eth-lb 198.18.20.1/24 hap-lb eth-client 198.18.20.2/24
	link hap-lb eth-server 198.18.21.1/24 hap-server eth-lb 198.18.21.2/24
	cat >"$WORK/haproxy.cfg" <<'EOF'
global
	log stdout format raw local0
	maxconn 4096
defaults
	mode tcp
	log global
	timeout connect 2s
	timeout client 10s
	timeout server 10s
	log-format "%ci %cp %fi %fp %bi %bp %si %sp %Ts %ms %ft %b %s %Tw %Tc %Tt %U %B %ts %ac %fc %bc %rt"
frontend fe
	bind 198.18.20.2:8080
	default_backend be
backend be
	server s1 198.18.21.2:9000
EOF
	cap_start haproxy-front hap-lb eth-client
	cap_start haproxy-back hap-lb eth-server
	bg hap-server python3 "$TRAFFIC" rrserver 198.18.21.2 9000 --reply-min 64 --reply-max 1024
	wait_listen hap-server 9000
	bg hap-lb haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>"$WORK/haproxy.err"
	local hp=$!
	wait_listen hap-lb 8080
	sleep 0.2
	log "haproxy: $hap_conns connections at $hap_rate/s"
	nsx hap-client python3 "$TRAFFIC" lbclient 198.18.20.2 8080 \
	    --conns "$hap_conns" --rate "$hap_rate" >"$HERE/haproxy.client.tsv"
	sleep 1
	kill -USR1 "$hp" 2>/dev/null || true
	wait "$hp" 2>/dev/null || true
	cap_stop_all
	{
		printf 'client_ip\tclient_port\tfrontend_ip\tfrontend_port\tlb_src_ip\tlb_src_port\tserver_ip\tserver_port\taccept_ts_ns\tfrontend\tbackend\tserver\twait_ms\tconnect_ms\ttotal_ms\tclient_bytes\tserver_bytes\tterm_state\tactive_conns\tfrontend_conns\tbackend_conns\thaproxy_session_id\n'
		awk 'NF == 23 && $1 ~ /^198\.18\./ {
			printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s%03d000000", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
			for (i = 11; i <= 23; i++) printf "\t%s", $i
			printf "\n" }' "$WORK/haproxy.log" | sort -t"$(printf '\t')" -k22,22n
	} >"$T"
	rmns hap-client hap-lb hap-server
	local rate
	rate=$(awk -F'\t' 'NR>1 { if (!f) f = $9; l = $9; n++ }
	    END { if (n > 1 && l > f) printf "%.1f", (n - 1) / ((l - f) / 1e9); else print "-" }' "$T")
	local crate
	crate=$(awk -F'\t' 'NR>1 && $9=="ok" { if (!f || $4<f) f=$4; if ($4>l) l=$4; n++ }
	    END { printf "%.1f", (n - 1) / ((l - f) / 1e9) }' "$HERE/haproxy.client.tsv")
	SUMMARY+=("haproxy: $(($(wc -l <"$T") - 1)) sessions logged, $(awk -F'\t' 'NR>1&&$9=="ok"' "$HERE/haproxy.client.tsv" | wc -l)/$hap_conns client ok, accept rate $rate/s (haproxy log), start rate $crate/s (client)")
}

# ---- scenario 4: chain of TCP proxies -----------------------------------------
#
#  source 198.18.30.1 -- .30.2:6000 relay1 .31.1 -- .31.2:6000 relay2 .32.1
#       -- 198.18.32.2:6000 sink
#  relay1 is socat; relay2 is socat unless it is the slow element.

chain_bytes=750000
SLOW="--chunk 4096 --interval 0.005"

scenario_chain() {	# VARIANT: slowsink | slowsource | slowrelay
	local v=$1 name=chain-$1 T n slow
	T=$HERE/$name.truth.tsv
	case $v in
	slowsink) slow=sink ;;
	slowsource) slow=source ;;
	slowrelay) slow=relay2 ;;
	esac
	log "$name: building source - relay1 - relay2 - sink (slow: $slow)"
	for n in chain-source chain-relay1 chain-relay2 chain-sink; do mkns "$n"; done
	link chain-source eth-relay1 198.18.30.1/24 chain-relay1 eth-source 198.18.30.2/24
	link chain-relay1 eth-relay2 198.18.31.1/24 chain-relay2 eth-relay1 198.18.31.2/24
	link chain-relay2 eth-sink 198.18.32.1/24 chain-sink eth-relay2 198.18.32.2/24

	cap_start "$name-relay1in" chain-relay1 eth-source
	cap_start "$name-relay1out" chain-relay1 eth-relay2
	cap_start "$name-relay2in" chain-relay2 eth-relay1
	cap_start "$name-relay2out" chain-relay2 eth-sink

	if [ "$v" = slowsink ]; then
		# shellcheck disable=SC2086
		bg chain-sink python3 "$TRAFFIC" sink 198.18.32.2 6000 --rcvbuf 16384 $SLOW >"$WORK/sink.out"
	else
		bg chain-sink python3 "$TRAFFIC" sink 198.18.32.2 6000 >"$WORK/sink.out"
	fi
	local sinkpid=$!
	wait_listen chain-sink 6000
	if [ "$v" = slowrelay ]; then
		# shellcheck disable=SC2086
		bg chain-relay2 python3 "$TRAFFIC" relay 198.18.31.2 6000 198.18.32.2 6000 \
		    --rcvbuf 16384 $SLOW >/dev/null
	else
		bg chain-relay2 socat TCP-LISTEN:6000,bind=198.18.31.2,reuseaddr TCP:198.18.32.2:6000
	fi
	wait_listen chain-relay2 6000
	bg chain-relay1 socat TCP-LISTEN:6000,bind=198.18.30.2,reuseaddr TCP:198.18.31.2:6000
	wait_listen chain-relay1 6000

	for n in source relay1 relay2 sink; do
		(while :; do
			printf '# ts %s\n' "$(now)"
			nsx "chain-$n" ss -tinH
			sleep 0.1
		done) >"$WORK/ss-$n" 2>/dev/null &
		SSLOOP[$n]=$!
	done
	sleep 0.2
	log "$name: $chain_bytes bytes source->sink"
	if [ "$v" = slowsource ]; then
		# shellcheck disable=SC2086
		nsx chain-source python3 "$TRAFFIC" source 198.18.30.2 6000 --bytes "$chain_bytes" $SLOW >"$WORK/source.out"
	else
		nsx chain-source python3 "$TRAFFIC" source 198.18.30.2 6000 --bytes "$chain_bytes" >"$WORK/source.out"
	fi
	wait "$sinkpid"
	sleep 0.5
	kill "${SSLOOP[@]}" 2>/dev/null || true
	sleep 0.2
	cap_stop_all
	{
		python3 "$TRAFFIC" sstruth source="$WORK/ss-source" relay1="$WORK/ss-relay1" \
		    relay2="$WORK/ss-relay2" sink="$WORK/ss-sink" | {
			IFS= read -r hdr
			printf '%s\n' "$hdr"
			read -r _ src_bytes t0 t1 <"$WORK/source.out"
			read -r _ peer snk_bytes s0 s1 <"$WORK/sink.out"
			printf '%s\tchain\t-\t-\tslow_element\t%s\n' "$s1" "$slow"
			printf '%s\tsource\t-\t-\tapp_sent_bytes\t%s\n' "$t1" "$src_bytes"
			printf '%s\tsource\t-\t-\tapp_duration_ns\t%s\n' "$t1" "$((t1 - t0))"
			printf '%s\tsink\t-\t%s\tapp_received_bytes\t%s\n' "$s1" "$peer" "$snk_bytes"
			printf '%s\tsink\t-\t%s\tapp_duration_ns\t%s\n' "$s1" "$peer" "$((s1 - s0))"
			cat
		}
	} >"$T"
	rmns chain-source chain-relay1 chain-relay2 chain-sink
	SUMMARY+=("$name: slow $slow; $(awk -F'\t' '$5=="app_duration_ns" && $2=="sink" {printf "%.2f s", $6/1e9}' "$T") at the sink; rwnd_limited_ms by socket: $(awk -F'\t' '$5=="rwnd_limited_ms" && $6>0 {printf "%s(%s)=%s ", $2, $3, $6}' "$T")")
}

# ---- main -------------------------------------------------------------------------

if [ $# -eq 0 ]; then
	set -- path snat haproxy chain
fi
for s in "$@"; do
	case $s in
	path) rm -f "$HERE"/path-*.pcap; scenario_path ;;
	snat) rm -f "$HERE"/snat-*.pcap; scenario_snat ;;
	haproxy) rm -f "$HERE"/haproxy-*.pcap; scenario_haproxy ;;
	chain)
		rm -f "$HERE"/chain-*.pcap
		scenario_chain slowsink
		scenario_chain slowsource
		scenario_chain slowrelay
		;;
	*) log "unknown scenario '$s'"; exit 2 ;;
	esac
done

echo "== make-samples summary"
printf '%s\n' "${SUMMARY[@]}"
for f in "$HERE"/*.pcap; do
	printf '%-40s %8d pkts %9d bytes\n' "$(basename "$f")" \
	    "$(tcpdump -r "$f" 2>/dev/null | wc -l)" "$(stat -c %s "$f")"
done
du -sh "$HERE"
