#!/usr/bin/env bats
# vnd-sql on a real two-shard ClickHouse cluster on loopback: the path
# samples loaded from two "hosts", every application against the SQLite
# file and the cluster, and against the tools' answers.
bats_require_minimum_version 1.5.0
load helpers

PATH_POINTS="path-client path-r1in path-r1out path-r2in path-r2out path-server"
HOST1="path-client path-r1in path-r1out"
HOST2="path-r2in path-r2out path-server"

need_clickhouse() {
	PATH=$PATH:/usr/sbin
	command -v clickhouse-server >/dev/null 2>&1 || skip "clickhouse-server is not installed"
	command -v clickhouse-client >/dev/null 2>&1 || skip "clickhouse-client is not installed"
}

# ch N QUERY: run QUERY on shard N (1 or 2)
ch() {
	local port=$CH_PORT1
	[ "$1" = 1 ] || port=$CH_PORT2
	clickhouse-client --port "$port" --query "$2"
}

setup_file() {
	need_clickhouse
	local d=$BATS_FILE_TMPDIR p n db
	export CH_BASE=$((30000 + ($$ % 500) * 20))
	export CH_PORT1=$CH_BASE CH_PORT2=$((CH_BASE + 10))
	"$TOP/tests/clickhouse.sh" start "$d/ch" "$CH_BASE" >"$d/ch.out"
	for n in 1 2; do
		for db in vnd vndf; do
			ch "$n" "CREATE DATABASE IF NOT EXISTS $db"
			clickhouse-client --port $((CH_BASE + 10 * (n - 1))) --database "$db" \
			    --multiquery <"$TOP/sql/clickhouse.sql"
		done
	done
	# VND's placement: the README's one-line load, on each "host"
	for p in $HOST1; do set -- "$@" "$SAMPLES/$p.pcap"; done
	"$BIN/vnd-parse" -q --null '\N' "$@" |
	    clickhouse-client --port "$CH_PORT1" --query 'INSERT INTO vnd.packets_local FORMAT TabSeparatedWithNames'
	set --
	for p in $HOST2; do set -- "$@" "$SAMPLES/$p.pcap"; done
	"$BIN/vnd-parse" -q --null '\N' "$@" |
	    clickhouse-client --port "$CH_PORT2" --query 'INSERT INTO vnd.packets_local FORMAT TabSeparatedWithNames'
	# by fingerprint: load.sh -f, through the Distributed table
	set --
	for p in $PATH_POINTS; do set -- "$@" "$SAMPLES/$p.pcap"; done
	VND_PARSE=$BIN/vnd-parse "$TOP/sql/load.sh" -q -f "ch://127.0.0.1:$CH_PORT1/vndf" "$@"
	"$BIN/vnd-parse" -q -o "$d/path.db" "$@"
	"$BIN/vnd-parse" -q "$@" >"$d/path.tsv"
	"$BIN/vnd-hoploss" "$@" >"$d/hops.tsv" 2>/dev/null
}

teardown_file() {
	[ -z "${CH_BASE:-}" ] || "$TOP/tests/clickhouse.sh" stop "$BATS_FILE_TMPDIR/ch"
}

setup() {
	need_clickhouse
	CLUSTER=ch://127.0.0.1:$CH_PORT1/vnd
	CLUSTER_FP=ch://127.0.0.1:$CH_PORT1/vndf
}

@test "clickhouse: the cluster holds each host's points on its own shard" {
	run -0 ch 1 "SELECT point, count() FROM vnd.packets_local GROUP BY point ORDER BY point"
	[ "$output" = "$(printf 'path-client\t4514\npath-r1in\t4514\npath-r1out\t4429')" ]
	run -0 ch 2 "SELECT count() FROM vnd.packets_local WHERE point = 'path-server'"
	[ "$output" -eq 4144 ]
	run -0 ch 2 "SELECT count() FROM vnd.packets"
	[ "$output" -eq 26174 ]
	# by fingerprint: every point on both shards, a packet's sightings on one
	run -0 ch 2 "SELECT uniqExact(point) FROM vndf.packets_local"
	[ "$output" -eq 6 ]
	run -0 ch 1 "SELECT count() FROM (SELECT pkt_id FROM vndf.packets_local WHERE pkt_id IN (SELECT pkt_id FROM remote('127.0.0.1:$CH_PORT2', vndf.packets_local)))"
	[ "$output" -eq 0 ]
}

