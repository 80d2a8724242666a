#!/usr/bin/env bats
# vnd-parse -o: the SQLite trace tables hold what the TSV holds, with VND's metadata.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	need_cmd sqlite3
}

@test "parse -o: packets table equals the TSV table, value for value" {
	db="$BATS_TEST_TMPDIR/t.db"
	run -0 "$BIN/vnd-parse" -q -o "$db" "$SAMPLES/snat-inside.pcap"
	sqlite3 -separator $'\t' -nullvalue - "$db" "SELECT * FROM packets ORDER BY frame" >"$BATS_TEST_TMPDIR/out"
	tail -n +2 "$GOLDEN/parse/snat-inside.tsv" | diff -u - "$BATS_TEST_TMPDIR/out"
}

@test "parse -o: application_id, user_version, the indexes the joins need" {
	db="$BATS_TEST_TMPDIR/t.db"
	"$BIN/vnd-parse" -q -o "$db" "$SAMPLES/snat-inside.pcap"
	[ "$(sqlite3 "$db" 'PRAGMA application_id')" -eq $((0x766e6431)) ]
	[ "$(sqlite3 "$db" 'PRAGMA user_version')" -eq 1 ]
	run -0 sqlite3 "$db" "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name"
	assert_output packets_pkt_id
	run -0 sqlite3 "$db" "EXPLAIN QUERY PLAN SELECT * FROM packets WHERE point = 'x' AND pkt_id = 1"
	assert_output --partial "USING INDEX packets_pkt_id"
}

@test "parse -o: meta table names every point, its file, link types, counts and time span" {
	db="$BATS_TEST_TMPDIR/t.db"
	"$BIN/vnd-parse" -q -o "$db" -f tcp in="$SAMPLES/snat-inside.pcap" out="$SAMPLES/snat-outside.pcap"
	run -0 sqlite3 -separator ' ' "$db" "SELECT point, format, link_types, packets, malformed_pkts, filter, tool FROM meta ORDER BY point"
	# 354 TCP frames in each, as tshark -Y tcp counts them
	assert_output $'in pcap EN10MB 354 0 tcp vnd-parse\nout pcap EN10MB 354 0 tcp vnd-parse'
	run -0 sqlite3 "$db" "SELECT count(*) FROM meta m WHERE first_ts_ns = (SELECT min(ts_ns) FROM packets p WHERE p.point = m.point) AND last_ts_ns = (SELECT max(ts_ns) FROM packets p WHERE p.point = m.point)"
	assert_output 2
	run -0 sqlite3 "$db" "SELECT command FROM meta LIMIT 1"
	assert_output --partial "vnd-parse -q -o"
}

@test "parse -o: one-hop delay and loss by pkt_id join, as VND's SQL diagnosis" {
	db="$BATS_TEST_TMPDIR/path.db"
	"$BIN/vnd-parse" -q -o "$db" "$SAMPLES/path-r1in.pcap" "$SAMPLES/path-r1out.pcap"
	t="$SAMPLES/path.truth.tsv"
	ipt=$(truth r1:iptables:FORWARD:vnd-random-drop pkts "$t")
	run -0 sqlite3 "$db" "SELECT count(*) FROM packets a WHERE a.point = 'path-r1in' AND a.ip_proto = 6 AND a.src_ip = '198.18.1.1'
	    AND NOT EXISTS (SELECT 1 FROM packets b WHERE b.point = 'path-r1out' AND b.pkt_id = a.pkt_id AND b.payload_hash IS a.payload_hash)"
	assert_output "$ipt"
	# forwarding a data segment through a router takes time: positive, under 10 ms
	# (pure ACKs are left out: Linux sends some with IP ID 0, which the
	# fingerprint cannot tell apart; vnd-correlate widens the key for them)
	run -0 sqlite3 "$db" "SELECT min(b.ts_ns - a.ts_ns) > 0, max(b.ts_ns - a.ts_ns) < 10000000, count(*) FROM packets a
	    JOIN packets b ON b.pkt_id = a.pkt_id AND b.payload_hash IS a.payload_hash
	    WHERE a.point = 'path-r1in' AND b.point = 'path-r1out' AND a.ip_proto = 6 AND a.payload_bytes > 0 AND a.src_ip = '198.18.1.1'"
	assert_output "1|1|$(( $(sqlite3 "$db" "SELECT count(*) FROM packets WHERE point = 'path-r1out' AND ip_proto = 6 AND payload_bytes > 0 AND src_ip = '198.18.1.1'") ))"
}

