#!/bin/bash
# make-proxies.sh: record both sides of a real L4 proxy (haproxy mode tcp, or
# nginx's stream module) balancing short connections over three backends, with
# the proxy's own log of which client connection went out as which backend one.
#
# Usage (as root):
#   samples/make-proxies.sh [-d DIR] [-n CONNS] [-r RATE] [-s SNAPLEN] \
#       PROXY BALANCE PAYLOAD [NAME]
#     PROXY    haproxy | nginx
#     BALANCE  rr (round robin) | lc (least connections)
#     PAYLOAD  same (every backend answers the same 3000 bytes, every client
#              sends the same 100) | distinct (random bytes each)
#     NAME     the files' prefix (default proxy-PROXY-BALANCE-PAYLOAD)
#   samples/make-proxies.sh samples     the recordings shipped in samples/
#                                       (gzipped: proxy-*-{front,back}.pcap.gz)
#
# Writes DIR/NAME-front.pcap (client side of the proxy), DIR/NAME-back.pcap
# (backend side), DIR/NAME.truth.tsv (one row per proxied connection, from the
# proxy's log) and DIR/NAME.client.tsv (the client's own record).
#
# Topology, addresses only in 198.18.0.0/15, namespaces vcpx-$$-*:
#   client 198.18.40.1 -- 198.18.40.2:8080 proxy 198.18.41.1 -- bridge --
#       198.18.41.11, .12, .13:9000 (three backends)
# Both captures are taken inside the proxy's namespace (its client-side veth
# and its backend-side bridge), so they share one clock.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
PT="$HERE/proxytraffic.py"
DIR=$HERE
CONNS=400
RATE=400
SNAPLEN=128

log() { printf 'make-proxies: %s\n' "$*" >&2; }

while getopts d:n:r:s: o; do
	case $o in
	d) DIR=$OPTARG ;;
	n) CONNS=$OPTARG ;;
	r) RATE=$OPTARG ;;
	s) SNAPLEN=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))

if [ "$(id -u)" != 0 ]; then
	echo "make-proxies.sh: must run as root" >&2
	exit 1
fi

if [ "${1:-}" = samples ]; then
	# the shipped set: both proxies, both balancings, both payload kinds
	for spec in "haproxy rr same" "haproxy lc distinct" "nginx rr distinct" \
	    "nginx lc same"; do
		# shellcheck disable=SC2086
		"$0" -d "$HERE" -n 400 -r 400 -s 96 $spec
	done
	# gzip -n: the same bytes from the same capture; .pcap.gz also keeps
	# them out of the tests that take every samples/*.pcap
	gzip -9 -n -f "$HERE"/proxy-*-front.pcap "$HERE"/proxy-*-back.pcap
	exit 0
fi
[ $# -ge 3 ] || { echo "usage: make-proxies.sh [-d DIR] [-n N] [-r R] [-s SNAPLEN] haproxy|nginx rr|lc same|distinct [NAME]" >&2; exit 2; }
PROXY=$1 BALANCE=$2 PAYLOAD=$3
NAME=${4:-proxy-$PROXY-$BALANCE-$PAYLOAD}
case $PROXY in haproxy|nginx) ;; *) echo "make-proxies.sh: proxy: haproxy or nginx" >&2; exit 2 ;; esac
case $BALANCE in rr|lc) ;; *) echo "make-proxies.sh: balance: rr or lc" >&2; exit 2 ;; esac
case $PAYLOAD in same|distinct) ;; *) echo "make-proxies.sh: payload: same or distinct" >&2; exit 2 ;; esac

P=vcpx-$$
WORK=$(mktemp -d /tmp/vcpx.XXXXXX)
NSLIST=()
PIDS=()
CAPS=()

cleanup() {
	local p ns
	set +e
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	sleep 0.2
	for p in "${PIDS[@]}"; do
		kill -9 "$p" 2>/dev/null
	done
	for ns in "${NSLIST[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkns() {
	ip netns add "$P-$1"
	NSLIST+=("$P-$1")
	ip netns exec "$P-$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	    net.ipv6.conf.default.disable_ipv6=1
	ip -n "$P-$1" link set lo up
}

