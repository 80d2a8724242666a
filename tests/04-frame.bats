#!/usr/bin/env bats
# The frame every tool stands on (common/vnd_cli): its promises, tool by tool.
bats_require_minimum_version 1.5.0
load helpers

# the tools the Makefile builds
TOOLS=$(sed -n 's/^TOOLS[[:space:]]*=[[:space:]]*//p' "$TOP/Makefile")

@test "frame: --help and -V go to stdout, exit 0" {
	for t in $TOOLS; do
		run -0 "$BIN/vnd-$t" --help
		[[ $output == "usage: vnd-$t "* ]]
		run -0 "$BIN/vnd-$t" -V
		[ "$output" = "vnd-$t $(sed -n 's/.*VND_VERSION[^"]*"\(.*\)"/\1/p' "$TOP/common/vnd.h")" ]
	done
}

@test "frame: a full stdout after -h is one line on stderr" {
	for t in $TOOLS; do
		run -1 --separate-stderr sh -c '"$0" -h >/dev/full' "$BIN/vnd-$t"
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ $stderr == "vnd-$t: stdout: "* ]]
	done
}

@test "frame: an unknown option is usage on stderr, exit 2, nothing on stdout" {
	for t in $TOOLS; do
		run -2 --separate-stderr "$BIN/vnd-$t" --bogus
		[ "$output" = "" ]
		[[ $stderr == *"usage: vnd-$t "* ]]
	done
}

@test "frame: -H, -h and -V are in every tool's help once; -H only where there is a table" {
	for t in $TOOLS; do
		"$BIN/vnd-$t" --help >"$BATS_TEST_TMPDIR/h"
		[ "$(grep -c -- '^  -h, --help ' "$BATS_TEST_TMPDIR/h")" -eq 1 ]
		[ "$(grep -c -- '^  -V, --version ' "$BATS_TEST_TMPDIR/h")" -eq 1 ]
	done
	for t in capture plot report; do
		run -2 "$BIN/vnd-$t" -H
	done
}

@test "frame: a file that is not a capture writes nothing on stdout, one line on stderr" {
	printf 'not a capture\n' >"$BATS_TEST_TMPDIR/a.txt"
	for t in rtt tcpstate; do
		run -1 --separate-stderr "$BIN/vnd-$t" "$BATS_TEST_TMPDIR/a.txt"
		[ "$output" = "" ]
		[ "$stderr" = "vnd-$t: '$BATS_TEST_TMPDIR/a.txt': not a capture file (unknown format)" ]
	done
	for t in hoploss correlate; do
		run -1 --separate-stderr "$BIN/vnd-$t" "$BATS_TEST_TMPDIR/a.txt" "$SAMPLES/path-client.pcap"
		[ "$output" = "" ]
		[ "$stderr" = "vnd-$t: '$BATS_TEST_TMPDIR/a.txt': not a capture file (unknown format)" ]
	done
}

@test "frame: an aborted SQLite run leaves neither the file nor its temporary" {
	printf 'not a capture\n' >"$BATS_TEST_TMPDIR/a.txt"
	cd "$BATS_TEST_TMPDIR"
	for t in rtt tcpstate; do
		run -1 "$BIN/vnd-$t" -o out.db a.txt
		[ ! -e out.db ]
	done
	run -0 ls -A
	[ "$output" = "a.txt" ]
}

@test "frame: the meta table records the command as given, stdin and all" {
	cd "$BATS_TEST_TMPDIR"
	for t in rtt tcpstate; do
		"$BIN/vnd-$t" -o "$t.db" <"$SAMPLES/path-client.pcap"
		run -0 sqlite3 "$t.db" "SELECT DISTINCT command FROM meta"
		[ "$output" = "$BIN/vnd-$t -o $t.db" ]
	done
}

@test "frame: -q silences the warning about a cut input, not the exit status" {
	head -c 100000 "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/cut.pcap"
	run -1 --separate-stderr "$BIN/vnd-rtt" "$BATS_TEST_TMPDIR/cut.pcap"
	[[ $stderr == *"cut.pcap'"* ]]
	run -1 --separate-stderr "$BIN/vnd-rtt" -q "$BATS_TEST_TMPDIR/cut.pcap"
	[ "$stderr" = "" ]
	[ "${#lines[@]}" -gt 1 ]
}

optspec() {
	cc -std=c11 -D_GNU_SOURCE -I"$TOP/common" -o "$BATS_TEST_TMPDIR/optspec" \
	    "$TOP/tests/optspec-check.c" "$TOP/common/vnd_optspec.c" \
	    "$TOP/common/vnd_errf.c"
	"$BATS_TEST_TMPDIR/optspec" "$@"
}

