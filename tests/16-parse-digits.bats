#!/usr/bin/env bats
# vnd-parse's numbers and addresses as text: every decimal boundary, both row paths, TSV and SQLite alike.
bats_require_minimum_version 1.5.0
load helpers

COLS=(frame ts_ns src_ip dst_ip ip_id ttl src_port dst_port seq ack win tsval tsecr sack pkt_id)

setup() {
	need_cmd python3
	python3 "$TOP/tests/digits-pcap.py" "$BATS_TEST_TMPDIR/d.pcap" "$BATS_TEST_TMPDIR/want.tsv"
}

@test "parse: numbers on every decimal boundary and addresses read as Python writes them" {
	"$BIN/vnd-parse" "$BATS_TEST_TMPDIR/d.pcap" >"$BATS_TEST_TMPDIR/out"
	tsv_col "${COLS[@]}" <"$BATS_TEST_TMPDIR/out" >"$BATS_TEST_TMPDIR/got"
	tsv_col "${COLS[@]}" <"$BATS_TEST_TMPDIR/want.tsv" >"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "parse: frame numbers with gaps between them (a filter) are exact" {
	"$BIN/vnd-parse" -f ip "$BATS_TEST_TMPDIR/d.pcap" >"$BATS_TEST_TMPDIR/out"
	tsv_col frame seq <"$BATS_TEST_TMPDIR/out" >"$BATS_TEST_TMPDIR/got"
	tsv_awk 'v["ip_id"] != "-" { print v["frame"] "\t" v["seq"] }' \
	    "$BATS_TEST_TMPDIR/want.tsv" >"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	run -0 wc -l <"$BATS_TEST_TMPDIR/got"
	assert_output 600
}

# a point name over 256 bytes is written value by value (vnd_put_*), the
# others row by row: the two must give the same columns
@test "parse: a long point name's rows equal a short one's but for the point" {
	long=$(printf 'p%.0s' $(seq 300))
	"$BIN/vnd-parse" -p s "$BATS_TEST_TMPDIR/d.pcap" >"$BATS_TEST_TMPDIR/short"
	"$BIN/vnd-parse" -p "$long" "$BATS_TEST_TMPDIR/d.pcap" >"$BATS_TEST_TMPDIR/long"
	run -0 sort -u < <(tsv_col point <"$BATS_TEST_TMPDIR/long")
	assert_output "$long"
	tsv_awk -v OFS='\t' '{ $h["point"] = ""; print }' "$BATS_TEST_TMPDIR/short" >"$BATS_TEST_TMPDIR/a"
	tsv_awk -v OFS='\t' '{ $h["point"] = ""; print }' "$BATS_TEST_TMPDIR/long" >"$BATS_TEST_TMPDIR/b"
	diff -u "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
}

@test "parse: the SQLite rows hold the values the TSV rows write" {
	need_cmd sqlite3
	"$BIN/vnd-parse" "$BATS_TEST_TMPDIR/d.pcap" >"$BATS_TEST_TMPDIR/out"
	"$BIN/vnd-parse" -o "$BATS_TEST_TMPDIR/d.db" "$BATS_TEST_TMPDIR/d.pcap"
	tsv_col "${COLS[@]}" <"$BATS_TEST_TMPDIR/out" >"$BATS_TEST_TMPDIR/tsv"
	sel=$(printf "ifnull(%s, '-')," "${COLS[@]}")
	sqlite3 -separator $'\t' "$BATS_TEST_TMPDIR/d.db" \
	    "SELECT ${sel%,} FROM packets ORDER BY frame" >"$BATS_TEST_TMPDIR/db"
	diff -u "$BATS_TEST_TMPDIR/tsv" "$BATS_TEST_TMPDIR/db"
}

@test "parse: --null writes the same rows on both paths" {
	long=$(printf 'p%.0s' $(seq 300))
	"$BIN/vnd-parse" --null '\N' -p s "$BATS_TEST_TMPDIR/d.pcap" >"$BATS_TEST_TMPDIR/short"
	"$BIN/vnd-parse" --null '\N' -p "$long" "$BATS_TEST_TMPDIR/d.pcap" >"$BATS_TEST_TMPDIR/long"
	run -0 sort -u < <(tsv_col vlan <"$BATS_TEST_TMPDIR/short")
	assert_output '\N'
	tsv_awk -v OFS='\t' '{ $h["point"] = ""; print }' "$BATS_TEST_TMPDIR/short" >"$BATS_TEST_TMPDIR/a"
	tsv_awk -v OFS='\t' '{ $h["point"] = ""; print }' "$BATS_TEST_TMPDIR/long" >"$BATS_TEST_TMPDIR/b"
	diff -u "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
}
