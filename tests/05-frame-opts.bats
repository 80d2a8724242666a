#!/usr/bin/env bats
# The frame keeps each option's last argument by its letter; tools read it
# through vnd_cli_flag/vnd_cli_str/vnd_cli_get_x (common/vnd_cli.h).
bats_require_minimum_version 1.5.0
load helpers

setup() {
	PCAP="$SAMPLES/path-client.pcap"
	OUT="$BATS_TEST_TMPDIR"
}

@test "frame opts: an option given twice takes its last value" {
	"$BIN/vnd-rtt" -i 0.5 -i 1 "$PCAP" >"$OUT/twice"
	"$BIN/vnd-rtt" -i 1 "$PCAP" >"$OUT/last"
	"$BIN/vnd-rtt" -i 0.5 "$PCAP" >"$OUT/first"
	diff -u "$OUT/last" "$OUT/twice"
	run -1 cmp -s "$OUT/first" "$OUT/twice"
}

@test "frame opts: the last value counts even when an earlier one was bad" {
	"$BIN/vnd-rtt" -i x -i 1 "$PCAP" >"$OUT/after-bad"
	"$BIN/vnd-rtt" -i 1 "$PCAP" >"$OUT/last"
	diff -u "$OUT/last" "$OUT/after-bad"
}

@test "frame opts: a bad value is named as it was given last, long or short" {
	run -2 --separate-stderr "$BIN/vnd-rtt" -i 1 --interval=x "$PCAP"
	[ "${stderr_lines[0]}" = "vnd-rtt: --interval 'x': seconds, from 0.000001 to 86400" ]
	run -2 --separate-stderr "$BIN/vnd-rtt" --interval 1 -i y "$PCAP"
	[ "${stderr_lines[0]}" = "vnd-rtt: -i 'y': seconds, from 0.000001 to 86400" ]
	[[ ${stderr_lines[1]} == "usage: vnd-rtt "* ]]
	[ "$output" = "" ]
}

@test "frame opts: a long-only option is named by its name, never its letter" {
	run -2 --separate-stderr "$BIN/vnd-select" -e loss --after x "$PCAP"
	[ "${stderr_lines[0]}" = "vnd-select: --after 'x': seconds, from 0.000001 to 86400" ]
	run -2 --separate-stderr "$BIN/vnd-stitch" -k k --max-held 0 "$PCAP"
	[ "${stderr_lines[0]}" = "vnd-stitch: --max-held '0': '0' is out of range 1..1073741824" ]
}

@test "frame opts: integers and ratios are checked with their ranges" {
	run -2 --separate-stderr "$BIN/vnd-check" --min-pkts -1 "$PCAP"
	[ "${stderr_lines[0]}" = "vnd-check: --min-pkts '-1': '-1' is out of range 0..9223372036854775807" ]
	run -2 --separate-stderr "$BIN/vnd-check" --loss 2 "$PCAP"
	[ "${stderr_lines[0]}" = "vnd-check: --loss '2': a ratio from 0 to 1" ]
	run -2 --separate-stderr "$BIN/vnd-select" -e loss --scan-failed 1.5 "$PCAP"
	[ "${stderr_lines[0]}" = "vnd-select: --scan-failed '1.5': a ratio from 0 to 1" ]
}

@test "frame opts: seconds-or-0 takes 0 and refuses a negative" {
	run -0 "$BIN/vnd-stitch" -k k -w 0 "$PCAP"
	run -2 --separate-stderr "$BIN/vnd-stitch" -k k -w -1 "$PCAP"
	[ "${stderr_lines[0]}" = "vnd-stitch: -w '-1': seconds, from 0.000001 to 86400" ]
}

@test "frame opts: a flag given twice is given once" {
	"$BIN/vnd-rtt" --summary --summary "$PCAP" >"$OUT/twice"
	"$BIN/vnd-rtt" --summary "$PCAP" >"$OUT/once"
	"$BIN/vnd-rtt" "$PCAP" >"$OUT/none"
	diff -u "$OUT/once" "$OUT/twice"
	run -1 cmp -s "$OUT/none" "$OUT/twice"
}

@test "frame opts: an option that repeats still adds up through option()" {
	"$BIN/vnd-select" -e loss -e reset "$PCAP" >"$OUT/two"
	"$BIN/vnd-select" -e loss,reset "$PCAP" >"$OUT/list"
	"$BIN/vnd-select" -e reset "$PCAP" >"$OUT/last"
	diff -u "$OUT/list" "$OUT/two"
	[ "$(tsv_count 1 "$OUT/two")" -gt "$(tsv_count 1 "$OUT/last")" ]
}

@test "frame opts: an option not given leaves the tool's default" {
	"$BIN/vnd-hoploss" "$PCAP" "$SAMPLES/path-server.pcap" >"$OUT/default"
	"$BIN/vnd-hoploss" -w 2 "$PCAP" "$SAMPLES/path-server.pcap" >"$OUT/two-s"
	"$BIN/vnd-hoploss" -w 0.000001 "$PCAP" "$SAMPLES/path-server.pcap" >"$OUT/tiny"
	diff -u "$OUT/two-s" "$OUT/default"
	run -1 cmp -s "$OUT/tiny" "$OUT/default"
}

@test "frame opts: an enumeration's bad word is said as before" {
	run -2 --separate-stderr "$BIN/vnd-correlate" --method nope "$PCAP" "$SAMPLES/path-server.pcap"
	[ "${stderr_lines[0]}" = "vnd-correlate: -m 'nope': time, auto, fingerprint, payload or order" ]
	run -2 --separate-stderr "$BIN/vnd-hoploss" --clock never "$PCAP" "$SAMPLES/path-server.pcap"
	[ "${stderr_lines[0]}" = "vnd-hoploss: --clock 'never': auto, sync or estimate" ]
}

@test "frame opts: a bad value is said before a wrong number of operands" {
	run -2 --separate-stderr "$BIN/vnd-sql" --by 'a b'
	[ "${stderr_lines[0]}" = "vnd-sql: --by 'a b': column names, comma-separated" ]
	run -2 --separate-stderr "$BIN/vnd-plot" -i x
	[ "${stderr_lines[0]}" = "vnd-plot: -i 'x': seconds, from 0.000001 to 86400" ]
	run -2 --separate-stderr "$BIN/vnd-sql" groups
	[[ ${stderr_lines[0]} == "usage: vnd-sql "* ]]
}
