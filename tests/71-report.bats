#!/usr/bin/env bats
# vnd-report: the samples' incident on one page, opened in headless Chromium, its numbers the tools' own.
bats_require_minimum_version 1.5.0
load helpers

load plot

# the path samples as NAME=file operands, run from samples/ as a person would
path_ops() {
	for p in $PATHPTS; do printf '%s\n' "$p=path-$p.pcap"; done
}

report() {
	mapfile -t ops < <(path_ops)
	(cd "$SAMPLES" && "$BIN/vnd-report" "$@" --chain ../tests/data/path-chain.tsv -c path.truth.tsv "${ops[@]}")
}

# svgs HTML DIR: every inline SVG of the page into DIR/N.svg, N from 1
svgs() {
	mkdir -p "$2"
	awk -v d="$2" '/<svg/ { n++; f = d "/" n ".svg"; on = 1 } on { print > f } /<\/svg>/ { on = 0; close(f) }' "$1"
	ls "$2" | wc -l
}

@test "report: the path samples' page renders in Chromium, self-contained, every SVG valid" {
	report -o "$BATS_TEST_TMPDIR/incident.html"
	html="$BATS_TEST_TMPDIR/incident.html"
	size=$(wc -c <"$html")
	echo "$size bytes"
	[ "$size" -lt 2000000 ]
	# nothing fetched, no script: only the SVG namespaces name a URL
	run ! grep -qiE '<script|<link|<img|<iframe| src=|url\(http|@import' "$html"
	[ "$(grep -oE 'https?://[^"]*' "$html" | sort -u | grep -cvE '^http://www.w3.org/(2000/svg|1999/xlink)$')" -eq 0 ]
	n=$(svgs "$html" "$BATS_TEST_TMPDIR/svg")
	echo "$n figures"
	# hops, RTT, throughput, limits and seq (a panel per busy connection), counters
	[ "$n" -eq 6 ]
	for f in "$BATS_TEST_TMPDIR"/svg/*.svg; do xmllint --noout "$f"; done
	shot "$html" report-path 1200 2400
	shot "$html" report-path-full 1200 9000
}

@test "report: the postmortem sentence and the numbers are the tools' own" {
	report -o "$BATS_TEST_TMPDIR/r.html"
	mapfile -t ops < <(path_ops)
	(cd "$SAMPLES" && "$BIN/vnd-hoploss" -q "${ops[@]}") >"$BATS_TEST_TMPDIR/hops.tsv"
	"$BIN/vnd-rootcause" --hops "$BATS_TEST_TMPDIR/hops.tsv" --chain "$DATA/path-chain.tsv" >"$BATS_TEST_TMPDIR/causes.tsv"
	first=$(tsv_col sentence <"$BATS_TEST_TMPDIR/causes.tsv" | head -1)
	echo "rootcause: $first"
	[[ $first == "r2 is the bottleneck: 285 of 2596"* ]]
	grep -qF "<div class=postmortem>
<p><strong>$first</strong></p>" "$BATS_TEST_TMPDIR/r.html"
	# every hop's row as vnd-hoploss wrote it: 10 rows, lost_pkts 85 and 285 among them
	awk -F'\t' 'NR > 1 { print $6 }' "$BATS_TEST_TMPDIR/hops.tsv" | sort >"$BATS_TEST_TMPDIR/want"
	awk '/<th>lost_pkts<\/th>/ { on = 1; next } on && /<\/table>/ { exit } on' "$BATS_TEST_TMPDIR/r.html" |
	    sed -n 's/^<tr><td>[^<]*<\/td><td>[^<]*<\/td><td>[^<]*<\/td><td class=n>[^<]*<\/td><td class=n>[^<]*<\/td><td class=n>\([0-9]*\)<.*/\1/p' |
	    sort >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# the 285 drops of r2 are 285 marks in the busiest connection's graph
	svgs "$BATS_TEST_TMPDIR/r.html" "$BATS_TEST_TMPDIR/svg"
	seq=$(grep -l 'time-sequence graph: 198.18.1.1:40001' "$BATS_TEST_TMPDIR"/svg/*.svg)
	pfx=$(sed -n "s/.*id=\"\(f[0-9]*-\)gnuplot_canvas\".*/\1/p" "$seq")
	[ "$(marks 'lost r2in > r2out' "$seq" "$pfx")" -eq 285 ]
	[ "$(marks 'lost r1in > r1out' "$seq" "$pfx")" -eq 74 ]
	grep -q '>285 of 2596<' "$BATS_TEST_TMPDIR/r.html"
	grep -q '>r2:tc:eth-server dropped_pkts (+285)<' "$BATS_TEST_TMPDIR/r.html"
}

@test "report: every figure's command line draws that figure again" {
	report -o "$BATS_TEST_TMPDIR/r.html"
	svgs "$BATS_TEST_TMPDIR/r.html" "$BATS_TEST_TMPDIR/svg"
	# the commands, in the order of the figures (HTML entities undone)
	sed -n 's/.*Drawn by:<pre>\(.*\)<\/pre><\/figcaption>/\1/p' "$BATS_TEST_TMPDIR/r.html" |
	    sed -e 's/&gt;/>/g' -e 's/&lt;/</g' -e "s/&quot;/\"/g" -e 's/&amp;/\&/g' >"$BATS_TEST_TMPDIR/cmds"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/cmds")" -eq 6 ]
	i=0
	while read -r cmd; do
		i=$((i + 1))
		(cd "$SAMPLES" && PATH="$BIN:$PATH" bash -c "$cmd" 2>/dev/null) | sed -n '/<svg/,/<\/svg>/p' >"$BATS_TEST_TMPDIR/again.svg"
		# the page's copy, its ids made the figure's own, back to gnuplot's
		sed -e 's/f[0-9]*-\(gpPt\|gpDot\|gnuplot_\|textbox\|greybox\)/\1/g' "$BATS_TEST_TMPDIR/svg/$i.svg" >"$BATS_TEST_TMPDIR/page.svg"
		echo "$i: $cmd"
		diff -q "$BATS_TEST_TMPDIR/page.svg" "$BATS_TEST_TMPDIR/again.svg"
	done <"$BATS_TEST_TMPDIR/cmds"
}

