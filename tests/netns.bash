# netns.bash: namespaces, veths and captures for the scripts that record
# traffic (tests/hoploss-chain.sh, tests/select-net.sh). Source it after
# setting P (the prefix of every namespace and veth: NAME<pid>) and OUT
# (where captures go); it checks for root and cleans up on exit. Addresses
# only in 198.18.0.0/15, inside the namespaces.

ME=$(basename "$0")
if [ "$(id -u)" != 0 ]; then
	echo "$ME: must run as root" >&2
	exit 1
fi
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

# link NODE1 IF1 ADDR1 NODE2 IF2 ADDR2: a veth; no GSO, so a capture sees
# the segments a wire would carry and a qdisc drops one at a time
link() {
	ip -n "$P-$1" link add name "$2" type veth peer name "$5" netns "$P-$4"
	ip -n "$P-$1" addr add "$3" dev "$2"
	ip -n "$P-$4" addr add "$6" dev "$5"
	ip -n "$P-$1" link set dev "$2" gso_max_segs 1 gso_max_size 1500 up
	ip -n "$P-$4" link set dev "$5" gso_max_segs 1 gso_max_size 1500 up
}

# cap_start POINT NODE IF: tcpdump into OUT/POINT.pcap, started when it listens
cap_start() {
	ip netns exec "$P-$2" tcpdump -i "$3" -s 128 -B 32768 -U \
	    --immediate-mode -w "$OUT/$1.pcap" 2>"$OUT/$1.err" &
	CAPS+=("$1:$!")
	for _ in $(seq 100); do
		grep -q 'listening on' "$OUT/$1.err" && return 0
		sleep 0.05
	done
	echo "$ME: tcpdump for $1 did not start" >&2
	return 1
}

# cap_stop: every capture flushed and ended (OUT/POINT.err keeps its counts)
cap_stop() {
	local c
	sleep 0.3
	for c in "${CAPS[@]}"; do
		kill -INT "${c#*:}"
	done
	for c in "${CAPS[@]}"; do
		wait "${c#*:}" || true
	done
}

wait_listen() {	# NODE PORT
	for _ in $(seq 100); do
		nsx "$1" ss -Hlnt "sport = :$2" | grep -q . && return 0
		sleep 0.05
	done
	echo "$ME: nothing listens on port $2" >&2
	return 1
}