nsx() { local ns=$P-$1; shift; ip netns exec "$ns" "$@"; }

# A program in a namespace in the background, its pid (ip netns exec execs
# it, so signals reach it) appended to PIDS; stdout to the file OUT.
bg() {	# NODE OUT PROGRAM...
	local ns=$P-$1 out=$2
	shift 2
	ip netns exec "$ns" "$@" >"$out" &
	PIDS+=($!)
}

# MTU-sized segments on the wire (no TSO/GSO), as make-samples.sh does
nooffload() { ip -n "$P-$1" link set dev "$2" gso_max_segs 1 gso_max_size 1500; }

wait_listen() {	# NODE ADDR:PORT
	for _ in $(seq 100); do
		if nsx "$1" ss -Hlnt "src = $2" | grep -q .; then
			return 0
		fi
		sleep 0.05
	done
	log "nothing listens on $2 in $P-$1"
	return 1
}

topology() {
	local i
	for n in client proxy b1 b2 b3; do mkns $n; done
	ip -n "$P-client" link add eth0 type veth peer name ethc netns "$P-proxy"
	ip -n "$P-client" addr add 198.18.40.1/24 dev eth0
	ip -n "$P-proxy" addr add 198.18.40.2/24 dev ethc
	ip -n "$P-proxy" link add br0 type bridge
	ip -n "$P-proxy" addr add 198.18.41.1/24 dev br0
	for i in 1 2 3; do
		ip -n "$P-b$i" link add eth0 type veth peer name b$i netns "$P-proxy"
		ip -n "$P-b$i" addr add 198.18.41.1$i/24 dev eth0
		ip -n "$P-proxy" link set b$i master br0
		nooffload b$i eth0
		nooffload proxy b$i
		ip -n "$P-b$i" link set eth0 up
		ip -n "$P-proxy" link set b$i up
	done
	nooffload client eth0
	nooffload proxy ethc
	ip -n "$P-client" link set eth0 up
	ip -n "$P-proxy" link set ethc up
	ip -n "$P-proxy" link set br0 up
	# room for every connection of a fast run, on every host
	for n in client proxy b1 b2 b3; do
		nsx $n sysctl -qw net.core.somaxconn=4096 \
		    net.ipv4.tcp_max_syn_backlog=4096
	done
}

haproxy_conf() {
	local bal=roundrobin
	[ "$BALANCE" = lc ] && bal=leastconn
	cat <<EOF
global
	log stdout format raw local0
	maxconn 8192
defaults
	mode tcp
	log global
	timeout connect 2s
	timeout client 10s
	timeout server 10s
	log-format "%ci %cp %fi %fp %bi %bp %si %sp %Ts %ms %s"
frontend fe
	bind 198.18.40.2:8080
	default_backend be
backend be
	balance $bal
	server s1 198.18.41.11:9000 check inter 500
	server s2 198.18.41.12:9000 check inter 500
	server s3 198.18.41.13:9000 check inter 500
EOF
}

# nginx names the backend but not its own source port toward it: proxy_bind
# sets that port from the client's port by a shuffled one to one map.
nginx_conf() {
	local bal=""
	[ "$BALANCE" = lc ] && bal="least_conn;"
	python3 "$PT" nginxmap --conns "$CONNS" --sport-base 20000 \
	    --bport-base 40000 --seed $$ >"$WORK/map.conf"
	cat <<EOF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx.err info;
events { worker_connections 8192; }
stream {
	map \$remote_port \$vc_bport {
		include $WORK/map.conf;
		default 0;
	}
	log_format vc '\$remote_addr \$remote_port \$server_addr \$server_port 198.18.41.1 \$vc_bport \$upstream_addr \$msec \$status';
	access_log $WORK/nginx.log vc;
	upstream be {
		$bal
		server 198.18.41.11:9000;
		server 198.18.41.12:9000;
		server 198.18.41.13:9000;
	}
	server {
		listen 198.18.40.2:8080 backlog=4096;
		proxy_pass be;
		proxy_bind 198.18.41.1:\$vc_bport;
	}
}
EOF
}

