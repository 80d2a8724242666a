#!/usr/bin/env bats
# vnd-rootcause on the vnd_cli frame: errno in its messages, the meta table of its database, a failed stdout; and the dispatcher's stdout.
bats_require_minimum_version 1.5.0
load helpers

@test "rootcause: a missing counters file says why, and writes nothing" {
	run -1 --separate-stderr "$BIN/vnd-rootcause" -c "$BATS_TEST_TMPDIR/none.tsv"
	[ "$stderr" = "vnd-rootcause: cannot open '$BATS_TEST_TMPDIR/none.tsv': No such file or directory" ]
	[ -z "$output" ]
}

@test "rootcause: a directory as an input says why" {
	run -1 --separate-stderr "$BIN/vnd-rootcause" --hops "$BATS_TEST_TMPDIR"
	[ "$stderr" = "vnd-rootcause: cannot read '$BATS_TEST_TMPDIR': Is a directory" ]
}

@test "rootcause: an input without its columns writes no header" {
	run -1 --separate-stderr "$BIN/vnd-rootcause" -c "$DATA/chain.tsv"
	[ "$stderr" = "vnd-rootcause: '$DATA/chain.tsv': no element, attr, value columns" ]
	[ -z "$output" ]
}

@test "rootcause: the database's meta table names every input, its rows, and the command" {
	need_cmd sqlite3
	db=$BATS_TEST_TMPDIR/r.db
	st=$BATS_TEST_TMPDIR/st.tsv
	printf 'point\tsender\tdata_bytes\tsender_limited_ratio\treceiver_limited_ratio\n' >"$st"
	printf 'r2out\tclient\t1000\t0.1\t0.5\n' >>"$st"
	"$BIN/vnd-rootcause" -o "$db" -c "$SAMPLES/path.truth.tsv" --chain "$DATA/chain.tsv" -s "$st"
	sqlite3 -separator '|' "$db" "SELECT point, file, format, packets, offset_ns, tool, version, command FROM meta" >"$BATS_TEST_TMPDIR/got"
	cmd="$BIN/vnd-rootcause -o $db -c $SAMPLES/path.truth.tsv --chain $DATA/chain.tsv -s $st"
	v=$("$BIN/vnd-rootcause" -V | cut -d' ' -f2)
	{
		echo "counters|$SAMPLES/path.truth.tsv|tsv|$(($(wc -l <"$SAMPLES/path.truth.tsv") - 1))|0|vnd-rootcause|$v|$cmd"
		echo "chain|$DATA/chain.tsv|tsv|4|0|vnd-rootcause|$v|$cmd"
		echo "state|$st|tsv|1|0|vnd-rootcause|$v|$cmd"
	} >"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# the relay before the sink could not write: the sink is the cause
	[ "$(sqlite3 "$db" "SELECT element FROM causes WHERE analysis = 'chain'")" = sink ]
}

@test "rootcause: a chain on the command line is in the meta table as given" {
	need_cmd sqlite3
	db=$BATS_TEST_TMPDIR/r.db
	"$BIN/vnd-hoploss" -q r2in="$SAMPLES/path-r2in.pcap" r2out="$SAMPLES/path-r2out.pcap" >"$BATS_TEST_TMPDIR/hops.tsv"
	"$BIN/vnd-rootcause" -o "$db" --hops "$BATS_TEST_TMPDIR/hops.tsv" --chain r2=r2in/r2out
	run -0 sqlite3 "$db" "SELECT point || ' ' || file || ' ' || format || ' ' || packets FROM meta"
	[ "${lines[0]}" = "chain r2=r2in/r2out inline 1" ]
	[ "${lines[1]}" = "hops $BATS_TEST_TMPDIR/hops.tsv tsv 2" ]
	[ "$(sqlite3 "$db" "SELECT element FROM causes WHERE rank = 1")" = r2 ]
}

@test "rootcause: counters on standard input serve the chain and the drops" {
	run -0 --separate-stderr "$BIN/vnd-rootcause" -H -c - --chain "$DATA/perfsight-chain.tsv" <"$DATA/perfsight-chain-stats.tsv"
	[ "$(cut -f2 <<<"${lines[0]}")" = ids ]
}

@test "rootcause: a full standard output is one line on stderr and exit 1" {
	run -1 --separate-stderr bash -c '"$1" -c "$2" >/dev/full' - "$BIN/vnd-rootcause" "$SAMPLES/path.truth.tsv"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == *"No space left on device"* ]]
	run -1 --separate-stderr bash -c '"$1" --help >/dev/full' - "$BIN/vnd-rootcause"
	[ "${#stderr_lines[@]}" -eq 1 ]
	run -1 --separate-stderr bash -c '"$1" -V >/dev/full' - "$BIN/vnd-rootcause"
	[ "$stderr" = "vnd-rootcause: stdout: No space left on device" ]
}

@test "rootcause: an operand is a usage error that names it" {
	run -2 --separate-stderr "$BIN/vnd-rootcause" -c "$SAMPLES/path.truth.tsv" extra
	[ "${stderr_lines[0]}" = "vnd-rootcause: unexpected operand 'extra'" ]
	[ -z "$output" ]
}

@test "vnd: what the dispatcher prints itself into a full stdout is exit 1, one line" {
	for a in --version --help --list; do
		run -1 --separate-stderr bash -c '"$1" "$2" >/dev/full' - "$BIN/vnd" "$a"
		[ "$stderr" = "vnd: stdout: No space left on device" ]
	done
	# a tool's own exit status comes through
	run -1 --separate-stderr bash -c '"$1" rootcause -V >/dev/full' - "$BIN/vnd"
	[ "$stderr" = "vnd-rootcause: stdout: No space left on device" ]
}
