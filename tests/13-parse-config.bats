#!/usr/bin/env bats
# VND's parse configuration (Figure 7): filters, field lists with `as`, several tables.
bats_require_minimum_version 1.5.0
load helpers

@test "config: the paper's Figure 7(b) works as written" {
	"$BIN/vnd-parse" -q -c "$DATA/figure7b.conf" "$SAMPLES/chain-slowsink-relay1in.pcap" >"$BATS_TEST_TMPDIR/out"
	diff -u "$GOLDEN/parse/figure7b.tsv" "$BATS_TEST_TMPDIR/out"
	[ "$(head -1 "$BATS_TEST_TMPDIR/out")" = "$(printf 'point\tts\tsrc_ip\tdst_ip\tproto\tsrc_port\tdst_port')" ]
}

@test "config: tcp.src and udp.src fill one column, each for its own protocol" {
	cat >"$BATS_TEST_TMPDIR/c" <<-'CONF'
	Filter: ip_proto in {6, 17}
	Fields: ip.proto as proto, tcp.src as sport, udp.src as sport
	CONF
	"$BIN/vnd-parse" -q -c "$BATS_TEST_TMPDIR/c" "$SAMPLES/snat-inside.pcap" >"$BATS_TEST_TMPDIR/out"
	"$BIN/vnd-parse" -q -f 'tcp or udp' "$SAMPLES/snat-inside.pcap" | tsv_col ip_proto src_port >"$BATS_TEST_TMPDIR/want"
	tsv_col proto sport <"$BATS_TEST_TMPDIR/out" >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	[ "$(tsv_count 'v["proto"] == 17' "$BATS_TEST_TMPDIR/out")" -gt 0 ]
}

@test "config: not, and, or, parentheses, in-sets, CIDR prefixes" {
	cat >"$BATS_TEST_TMPDIR/c" <<-'CONF'
	# server side of the SNAT, except SYNs
	Trace ID all
	Filter: (ip.dst = 198.18.11.0/24 or ip.src ∈ {198.18.11.2}) and not tcp.flags = 2
	Fields: frame, ip.src, ip.dst, tcp.flags
	CONF
	"$BIN/vnd-parse" -q -c "$BATS_TEST_TMPDIR/c" "$SAMPLES/snat-outside.pcap" >"$BATS_TEST_TMPDIR/out"
	[ "$(head -1 "$BATS_TEST_TMPDIR/out")" = "$(printf 'point\tframe\tsrc_ip\tdst_ip\ttcp_flags')" ]
	# the same rows by awk over the whole table
	"$BIN/vnd-parse" -q "$SAMPLES/snat-outside.pcap" >"$BATS_TEST_TMPDIR/all"
	want=$(tsv_count '(index(v["dst_ip"], "198.18.11.") == 1 || v["src_ip"] == "198.18.11.2") && !(v["ip_proto"] == 6 && v["tcp_flags"] == 2)' "$BATS_TEST_TMPDIR/all")
	[ "$(($(wc -l <"$BATS_TEST_TMPDIR/out") - 1))" -eq "$want" ]
	[ "$want" -gt 100 ]
}

@test "config: Trace ID picks points, Table ID makes one table each in SQLite" {
	need_cmd sqlite3
	cat >"$BATS_TEST_TMPDIR/c" <<-'CONF'
	Trace ID in
	Table ID syns
	Filter: tcp.flags = 2
	Fields: timestamp as ts, tcp.src as src_port
	Trace ID in, out
	Table ID udp
	Filter: ip.proto = udp
	Fields: point, udp.src as src_port, udp.dst as dst_port
	CONF
	db="$BATS_TEST_TMPDIR/t.db"
	run -0 "$BIN/vnd-parse" -q -c "$BATS_TEST_TMPDIR/c" -o "$db" in="$SAMPLES/snat-inside.pcap" out="$SAMPLES/snat-outside.pcap"
	[ "$(sqlite3 "$db" "SELECT count(*), count(DISTINCT point) FROM syns")" = "20|1" ]
	[ "$(sqlite3 "$db" "SELECT count(DISTINCT point) FROM udp")" = "2" ]
	# several tables cannot go to one TSV stream
	run -2 --separate-stderr "$BIN/vnd-parse" -q -c "$BATS_TEST_TMPDIR/c" "$SAMPLES/snat-inside.pcap"
	[[ $stderr == *"use -o"* ]]
}

@test "config: mistakes are usage errors that name the line" {
	while IFS='|' read -r text msg; do
		printf '%b' "$text" >"$BATS_TEST_TMPDIR/c"
		run -2 --separate-stderr "$BIN/vnd-parse" -c "$BATS_TEST_TMPDIR/c" "$SAMPLES/snat-inside.pcap"
		echo "$text -> $stderr"
		[[ $stderr == *"$msg"* ]]
	done <<-'TABLE'
	Filter: ip.foo = 1\nFields: frame|line 1: unknown field 'ip.foo'
	Fields: frame\nFilter: (ip.proto = tcp\n|line 3: ')' expected
	Filter: ip.src = 300.1.1.1\nFields: frame|bad address '300.1.1.1'
	Fields: frame as 9x|bad column name '9x'
	Filter: ip.proto = tcp|has no Fields
	Fields: ip.src as a, tcp.src as a|mixes text and numbers
	|empty configuration
	TABLE
}
