#!/usr/bin/env bats
# vnd-sql on vnd-parse's SQLite file, --null, and the ClickHouse DDL: what
# needs no ClickHouse server.
bats_require_minimum_version 1.5.0
load helpers

PATH_POINTS="path-client path-r1in path-r1out path-r2in path-r2out path-server"

setup_file() {
	local d=$BATS_FILE_TMPDIR p
	for p in $PATH_POINTS; do
		set -- "$@" "$SAMPLES/$p.pcap"
	done
	"$BIN/vnd-parse" -q -o "$d/path.db" "$@"
	"$BIN/vnd-parse" -q "$@" >"$d/path.tsv"
	"$BIN/vnd-hoploss" "$@" >"$d/hops.tsv" 2>/dev/null
}

@test "sql: loss at every hop on SQLite equals vnd-hoploss, per hop and direction" {
	# shellcheck disable=SC2086
	"$BIN/vnd-sql" loss "$BATS_FILE_TMPDIR/path.db" $PATH_POINTS >"$BATS_TEST_TMPDIR/loss"
	cols="in_point out_point src_side in_pkts out_pkts lost_pkts loss_ratio created_pkts"
	# shellcheck disable=SC2086
	tsv_col $cols <"$BATS_FILE_TMPDIR/hops.tsv" | sed 's/^path-//; s/\tpath-/\t/' >"$BATS_TEST_TMPDIR/want"
	# shellcheck disable=SC2086
	tsv_col $cols <"$BATS_TEST_TMPDIR/loss" | sed 's/^path-//; s/\tpath-/\t/' >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# the samples' drops: 85 at r1, 285 at r2, both from the client
	[ "$(tsv_count 'v["lost_pkts"] > 0' "$BATS_TEST_TMPDIR/loss")" -eq 2 ]
}

@test "sql: loss through a SNAT, whose two ends see other addresses, equals vnd-hoploss" {
	local d=$BATS_TEST_TMPDIR
	"$BIN/vnd-parse" -q -o "$d/snat.db" "$SAMPLES/snat-inside.pcap" "$SAMPLES/snat-outside.pcap"
	"$BIN/vnd-hoploss" "$SAMPLES/snat-inside.pcap" "$SAMPLES/snat-outside.pcap" >"$d/hops" 2>/dev/null
	"$BIN/vnd-sql" loss "$d/snat.db" snat-inside snat-outside >"$d/loss"
	c="in_point out_point src_side in_pkts out_pkts lost_pkts loss_ratio created_pkts"
	# shellcheck disable=SC2086
	tsv_col $c <"$d/hops" >"$d/want"
	# shellcheck disable=SC2086
	tsv_col $c <"$d/loss" >"$d/got"
	diff -u "$d/want" "$d/got"
	[ "$(tsv_count 'v["out_pkts"] > 100' "$d/loss")" -eq 2 ]
}

@test "sql: delay at every hop on SQLite is vnd-hoploss's: pairs and extremes exact, percentiles in its bucket" {
	# shellcheck disable=SC2086
	"$BIN/vnd-sql" delay "$BATS_FILE_TMPDIR/path.db" $PATH_POINTS >"$BATS_TEST_TMPDIR/delay"
	tsv_col in_point out_point delay_min_ns delay_max_ns delay_p50_ns delay_p99_ns in_pkts lost_pkts \
	    <"$BATS_FILE_TMPDIR/hops.tsv" >"$BATS_TEST_TMPDIR/want"
	tsv_col in_point out_point delay_min_ns delay_max_ns delay_p50_ns delay_p99_ns pkts \
	    <"$BATS_TEST_TMPDIR/delay" >"$BATS_TEST_TMPDIR/got"
	paste "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" >"$BATS_TEST_TMPDIR/both"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/both")" -eq 10 ]
	# hoploss: 8 columns; vnd-sql: 7 after them
	run -0 awk -F'\t' '
	    function off(a, b) { return (a > b ? a - b : b - a) > 0.035 * b + 1000 }
	    $1 != $9 || $2 != $10 { print "hop", NR; bad = 1 }
	    $3 != $11 || $4 != $12 { print "min/max", NR; bad = 1 }
	    $7 - $8 != $15 { print "pairs", NR, $7 - $8, $15; bad = 1 }
	    off($13, $5) || off($14, $6) { print "percentile", NR, $5, $13, $6, $14; bad = 1 }
	    END { exit bad }' "$BATS_TEST_TMPDIR/both"
}

