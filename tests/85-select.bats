#!/usr/bin/env bats
# vnd-select on the samples: the selected flows, their packets at every point, errors.
bats_require_minimum_version 1.5.0
load helpers

ALL=loss,reset,zero-window,slow,elephant,scan,unanswered
PATHPTS="client=path-client.pcap r1in=path-r1in.pcap r2out=path-r2out.pcap server=path-server.pcap"

@test "select: every event at the path's client gives the golden table" {
	cd "$SAMPLES"
	run -0 "$BIN/vnd-select" -e "$ALL" client=path-client.pcap
	echo "$output" >"$BATS_TEST_TMPDIR/out"
	diff -u "$GOLDEN/select/path-all.tsv" "$BATS_TEST_TMPDIR/out"
}

@test "select: loss and zero windows of the slow sink's chain, the golden table" {
	cd "$SAMPLES"
	"$BIN/vnd-select" -e loss,zero-window chain-slowsink-relay2out.pcap >"$BATS_TEST_TMPDIR/out"
	diff -u "$GOLDEN/select/chain-slowsink.tsv" "$BATS_TEST_TMPDIR/out"
}

@test "select: elephants through SNAT and slow handshakes, the golden tables" {
	cd "$SAMPLES"
	"$BIN/vnd-select" -e elephant --top 3 in=snat-inside.pcap >"$BATS_TEST_TMPDIR/el"
	diff -u "$GOLDEN/select/snat-elephants.tsv" "$BATS_TEST_TMPDIR/el"
	"$BIN/vnd-select" -e slow --slow 1 path-server.pcap >"$BATS_TEST_TMPDIR/slow"
	diff -u "$GOLDEN/select/path-slow.tsv" "$BATS_TEST_TMPDIR/slow"
}

# the connections vnd-tcpstate finds a retransmission in, client side first
tcpstate_lossy() {
	"$BIN/vnd-tcpstate" "$1" | tsv_awk 'v["retx_pkts"] > 0 {
	    c = v["src_ip"] ":" v["src_port"]; s = v["dst_ip"] ":" v["dst_port"]
	    print (v["sender"] == "server" ? s " " c : c " " s) }' | sort -u
}

@test "select: loss picks exactly the connections vnd-tcpstate finds retransmissions in" {
	local f n=0
	for f in path-client path-r2out path-server chain-slowsink-relay1out chain-slowrelay-relay1in; do
		"$BIN/vnd-select" -e loss "$SAMPLES/$f.pcap" | tsv_col src_ip src_port dst_ip dst_port |
		    awk '{ print $1 ":" $2 " " $3 ":" $4 }' | sort -u >"$BATS_TEST_TMPDIR/sel"
		tcpstate_lossy "$SAMPLES/$f.pcap" >"$BATS_TEST_TMPDIR/ts"
		diff -u "$BATS_TEST_TMPDIR/ts" "$BATS_TEST_TMPDIR/sel"
		n=$((n + $(wc -l <"$BATS_TEST_TMPDIR/sel")))
	done
	[ "$n" -eq 8 ]
}

@test "select: -w writes each point's packets of the selected flows, records as they were" {
	local p
	cd "$SAMPLES"
	"$BIN/vnd-select" -e loss -w "$BATS_TEST_TMPDIR/w" $PATHPTS >"$BATS_TEST_TMPDIR/sel"
	for p in client r1in r2out server; do
		run -0 python3 "$TOP/tests/select-check.py" "path-$p.pcap" "$BATS_TEST_TMPDIR/w/$p.pcap" "$BATS_TEST_TMPDIR/sel"
		echo "$output"
		[[ $output == *" records match" ]]
	done
	# every TCP frame of the path is one of the two lossy flows: all but ARP
	[ "$(tsv_count 'v["point"] == "client"' "$BATS_TEST_TMPDIR/w/manifest.tsv")" -eq 1 ]
	[ "$(tsv_awk 'v["point"] == "client" { print v["out_pkts"] }' "$BATS_TEST_TMPDIR/w/manifest.tsv")" -eq 4512 ]
	[ "$(tsv_awk 'v["point"] == "server" { print v["out_pkts"] }' "$BATS_TEST_TMPDIR/w/manifest.tsv")" -eq 4142 ]
}

@test "select: a microsecond pcap is written as one, the same records as tcpdump reads them" {
	need_cmd tcpdump
	cd "$SAMPLES"
	"$BIN/vnd-select" -e loss -w "$BATS_TEST_TMPDIR/w" client=path-client.pcap >/dev/null
	tcpdump -r path-client.pcap -tt -nn -x tcp 2>/dev/null >"$BATS_TEST_TMPDIR/in"
	tcpdump -r "$BATS_TEST_TMPDIR/w/client.pcap" -tt -nn -x 2>/dev/null >"$BATS_TEST_TMPDIR/out"
	diff -q "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
	[ "$(head -c 4 "$BATS_TEST_TMPDIR/w/client.pcap" | od -An -tx1 | tr -d ' ')" = d4c3b2a1 ]
}