cap_start() {	# FILE IF
	bg proxy /dev/null tcpdump -i "$2" -s "$SNAPLEN" -B 32768 -U \
	    --immediate-mode -Z root -w "$1" 2>"$1.err"
	CAPS+=($!)
	for _ in $(seq 100); do
		grep -q 'listening on' "$1.err" && return 0
		sleep 0.05
	done
	log "tcpdump on $2 did not start"
	return 1
}

# the truth: client_ip client_port front_ip front_port lb_src_ip lb_src_port
# server_ip server_port, one row per connection the proxy logged
truth() {
	printf 'client_ip\tclient_port\tfrontend_ip\tfrontend_port\tlb_src_ip\tlb_src_port\tserver_ip\tserver_port\n'
	if [ "$PROXY" = haproxy ]; then
		awk 'NF == 11 && $1 ~ /^198\.18\./ && $6 != "-" { print $1, $2, $3, $4, $5, $6, $7, $8 }' "$WORK/proxy.log"
	else
		awk '$1 ~ /^198\.18\./ && $9 == 200 { split($7, u, ":"); print $1, $2, $3, $4, $5, $6, u[1], u[2] }' "$WORK/nginx.log"
	fi | sort -k2,2n | tr ' ' '\t'
}

run() {
	local i pp cf cb
	topology
	for i in 1 2 3; do
		bg b$i /dev/null python3 "$PT" server 198.18.41.1$i 9000 \
		    --payload "$PAYLOAD" --seed $i
	done
	for i in 1 2 3; do wait_listen b$i 198.18.41.1$i:9000; done
	cf=$WORK/front.pcap cb=$WORK/back.pcap
	cap_start "$cf" ethc
	cap_start "$cb" br0
	if [ "$PROXY" = haproxy ]; then
		haproxy_conf >"$WORK/haproxy.cfg"
		bg proxy "$WORK/proxy.log" haproxy -db -f "$WORK/haproxy.cfg" \
		    2>"$WORK/proxy.err"
	else
		nginx_conf >"$WORK/nginx.conf"
		bg proxy /dev/null nginx -e "$WORK/nginx.err" -p "$WORK" \
		    -c "$WORK/nginx.conf"
	fi
	pp=$!
	wait_listen proxy 198.18.40.2:8080
	sleep 0.3
	log "$NAME: $CONNS connections at $RATE/s through $PROXY ($BALANCE, $PAYLOAD payloads)"
	nsx client python3 "$PT" client 198.18.40.2 8080 --conns "$CONNS" \
	    --rate "$RATE" --payload "$PAYLOAD" >"$WORK/client.tsv"
	sleep 0.5
	kill -USR1 "$pp" 2>/dev/null || true	# haproxy: soft stop, log flushed
	[ "$PROXY" = nginx ] && kill -QUIT "$pp" 2>/dev/null
	wait "$pp" 2>/dev/null || true
	sleep 0.2
	for i in "${CAPS[@]}"; do
		kill -INT "$i" 2>/dev/null || true
		wait "$i" 2>/dev/null || true
	done
	mkdir -p "$DIR"
	mv "$cf" "$DIR/$NAME-front.pcap"
	mv "$cb" "$DIR/$NAME-back.pcap"
	truth >"$DIR/$NAME.truth.tsv"
	cp "$WORK/client.tsv" "$DIR/$NAME.client.tsv"
	log "$NAME: $(($(wc -l <"$DIR/$NAME.truth.tsv") - 1)) connections logged, $(awk -F'\t' 'NR > 1 && $7 == "ok"' "$WORK/client.tsv" | wc -l) ok at the client; front $(stat -c %s "$DIR/$NAME-front.pcap") bytes, back $(stat -c %s "$DIR/$NAME-back.pcap") bytes; $(grep -h 'dropped by kernel' "$cf.err" "$cb.err" | awk '{ s += $1 } END { print s + 0 }') dropped by tcpdump"
}

run
