#!/usr/bin/env bats
# vnd-plot: pictures of the samples, their numbers against the tables the tools write.
bats_require_minimum_version 1.5.0
load helpers

load plot

path_pcaps() {
	for p in $PATHPTS; do printf '%s\n' "$SAMPLES/path-$p.pcap"; done
}

# row_col KEYCOL KEY COL FILE: column COL of the row whose KEYCOL is KEY
row_col() {
	awk -F'\t' -v k="$1" -v v="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	    $h[k] == v { print $h[c] }' "$4"
}

# hop_lost IN OUT FILE: lost_pkts of flow 40001 from IN to OUT (vnd-hoploss --by flow)
hop_lost() {
	awk -F'\t' -v a="$1" -v b="$2" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	    $h["in_point"] == a && $h["out_point"] == b && $h["src_port"] == 40001 { print $h["lost_pkts"] }' "$3"
}

@test "plot seq: retransmissions marked as vnd-tcpstate counts them, fast and timeout apart" {
	"$BIN/vnd-plot" -o "$BATS_TEST_TMPDIR/seq.svg" seq "$SAMPLES/path-client.pcap"
	svg_ok "$BATS_TEST_TMPDIR/seq.svg" seq-client
	"$BIN/vnd-tcpstate" "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/conns"
	[ "$(tsv_count 'v["src_port"] == 40001' "$BATS_TEST_TMPDIR/conns")" -eq 1 ]
	want_fast=$(row_col src_port 40001 retx_fast "$BATS_TEST_TMPDIR/conns")
	want_rto=$(row_col src_port 40001 retx_timeout "$BATS_TEST_TMPDIR/conns")
	echo "tcpstate: $want_fast fast, $want_rto timeout"
	[ "$want_fast" -eq 357 ]
	[ "$(marks 'fast retx' "$BATS_TEST_TMPDIR/seq.svg")" -eq "$want_fast" ]
	[ "$(marks 'timeout retx' "$BATS_TEST_TMPDIR/seq.svg")" -eq "$want_rto" ]
	# the busiest connection, its data's direction first
	grep -q '198.18.1.1:40001 > 198.18.3.2:5001' "$BATS_TEST_TMPDIR/seq.svg"
}

@test "plot seq: several points, a mark for every packet that vanished, as many as vnd-hoploss counts" {
	mapfile -t pcaps < <(path_pcaps)
	"$BIN/vnd-plot" -o "$BATS_TEST_TMPDIR/multi.svg" seq -f 40001 "${pcaps[@]}"
	svg_ok "$BATS_TEST_TMPDIR/multi.svg" seq-path
	"$BIN/vnd-hoploss" -q --by flow "${pcaps[@]}" >"$BATS_TEST_TMPDIR/hops"
	r1=$(hop_lost path-r1in path-r1out "$BATS_TEST_TMPDIR/hops")
	r2=$(hop_lost path-r2in path-r2out "$BATS_TEST_TMPDIR/hops")
	echo "hoploss, flow 40001: r1 $r1, r2 $r2"
	# the tbf's 285 drops (the kernel's count) are 285 marks
	[ "$r2" -eq "$(truth r2:tc:eth-server dropped_pkts "$SAMPLES/path.truth.tsv")" ]
	[ "$(marks 'lost path-r2in > path-r2out' "$BATS_TEST_TMPDIR/multi.svg")" -eq "$r2" ]
	[ "$(marks 'lost path-r1in > path-r1out' "$BATS_TEST_TMPDIR/multi.svg")" -eq "$r1" ]
	[ "$r1" -gt 50 ]
	# and no hop that lost nothing has a series
	run ! grep -q 'lost path-client >' "$BATS_TEST_TMPDIR/multi.svg"
}