@test "sql: --offset undoes a point's wrong clock: delay and loss as with one clock" {
	local d=$BATS_TEST_TMPDIR p f
	# path-r1out recorded by a host whose clock is 0.5 s ahead
	mkdir "$d/ahead"
	python3 "$TOP/tests/pcapshift.py" 0.5 "$SAMPLES/path-r1out.pcap" "$d/ahead/path-r1out.pcap"
	set --
	for p in $PATH_POINTS; do
		f=$SAMPLES/$p.pcap
		[ "$p" != path-r1out ] || f=$d/ahead/$p.pcap
		set -- "$@" "$f"
	done
	"$BIN/vnd-parse" -q -o "$d/ahead.db" "$@"
	for app in delay loss; do
		# shellcheck disable=SC2086
		"$BIN/vnd-sql" $app "$BATS_FILE_TMPDIR/path.db" $PATH_POINTS >"$d/$app.want"
		# shellcheck disable=SC2086
		"$BIN/vnd-sql" --offset path-r1out=0.5 $app "$d/ahead.db" $PATH_POINTS >"$d/$app.got"
		# shellcheck disable=SC2086
		"$BIN/vnd-sql" $app "$d/ahead.db" $PATH_POINTS >"$d/$app.raw"
		diff -u "$d/$app.want" "$d/$app.got"
	done
	# without the offset the two hops of r1out read 0.5 s more, or less
	[ "$(tsv_count 'v["delay_min_ns"] != "-" && v["delay_min_ns"] > 499000000' "$d/delay.raw")" -eq 2 ]
	run ! diff -q "$d/loss.want" "$d/loss.raw"
	# an offset given the other way round, to the other end, is the same
	# shellcheck disable=SC2086
	"$BIN/vnd-sql" --offset path-r1in=-0.5 --offset path-client=-0.5 delay "$d/ahead.db" \
	    path-client path-r1in path-r1out >"$d/other"
	head -5 "$d/delay.want" | diff -u - "$d/other"
}

@test "sql: --offset names a point and seconds, or it is a usage error" {
	run -2 "$BIN/vnd-sql" --offset nosuch=1 delay "$BATS_FILE_TMPDIR/path.db" path-r1in path-r1out
	[ "${lines[0]}" = "vnd-sql: --offset 'nosuch=1': no point of that name" ]
	run -2 "$BIN/vnd-sql" --offset path-r1in=soon delay "$BATS_FILE_TMPDIR/path.db" path-r1in path-r1out
	[ "${lines[0]}" = "vnd-sql: --offset 'path-r1in=soon': NAME=SECONDS, seconds from -86400 to 86400" ]
}

@test "sql: throughput per slot on SQLite is vnd-parse's table summed" {
	"$BIN/vnd-sql" throughput -i 0.5 "$BATS_FILE_TMPDIR/path.db" >"$BATS_TEST_TMPDIR/tput"
	# (the slot from the digits: awk's doubles cannot hold ts_ns)
	tsv_awk 'v["ts_ns"] != "-" {
		t = v["ts_ns"]; l = length(t)
		k = v["point"] "\t" substr(t, 1, l - 9) \
		    (substr(t, l - 8) + 0 >= 500000000 ? "500000000" : "000000000")
		n[k]++; w[k] += v["wire_bytes"]
		if (v["payload_bytes"] != "-") p[k] += v["payload_bytes"]
	    } END { for (k in n) print k "\t" n[k] "\t" w[k] "\t" p[k] + 0 }' \
	    "$BATS_FILE_TMPDIR/path.tsv" | sort >"$BATS_TEST_TMPDIR/want"
	tsv_col point slot_ts_ns pkts wire_bytes payload_bytes <"$BATS_TEST_TMPDIR/tput" |
	    sort >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/got")" -gt 6 ]
}

