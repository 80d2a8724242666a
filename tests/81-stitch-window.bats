#!/usr/bin/env bats
# vnd-stitch's window: a transaction quiet for the window is written and
# forgotten, so memory follows the transactions in flight, not the
# recording. Counted with --stats (messages and transactions held at once,
# batches written before the input's end), never timed.
bats_require_minimum_version 1.5.0
load helpers

CP="$SAMPLES/controlplane"

# replay OUT: the sample, then the sample again 30 s later from other
# addresses (127.1.0.1: new connections, the same request ids and bodies)
replay() {
	python3 - "$CP.pcap.gz" "$1" <<'PY'
import gzip, struct, sys
d = gzip.open(sys.argv[1]).read()
hdr, recs, i = d[:24], [], 24
while i + 16 <= len(d):
    s, us, cap, orig = struct.unpack("<IIII", d[i:i + 16])
    recs.append((s, us, cap, orig, d[i + 16:i + 16 + cap]))
    i += 16 + cap
with open(sys.argv[2], "wb") as f:
    f.write(hdr)
    for shift, addr in ((0, None), (30, bytes([127, 1, 0, 1]))):
        for s, us, cap, orig, p in recs:
            if addr is not None and len(p) >= 34 and p[12:14] == b"\x08\x00":
                p = p[:26] + addr + addr + p[34:]
            f.write(struct.pack("<IIII", s + shift, us, cap, orig) + p)
PY
}

# held FILE WHAT: the number before WHAT in --stats' line
held() {
	sed -n "s/.* \([0-9][0-9]*\) $2.*/\1/p" "$1"
}

# per_op FILE: request id, HTTP + RPC messages of each transaction
per_op() {
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	    { print $c["request_id"] "\t" $c["http"] + $c["rpc"] }' "$1" | sort
}

@test "stitch: window: a replay 30 s later is written apart, each copy whole, one copy held at most" {
	replay "$BATS_TEST_TMPDIR/two.pcap"
	"$BIN/vnd-stitch" -k test "$CP.pcap.gz" >"$BATS_TEST_TMPDIR/one.m"
	"$BIN/vnd-stitch" -k test -w 10 --reply-wait 10 --stats --transactions "$BATS_TEST_TMPDIR/two.pcap" \
	    >"$BATS_TEST_TMPDIR/t" 2>"$BATS_TEST_TMPDIR/stats"
	cat "$BATS_TEST_TMPDIR/stats"
	# every boot twice, each time with the messages its services logged
	awk -F'\t' '$3 == "send" { n[$5]++ } END { for (k in n) { print k "\t" n[k]; print k "\t" n[k] } }' \
	    "$CP.log" | sort >"$BATS_TEST_TMPDIR/want"
	per_op "$BATS_TEST_TMPDIR/t" >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# the first copy was written and freed before the second came
	[ "$(held "$BATS_TEST_TMPDIR/stats" 'batches written')" -ge 1 ]
	[ "$(held "$BATS_TEST_TMPDIR/stats" 'messages,')" -le "$(tsv_count 'v["msg"] > 0' "$BATS_TEST_TMPDIR/one.m")" ]
	[ "$(held "$BATS_TEST_TMPDIR/stats" 'transactions and')" -le 40 ]
	# the first copy's connections forgotten, their places taken again (the
	# second copy's first one comes just before they are forgotten)
	"$BIN/vnd-stitch" -k test --streams "$CP.pcap.gz" >"$BATS_TEST_TMPDIR/one.s"
	one=$(tsv_col conn <"$BATS_TEST_TMPDIR/one.s" | sort -u | wc -l)
	[ "$(held "$BATS_TEST_TMPDIR/stats" 'connections;')" -eq $((2 * one)) ]
	[ "$(held "$BATS_TEST_TMPDIR/stats" 'connections held')" -le $((one + 1)) ]
}

@test "stitch: window: -w 0 holds everything to the end: the copies' ids join them" {
	replay "$BATS_TEST_TMPDIR/two.pcap"
	"$BIN/vnd-stitch" -k test -w 0 --stats --transactions "$BATS_TEST_TMPDIR/two.pcap" \
	    >"$BATS_TEST_TMPDIR/t" 2>"$BATS_TEST_TMPDIR/stats"
	[ "$(tsv_count 'v["txn"] > 0' "$BATS_TEST_TMPDIR/t")" -eq 40 ]
	[ "$(held "$BATS_TEST_TMPDIR/stats" 'batches written')" -eq 0 ]
	[ "$(held "$BATS_TEST_TMPDIR/stats" 'messages,')" -eq 916 ]
	[ "$(held "$BATS_TEST_TMPDIR/stats" 'connections held')" -eq "$(held "$BATS_TEST_TMPDIR/stats" 'connections;')" ]
}

@test "stitch: window: forgetting connections a window after their end changes no stream's row" {
	replay "$BATS_TEST_TMPDIR/two.pcap"
	"$BIN/vnd-stitch" -k test -w 0 --streams "$BATS_TEST_TMPDIR/two.pcap" >"$BATS_TEST_TMPDIR/all"
	"$BIN/vnd-stitch" -k test -w 1 --streams "$BATS_TEST_TMPDIR/two.pcap" >"$BATS_TEST_TMPDIR/win"
	sort "$BATS_TEST_TMPDIR/all" >"$BATS_TEST_TMPDIR/want"
	sort "$BATS_TEST_TMPDIR/win" >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	[ "$(tsv_count 'v["conn"] > 0' "$BATS_TEST_TMPDIR/win")" -gt 400 ]
}