@test "plot seq: from vnd-parse's SQLite file and from a pipe, the same script as from the captures" {
	mapfile -t pcaps < <(path_pcaps)
	"$BIN/vnd-plot" --script seq -f 40001 "${pcaps[@]}" >"$BATS_TEST_TMPDIR/pcap.gp"
	"$BIN/vnd-parse" -q -o "$BATS_TEST_TMPDIR/path.db" "${pcaps[@]}"
	"$BIN/vnd-plot" --script seq -f 40001 "$BATS_TEST_TMPDIR/path.db" >"$BATS_TEST_TMPDIR/db.gp"
	diff -u "$BATS_TEST_TMPDIR/pcap.gp" "$BATS_TEST_TMPDIR/db.gp"
	# no -f: the busiest connection, found in a first pass over standard input kept aside
	"$BIN/vnd-plot" --script seq "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/one.gp"
	"$BIN/vnd-parse" -q "$SAMPLES/path-client.pcap" | "$BIN/vnd-plot" --script seq >"$BATS_TEST_TMPDIR/pipe.gp"
	diff -u "$BATS_TEST_TMPDIR/one.gp" "$BATS_TEST_TMPDIR/pipe.gp"
}

@test "plot seq: thinned to the picture's columns, no SVG element per packet" {
	"$BIN/vnd-plot" --script -s 400x300 seq "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/s.gp"
	# the segments' block (after the window, the ACKs and the SACK blocks): at most a row a column
	rows=$(awk '/^\$d3 << EOD/ { on = 1; next } /^EOD/ { on = 0 } on' "$BATS_TEST_TMPDIR/s.gp" | wc -l)
	data=$("$BIN/vnd-tcpstate" "$SAMPLES/path-client.pcap" | tsv_col data_pkts | head -1)
	echo "$data data packets, $rows bars"
	[ "$data" -gt 2000 ]
	[ "$rows" -le 400 ]
	[ "$rows" -gt 100 ]
	grep -q 'title "path-client\|title "segments"' "$BATS_TEST_TMPDIR/s.gp"
}

@test "plot seq: -r zooms in; the marks outside it are not drawn, the losses inside still are" {
	mapfile -t pcaps < <(path_pcaps)
	"$BIN/vnd-plot" -r 0.6:0.7 -o "$BATS_TEST_TMPDIR/z.svg" seq -f 40001 "${pcaps[@]}"
	svg_ok "$BATS_TEST_TMPDIR/z.svg" seq-path-zoom
	n=$(marks 'lost path-r2in > path-r2out' "$BATS_TEST_TMPDIR/z.svg")
	echo "$n lost at r2 between 0.6 and 0.7 s"
	[ "$n" -gt 10 ]
	[ "$n" -lt 285 ]
	# a packet sent at the edge and seen downstream after it is not lost
	run ! grep -q 'lost path-client >' "$BATS_TEST_TMPDIR/z.svg"
}

@test "plot hops: the path with the exact counts of vnd-hoploss, its bottleneck marked" {
	mapfile -t pcaps < <(path_pcaps)
	"$BIN/vnd-hoploss" -q "${pcaps[@]}" >"$BATS_TEST_TMPDIR/hops.tsv"
	"$BIN/vnd-plot" -o "$BATS_TEST_TMPDIR/hops.svg" hops "$BATS_TEST_TMPDIR/hops.tsv"
	svg_ok "$BATS_TEST_TMPDIR/hops.svg" hops-path
	# every hop and direction's "lost of in", as the table has them
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	    { print $h["lost_pkts"] " of " $h["in_pkts"] }' "$BATS_TEST_TMPDIR/hops.tsv" | sort >"$BATS_TEST_TMPDIR/want"
	xmllint --xpath "//*[local-name()='text']/text()" "$BATS_TEST_TMPDIR/hops.svg" | grep -E '^[0-9]+ of [0-9]+$' | sort >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	grep -q '>285 of 2596<' "$BATS_TEST_TMPDIR/hops.svg"
	grep -q '>bottleneck<' "$BATS_TEST_TMPDIR/hops.svg"
	# the median delay of r2's hop as vnd hoploss --path prints it
	"$BIN/vnd-hoploss" --path "${pcaps[@]}" 2>/dev/null >"$BATS_TEST_TMPDIR/path.txt"
	grep -q 'held 4.10 ms' "$BATS_TEST_TMPDIR/path.txt"
	grep -q '>4.10 ms<' "$BATS_TEST_TMPDIR/hops.svg"
}

