#!/bin/sh
# load.sh [-q] [-f] [-w secs] [-l lockfile] ch://host:port/db FILE|NAME=FILE...:
# load captures into vnd's ClickHouse tables once each.
#
# Every capture goes through 'vnd-parse --null \N' into the packets table
# of the server named (its packets_local: VND's placement, the rows stay on
# the host that captured them; with -f the cluster's packets table, which
# shards them by pkt_id). The table loads (sql/clickhouse.sql) remembers
# each file loaded by name, size and SHA-256 of its content; a file already
# there is skipped. A lock (flock on the lock file, by default one per
# server and database in $TMPDIR or /tmp) makes overlapping loads, as cron
# starts them, wait for each other up to -w seconds (60), then give up
# with a message. Quiet with -q but for errors. Exit 0 when every file is
# loaded or skipped, 1 on the first failure (the files after it are not
# tried), 2 on a usage error. Environment: VND_PARSE (vnd-parse),
# VND_CLICKHOUSE_CLIENT (clickhouse-client).
set -eu

prog=load.sh
usage() {
	echo "usage: $prog [-fq] [-l lockfile] [-w secs] ch://host:port/db FILE|NAME=FILE..." >&2
	exit 2
}
die() {
	echo "$prog: $*" >&2
	exit 1
}
say() {
	[ "$quiet" = 1 ] || echo "$prog: $*" >&2
}

quiet=0 shard=0 wait=60 lock=
while getopts fl:qw: opt; do
	case $opt in
	f) shard=1 ;;
	l) lock=$OPTARG ;;
	q) quiet=1 ;;
	w) wait=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || usage
case $wait in '' | *[!0-9]*) usage ;; esac

target=$1
shift
case $target in ch://*) ;; *) usage ;; esac
rest=${target#ch://}
hostport=${rest%%/*}
db=vnd
[ "$hostport" = "$rest" ] || db=${rest#*/}
[ -n "$db" ] || db=vnd
host=${hostport%%:*}
port=9000
[ "$host" = "$hostport" ] || port=${hostport#*:}
[ -n "$host" ] || host=127.0.0.1
case $port$db in *[!A-Za-z0-9_]*) usage ;; esac

parse=${VND_PARSE:-vnd-parse}
client=${VND_CLICKHOUSE_CLIENT:-clickhouse-client}
ch() {
	"$client" --host "$host" --port "$port" --database "$db" "$@"
}

# One loader per server and database at a time.
lock=${lock:-${TMPDIR:-/tmp}/vnd-load.$host.$port.$db.lock}
exec 9>>"$lock" || die "cannot open the lock file '$lock'"
if ! flock -w "$wait" 9; then
	die "another load holds '$lock' (waited $wait s); try again later"
fi

table=packets_local
[ "$shard" = 0 ] || table=packets
tmp=$(mktemp "${TMPDIR:-/tmp}/vnd-load.XXXXXX")
trap 'rm -f "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# quote TEXT: TEXT as a ClickHouse string literal
quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/\\\\/\\\\\\\\/g; s/'/\\\\'/g")"
}

for op in "$@"; do
	file=$op
	case $op in *=*) [ -e "$op" ] || file=${op#*=} ;; esac
	[ -f "$file" ] || die "'$file': no such file"
	name=$(basename "$file")
	size=$(wc -c <"$file" | tr -d ' ')
	sum=$(sha256sum <"$file" | cut -c1-64)
	seen=$(ch --query "SELECT count() FROM loads_local WHERE file = $(quote "$name")
	    AND size_bytes = $size AND sha256 = '$sum'") ||
	    die "cannot query the loads table of $target"
	if [ "$seen" != 0 ]; then
		say "'$name': loaded already, skipped"
		continue
	fi
	# Parsed whole first: a capture that cannot be read loads nothing.
	"$parse" -q --null '\N' "$op" >"$tmp" || die "'$file': vnd-parse failed"
	rows=$(($(wc -l <"$tmp") - 1))
	ch --insert_distributed_sync=1 \
	    --query "INSERT INTO $table FORMAT TabSeparatedWithNames" <"$tmp" ||
	    die "'$file': the insert into $target failed"
	ch --query "INSERT INTO loads_local (file, size_bytes, sha256, rows,
	    loaded_ts_ns, target_table) VALUES ($(quote "$name"), $size, '$sum',
	    $rows, $(date +%s%N), '$table')" ||
	    die "'$file': loaded, but not recorded in the loads table"
	say "'$name': $rows rows into $table"
done
