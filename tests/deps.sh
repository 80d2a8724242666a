#!/bin/sh
# deps.sh [build|test|lint|bench|samples|stitch|clickhouse]...: install the Debian packages vnd needs that are missing.
# With no argument: build and test. As root it runs apt-get; otherwise it
# prints the command to run and fails.
set -eu

build="gcc make pkg-config libpcap-dev libtrace3-dev libwandio1-dev libsqlite3-dev
libzstd-dev zlib1g-dev libbz2-dev liblzma-dev libhttp-parser-dev libjansson-dev
libssl-dev"
test="bats bats-assert bats-support sqlite3 mandoc python3 gzip bzip2 xz-utils zstd socat iproute2 tcptrace
tcpdump iperf3 iptables gnuplot-nox libxml2-utils librsvg2-bin chromium nmap conntrack
nginx libnginx-mod-stream rabbitmq-server python3-oslo.messaging"
lint="mandoc clang-tidy clang-format"
bench="tshark tcpdump iperf3 iproute2 hyperfine time tcptrace gawk gnuplot-nox"
samples="tcpdump iperf3 socat haproxy iptables conntrack iproute2 python3
nginx libnginx-mod-stream"
# vnd-stitch's control plane: a broker and oslo.messaging's RPC (samples, tests/rabbitmq.sh)
stitch="rabbitmq-server python3-oslo.messaging tcpdump iptables iproute2"
# VND's table servers past one machine (vnd-sql, tests/clickhouse.sh, bench/clickhouse.sh)
clickhouse="clickhouse-server clickhouse-client"

[ $# -gt 0 ] || set -- build test
want=""
for set in "$@"; do
	case $set in
	build) want="$want $build" ;;
	test) want="$want $test" ;;
	lint) want="$want $lint" ;;
	bench) want="$want $bench" ;;
	samples) want="$want $samples" ;;
	stitch) want="$want $stitch" ;;
	clickhouse) want="$want $clickhouse" ;;
	*) echo "deps.sh: unknown set '$set'" >&2; exit 2 ;;
	esac
done

missing=""
for p in $want; do
	case "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing Debian packages:$missing" >&2
	echo "deps.sh: run as root: apt-get install$missing" >&2
	exit 1
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