@test "plot rtt and cdf: a series per point; the CDF holds every sample of vnd-rtt's table" {
	"$BIN/vnd-rtt" "$SAMPLES/path-client.pcap" "$SAMPLES/path-server.pcap" >"$BATS_TEST_TMPDIR/rtt.tsv"
	"$BIN/vnd-plot" --log -o "$BATS_TEST_TMPDIR/rtt.svg" rtt "$BATS_TEST_TMPDIR/rtt.tsv"
	svg_ok "$BATS_TEST_TMPDIR/rtt.svg" rtt-points
	grep -q '>path-client<' "$BATS_TEST_TMPDIR/rtt.svg"
	grep -q '>path-server<' "$BATS_TEST_TMPDIR/rtt.svg"
	"$BIN/vnd-plot" -o "$BATS_TEST_TMPDIR/cdf.svg" cdf "$BATS_TEST_TMPDIR/rtt.tsv"
	svg_ok "$BATS_TEST_TMPDIR/cdf.svg" cdf-rtt
	c=$(tsv_count 'v["point"] == "path-client"' "$BATS_TEST_TMPDIR/rtt.tsv")
	echo "$c samples at the client"
	[ "$c" -gt 1000 ]
	grep -q ">path-client ($c)<" "$BATS_TEST_TMPDIR/cdf.svg"
	# the curve ends at the largest sample, in ms
	max=$(tsv_col rtt_ns <"$BATS_TEST_TMPDIR/rtt.tsv" | sort -n | tail -1)
	"$BIN/vnd-plot" --script cdf "$BATS_TEST_TMPDIR/rtt.tsv" >"$BATS_TEST_TMPDIR/cdf.gp"
	awk -v m="$max" '$2 == 1 && $1 == m / 1e6 { n++ } END { exit !n }' "$BATS_TEST_TMPDIR/cdf.gp"
}

@test "plot rtt: vnd rtt | vnd plot rtt, and --by flow" {
	"$BIN/vnd-rtt" "$SAMPLES/path-client.pcap" | "$BIN/vnd-plot" --by flow rtt >"$BATS_TEST_TMPDIR/f.svg"
	xmllint --noout "$BATS_TEST_TMPDIR/f.svg"
	grep -q '>path-client 198.18.1.1:40001 &gt; 198.18.3.2:5001<\|>path-client 198.18.1.1:40001 > 198.18.3.2:5001<' "$BATS_TEST_TMPDIR/f.svg"
}

@test "plot throughput: the slots add up to the bytes of the capture" {
	"$BIN/vnd-plot" --script -i 0.5 throughput "$SAMPLES/path-r2out.pcap" >"$BATS_TEST_TMPDIR/t.gp"
	# Mbit/s over 0.5 s slots back to bytes (the last row repeats the last slot to close the step)
	got=$(awk '/^\$d0 << EOD/ { on = 1; next } /^EOD/ { on = 0 } on { r[++n] = $2 } END { for (i = 1; i < n; i++) s += r[i] * 1e6 / 8 * 0.5; printf "%.0f\n", s }' "$BATS_TEST_TMPDIR/t.gp")
	want=$("$BIN/vnd-parse" -q "$SAMPLES/path-r2out.pcap" | tsv_col wire_bytes | awk '{ s += $1 } END { print s }')
	echo "bytes: $want in the capture, $got in the picture"
	[ "$got" -eq "$want" ]
	"$BIN/vnd-plot" -o "$BATS_TEST_TMPDIR/t.svg" throughput "$SAMPLES/path-client.pcap" "$SAMPLES/path-r2out.pcap"
	svg_ok "$BATS_TEST_TMPDIR/t.svg" throughput-points
}

