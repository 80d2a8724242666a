#!/usr/bin/env bats
# vnd-parse on bad input and bad command lines: one clear line, the right status, nothing lost.
bats_require_minimum_version 1.5.0
load helpers

@test "parse: unknown option is a usage error" {
	run -2 --separate-stderr "$BIN/vnd-parse" --bogus
	[[ $stderr == *"usage: vnd-parse"* ]]
	[ -z "$output" ]
}

@test "parse: --help prints usage on stdout and exits 0" {
	run -0 --separate-stderr "$BIN/vnd-parse" --help
	[[ $output == "usage: vnd-parse"* ]]
	[ -z "$stderr" ]
}

@test "parse: --version" {
	run -0 "$BIN/vnd-parse" --version
	[[ $output == "vnd-parse "[0-9]* ]]
}

# status | arguments | what stderr says
@test "parse: bad input table" {
	printf 'hello, this is not a capture\n' >"$BATS_TEST_TMPDIR/text.pcap"
	: >"$BATS_TEST_TMPDIR/empty.pcap"
	while IFS='|' read -r st args msg; do
		eval "set -- $args"
		run --separate-stderr "$BIN/vnd-parse" "$@"
		echo "args: $args -> status $status: $stderr"
		[ "$status" -eq "$st" ]
		[[ $stderr == *"$msg"* ]]
		[ "$(printf '%s\n' "$stderr" | wc -l)" -le 2 ]
	done <<-TABLE
	1|$BATS_TEST_TMPDIR/text.pcap|not a capture file
	1|$BATS_TEST_TMPDIR/empty.pcap|empty file
	1|/nonexistent/x.pcap|No such file or directory
	2|-f 'tcp port' $SAMPLES/snat-inside.pcap|filter:
	2|-c /nonexistent.conf $SAMPLES/snat-inside.pcap|cannot open
	2|$SAMPLES/snat-inside.pcap -p a|names no file
	2|a=$SAMPLES/snat-inside.pcap a=$SAMPLES/snat-outside.pcap|named twice
	2|- -|only once
	TABLE
}

@test "parse: a truncated capture writes every whole record, names the byte offset, exits 1" {
	head -c 20000 "$SAMPLES/snat-inside.pcap" >"$BATS_TEST_TMPDIR/cut.pcap"
	run -1 --separate-stderr "$BIN/vnd-parse" -q -p snat-inside "$BATS_TEST_TMPDIR/cut.pcap"
	[[ $stderr == *"truncated record"*" at byte "* ]]
	# every row written is the golden row
	n=$(printf '%s\n' "$output" | wc -l)
	[ "$n" -gt 100 ]
	head -n "$n" "$GOLDEN/parse/snat-inside.tsv" | diff -u - <(printf '%s\n' "$output")
	# and the cut record is the one after the last whole one
	off=$(printf '%s\n' "$stderr" | sed -n 's/.*at byte \([0-9]*\).*/\1/p')
	[ "$off" -lt 20000 ]
	[ "$off" -gt 19000 ]
}

@test "parse: a truncated gzip stream is reported, the whole records before it kept" {
	gzip -c <"$SAMPLES/snat-inside.pcap" >"$BATS_TEST_TMPDIR/whole.pcap.gz"
	head -c 9000 "$BATS_TEST_TMPDIR/whole.pcap.gz" >"$BATS_TEST_TMPDIR/cut.pcap.gz"
	run -1 --separate-stderr "$BIN/vnd-parse" -q "$BATS_TEST_TMPDIR/cut.pcap.gz"
	[[ $stderr == *"gzip stream ends early"* || $stderr == *"truncated"* ]]
	[ "$(printf '%s\n' "$output" | wc -l)" -gt 10 ]
}

@test "parse: a header-only pcap is an empty table, exit 0" {
	head -c 24 "$SAMPLES/snat-inside.pcap" >"$BATS_TEST_TMPDIR/hdr.pcap"
	run -0 "$BIN/vnd-parse" -q "$BATS_TEST_TMPDIR/hdr.pcap"
	[ "${#lines[@]}" -eq 1 ]
}

@test "parse: --strict makes a malformed packet fatal" {
	# frame 2 of this capture claims an IP length beyond its frame
	need_corpus
	run -1 --separate-stderr "$BIN/vnd-parse" --strict "$CORPUS/tcptrace/input/fast_reuse.dmp.gz"
	[[ $stderr == *"frame 2: malformed: ipv4 length beyond frame"* ]]
	run -0 --separate-stderr "$BIN/vnd-parse" "$CORPUS/tcptrace/input/fast_reuse.dmp.gz"
	[[ $stderr == *"malformed packets (first: frame 2, ipv4 length beyond frame)"* ]]
}

@test "parse: a failed run leaves an existing SQLite file intact" {
	db="$BATS_TEST_TMPDIR/t.db"
	"$BIN/vnd-parse" -q -o "$db" "$SAMPLES/snat-inside.pcap"
	sum=$(cksum <"$db")
	printf 'not a capture\n' >"$BATS_TEST_TMPDIR/bad.pcap"
	run -1 "$BIN/vnd-parse" -q -o "$db" "$SAMPLES/snat-outside.pcap" "$BATS_TEST_TMPDIR/bad.pcap"
	[ "$(cksum <"$db")" = "$sum" ]
	[ -z "$(ls "$BATS_TEST_TMPDIR" | grep tmp-)" ]
}

@test "parse: SIGINT during a SQLite run leaves no temporary file and the old database" {
	db="$BATS_TEST_TMPDIR/t.db"
	"$BIN/vnd-parse" -q -o "$db" "$SAMPLES/snat-inside.pcap"
	sum=$(cksum <"$db")
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	{ head -c 10000 "$SAMPLES/snat-inside.pcap"; sleep 2; } >"$BATS_TEST_TMPDIR/fifo" &
	"$BIN/vnd-parse" -q -o "$db" - <"$BATS_TEST_TMPDIR/fifo" &
	pid=$!
	sleep 0.5
	kill -INT $pid
	st=0
	wait $pid || st=$?
	[ "$st" -eq 1 ]
	[ "$(cksum <"$db")" = "$sum" ]
	[ -z "$(ls "$BATS_TEST_TMPDIR" | grep tmp-)" ]
}

@test "parse: inputs the fuzzer found end quickly, exit 0 or 1" {
	for f in "$DATA"/fuzz/*; do
		st=0
		timeout 10 "$BIN/vnd-parse" -q "$f" >/dev/null 2>&1 || st=$?
		echo "$f: $st"
		[ "$st" -le 1 ]
	done
}

@test "parse: -o onto a device or fifo is refused, never replaced by the rename" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	run -1 --separate-stderr "$BIN/vnd-parse" -q -o "$BATS_TEST_TMPDIR/fifo" "$SAMPLES/snat-inside.pcap"
	[[ $stderr == *"not a regular file"* ]]
	[ -p "$BATS_TEST_TMPDIR/fifo" ]
}