@test "select: through SNAT the outside's packets are those of conntrack's mapping" {
	cd "$SAMPLES"
	"$BIN/vnd-select" -e elephant --top 3 -w "$BATS_TEST_TMPDIR/w" in=snat-inside.pcap out=snat-outside.pcap >"$BATS_TEST_TMPDIR/sel"
	# the elephants timed while -w reads the selector again: as without -w
	diff -u "$GOLDEN/select/snat-elephants.tsv" "$BATS_TEST_TMPDIR/sel"
	# the flows outside, as conntrack rewrote them (one of them to a new port)
	tsv_col src_port <"$BATS_TEST_TMPDIR/sel" >"$BATS_TEST_TMPDIR/ports"
	tsv_col orig_src_port nat_src_ip nat_src_port reply_src_ip reply_src_port <snat.truth.tsv |
	    awk -F'\t' -v OFS='\t' 'NR == FNR { want[$1] = 1; next } $1 in want { print $2, $3, $4, $5 }' \
	    "$BATS_TEST_TMPDIR/ports" - >"$BATS_TEST_TMPDIR/body"
	{ printf 'src_ip\tsrc_port\tdst_ip\tdst_port\n'; cat "$BATS_TEST_TMPDIR/body"; } >"$BATS_TEST_TMPDIR/outflows"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/body")" -eq 3 ]
	[ "$(awk -F'\t' '$2 != 21004 && $2 != 21014' "$BATS_TEST_TMPDIR/body" | wc -l)" -eq 1 ]
	run -0 python3 "$TOP/tests/select-check.py" snat-outside.pcap "$BATS_TEST_TMPDIR/w/out.pcap" "$BATS_TEST_TMPDIR/outflows"
	[ "$output" = "72 records match" ]
	run -0 python3 "$TOP/tests/select-check.py" snat-inside.pcap "$BATS_TEST_TMPDIR/w/in.pcap" "$BATS_TEST_TMPDIR/sel"
	[ "$output" = "72 records match" ]
}

@test "select: elephants are vnd-tcpstate's top connections by data bytes" {
	cd "$SAMPLES"
	"$BIN/vnd-select" -e elephant --top 5 haproxy-back.pcap | tsv_col src_ip src_port | sort >"$BATS_TEST_TMPDIR/sel"
	"$BIN/vnd-tcpstate" haproxy-back.pcap | tsv_awk '{
	    c = v["sender"] == "server" ? v["dst_ip"] "\t" v["dst_port"] : v["src_ip"] "\t" v["src_port"]
	    b[c] += v["data_bytes"] } END { for (c in b) print b[c] "\t" c }' |
	    sort -k1,1nr -k2 | awk 'NR <= 5' | cut -f2,3 | sort >"$BATS_TEST_TMPDIR/ts"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/sel")" -eq 5 ]
	diff -u "$BATS_TEST_TMPDIR/ts" "$BATS_TEST_TMPDIR/sel"
}

@test "select: --before and --after keep a flow's packets around its selection" {
	cd "$SAMPLES"
	"$BIN/vnd-select" -e loss --before 0.1 --after 0.2 -w "$BATS_TEST_TMPDIR/w" client=path-client.pcap >"$BATS_TEST_TMPDIR/sel"
	"$BIN/vnd-parse" -q "$BATS_TEST_TMPDIR/w/client.pcap" >"$BATS_TEST_TMPDIR/pk"
	# the flows were selected at these times; each packet within 0.1 s before, 0.2 s after its own
	tsv_col src_port ts_ns <"$BATS_TEST_TMPDIR/sel" >"$BATS_TEST_TMPDIR/t"
	tsv_col src_port dst_port ts_ns <"$BATS_TEST_TMPDIR/pk" |
	    awk -F'\t' 'NR == FNR { t[$1] = $2; next }
	    { p = ($1 in t) ? $1 : $2; d = $3 - t[p]; if (d < -100000000 || d > 200000000) bad++; n++ }
	    END { print n + 0, bad + 0 }' "$BATS_TEST_TMPDIR/t" - >"$BATS_TEST_TMPDIR/n"
	read -r n bad <"$BATS_TEST_TMPDIR/n"
	[ "$bad" -eq 0 ]
	[ "$n" -gt 100 ]
	[ "$n" -lt 4512 ]
}

