#!/bin/bash
# clickhouse.sh: VND's table servers on ClickHouse against vnd-hoploss, side by side.
#
# A synthetic hop of N packets (bench/mkhop.c: two points, in and out, 0.3%
# lost each way), two clickhouse-server processes on loopback
# (tests/clickhouse.sh), and in one run:
#   - the load rate per server: rows/s of 'vnd parse --null \N | clickhouse-client
#     INSERT', each host loading its own point at the same time (VND's
#     placement), the insert alone from a parsed file, and the load through
#     the Distributed table sharded by pkt_id (placement by fingerprint);
#   - the hop loss: vnd-hoploss on the captures, against 'vnd sql loss' on
#     the cluster (both placements) and on vnd-parse's SQLite file, with
#     whether each answer equals vnd-hoploss's.
# usage: bench/clickhouse.sh [N]      (default 10000000; env BASEPORT, 29000;
#        SQLITE=1 to time vnd-sql on vnd-parse's SQLite file past 2 M packets)
# Needs clickhouse-server and -client (tests/deps.sh clickhouse); not root.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
bin=$top/bin
n=${1:-10000000}
base=${BASEPORT:-29000}
data=$here/data
work=$(mktemp -d "${TMPDIR:-/tmp}/vnd-bench-ch.XXXXXX")
PATH=$PATH:/usr/sbin

die() { echo "clickhouse.sh: $*" >&2; exit 1; }
for t in clickhouse-server clickhouse-client cc; do
	command -v "$t" >/dev/null || die "'$t' not found (tests/deps.sh clickhouse)"
done
[ -x "$bin/vnd-sql" ] || die "build first: make all"