@test "plot limits: vnd-tcpstate -i's shares, a panel per connection" {
	"$BIN/vnd-tcpstate" -i 0.05 "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/slots.tsv"
	"$BIN/vnd-plot" -o "$BATS_TEST_TMPDIR/l.svg" limits "$BATS_TEST_TMPDIR/slots.tsv"
	svg_ok "$BATS_TEST_TMPDIR/l.svg" limits-client
	grep -q '>path-client 198.18.1.1:40001 > 198.18.3.2:5001, sender client<' "$BATS_TEST_TMPDIR/l.svg"
	"$BIN/vnd-plot" --script -f 5002 limits "$BATS_TEST_TMPDIR/slots.tsv" >"$BATS_TEST_TMPDIR/l.gp"
	run ! grep -q '40001' "$BATS_TEST_TMPDIR/l.gp"
	# each slot drawn flat, its shares as the table has them
	want=$(tsv_count 'v["src_port"] == 5002' "$BATS_TEST_TMPDIR/slots.tsv")
	got=$(awk '/^\$d0 << EOD/ { on = 1; next } /^EOD/ { on = 0 } on && NF' "$BATS_TEST_TMPDIR/l.gp" | wc -l)
	[ "$got" -eq $((2 * want)) ]
}

@test "plot counters: the drops of every element that dropped, as the kernel counted them" {
	"$BIN/vnd-plot" -o "$BATS_TEST_TMPDIR/c.svg" counters "$SAMPLES/path.truth.tsv"
	svg_ok "$BATS_TEST_TMPDIR/c.svg" counters-path
	tbf=$(truth r2:tc:eth-server dropped_pkts "$SAMPLES/path.truth.tsv")
	ipt=$(truth r1:iptables:FORWARD:vnd-random-drop pkts "$SAMPLES/path.truth.tsv")
	grep -q ">r2:tc:eth-server dropped_pkts (+$tbf)<" "$BATS_TEST_TMPDIR/c.svg"
	grep -q ">r1:iptables:FORWARD:vnd-random-drop pkts (+$ipt)<" "$BATS_TEST_TMPDIR/c.svg"
	# -a: any one counter
	"$BIN/vnd-plot" --script -a sent_pkts counters "$SAMPLES/path.truth.tsv" >"$BATS_TEST_TMPDIR/c.gp"
	grep -q "r2:tc:eth-server sent_pkts (+$(truth r2:tc:eth-server sent_pkts "$SAMPLES/path.truth.tsv"))" "$BATS_TEST_TMPDIR/c.gp"
}

@test "plot: --png at the size asked; two runs give the same bytes" {
	"$BIN/vnd-plot" --png -s 640x400 -o "$BATS_TEST_TMPDIR/s.png" seq "$SAMPLES/path-client.pcap"
	png_ok "$BATS_TEST_TMPDIR/s.png" 640 400 20
	"$BIN/vnd-plot" -o "$BATS_TEST_TMPDIR/a.svg" seq "$SAMPLES/path-client.pcap"
	"$BIN/vnd-plot" -o "$BATS_TEST_TMPDIR/b.svg" seq "$SAMPLES/path-client.pcap"
	cmp "$BATS_TEST_TMPDIR/a.svg" "$BATS_TEST_TMPDIR/b.svg"
}