@test "select: SQLite output holds the table and the meta" {
	need_cmd sqlite3
	cd "$SAMPLES"
	"$BIN/vnd-select" -e loss -o "$BATS_TEST_TMPDIR/s.db" client=path-client.pcap
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/s.db" 'SELECT count(*) FROM selected')" -eq 2 ]
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/s.db" "SELECT tool FROM meta LIMIT 1")" = vnd-select ]
}

@test "select: usage errors exit 2" {
	run -2 --separate-stderr "$BIN/vnd-select" "$SAMPLES/path-client.pcap"
	[[ $stderr == *"no event"* ]]
	run -2 --separate-stderr "$BIN/vnd-select" -e bogus "$SAMPLES/path-client.pcap"
	[[ $stderr == *"-e 'bogus'"* ]]
	run -2 --separate-stderr "$BIN/vnd-select" -e loss -
	[[ $stderr == *"read twice"* ]]
	run -2 --separate-stderr "$BIN/vnd-select" -e loss --at nowhere a="$SAMPLES/path-client.pcap"
	[[ $stderr == *"--at 'nowhere'"* ]]
	run -2 --separate-stderr "$BIN/vnd-select" -e loss
	[[ $stderr == *"usage: vnd-select"* ]]
	run -2 --separate-stderr "$BIN/vnd-select" -e loss -p 0.5 "$SAMPLES/path-client.pcap"
	[[ $stderr == *"--monitor"* ]]
}

@test "select: a file that is not a capture is one line and exit 1" {
	run -1 --separate-stderr "$BIN/vnd-select" -e loss "$TOP/README.md"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "vnd-select: '$TOP/README.md': "* ]]
}

@test "select: a cut capture gives the flows of its whole records, a warning, exit 1" {
	head -c 300000 "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/cut.pcap"
	run -1 --separate-stderr "$BIN/vnd-select" -e loss -w "$BATS_TEST_TMPDIR/w" "$BATS_TEST_TMPDIR/cut.pcap"
	[[ $stderr == *"cut.pcap'"* ]]
	[ "${#lines[@]}" -eq 2 ]
	[ -s "$BATS_TEST_TMPDIR/w/manifest.tsv" ]
}

@test "select: --at picks the selector; the other points are written from its choice" {
	cd "$SAMPLES"
	"$BIN/vnd-select" -e loss --at r2out -w "$BATS_TEST_TMPDIR/w" client=path-client.pcap r2out=path-r2out.pcap >"$BATS_TEST_TMPDIR/sel"
	[ "$(tsv_count 'v["point"] == "r2out"' "$BATS_TEST_TMPDIR/sel")" -eq 2 ]
	[ "$(tsv_count 'v["point"] != "r2out"' "$BATS_TEST_TMPDIR/sel")" -eq 0 ]
	# r2out saw the client's first retransmission of 40001 as lost upstream
	[ "$(tsv_count 'v["src_port"] == 40001 && v["evidence"] ~ /first=retx_lost_upstream/' "$BATS_TEST_TMPDIR/sel")" -eq 1 ]
	run -0 python3 "$TOP/tests/select-check.py" path-client.pcap "$BATS_TEST_TMPDIR/w/client.pcap" "$BATS_TEST_TMPDIR/sel"
	[ "$output" = "4512 records match" ]
}

# man_cols SECTION: the columns vnd-tables(5) lists in SECTION, one a line
man_cols() {
	awk -v sec="$1" '/^\.Sh / { in_sec = substr($0, 5) == sec; depth = 0; next }
	    !in_sec { next } /^\.Bl / { depth++; next } /^\.El/ { depth--; next }
	    depth == 1 && /^\.It Va / { print $3 }' "$TOP/man/vnd-tables.5"
}

@test "select: every table's header is the one vnd-tables(5) lists" {
	cd "$SAMPLES"
	"$BIN/vnd-select" -e loss -w "$BATS_TEST_TMPDIR/w" client=path-client.pcap server=path-server.pcap >"$BATS_TEST_TMPDIR/sel"
	"$BIN/vnd-select" --monitor --entries 8 -e loss client=path-client.pcap server=path-server.pcap >"$BATS_TEST_TMPDIR/mon"
	man_cols 'SELECTED TABLE' >"$BATS_TEST_TMPDIR/want"
	tsv_header "$BATS_TEST_TMPDIR/sel" | diff -u "$BATS_TEST_TMPDIR/want" -
	man_cols 'SELECT MANIFEST TABLE' >"$BATS_TEST_TMPDIR/want"
	tsv_header "$BATS_TEST_TMPDIR/w/manifest.tsv" | diff -u "$BATS_TEST_TMPDIR/want" -
	man_cols 'MONITORS TABLE' >"$BATS_TEST_TMPDIR/want"
	tsv_header "$BATS_TEST_TMPDIR/mon" | diff -u "$BATS_TEST_TMPDIR/want" -
	[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" -eq 14 ]
}