@test "report: two runs on the same input give the same bytes; --text says the same" {
	report -o "$BATS_TEST_TMPDIR/a.html"
	cp "$BATS_TEST_TMPDIR/a.html" "$BATS_TEST_TMPDIR/first.html"
	report -o "$BATS_TEST_TMPDIR/a.html"
	cmp "$BATS_TEST_TMPDIR/first.html" "$BATS_TEST_TMPDIR/a.html"
	# provenance: the version, each input with its size, the command line
	grep -q "<p>vnd $("$BIN/vnd-report" -V | cut -d' ' -f2). Inputs:" "$BATS_TEST_TMPDIR/a.html"
	grep -q "<tr><td>r2in=path-r2in.pcap</td><td class=n>$(wc -c <"$SAMPLES/path-r2in.pcap")</td></tr>" "$BATS_TEST_TMPDIR/a.html"
	report --text >"$BATS_TEST_TMPDIR/t.txt"
	report --text >"$BATS_TEST_TMPDIR/t2.txt"
	cmp "$BATS_TEST_TMPDIR/t.txt" "$BATS_TEST_TMPDIR/t2.txt"
	grep -q '^r2 is the bottleneck: 285 of 2596 packets from the client lost' "$BATS_TEST_TMPDIR/t.txt"
	grep -q '^r2:tc:eth-server dropped 285 packets: egress bandwidth (queue discipline)$' "$BATS_TEST_TMPDIR/t.txt"
	grep -q '^  r2in -> r2out from the client: lost 285 of 2596, delay p50 4096000 ns' "$BATS_TEST_TMPDIR/t.txt"
	grep -q '^  198.18.1.1:40001>198.18.3.2:5001: 3518384 data bytes, 358 sent again (357 fast, 1 timeout), network-limited$' "$BATS_TEST_TMPDIR/t.txt"
}

@test "report: one capture point: no path, still RTT, throughput and the connections" {
	"$BIN/vnd-report" -o "$BATS_TEST_TMPDIR/one.html" "$SAMPLES/snat-inside.pcap"
	n=$(svgs "$BATS_TEST_TMPDIR/one.html" "$BATS_TEST_TMPDIR/svg")
	echo "$n figures"
	[ "$n" -ge 4 ]
	run ! grep -q 'The path, hop by hop' "$BATS_TEST_TMPDIR/one.html"
	grep -q 'One capture point and no counters' "$BATS_TEST_TMPDIR/one.html"
	shot "$BATS_TEST_TMPDIR/one.html" report-snat 1200 1600
}

@test "report: errors: usage exits 2; a tool that fails is named, one line, exit 1, nothing written" {
	run -2 --separate-stderr "$BIN/vnd-report"
	[[ $stderr == *"usage: vnd-report"* ]]
	run -2 --separate-stderr "$BIN/vnd-report" --bogus a.pcap
	run -1 --separate-stderr "$BIN/vnd-report" -o "$BATS_TEST_TMPDIR/x.html" "$SAMPLES/README.md"
	echo "$stderr"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "vnd-report: 'vnd "*"' failed: vnd-"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/x.html" ]
	[ ! -e "$BATS_TEST_TMPDIR/x.html.tmp" ]
	run -1 --separate-stderr "$BIN/vnd-report" --chain /nonexistent "$SAMPLES/path-client.pcap" "$SAMPLES/path-r1in.pcap"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == *"rootcause"* ]]
}

@test "report: from vnd-parse's SQLite file, points picked by name, the same sentence" {
	mapfile -t ops < <(path_ops)
	(cd "$SAMPLES" && "$BIN/vnd-parse" -q -o "$BATS_TEST_TMPDIR/path.db" "${ops[@]}")
	db="$BATS_TEST_TMPDIR/path.db"
	"$BIN/vnd-report" --text "client=$db" "r1in=$db" "r1out=$db" "r2in=$db" "r2out=$db" "server=$db" >"$BATS_TEST_TMPDIR/db.txt"
	(cd "$SAMPLES" && "$BIN/vnd-report" --text "${ops[@]}") >"$BATS_TEST_TMPDIR/pcap.txt"
	# the same but for the inputs' line
	diff -u <(grep -v '^inputs:' "$BATS_TEST_TMPDIR/pcap.txt") <(grep -v '^inputs:' "$BATS_TEST_TMPDIR/db.txt")
	grep -q '^r2in -> r2out is the bottleneck: 285 of 2596' "$BATS_TEST_TMPDIR/db.txt"
}