cleanup() {
	"$top/tests/clickhouse.sh" stop "$work/ch" || true
	rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
# secs START: seconds since START, 3 decimals
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
rate() { awk -v r="$1" -v s="$2" 'BEGIN { printf "%.0f", r / s }'; }

# the trace: made once per N
mkdir -p "$data"
in=$data/hop$n-in.pcap out=$data/hop$n-out.pcap
if [ ! -s "$out" ]; then
	cc -std=c11 -O2 -o "$work/mkhop" "$here/mkhop.c"
	"$work/mkhop" "$n" "$in.tmp" "$out.tmp" >"$data/hop$n.truth.tsv"
	mv "$in.tmp" "$in"
	mv "$out.tmp" "$out"
fi
echo "trace: $n packets sent across one hop; $(tr '\t\n' '= ' <"$data/hop$n.truth.tsv")"

"$top/tests/clickhouse.sh" start "$work/ch" "$base" >/dev/null
p1=$base p2=$((base + 10))
for p in $p1 $p2; do
	for db in vnd vndf; do
		clickhouse-client --port $p --query "CREATE DATABASE IF NOT EXISTS $db"
		clickhouse-client --port $p --database $db --multiquery <"$top/sql/clickhouse.sql"
	done
done
count() { clickhouse-client --port "$1" --query "SELECT count() FROM $2"; }

# Load, VND's placement: each "host" its own point, both at once.
t=$(now)
"$bin/vnd-parse" -q --null '\N' "hop-in=$in" |
    clickhouse-client --port $p1 --query 'INSERT INTO vnd.packets_local FORMAT TabSeparatedWithNames' &
"$bin/vnd-parse" -q --null '\N' "hop-out=$out" |
    clickhouse-client --port $p2 --query 'INSERT INTO vnd.packets_local FORMAT TabSeparatedWithNames'
wait $!
s_load=$(secs "$t")
r1=$(count $p1 vnd.packets_local) r2=$(count $p2 vnd.packets_local)

# The insert alone, from a parsed file, into a scratch table.
"$bin/vnd-parse" -q --null '\N' "hop-in=$in" >"$work/in.tsv"
clickhouse-client --port $p1 --query 'CREATE TABLE vnd.scratch AS vnd.packets_local'
t=$(now)
clickhouse-client --port $p1 --query 'INSERT INTO vnd.scratch FORMAT TabSeparatedWithNames' <"$work/in.tsv"
s_ins=$(secs "$t")
t=$(now)
"$bin/vnd-parse" -q --null '\N' "hop-in=$in" >/dev/null
s_parse=$(secs "$t")
clickhouse-client --port $p1 --query 'DROP TABLE vnd.scratch'

# Load by fingerprint: through the Distributed table, sharded by pkt_id.
t=$(now)
"$bin/vnd-parse" -q --null '\N' "hop-in=$in" |
    clickhouse-client --port $p1 --insert_distributed_sync=1 --query 'INSERT INTO vndf.packets FORMAT TabSeparatedWithNames' &
"$bin/vnd-parse" -q --null '\N' "hop-out=$out" |
    clickhouse-client --port $p2 --insert_distributed_sync=1 --query 'INSERT INTO vndf.packets FORMAT TabSeparatedWithNames'
wait $!
s_fload=$(secs "$t")
f1=$(count $p1 vndf.packets_local) f2=$(count $p2 vndf.packets_local)

echo
echo "load (vnd-parse --null '\\N' | clickhouse-client), per server, both at once:"
printf '  VND placement   shard 1 %d rows, shard 2 %d rows in %s s: %s rows/s per server\n' \
    "$r1" "$r2" "$s_load" "$(rate "$r1" "$s_load")"
printf '  insert alone    %d rows in %s s: %s rows/s (vnd-parse alone: %s s, %s rows/s)\n' \
    "$r1" "$s_ins" "$(rate "$r1" "$s_ins")" "$s_parse" "$(rate "$r1" "$s_parse")"
printf '  by fingerprint  shard 1 %d rows, shard 2 %d rows in %s s: %s rows/s per server\n' \
    "$f1" "$f2" "$s_fload" "$(rate "$(((f1 + f2) / 2))" "$s_fload")"

# The hop's loss, four ways, side by side.
cols="in_point out_point src_side in_pkts out_pkts lost_pkts loss_ratio created_pkts"
pick() { # FILE: the loss columns by name, points named as in the cluster
	awk -F'\t' -v want="$cols" '
	    NR == 1 { n = split(want, w, " "); for (i = 1; i <= NF; i++) h[$i] = i; next }
	    { s = ""; for (i = 1; i <= n; i++) s = s (i > 1 ? "\t" : "") $h[w[i]]; print s }' "$1"
}
# SQLite's join is the slow one: on by default up to 2 M packets (SQLITE=1: always)
sqlite=${SQLITE:-$([ "$n" -le 2000000 ] && echo 1 || echo 0)}
[ "$sqlite" = 0 ] || "$bin/vnd-parse" -q -o "$work/hop.db" "hop-in=$in" "hop-out=$out"
run() { # NAME FILE COMMAND...
	local name=$1 f=$2 t
	shift 2
	t=$(now)
	"$@" >"$f" 2>/dev/null
	echo "$name $(secs "$t")"
}
{
	run vnd-hoploss "$work/hoploss" "$bin/vnd-hoploss" "hop-in=$in" "hop-out=$out"
	run "sql-cluster-point" "$work/point" "$bin/vnd-sql" loss "ch://127.0.0.1:$p1/vnd" hop-in hop-out
	run "sql-cluster-fingerprint" "$work/fp" "$bin/vnd-sql" loss --placement fingerprint "ch://127.0.0.1:$p1/vndf" hop-in hop-out
	[ "$sqlite" = 0 ] ||
	    run "sql-sqlite" "$work/sqlite" "$bin/vnd-sql" loss "$work/hop.db" hop-in hop-out
} >"$work/times"
pick "$work/hoploss" >"$work/want"
echo
echo "hop loss on $((r1 + r2)) rows (two points), seconds, ratio to vnd-hoploss, same answer:"
h=$(awk '$1 == "vnd-hoploss" { print $2 }' "$work/times")
while read -r name s; do
	case $name in
	vnd-hoploss) same=- ;;
	sql-cluster-point) same=$(pick "$work/point" | cmp -s - "$work/want" && echo yes || echo NO) ;;
	sql-cluster-fingerprint) same=$(pick "$work/fp" | cmp -s - "$work/want" && echo yes || echo NO) ;;
	sql-sqlite) same=$(pick "$work/sqlite" | cmp -s - "$work/want" && echo yes || echo NO) ;;
	esac
	printf '  %-24s %8s s  %6sx  %s\n' "$name" "$s" "$(awk -v a="$s" -v b="$h" 'BEGIN { printf "%.2f", a / b }')" "$same"
done <"$work/times"
echo
echo "vnd-hoploss's answer:"
cat "$work/want"
