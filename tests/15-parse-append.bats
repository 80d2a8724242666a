#!/usr/bin/env bats
# vnd-parse --append: new captures into a database, once each, atomically, one run at a time.
bats_require_minimum_version 1.5.0
load helpers

# the rows of a database's packets table, in a stable order
rows() {
	sqlite3 "$1" 'SELECT * FROM packets ORDER BY point, frame'
}

# big.pcap: path-client.pcap's 4514 frames, 150 times one after the other
# (114 MB): a load that takes seconds, to be caught in the middle
bigpcap() {
	python3 - "$SAMPLES/path-client.pcap" "$BATS_TEST_TMPDIR/big.pcap" 150 <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
recs, off = [], 24
while off + 16 <= len(d):
    ts, us, cl, wl = struct.unpack('<IIII', d[off:off + 16])
    recs.append((ts, us, cl, wl, d[off + 16:off + 16 + cl]))
    off += 16 + cl
span = recs[-1][0] - recs[0][0] + 1
with open(sys.argv[2], 'wb') as f:
    f.write(d[:24])
    for k in range(int(sys.argv[3])):
        for ts, us, cl, wl, b in recs:
            f.write(struct.pack('<IIII', ts + k * span, us, cl, wl) + b)
PY
}

# wait until file $1 exists and has at least $2 bytes (10 s at most)
wait_size() {
	local i
	for i in $(seq 200); do
		if [ -e "$1" ] && [ "$(stat -c %s "$1")" -ge "$2" ]; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# append big.pcap to database $1 in the background ($pid, its stderr in
# $BATS_TEST_TMPDIR/err), and wait until its log holds $2 bytes
bg_append() {
	"$BIN/vnd-parse" -q --append -o "$1" "$BATS_TEST_TMPDIR/big.pcap" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	wait_size "$1-wal" "$2"
}

@test "parse --append: two loads and a repeat give the rows of one load" {
	db="$BATS_TEST_TMPDIR/a.db"
	run -0 --separate-stderr "$BIN/vnd-parse" -q --append -o "$db" "$SAMPLES/path-client.pcap"
	run -0 --separate-stderr "$BIN/vnd-parse" -q --append -o "$db" "$SAMPLES/path-r1in.pcap"
	run -0 --separate-stderr "$BIN/vnd-parse" --append -o "$db" "$SAMPLES/path-r1in.pcap"
	[ "$stderr" = "vnd-parse: '$SAMPLES/path-r1in.pcap': loaded already, skipped" ]
	"$BIN/vnd-parse" -q -o "$BATS_TEST_TMPDIR/one.db" "$SAMPLES/path-client.pcap" "$SAMPLES/path-r1in.pcap"
	rows "$db" >"$BATS_TEST_TMPDIR/appended"
	rows "$BATS_TEST_TMPDIR/one.db" >"$BATS_TEST_TMPDIR/once"
	diff -u "$BATS_TEST_TMPDIR/once" "$BATS_TEST_TMPDIR/appended"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/once")" -eq 9028 ]
	# one meta row per file loaded, its size and hash those of the file
	[ "$(sqlite3 "$db" 'SELECT count(*) FROM meta')" -eq 2 ]
	[ "$(sqlite3 "$db" "SELECT file_sha256 FROM meta WHERE point = 'path-r1in'")" = "$(sha256sum <"$SAMPLES/path-r1in.pcap" | cut -d' ' -f1)" ]
	[ "$(sqlite3 "$db" "SELECT file_bytes FROM meta WHERE point = 'path-r1in'")" -eq "$(stat -c %s "$SAMPLES/path-r1in.pcap")" ]
	# the index the hop joins use is there, as after a one-shot load
	[ "$(sqlite3 "$db" "SELECT name FROM sqlite_master WHERE type = 'index'")" = packets_pkt_id ]
	# and the analyses read it as they read the one-shot database
	"$BIN/vnd-hoploss" -q path-client="$db" path-r1in="$db" >"$BATS_TEST_TMPDIR/h1"
	"$BIN/vnd-hoploss" -q path-client="$BATS_TEST_TMPDIR/one.db" path-r1in="$BATS_TEST_TMPDIR/one.db" >"$BATS_TEST_TMPDIR/h2"
	diff -u "$BATS_TEST_TMPDIR/h2" "$BATS_TEST_TMPDIR/h1"
}

@test "parse --append: a file loaded under another name is skipped by its content" {
	db="$BATS_TEST_TMPDIR/a.db"
	cp "$SAMPLES/path-client.pcap" "$BATS_TEST_TMPDIR/renamed.pcap"
	"$BIN/vnd-parse" -q --append -o "$db" "$SAMPLES/path-client.pcap"
	run -0 --separate-stderr "$BIN/vnd-parse" --append -o "$db" "$BATS_TEST_TMPDIR/renamed.pcap"
	[ "$stderr" = "vnd-parse: '$BATS_TEST_TMPDIR/renamed.pcap': loaded already (as '$SAMPLES/path-client.pcap'), skipped" ]
	[ "$(sqlite3 "$db" 'SELECT count(*) FROM packets')" -eq 4514 ]
}

