#!/usr/bin/env bats
# vnd-parse on the vnd_cli frame: its command line, its errors, and the SQLite file it leaves.
bats_require_minimum_version 1.5.0
load helpers

@test "parse: an operand after -- is read, as one before it" {
	run -0 --separate-stderr "$BIN/vnd-parse" -q -- "$SAMPLES/snat-inside.pcap"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	diff -u "$GOLDEN/parse/snat-inside.tsv" "$BATS_TEST_TMPDIR/out"
}

@test "parse: -p names the operand after --" {
	"$BIN/vnd-parse" -q -p in -- "$SAMPLES/snat-inside.pcap" >"$BATS_TEST_TMPDIR/out"
	run -0 sort -u < <(tsv_col point <"$BATS_TEST_TMPDIR/out")
	assert_output in
}

# status | arguments | what stderr says: each a line of its own, no usage after it
@test "parse: usage errors past the options are one line, exit 2" {
	while IFS='|' read -r args msg; do
		eval "set -- $args"
		run --separate-stderr "$BIN/vnd-parse" "$@"
		echo "args: $args -> status $status: $stderr"
		[ "$status" -eq 2 ]
		[[ $stderr == "vnd-parse: $msg" ]]
		[ -z "$output" ]
	done <<-TABLE
	-p a -p b $SAMPLES/snat-inside.pcap|-p 'a' names no file
	$SAMPLES/snat-inside.pcap -p a|-p 'a' names no file
	- -|standard input can be read only once
	a=$SAMPLES/snat-inside.pcap a=$SAMPLES/snat-outside.pcap|point 'a' named twice; name them with -p or NAME=file
	-f 'tcp port 99999' $SAMPLES/snat-inside.pcap|filter: illegal port number 99999 > 65535
	-c /nonexistent.conf $SAMPLES/snat-inside.pcap|cannot open '/nonexistent.conf': No such file or directory
	TABLE
}

@test "parse: an unknown option still prints the usage, exit 2" {
	run -2 --separate-stderr "$BIN/vnd-parse" --bogus
	[[ $stderr == *"unrecognized option '--bogus'"* ]]
	[[ $stderr == *"usage: vnd-parse"* ]]
}

@test "parse: an unknown format names -F; the tools without -F do not" {
	printf 'hello, this is not a capture\n' >"$BATS_TEST_TMPDIR/a.txt"
	run -1 --separate-stderr "$BIN/vnd-parse" -q "$BATS_TEST_TMPDIR/a.txt"
	assert_equal "$stderr" "vnd-parse: '$BATS_TEST_TMPDIR/a.txt': not a capture file (unknown format; -F names one)"
	for t in rtt tcpstate; do
		run -1 --separate-stderr "$BIN/vnd-$t" "$BATS_TEST_TMPDIR/a.txt"
		assert_equal "$stderr" "vnd-$t: '$BATS_TEST_TMPDIR/a.txt': not a capture file (unknown format)"
	done
	for t in hoploss correlate; do
		run -1 --separate-stderr "$BIN/vnd-$t" a="$BATS_TEST_TMPDIR/a.txt" b="$SAMPLES/snat-inside.pcap"
		assert_equal "$stderr" "vnd-$t: '$BATS_TEST_TMPDIR/a.txt': not a capture file (unknown format)"
	done
}

@test "parse -o: 64 KiB pages, one index, and the readers' point query scans the table" {
	db="$BATS_TEST_TMPDIR/t.db"
	"$BIN/vnd-parse" -q -o "$db" in="$SAMPLES/path-r1in.pcap" out="$SAMPLES/path-r1out.pcap"
	[ "$(sqlite3 "$db" 'PRAGMA page_size')" -eq 65536 ]
	run -0 sqlite3 "$db" "SELECT sql FROM sqlite_master WHERE type = 'index'"
	assert_output 'CREATE INDEX "packets_pkt_id" ON "packets" (pkt_id, point)'
	# vnd_pktsrc's query: in rowid order, no temporary b-tree
	run -0 sqlite3 "$db" "EXPLAIN QUERY PLAN SELECT * FROM packets WHERE point = 'out' ORDER BY rowid"
	refute_output --partial "TEMP B-TREE"
	run -0 sqlite3 "$db" "EXPLAIN QUERY PLAN SELECT count(*) FROM packets AS i WHERE point = 'in' AND NOT EXISTS
	    (SELECT 1 FROM packets AS o WHERE o.point = 'out' AND o.pkt_id = i.pkt_id)"
	assert_output --partial "SEARCH o USING COVERING INDEX packets_pkt_id (pkt_id=? AND point=?)"
}

@test "parse -o: a configured table with pkt_id gets its index, one without none" {
	db="$BATS_TEST_TMPDIR/t.db"
	printf 'Table ID: ids\nFields: ip.id, pkt_id\nTable ID: plain\nFields: ip.id\n' >"$BATS_TEST_TMPDIR/c.conf"
	run -0 "$BIN/vnd-parse" -q -c "$BATS_TEST_TMPDIR/c.conf" -o "$db" "$SAMPLES/snat-inside.pcap"
	run -0 sqlite3 "$db" "SELECT name || ' ' || tbl_name FROM sqlite_master WHERE type = 'index'"
	assert_output "ids_pkt_id ids"
}

@test "parse -o: the point of each of two files read back by vnd-rtt as from the captures" {
	db="$BATS_TEST_TMPDIR/t.db"
	"$BIN/vnd-parse" -q -o "$db" in="$SAMPLES/path-r1in.pcap" out="$SAMPLES/path-r1out.pcap"
	"$BIN/vnd-rtt" -q out="$db" >"$BATS_TEST_TMPDIR/db.tsv"
	"$BIN/vnd-rtt" -q out="$SAMPLES/path-r1out.pcap" >"$BATS_TEST_TMPDIR/pcap.tsv"
	diff -u "$BATS_TEST_TMPDIR/pcap.tsv" "$BATS_TEST_TMPDIR/db.tsv"
}

@test "parse -o: an input cut short is kept with the others, the file committed, exit 1" {
	db="$BATS_TEST_TMPDIR/t.db"
	head -c 20000 "$SAMPLES/snat-inside.pcap" >"$BATS_TEST_TMPDIR/cut.pcap"
	run -1 --separate-stderr "$BIN/vnd-parse" -q -o "$db" "$BATS_TEST_TMPDIR/cut.pcap" "$SAMPLES/snat-outside.pcap"
	[[ $stderr == *"'$BATS_TEST_TMPDIR/cut.pcap': truncated record"* ]]
	# 156 whole records in the first 20000 bytes, as the TSV of the cut file has
	run -0 sqlite3 "$db" "SELECT point || ' ' || packets FROM meta ORDER BY point"
	assert_output $'cut 156\nsnat-outside 372'
	[ "$(sqlite3 "$db" "SELECT count(*) FROM packets WHERE point = 'cut'")" -eq 156 ]
	"$BIN/vnd-parse" -q -H "$BATS_TEST_TMPDIR/cut.pcap" >"$BATS_TEST_TMPDIR/cut.tsv" || true
	[ "$(wc -l <"$BATS_TEST_TMPDIR/cut.tsv")" -eq 156 ]
}
