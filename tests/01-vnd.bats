#!/usr/bin/env bats
# The dispatcher, the man pages and the completions.
bats_require_minimum_version 1.5.0
load helpers

@test "vnd: 'vnd parse' runs vnd-parse with the same result" {
	"$BIN/vnd" parse -q "$SAMPLES/snat-inside.pcap" >"$BATS_TEST_TMPDIR/out"
	diff -u "$GOLDEN/parse/snat-inside.tsv" "$BATS_TEST_TMPDIR/out"
}

@test "vnd: the tool's exit status is vnd's" {
	run -2 "$BIN/vnd" parse --bogus
	run -1 "$BIN/vnd" parse /nonexistent
}

@test "vnd: --list names the tools beside it" {
	run -0 "$BIN/vnd" --list
	assert_line parse
	assert_line hoploss
	assert_line correlate
}

@test "vnd: an unknown tool is a usage error" {
	run -2 --separate-stderr "$BIN/vnd" frobnicate
	[[ $stderr == "vnd: 'frobnicate' is not a vnd tool; see 'vnd --list'" ]]
	run -2 --separate-stderr "$BIN/vnd"
	[[ $stderr == *"usage: vnd"* ]]
	run -2 "$BIN/vnd" ../bin/vnd-parse
}

@test "vnd: --help and --version" {
	run -0 "$BIN/vnd" --help
	[[ $output == "usage: vnd"* ]]
	run -0 "$BIN/vnd" --version
	[[ $output == "vnd "[0-9]* ]]
}

@test "docs: every man page is mandoc -Tlint clean" {
	need_cmd mandoc
	cd "$TOP/man"
	run -0 mandoc -Tlint -W warning *.1 *.5 *.7
	[ -z "$output" ]
	# and every tool built has its page
	for b in "$BIN"/vnd-*; do
		[ -f "$TOP/man/${b##*/}.1" ] || { echo "no page for ${b##*/}"; return 1; }
	done
}

@test "completions: every long option of --help is in the bash and zsh completions" {
	for b in "$BIN"/vnd "$BIN"/vnd-*; do
		run -0 "$TOP/completions/check-options.sh" "$b"
	done
}

@test "completions: the bash completion loads and completes vnd-parse options" {
	run -0 bash -c "source '$TOP/completions/bash/vnd-parse'; COMP_WORDS=(vnd-parse --st); COMP_CWORD=1; _vnd_parse 2>/dev/null || _vnd-parse; printf '%s\n' \"\${COMPREPLY[@]}\""
	assert_line --partial -- "--strict"
}