@test "plot: errors: usage exits 2, bad input and a missing gnuplot one line and exit 1" {
	run -2 --separate-stderr "$BIN/vnd-plot" pie "$SAMPLES/path-client.pcap"
	[[ $stderr == *"unknown kind 'pie'"* ]]
	[[ $stderr == *"usage: vnd-plot"* ]]
	run -2 --separate-stderr "$BIN/vnd-plot" --bogus seq
	[[ $stderr == *"usage: vnd-plot"* ]]
	run -2 --separate-stderr "$BIN/vnd-plot" -s 10x10 seq
	run -2 --separate-stderr "$BIN/vnd-plot" --png --script seq
	run -1 --separate-stderr "$BIN/vnd-plot" hops "$SAMPLES/path.truth.tsv"
	[ "$stderr" = "vnd-plot: '$SAMPLES/path.truth.tsv': no column in_point: not a table of this kind" ]
	run -1 --separate-stderr "$BIN/vnd-plot" seq "$SAMPLES/README.md"
	[ "${#stderr_lines[@]}" -eq 1 ]
	run -1 --separate-stderr "$BIN/vnd-plot" seq -f 9 "$SAMPLES/path-client.pcap"
	[ "$stderr" = "vnd-plot: no TCP connection matches -f" ]
	run -1 --separate-stderr "$BIN/vnd-plot" rtt /dev/null
	[ "${#stderr_lines[@]}" -eq 1 ]
	# gnuplot is run from PATH; without it, one line and nothing written
	run -1 --separate-stderr env PATH=/nonexistent "$BIN/vnd-plot" -o "$BATS_TEST_TMPDIR/no.svg" seq "$SAMPLES/path-client.pcap"
	[ "$stderr" = "vnd-plot: gnuplot not found on PATH (Debian: apt-get install gnuplot-nox)" ]
	[ ! -e "$BATS_TEST_TMPDIR/no.svg" ]
	# --script needs no gnuplot
	run -0 env PATH=/nonexistent "$BIN/vnd-plot" --script seq "$SAMPLES/path-client.pcap"
}

@test "plot rtt: a SQLite file of vnd-rtt draws what its TSV draws" {
	"$BIN/vnd-rtt" -o "$BATS_TEST_TMPDIR/rtt.db" "$SAMPLES/path-client.pcap"
	"$BIN/vnd-plot" --script rtt "$BATS_TEST_TMPDIR/rtt.db" >"$BATS_TEST_TMPDIR/db.gp"
	"$BIN/vnd-rtt" "$SAMPLES/path-client.pcap" | "$BIN/vnd-plot" --script rtt >"$BATS_TEST_TMPDIR/tsv.gp"
	diff -u "$BATS_TEST_TMPDIR/tsv.gp" "$BATS_TEST_TMPDIR/db.gp"
	grep -q '^\$d0 << EOD$' "$BATS_TEST_TMPDIR/db.gp"
}

@test "plot cdf: the hop delay of vnd-correlate's pairs, a curve holding every pair" {
	"$BIN/vnd-correlate" --pairs "$SAMPLES/path-r2in.pcap" "$SAMPLES/path-r2out.pcap" >"$BATS_TEST_TMPDIR/pairs.tsv" 2>/dev/null
	n=$(($(wc -l <"$BATS_TEST_TMPDIR/pairs.tsv") - 1))
	echo "$n pairs"
	[ "$n" -gt 4000 ]
	"$BIN/vnd-plot" --log -o "$BATS_TEST_TMPDIR/d.svg" cdf r2="$BATS_TEST_TMPDIR/pairs.tsv"
	svg_ok "$BATS_TEST_TMPDIR/d.svg" cdf-hop-r2
	grep -q ">r2 ($n)<" "$BATS_TEST_TMPDIR/d.svg"
	grep -q '>distribution of the hop delay<' "$BATS_TEST_TMPDIR/d.svg"
}

@test "plot throughput: more flows than series, by flow and slot, all counted in 'other'" {
	# crashed (a write past the series) once the 'other' series existed
	run -0 --separate-stderr "$BIN/vnd-plot" --script --by flow -i 0.05 throughput "$SAMPLES/haproxy-front.pcap"
	grep -c . <<<"$output" >"$BATS_TEST_TMPDIR/n"
	[ "$(cat "$BATS_TEST_TMPDIR/n")" -gt 20 ]
	[[ $output == *other* ]]
}