@test "stitch: window: the faults of both copies, each found again" {
	replay "$BATS_TEST_TMPDIR/two.pcap"
	"$BIN/vnd-stitch" -k test --faults "$CP.pcap.gz" >"$BATS_TEST_TMPDIR/f1"
	"$BIN/vnd-stitch" -k test -w 10 --reply-wait 10 --faults "$BATS_TEST_TMPDIR/two.pcap" >"$BATS_TEST_TMPDIR/f2"
	# the same root causes (fault kind, status, failure), twice
	tsv_col fault <"$BATS_TEST_TMPDIR/f1" >"$BATS_TEST_TMPDIR/k1"
	tsv_col fault <"$BATS_TEST_TMPDIR/f2" >"$BATS_TEST_TMPDIR/k2"
	cat "$BATS_TEST_TMPDIR/k1" "$BATS_TEST_TMPDIR/k1" | sort >"$BATS_TEST_TMPDIR/want"
	sort "$BATS_TEST_TMPDIR/k2" >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	[ "$(tsv_count 'v["txn"] > 0' "$BATS_TEST_TMPDIR/f2")" -eq 16 ]
}

@test "stitch: window: transactions numbered by first message, whatever the window" {
	replay "$BATS_TEST_TMPDIR/two.pcap"
	"$BIN/vnd-stitch" -k test -w 10 --transactions "$BATS_TEST_TMPDIR/two.pcap" >"$BATS_TEST_TMPDIR/a"
	"$BIN/vnd-stitch" -k test -w 25 --transactions "$BATS_TEST_TMPDIR/two.pcap" >"$BATS_TEST_TMPDIR/b"
	diff -u "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	# numbers in the order of the transactions' first bytes
	tsv_col ts_ns <"$BATS_TEST_TMPDIR/a" >"$BATS_TEST_TMPDIR/ts"
	sort -n "$BATS_TEST_TMPDIR/ts" | diff -u - "$BATS_TEST_TMPDIR/ts"
}

@test "stitch: window: operands read in turn: nothing written before the last one is read" {
	replay "$BATS_TEST_TMPDIR/two.pcap"
	"$BIN/vnd-stitch" -k test --stats --transactions a="$BATS_TEST_TMPDIR/two.pcap" \
	    b="$BATS_TEST_TMPDIR/two.pcap" >"$BATS_TEST_TMPDIR/t" 2>"$BATS_TEST_TMPDIR/stats"
	cat "$BATS_TEST_TMPDIR/stats"
	# all of a was held while b was read: a's two copies joined by their
	# ids, as with -w 0
	[ "$(held "$BATS_TEST_TMPDIR/stats" 'messages,')" -ge 916 ]
	[ "$(tsv_count 'v["txn"] > 0' "$BATS_TEST_TMPDIR/t")" -eq 40 ]
}

@test "stitch: window: a bad -w is a usage error" {
	run -2 --separate-stderr "$BIN/vnd-stitch" -w -1 "$CP.pcap.gz"
	[[ $stderr == *"-w '-1'"* ]]
	run -2 --separate-stderr "$BIN/vnd-stitch" --window soon "$CP.pcap.gz"
	[[ $stderr == *"usage: vnd-stitch"* ]]
}

@test "stitch: every long option of --help is in the bash and zsh completions" {
	"$BIN/vnd-stitch" --help | grep -o -- '--[a-z][a-z-]*' | sort -u >"$BATS_TEST_TMPDIR/help"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/help")" -ge 10 ]
	while read -r o; do
		echo "$o"
		grep -q -- "$o" "$TOP/completions/bash/vnd-stitch"
		grep -q -- "$o" "$TOP/completions/zsh/_vnd-stitch"
	done <"$BATS_TEST_TMPDIR/help"
}

@test "stitch: window: a call still unanswered holds its transaction for the reply wait" {
	# the sample's pauses inside a transaction are up to 1.6 s: a window
	# of 0.05 s would cut most of them, but each waits for an answer
	"$BIN/vnd-stitch" -k test -w 0 --faults "$CP.pcap.gz" >"$BATS_TEST_TMPDIR/all"
	"$BIN/vnd-stitch" -k test -w 0.05 --faults "$CP.pcap.gz" >"$BATS_TEST_TMPDIR/short"
	diff -u "$BATS_TEST_TMPDIR/all" "$BATS_TEST_TMPDIR/short"
	# without the wait, the same window cuts transactions apart
	"$BIN/vnd-stitch" -k test -w 0.05 --reply-wait 0.05 --faults "$CP.pcap.gz" \
	    >"$BATS_TEST_TMPDIR/cut"
	[ "$(tsv_count 'v["txn"] > 0' "$BATS_TEST_TMPDIR/cut")" -ne \
	    "$(tsv_count 'v["txn"] > 0' "$BATS_TEST_TMPDIR/all")" ] ||
	    ! diff -q "$BATS_TEST_TMPDIR/all" "$BATS_TEST_TMPDIR/cut"
}
