#!/usr/bin/env bats
# vnd-select --monitor: MOZART's two-mode monitors against the strawman, on the samples and on a fresh recording.
bats_require_minimum_version 1.5.0
load helpers

# invariants of every row of a monitors table
check_rows() {
	# whole + partial + missed = the selected flows; no more entries than the table has
	[ "$(tsv_count 'v["whole"] + v["partial"] + v["missed"] != v["selected_flows"]' "$1")" -eq 0 ]
	[ "$(tsv_count 'v["entries_used"] > v["entries"]' "$1")" -eq 0 ]
	[ "$(tsv_count 'v["pre_kept_pkts"] > v["pre_pkts"]' "$1")" -eq 0 ]
	# the strawman keeps nothing from before the decision
	[ "$(tsv_count 'v["mode"] == "strawman" && v["pre_kept_pkts"] != 0' "$1")" -eq 0 ]
}

@test "select monitor: the path samples, a row per monitor and table, the same twice" {
	cd "$SAMPLES"
	"$BIN/vnd-select" --monitor -e loss client=path-client.pcap r1in=path-r1in.pcap server=path-server.pcap >"$BATS_TEST_TMPDIR/m1"
	"$BIN/vnd-select" --monitor -e loss client=path-client.pcap r1in=path-r1in.pcap server=path-server.pcap >"$BATS_TEST_TMPDIR/m2"
	cmp "$BATS_TEST_TMPDIR/m1" "$BATS_TEST_TMPDIR/m2"
	# 2 monitors x 8 sizes x (strawman + 3 probabilities)
	[ "$(tsv_count 'v["point"] != ""' "$BATS_TEST_TMPDIR/m1")" -eq 64 ]
	[ "$(tsv_count 'v["point"] == "client"' "$BATS_TEST_TMPDIR/m1")" -eq 0 ]
	[ "$(tsv_count 'v["selected_flows"] != 2' "$BATS_TEST_TMPDIR/m1")" -eq 0 ]
	check_rows "$BATS_TEST_TMPDIR/m1"
	# one table asked: it and its strawman
	"$BIN/vnd-select" --monitor --entries 1 -p 0.5 --delay 0 -e loss client=path-client.pcap server=path-server.pcap >"$BATS_TEST_TMPDIR/one"
	[ "$(tsv_count 'v["entries"] == 1' "$BATS_TEST_TMPDIR/one")" -eq 2 ]
	[ "$(tsv_count 'v["mode"] == "two-mode" && v["prob"] == 0.5' "$BATS_TEST_TMPDIR/one")" -eq 1 ]
	check_rows "$BATS_TEST_TMPDIR/one"
}

@test "select monitor: --monitor needs two points" {
	run -2 --separate-stderr "$BIN/vnd-select" --monitor -e loss "$SAMPLES/path-client.pcap"
	[[ $stderr == *"two or more"* ]]
}

@test "select monitor: on 192 connections through a lossy router, two-mode misses fewer than the strawman" {
	[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
	need_cmd iperf3
	need_cmd tcpdump
	need_cmd conntrack
	need_cmd socat
	local d="$BATS_TEST_TMPDIR/many"
	"$TOP/tests/select-net.sh" "$d" many
	cd "$d"
	"$BIN/vnd-select" -e loss ctap.pcap >sel.tsv
	nsel=$(tsv_count 'v["event"] == "loss"' sel.tsv)
	echo "$nsel lossy connections"
	[ "$nsel" -gt 10 ]
	"$BIN/vnd-select" --monitor -e loss ctap=ctap.pcap rout=rout.pcap srv=srv.pcap >mon.tsv
	tsv_col point mode entries prob whole partial missed pre_kept_ratio <mon.tsv
	check_rows mon.tsv
	# every lossy flow passed both monitors, through the NAT
	[ "$(tsv_count "v[\"selected_flows\"] != $nsel" mon.tsv)" -eq 0 ]
	# memory to spare: sampling half the packets keeps more selected flows
	# than recording them once selected, and most of their packets from before
	tsv_awk 'v["entries"] == 1024 && v["prob"] == 0 { print v["point"], v["missed"] }' mon.tsv | sort >straw
	tsv_awk 'v["entries"] == 1024 && v["prob"] == 0.5 { print v["point"], v["missed"] }' mon.tsv | sort >two
	join straw two | awk '{ print $1, $2, $3; if ($3 > $2) bad++ } END { exit bad }'
	[ "$(tsv_count 'v["entries"] == 1024 && v["prob"] == 0.5 && v["pre_kept_ratio"] < 0.5' mon.tsv)" -eq 0 ]
}
