#!/usr/bin/env bats
# vnd-tcpstate: connections caught mid-stream (window state from the first packet either way), and its command line.
bats_require_minimum_version 1.5.0
load helpers

@test "tcpstate: the meta table records the command as given, reading standard input" {
	need_cmd sqlite3
	cd "$BATS_TEST_TMPDIR"
	"$BIN/vnd-tcpstate" -o x.db <"$SAMPLES/snat-inside.pcap"
	sqlite3 x.db 'SELECT command FROM meta' >cmd
	# the old main() put "-" in argv before recording it: "... -o -"
	[ "$(cat cmd)" = "$BIN/vnd-tcpstate -o x.db" ]
	[ "$(sqlite3 x.db 'SELECT point FROM meta')" = stdin ]
	[ "$(sqlite3 x.db "SELECT count(*) FROM events WHERE event = 'syn'")" -eq 20 ]
}

@test "tcpstate: -i with --events needs -o; a bad -i is a usage error" {
	run -2 --separate-stderr "$BIN/vnd-tcpstate" --events -i 1 "$SAMPLES/snat-inside.pcap"
	[[ $stderr == *"--events and -i are different tables; -o holds both"* ]]
	run -2 --separate-stderr "$BIN/vnd-tcpstate" -i 0 "$SAMPLES/snat-inside.pcap"
	[[ $stderr == *"-i '0': seconds, from 0.000001 to 86400"* ]]
	[[ $stderr == *"usage: vnd-tcpstate"* ]]
}