@test "sql: filter gives the packets rows the condition picks, as vnd-parse wrote them" {
	"$BIN/vnd-sql" filter --where 'tcp_flags = 2' "$BATS_FILE_TMPDIR/path.db" path-client >"$BATS_TEST_TMPDIR/syn"
	head -n 1 "$BATS_FILE_TMPDIR/path.tsv" >"$BATS_TEST_TMPDIR/want"
	tsv_awk 'v["point"] == "path-client" && v["tcp_flags"] == 2' "$BATS_FILE_TMPDIR/path.tsv" >>"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/syn"
	[ "$(tsv_count 1 "$BATS_TEST_TMPDIR/syn")" -eq 2 ]
}

@test "sql: stats and groups count every packet of a point once" {
	"$BIN/vnd-sql" stats --field ip_proto "$BATS_FILE_TMPDIR/path.db" path-r1out >"$BATS_TEST_TMPDIR/stats"
	[ "$(tsv_awk '{ s += v["pkts"] } END { print s }' "$BATS_TEST_TMPDIR/stats")" -eq 4429 ]
	[ "$(tsv_awk '{ s += v["ratio"] } END { printf "%.6f\n", s }' "$BATS_TEST_TMPDIR/stats")" = 1.000000 ]
	"$BIN/vnd-sql" groups --by src_ip,dst_ip,dst_port "$BATS_FILE_TMPDIR/path.db" path-r1out >"$BATS_TEST_TMPDIR/groups"
	[ "$(tsv_awk '{ s += v["pkts"] } END { print s }' "$BATS_TEST_TMPDIR/groups")" -eq 4429 ]
	[ "$(tsv_count 'v["dst_port"] == 5001' "$BATS_TEST_TMPDIR/groups")" -eq 1 ]
}

@test "sql: rtt samples are the data segments acknowledged, none negative" {
	"$BIN/vnd-sql" rtt "$BATS_FILE_TMPDIR/path.db" path-client >"$BATS_TEST_TMPDIR/rtt"
	[ "$(tsv_count 'v["rtt_ns"] < 0' "$BATS_TEST_TMPDIR/rtt")" -eq 0 ]
	[ "$(tsv_count 'v["dst_port"] == 5001' "$BATS_TEST_TMPDIR/rtt")" -gt 100 ]
	# the client sees the round trip through both routers: more than a hop's delay
	[ "$(tsv_awk '{ print v["rtt_ns"] }' "$BATS_TEST_TMPDIR/rtt" | sort -n | awk '{ a[NR] = $1 } END { print a[int(NR / 2)] }')" -gt 10000 ]
}

@test "sql: usage errors exit 2, a bad target 1, each with one line" {
	run -2 --separate-stderr "$BIN/vnd-sql" frob "$BATS_FILE_TMPDIR/path.db"
	[[ ${stderr_lines[0]} == "vnd-sql: 'frob' is not an application: filter, stats, groups, throughput, rtt, delay, loss" ]]
	run -2 --separate-stderr "$BIN/vnd-sql" loss "$BATS_FILE_TMPDIR/path.db" path-client
	[[ ${stderr_lines[0]} == "vnd-sql: loss needs 2 points or more, in path order" ]]
	run -2 --separate-stderr "$BIN/vnd-sql" loss --placement nowhere "$BATS_FILE_TMPDIR/path.db" a b
	[[ ${stderr_lines[0]} == *"--placement 'nowhere'"* ]]
	run -2 --separate-stderr "$BIN/vnd-sql" groups --by 'src_ip;drop' "$BATS_FILE_TMPDIR/path.db"
	run -1 --separate-stderr "$BIN/vnd-sql" stats "$SAMPLES/path-client.pcap"
	[ "$stderr" = "vnd-sql: '$SAMPLES/path-client.pcap': not an SQLite file nor ch://host:port/database" ]
	run -1 --separate-stderr env VND_CLICKHOUSE_CLIENT=/nonexistent "$BIN/vnd-sql" stats ch://127.0.0.1:1/vnd
	[ "$stderr" = "vnd-sql: clickhouse-client: cannot run '/nonexistent': No such file or directory" ]
}