@test "clickhouse: loss at every hop equals vnd-hoploss's, both placements, and SQLite's" {
	local d=$BATS_TEST_TMPDIR c
	# shellcheck disable=SC2086
	"$BIN/vnd-sql" loss "$CLUSTER" $PATH_POINTS >"$d/point"
	# shellcheck disable=SC2086
	"$BIN/vnd-sql" loss --placement fingerprint "$CLUSTER_FP" $PATH_POINTS >"$d/fp"
	# shellcheck disable=SC2086
	"$BIN/vnd-sql" loss "$BATS_FILE_TMPDIR/path.db" $PATH_POINTS >"$d/sqlite"
	c="in_point out_point src_side in_pkts out_pkts lost_pkts loss_ratio created_pkts"
	# shellcheck disable=SC2086
	tsv_col $c <"$BATS_FILE_TMPDIR/hops.tsv" >"$d/want"
	# shellcheck disable=SC2086
	tsv_col $c <"$d/point" >"$d/got"
	diff -u "$d/want" "$d/got"
	diff -u "$d/point" "$d/fp"
	diff -u "$d/point" "$d/sqlite"
	[ "$(tsv_awk '{ s += v["lost_pkts"] } END { print s }' "$d/point")" -eq 370 ]
}

@test "clickhouse: delay at every hop is SQLite's, both placements" {
	local d=$BATS_TEST_TMPDIR
	# shellcheck disable=SC2086
	"$BIN/vnd-sql" delay "$CLUSTER" $PATH_POINTS >"$d/point"
	# shellcheck disable=SC2086
	"$BIN/vnd-sql" delay --placement fingerprint "$CLUSTER_FP" $PATH_POINTS >"$d/fp"
	# shellcheck disable=SC2086
	"$BIN/vnd-sql" delay "$BATS_FILE_TMPDIR/path.db" $PATH_POINTS >"$d/sqlite"
	diff -u "$d/sqlite" "$d/point"
	diff -u "$d/sqlite" "$d/fp"
	# the tbf queue at r2: its p50 in hoploss's bucket
	tsv_awk 'v["in_point"] == "path-r2in" && v["src_side"] == "client" { print v["delay_p50_ns"] }' "$BATS_FILE_TMPDIR/hops.tsv" >"$d/hop"
	tsv_awk 'v["in_point"] == "path-r2in" && v["src_side"] == "client" { print v["delay_p50_ns"] }' "$d/point" >"$d/sql"
	[ "$(awk -v a="$(cat "$d/hop")" '{ d = $1 - a; if (d < 0) d = -d; print (d <= 0.035 * a) }' "$d/sql")" -eq 1 ]
	[ "$(cat "$d/sql")" -gt 1000000 ]
}

@test "clickhouse: --offset corrects a point's clock in the join as on SQLite" {
	local d=$BATS_TEST_TMPDIR o="--offset path-r2in=0.0015 --offset path-client=-0.25"
	# shellcheck disable=SC2086
	"$BIN/vnd-sql" delay $o "$CLUSTER" $PATH_POINTS >"$d/point"
	# shellcheck disable=SC2086
	"$BIN/vnd-sql" delay $o --placement fingerprint "$CLUSTER_FP" $PATH_POINTS >"$d/fp"
	# shellcheck disable=SC2086
	"$BIN/vnd-sql" delay $o "$BATS_FILE_TMPDIR/path.db" $PATH_POINTS >"$d/sqlite"
	# shellcheck disable=SC2086
	"$BIN/vnd-sql" delay "$BATS_FILE_TMPDIR/path.db" $PATH_POINTS >"$d/none"
	diff -u "$d/sqlite" "$d/point"
	diff -u "$d/sqlite" "$d/fp"
	run ! diff -q "$d/none" "$d/sqlite"
}