@test "parse -o with -D: the database still holds packets and meta" {
	db="$BATS_TEST_TMPDIR/t.db"
	"$BIN/vnd-parse" -q -D -o "$db" "$SAMPLES/snat-inside.pcap"
	[ "$(sqlite3 "$db" 'SELECT count(*) FROM packets')" -eq 372 ]
	[ "$(sqlite3 "$db" 'SELECT packets FROM meta')" -eq 372 ]
}

@test "parse -o: every analysis tool reads the points of the SQLite file, with the answers it gives on the captures" {
	d=$BATS_TEST_TMPDIR
	pts=""
	for p in client r1in r1out r2in r2out server; do pts="$pts $p=$SAMPLES/path-$p.pcap"; done
	"$BIN/vnd-parse" -q -o "$d/p.db" $pts
	db=""
	for p in client r1in r1out r2in r2out server; do db="$db $p=$d/p.db"; done
	# several points, each named in the file
	"$BIN/vnd-hoploss" -q $pts >"$d/a"
	"$BIN/vnd-hoploss" -q $db >"$d/b"
	cmp "$d/a" "$d/b"
	[ "$(tsv_count 'v["in_point"] == "r2in" && v["out_point"] == "r2out" && v["src_side"] == "client" && v["in_pkts"] == 2596 && v["out_pkts"] == 2311 && v["lost_pkts"] == 285' "$d/b")" -eq 1 ]
	"$BIN/vnd-correlate" -q r1in="$SAMPLES/path-r1in.pcap" r1out="$SAMPLES/path-r1out.pcap" >"$d/a"
	"$BIN/vnd-correlate" -q r1in="$d/p.db" r1out="$d/p.db" >"$d/b"
	cmp "$d/a" "$d/b"
	# one point by name, or every point of the file, on one thread or two
	"$BIN/vnd-rtt" client="$SAMPLES/path-client.pcap" >"$d/a"
	"$BIN/vnd-rtt" client="$d/p.db" >"$d/b"
	cmp "$d/a" "$d/b"
	"$BIN/vnd-tcpstate" $pts >"$d/a"
	"$BIN/vnd-tcpstate" -j 2 "$d/p.db" >"$d/b"
	cmp "$d/a" "$d/b"
	[ "$(wc -l <"$d/b")" -eq 13 ]
	# the meta table says what was read: the file, as sqlite, and its rows
	"$BIN/vnd-tcpstate" -o "$d/t.db" "$d/p.db"
	[ "$(sqlite3 "$d/t.db" "SELECT format, packets FROM meta")" = "sqlite|$(sqlite3 "$d/p.db" 'SELECT count(*) FROM packets')" ]
}

@test "parse -o: a SQLite file without a packets table is one line and exit 1" {
	sqlite3 "$BATS_TEST_TMPDIR/x.db" 'CREATE TABLE x(a)'
	run -1 --separate-stderr "$BIN/vnd-rtt" "$BATS_TEST_TMPDIR/x.db"
	[ "$stderr" = "vnd-rtt: '$BATS_TEST_TMPDIR/x.db': no packets table: no such table: packets" ]
	run -1 --separate-stderr "$BIN/vnd-hoploss" a="$BATS_TEST_TMPDIR/x.db" b="$BATS_TEST_TMPDIR/x.db"
	[ "${#stderr_lines[@]}" -eq 1 ]
	# on standard input, or to vnd-parse, it is named for what it is
	run -1 --separate-stderr bash -c "\"$BIN/vnd-rtt\" - <\"$BATS_TEST_TMPDIR/x.db\""
	[ "$stderr" = "vnd-rtt: '-': an SQLite database, not a capture (a packets database is read from a file, by name)" ]
	run -1 --separate-stderr "$BIN/vnd-parse" "$BATS_TEST_TMPDIR/x.db"
	[ "${#stderr_lines[@]}" -eq 1 ]
}