@test "sql: -n prints the queries, one per statement, and runs nothing" {
	run -0 "$BIN/vnd-sql" -n loss ch://127.0.0.1:1/vnd a b
	[ "${#lines[@]}" -gt 2 ]
	[[ $output == *"GLOBAL ALL INNER JOIN"* ]]
	run -0 "$BIN/vnd-sql" -n loss --placement fingerprint ch://127.0.0.1:1/db a b
	[[ $output == *"FROM db.packets_local"* ]]
}

@test "null: --null writes the string where '-' stood for unset, and only there" {
	"$BIN/vnd-parse" -q "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/dash"
	"$BIN/vnd-parse" -q --null '\N' "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/null"
	awk -F'\t' -v OFS='\t' '{ for (i = 1; i <= NF; i++) if ($i == "-") $i = "\\N"; print }' \
	    "$BATS_TEST_TMPDIR/dash" >"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/null"
	[ "$(grep -c -F '\N' "$BATS_TEST_TMPDIR/null")" -gt 100 ]
	"$BIN/vnd-hoploss" --null NULL "$SAMPLES/path-r1in.pcap" "$SAMPLES/path-r1out.pcap" \
	    >"$BATS_TEST_TMPDIR/hops" 2>/dev/null
	[ "$(tsv_count 'v["delay_min_ns"] != "NULL"' "$BATS_TEST_TMPDIR/hops")" -eq 2 ]
}

@test "null: an empty, long or control-character --null is a usage error" {
	run -2 --separate-stderr "$BIN/vnd-parse" --null '' "$SAMPLES/path-client.pcap"
	[[ ${stderr_lines[0]} == "vnd-parse: --null '': 1 to 7 characters, no tab or newline" ]]
	run -2 "$BIN/vnd-rtt" --null 12345678 "$SAMPLES/path-client.pcap"
	run -2 "$BIN/vnd-parse" --null "$(printf 'a\tb')" "$SAMPLES/path-client.pcap"
}

@test "ddl: sql/clickhouse.sql is what sql/mkddl.py makes of vnd-tables.5" {
	need_cmd python3
	python3 "$TOP/sql/mkddl.py" "$TOP/man/vnd-tables.5" >"$BATS_TEST_TMPDIR/ddl"
	diff -u "$TOP/sql/clickhouse.sql" "$BATS_TEST_TMPDIR/ddl"
}

# ddl_cols TABLE: the columns of TABLE_local in sql/clickhouse.sql, one a line
ddl_cols() {
	awk -v t="CREATE TABLE IF NOT EXISTS $1_local (" '
	    $0 == t { on = 1; next } on && /^\)/ { exit }
	    on { print $1 }' "$TOP/sql/clickhouse.sql"
}

@test "ddl: every column the tools write has its place in the ClickHouse table" {
	local d=$BATS_TEST_TMPDIR
	"$BIN/vnd-parse" -q -D "$SAMPLES/path-client.pcap" >"$d/meta.tsv"
	"$BIN/vnd-hoploss" --by flow -i 1 "$SAMPLES/path-r1in.pcap" "$SAMPLES/path-r1out.pcap" >"$d/hops.tsv" 2>/dev/null
	"$BIN/vnd-hoploss" --lost "$SAMPLES/path-r1in.pcap" "$SAMPLES/path-r1out.pcap" >"$d/lost.tsv" 2>/dev/null
	"$BIN/vnd-rtt" "$SAMPLES/path-client.pcap" >"$d/samples.tsv"
	for t in packets meta hops lost samples; do
		f=$d/$t.tsv
		[ "$t" = packets ] && f=$BATS_FILE_TMPDIR/path.tsv
		ddl_cols "$t" | sort >"$d/$t.ddl"
		[ -s "$d/$t.ddl" ]
		tsv_header "$f" | sort >"$d/$t.cols"
		run -0 comm -23 "$d/$t.cols" "$d/$t.ddl"
		[ -z "$output" ] || { echo "$t: $output"; return 1; }
	done
	# packets: in the same order, so TabSeparatedWithNames loads it as it is
	ddl_cols packets | grep -v -x -e fp -e flow -e rflow >"$d/order.ddl"
	tsv_header "$BATS_FILE_TMPDIR/path.tsv" >"$d/order.tsv"
	diff -u "$d/order.tsv" "$d/order.ddl"
}