@test "parse --append: a point's files number its frames on, (point, frame) unique" {
	db="$BATS_TEST_TMPDIR/a.db"
	"$BIN/vnd-parse" -q --append -o "$db" -p A "$SAMPLES/path-client.pcap"
	"$BIN/vnd-parse" -q --append -o "$db" A="$SAMPLES/path-r1in.pcap" A="$SAMPLES/path-r1out.pcap"
	sqlite3 "$db" 'SELECT point, first_frame, last_frame FROM meta ORDER BY rowid' >"$BATS_TEST_TMPDIR/got"
	printf 'A|1|4514\nA|4515|9028\nA|9029|13457\n' >"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	[ "$(sqlite3 "$db" 'SELECT count(*) FROM packets')" -eq 13457 ]
	[ "$(sqlite3 "$db" 'SELECT count(DISTINCT frame) FROM packets')" -eq 13457 ]
	# frame 4515 of A is the first frame of path-r1in.pcap
	[ "$(sqlite3 "$db" "SELECT ts_ns FROM packets WHERE point = 'A' AND frame = 4515")" = \
	  "$("$BIN/vnd-parse" -q "$SAMPLES/path-r1in.pcap" | tsv_awk 'v["frame"] == 1 { print v["ts_ns"] }')" ]
}

@test "parse --append: SIGKILL in the middle of a load leaves the database as it was" {
	db="$BATS_TEST_TMPDIR/a.db"
	bigpcap
	"$BIN/vnd-parse" -q --append -o "$db" "$SAMPLES/path-client.pcap"
	rows "$db" >"$BATS_TEST_TMPDIR/before"
	"$BIN/vnd-rtt" --summary "$db" >"$BATS_TEST_TMPDIR/rtt-before"
	# killed once 8 MB of its pages are written
	bg_append "$db" 8000000
	kill -9 $pid
	st=0
	wait $pid || st=$?
	[ "$st" -eq 137 ]
	rows "$db" >"$BATS_TEST_TMPDIR/after"
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	[ "$(sqlite3 "$db" 'SELECT count(*) FROM meta')" -eq 1 ]
	# a read-only reader reads it at once, as before
	"$BIN/vnd-rtt" --summary "$db" >"$BATS_TEST_TMPDIR/rtt-after"
	diff -u "$BATS_TEST_TMPDIR/rtt-before" "$BATS_TEST_TMPDIR/rtt-after"
	# and the file was not taken for loaded: the next run loads it whole
	"$BIN/vnd-parse" -q --append -o "$db" "$BATS_TEST_TMPDIR/big.pcap"
	[ "$(sqlite3 "$db" 'SELECT count(*) FROM packets')" -eq $(( 4514 + 150 * 4514 )) ]
}

@test "parse --append: a second run waits for the first's lock, or says it is held" {
	db="$BATS_TEST_TMPDIR/a.db"
	bigpcap
	"$BIN/vnd-parse" -q --append -o "$db" "$SAMPLES/path-client.pcap"
	bg_append "$db" 1
	run -1 --separate-stderr "$BIN/vnd-parse" -q --append --wait 0 -o "$db" "$SAMPLES/path-r1in.pcap"
	[ "$stderr" = "vnd-parse: '$db': locked by another vnd-parse --append; gave up after 0 s (--wait)" ]
	# with time to wait, it loads once the first has committed
	run -0 --separate-stderr "$BIN/vnd-parse" -q --append --wait 60 -o "$db" "$SAMPLES/path-r1out.pcap"
	wait $pid
	sqlite3 "$db" 'SELECT point FROM meta ORDER BY rowid' >"$BATS_TEST_TMPDIR/got"
	printf 'path-client\nbig\npath-r1out\n' >"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	[ "$(sqlite3 "$db" 'SELECT count(*) FROM packets')" -eq $(( 4514 + 150 * 4514 + 4429 )) ]
}

@test "parse --append: usage and a database that is not vnd's" {
	run -2 --separate-stderr "$BIN/vnd-parse" --append "$SAMPLES/path-client.pcap"
	[ "${stderr%%$'\n'*}" = "vnd-parse: --append needs -o FILE" ]
	run -2 --separate-stderr "$BIN/vnd-parse" --append -o "$BATS_TEST_TMPDIR/a.db" - <"$SAMPLES/path-client.pcap"
	[ "${stderr%%$'\n'*}" = "vnd-parse: --append loads files, not standard input" ]
	run -2 --separate-stderr "$BIN/vnd-parse" --append --wait soon -o "$BATS_TEST_TMPDIR/a.db" "$SAMPLES/path-client.pcap"
	[[ ${stderr%%$'\n'*} == "vnd-parse: --wait 'soon': "* ]]
	sqlite3 "$BATS_TEST_TMPDIR/other.db" 'CREATE TABLE t (x); INSERT INTO t VALUES (1)'
	run -1 --separate-stderr "$BIN/vnd-parse" --append -o "$BATS_TEST_TMPDIR/other.db" "$SAMPLES/path-client.pcap"
	[ "$stderr" = "vnd-parse: '$BATS_TEST_TMPDIR/other.db': not a vnd database" ]
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/other.db" 'SELECT count(*) FROM sqlite_master')" -eq 1 ]
}