@test "frame: a help text's option lines are the options, the rest is not" {
	cat >"$BATS_TEST_TMPDIR/help" <<-'END'
	usage: vnd-x [-ab] [-c n] [--long] [-o file.db]
	             point ... (a synopsis line with -z in it)
	      --all             a long-only option, no argument
	  -b                    short only
	  -c N                  short only, with an argument
	  -d, --delay SECS      both, with an argument; a text that goes on
	                        -e on a continuation line is no option
	      --offset NAME=SECS  long only, with an argument
	  -o, --output FILE     a common option, left out
	A note: -f is no option either.
	END
	run -0 optspec "$BATS_TEST_TMPDIR/help" "all=a offset=O" "o"
	[ "${lines[0]}" = "optstring bc:d:" ]
	[ "${lines[1]}" = "--all - -> a" ]
	[ "${lines[2]}" = "--delay ARG -> d" ]
	[ "${lines[3]}" = "--offset ARG -> O" ]
	[ "${#lines[@]}" -eq 4 ]
}

@test "frame: a long-only option without a letter, or with a short one's, is refused" {
	printf '      --all   text\n  -a, --any   text\n' >"$BATS_TEST_TMPDIR/help"
	run -1 optspec "$BATS_TEST_TMPDIR/help" "" ""
	[ "$output" = "error: --all: no letter for it" ]
	run -1 optspec "$BATS_TEST_TMPDIR/help" "all=a" ""
	[ "$output" = "error: -a: a short option and a long one's letter" ]
}

@test "frame: every option --help lists is one the tool takes" {
	for t in $TOOLS; do
		"$BIN/vnd-$t" --help | sed -n 's/^  *\(-[a-zA-Z]\)\{0,1\},\{0,1\} *\(--[a-z-]*\).*/\2/p' \
		    >"$BATS_TEST_TMPDIR/longs"
		[ -s "$BATS_TEST_TMPDIR/longs" ]
		while read -r o; do
			run --separate-stderr "$BIN/vnd-$t" "$o" </dev/null
			[[ $stderr != *"unrecognized option"* && $stderr != *"'s usage: "* ]] ||
			    { echo "$t $o: $stderr"; false; }
		done <"$BATS_TEST_TMPDIR/longs"
	done
}

@test "frame: a bad value names its option as it was given, never a long-only option's letter" {
	run -2 --separate-stderr "$BIN/vnd-rtt" -i x "$SAMPLES/path-client.pcap"
	[ "${stderr_lines[0]}" = "vnd-rtt: -i 'x': seconds, from 0.000001 to 86400" ]
	run -2 --separate-stderr "$BIN/vnd-rtt" --interval=x "$SAMPLES/path-client.pcap"
	[ "${stderr_lines[0]}" = "vnd-rtt: --interval 'x': seconds, from 0.000001 to 86400" ]
	run -2 --separate-stderr "$BIN/vnd-stitch" --reply-wait x "$SAMPLES/path-client.pcap"
	[ "${stderr_lines[0]}" = "vnd-stitch: --reply-wait 'x': seconds, from 0.000001 to 86400" ]
	run -2 --separate-stderr "$BIN/vnd-select" -e loss --prob 2 "$SAMPLES/path-client.pcap"
	[ "${stderr_lines[0]}" = "vnd-select: --prob '2': a ratio from 0 to 1" ]
}

@test "source: no function in cmd/ or common/ reaches 150 lines" {
	# a function's body: from its "{" in column 0 to its "}" in column 0
	run -0 awk '
	    FNR == 1 { start = 0 }
	    /^\{/ { start = FNR }
	    /^\}/ && start { if (FNR - start >= 150) print FILENAME ":" start, FNR - start; start = 0 }
	' "$TOP"/cmd/*/*.c "$TOP"/common/*.c
	[ -z "$output" ]
}

@test "frame: SIGBUS (a mapped input cut short) is one line, exit 1, no SQLite file left" {
	local d=$BATS_TEST_TMPDIR pid rc=0
	# the reader waits on a pipe that stays open; the signal stands for
	# the kernel's
	sleep 29 | "$BIN/vnd-parse" -o "$d/out.db" - 2>"$d/err" 3>&- &
	pid=$!
	for _ in $(seq 100); do
		compgen -G "$d/out.db.tmp-*" >/dev/null && break
		sleep 0.1
	done
	sleep 1			# the sink open, its name kept for the handler
	kill -BUS "$pid"
	pkill -f "sleep 29" || true
	wait "$pid" || rc=$?
	[ "$rc" -eq 1 ]
	[ "$(cat "$d/err")" = "vnd-parse: an input file was cut short while it was read (SIGBUS)" ]
	run compgen -G "$d/out.db*"
	[ "$status" -ne 0 ]
}