@test "clickhouse: throughput per slot is vnd-parse's table summed, as on SQLite" {
	local d=$BATS_TEST_TMPDIR
	"$BIN/vnd-sql" throughput "$CLUSTER" >"$d/ch"
	"$BIN/vnd-sql" throughput "$BATS_FILE_TMPDIR/path.db" >"$d/sqlite"
	diff -u "$d/sqlite" "$d/ch"
	tsv_awk 'v["ts_ns"] != "-" { k = v["point"] "\t" substr(v["ts_ns"], 1, length(v["ts_ns"]) - 9) "000000000"; n[k]++; w[k] += v["wire_bytes"] }
	    END { for (k in n) print k "\t" n[k] "\t" w[k] }' "$BATS_FILE_TMPDIR/path.tsv" | sort >"$d/want"
	tsv_col point slot_ts_ns pkts wire_bytes <"$d/ch" | sort >"$d/got"
	diff -u "$d/want" "$d/got"
}

@test "clickhouse: filter, stats, groups and rtt give SQLite's bytes" {
	local d=$BATS_TEST_TMPDIR a
	for a in filter stats groups rtt; do
		"$BIN/vnd-sql" "$a" "$CLUSTER" >"$d/$a.ch"
		"$BIN/vnd-sql" "$a" "$BATS_FILE_TMPDIR/path.db" >"$d/$a.sqlite"
		diff -u "$d/$a.sqlite" "$d/$a.ch"
	done
	[ "$(tsv_count 1 "$d/filter.ch")" -eq 26174 ]
	"$BIN/vnd-sql" filter --where "tcp_flags = 2" "$CLUSTER" path-server >"$d/syn.ch"
	[ "$(tsv_count 'v["tcp_flags"] == 2' "$d/syn.ch")" -eq 2 ]
}

@test "clickhouse: load.sh loads a file once, and overlapping loads are safe" {
	local url=ch://127.0.0.1:$CH_PORT2/vnd f=$SAMPLES/snat-inside.pcap
	export VND_PARSE=$BIN/vnd-parse
	"$TOP/sql/load.sh" -q "$url" "$f" &
	"$TOP/sql/load.sh" -q "$url" "$f"
	wait $!
	run -0 --separate-stderr "$TOP/sql/load.sh" "$url" "$f"
	[ "$stderr" = "load.sh: 'snat-inside.pcap': loaded already, skipped" ]
	run -0 ch 2 "SELECT count() FROM vnd.loads_local WHERE file = 'snat-inside.pcap'"
	[ "$output" -eq 1 ]
	"$BIN/vnd-parse" -q "$f" >"$BATS_TEST_TMPDIR/snat.tsv"
	run -0 ch 2 "SELECT count() FROM vnd.packets_local WHERE point = 'snat-inside'"
	[ "$output" -eq "$(tsv_count 1 "$BATS_TEST_TMPDIR/snat.tsv")" ]
	run -0 ch 2 "SELECT sha256 FROM vnd.loads_local WHERE file = 'snat-inside.pcap'"
	[ "$output" = "$(sha256sum <"$f" | cut -c1-64)" ]
}

@test "clickhouse: load.sh waits for the lock, then gives up with a message" {
	local url=ch://127.0.0.1:$CH_PORT2/vnd lock=$BATS_TEST_TMPDIR/lock
	exec 8>"$lock"
	flock 8
	run -1 --separate-stderr env VND_PARSE="$BIN/vnd-parse" "$TOP/sql/load.sh" -w 1 -l "$lock" "$url" "$SAMPLES/snat-outside.pcap"
	[ "$stderr" = "load.sh: another load holds '$lock' (waited 1 s); try again later" ]
	exec 8>&-
	run -0 ch 2 "SELECT count() FROM vnd.loads_local WHERE file = 'snat-outside.pcap'"
	[ "$output" -eq 0 ]
}

@test "clickhouse: a query the server refuses is one line and exit 1" {
	run -1 --separate-stderr "$BIN/vnd-sql" filter --where 'no_such_column = 1' "$CLUSTER"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "vnd-sql: clickhouse: "*"no_such_column"* ]]
	run -1 --separate-stderr "$BIN/vnd-sql" stats "ch://127.0.0.1:$CH_PORT1/nodb"
	[ "${#stderr_lines[@]}" -eq 1 ]
}