@test "parse --append: at rest the database opens read-only where the reader cannot write" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to read as nobody"
	id nobody >/dev/null 2>&1 || skip "needs the user nobody"
	d=$(mktemp -d /tmp/sch$$.XXXXXX)
	chmod 755 "$d"
	"$BIN/vnd-parse" -q --append -o "$d/a.db" "$SAMPLES/path-client.pcap"
	# out of the write-ahead log once committed, no log file beside it
	[ "$(sqlite3 "$d/a.db" 'PRAGMA journal_mode')" = delete ]
	[ "$(ls "$d")" = a.db ]
	"$BIN/vnd-rtt" --summary "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/want"
	run -0 su nobody -s /bin/sh -c "'$BIN/vnd-rtt' --summary '$d/a.db'"
	rm -rf "$d"
	printf '%s\n' "${lines[@]}" >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "parse: a one-shot load over a database an append was killed in drops its log" {
	db="$BATS_TEST_TMPDIR/a.db"
	bigpcap
	"$BIN/vnd-parse" -q --append -o "$db" "$SAMPLES/path-client.pcap"
	bg_append "$db" 8000000
	kill -9 $pid
	wait $pid || true
	[ -e "$db-wal" ]
	"$BIN/vnd-parse" -q -o "$db" "$SAMPLES/path-r1in.pcap"
	[ ! -e "$db-wal" ]
	[ "$(sqlite3 "$db" 'SELECT DISTINCT point FROM packets')" = path-r1in ]
	[ "$(sqlite3 "$db" 'SELECT count(*) FROM packets')" -eq 4514 ]
}

@test "parse --append: a file cut short is not loaded, and is whole the next time" {
	db="$BATS_TEST_TMPDIR/a.db"
	head -c 300000 "$SAMPLES/path-r1in.pcap" >"$BATS_TEST_TMPDIR/ring-001.pcap"
	run -1 --separate-stderr "$BIN/vnd-parse" -q --append -o "$db" \
	    A="$SAMPLES/path-client.pcap" A="$BATS_TEST_TMPDIR/ring-001.pcap" B="$SAMPLES/path-r1out.pcap"
	[ "${lines[0]:-}" = "" ]
	[ "$stderr" = "vnd-parse: '$BATS_TEST_TMPDIR/ring-001.pcap': truncated record at byte 299972
vnd-parse: '$BATS_TEST_TMPDIR/ring-001.pcap': cut short: not loaded, a later run loads it whole" ]
	# the other files are in, none of its rows
	[ "$(sqlite3 "$db" "SELECT count(*) FROM packets WHERE point = 'A'")" -eq 4514 ]
	[ "$(sqlite3 "$db" "SELECT count(*) FROM packets WHERE point = 'B'")" -eq 4429 ]
	[ "$(sqlite3 "$db" 'SELECT count(*) FROM meta')" -eq 2 ]
	# the capture done, the next run loads it whole, after A's frames
	cp "$SAMPLES/path-r1in.pcap" "$BATS_TEST_TMPDIR/ring-001.pcap"
	run -0 "$BIN/vnd-parse" -q --append -o "$db" A="$BATS_TEST_TMPDIR/ring-001.pcap"
	[ "$(sqlite3 "$db" "SELECT first_frame || '-' || last_frame FROM meta WHERE file LIKE '%ring-001.pcap'")" = 4515-9028 ]
	[ "$(sqlite3 "$db" "SELECT count(*) FROM packets WHERE point = 'A'")" -eq 9028 ]
}

@test "parse --append: SIGINT takes the load back, the database at rest again" {
	db="$BATS_TEST_TMPDIR/a.db"
	bigpcap
	"$BIN/vnd-parse" -q --append -o "$db" "$SAMPLES/path-client.pcap"
	rows "$db" >"$BATS_TEST_TMPDIR/before"
	bg_append "$db" 1000000
	kill -INT $pid
	st=0
	wait $pid || st=$?
	[ "$st" -eq 1 ]
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = "vnd-parse: interrupted" ]
	rows "$db" >"$BATS_TEST_TMPDIR/after"
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	[ "$(sqlite3 "$db" 'PRAGMA journal_mode')" = delete ]
	[ ! -e "$db-wal" ]
}
