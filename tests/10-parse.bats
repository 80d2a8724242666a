#!/usr/bin/env bats
# vnd-parse on the bundled samples: golden tables and the kernel's own counters.
bats_require_minimum_version 1.5.0
load helpers

@test "parse: snat inside capture gives the golden table" {
	run -0 "$BIN/vnd-parse" -q "$SAMPLES/snat-inside.pcap"
	echo "$output" >"$BATS_TEST_TMPDIR/out"
	diff -u "$GOLDEN/parse/snat-inside.tsv" "$BATS_TEST_TMPDIR/out"
}

@test "parse: -p names the point" {
	"$BIN/vnd-parse" -q -p outside "$SAMPLES/snat-outside.pcap" >"$BATS_TEST_TMPDIR/out"
	diff -u "$GOLDEN/parse/snat-outside.tsv" "$BATS_TEST_TMPDIR/out"
}

@test "parse: NAME=file names the point like -p" {
	"$BIN/vnd-parse" -q outside="$SAMPLES/snat-outside.pcap" >"$BATS_TEST_TMPDIR/out"
	diff -u "$GOLDEN/parse/snat-outside.tsv" "$BATS_TEST_TMPDIR/out"
}

@test "parse: meta of every sample (packets, first and last ts_ns) is golden" {
	cols="point file format link_types packets malformed_pkts first_ts_ns last_ts_ns"
	tr ' ' '\t' <<<"$cols" >"$BATS_TEST_TMPDIR/rows"
	for f in "$SAMPLES"/*.pcap; do
		"$BIN/vnd-parse" -q -D "$f" >"$BATS_TEST_TMPDIR/meta"
		tsv_col $cols <"$BATS_TEST_TMPDIR/meta" >>"$BATS_TEST_TMPDIR/rows"
	done
	sed "s|$SAMPLES/|samples/|" "$BATS_TEST_TMPDIR/rows" >"$BATS_TEST_TMPDIR/out"
	diff -u "$GOLDEN/parse/samples-meta.tsv" "$BATS_TEST_TMPDIR/out"
}

@test "parse: columns are DESIGN.md's core list, in order" {
	run -0 "$BIN/vnd-parse" -q "$SAMPLES/snat-inside.pcap"
	want="frame point ts_ns wire_bytes cap_bytes vlan tunnel vni src_ip dst_ip ip_proto ip_id ttl ip_bytes src_port dst_port tcp_flags seq ack win payload_bytes mss wscale tsval tsecr sack pkt_id payload_hash malformed"
	got=$(echo "${lines[0]}" | tr '\t' ' ')
	[[ "$got" == "$want"* ]]
}

@test "parse: -H drops the header line" {
	"$BIN/vnd-parse" -q -H "$SAMPLES/snat-inside.pcap" >"$BATS_TEST_TMPDIR/out"
	tail -n +2 "$GOLDEN/parse/snat-inside.tsv" | diff -u - "$BATS_TEST_TMPDIR/out"
}

@test "parse: BPF filter keeps exactly the 400 SYN and 400 SYN-ACK of the haproxy run" {
	"$BIN/vnd-parse" -q -H -f 'tcp[tcpflags] & tcp-syn != 0' "$SAMPLES/haproxy-front.pcap" >"$BATS_TEST_TMPDIR/out"
	diff -u "$GOLDEN/parse/haproxy-front-syn.tsv" "$BATS_TEST_TMPDIR/out"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 800 ]
}

@test "parse: haproxy client ports equal haproxy's own log, one SYN each" {
	"$BIN/vnd-parse" -q -f 'tcp[tcpflags] == tcp-syn' "$SAMPLES/haproxy-front.pcap" >"$BATS_TEST_TMPDIR/syn"
	tsv_col src_port <"$BATS_TEST_TMPDIR/syn" | sort -n >"$BATS_TEST_TMPDIR/ports"
	tsv_col client_port <"$SAMPLES/haproxy.truth.tsv" | sort -n >"$BATS_TEST_TMPDIR/want"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" -ge 300 ]
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/ports"
}

# The path scenario: r1 drops with iptables, r2 drops in tbf. Each capture
# point must count exactly what the kernel counters say crossed it.
@test "parse: path captures count the packets the kernel forwarded and dropped" {
	t="$SAMPLES/path.truth.tsv"
	fwd=$(truth r1:iptables:FORWARD:vnd-fwd-tcp-c2s pkts "$t")
	ipt=$(truth r1:iptables:FORWARD:vnd-random-drop pkts "$t")
	tbf=$(truth r2:tc:eth-server dropped_pkts "$t")
	[ "$fwd" -gt 0 ]
	[ "$ipt" -gt 0 ]
	[ "$tbf" -gt 0 ]
	c2s='v["src_ip"] == "198.18.1.1" && v["ip_proto"] == 6'
	for p in client r1in r1out r2in r2out server; do
		"$BIN/vnd-parse" -q "$SAMPLES/path-$p.pcap" >"$BATS_TEST_TMPDIR/$p"
	done
	[ "$(tsv_count "$c2s" "$BATS_TEST_TMPDIR/client")" -eq "$fwd" ]
	[ "$(tsv_count "$c2s" "$BATS_TEST_TMPDIR/r1in")" -eq "$fwd" ]
	[ "$(tsv_count "$c2s" "$BATS_TEST_TMPDIR/r1out")" -eq $((fwd - ipt)) ]
	[ "$(tsv_count "$c2s" "$BATS_TEST_TMPDIR/r2in")" -eq $((fwd - ipt)) ]
	[ "$(tsv_count "$c2s" "$BATS_TEST_TMPDIR/r2out")" -eq $((fwd - ipt - tbf)) ]
	[ "$(tsv_count "$c2s" "$BATS_TEST_TMPDIR/server")" -eq $((fwd - ipt - tbf)) ]
}

@test "parse: the path's handshake carries the options the kernel negotiated" {
	"$BIN/vnd-parse" -q -f 'tcp[tcpflags] & tcp-syn != 0' "$SAMPLES/path-client.pcap" >"$BATS_TEST_TMPDIR/syn"
	# Linux on a 1500-byte veth: MSS 1460, SACK permitted, timestamps, wscale 7.
	[ "$(tsv_count 'v["mss"] == 1460 && v["sack_ok"] == 1 && v["tsval"] != "-" && v["wscale"] != "-"' "$BATS_TEST_TMPDIR/syn")" -eq "$(($(wc -l <"$BATS_TEST_TMPDIR/syn") - 1))" ]
}

@test "parse: pkt_id is ip_id + (seq << 16) on every TCP row" {
	"$BIN/vnd-parse" -q "$SAMPLES/path-r1in.pcap" >"$BATS_TEST_TMPDIR/out"
	run -0 awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	    $h["ip_proto"] == 6 { n++; if ($h["pkt_id"] != $h["ip_id"] + $h["seq"] * 65536) bad++ }
	    END { print n, bad + 0 }' "$BATS_TEST_TMPDIR/out"
	[[ "$output" == *" 0" ]]
	[ "${output% *}" -gt 4000 ]
}

@test "parse: a packet seen at both ends of a link has one pkt_id and one payload_hash" {
	"$BIN/vnd-parse" -q "$SAMPLES/path-r1out.pcap" | tsv_col pkt_id payload_hash | sort >"$BATS_TEST_TMPDIR/a"
	"$BIN/vnd-parse" -q "$SAMPLES/path-r2in.pcap" | tsv_col pkt_id payload_hash | sort >"$BATS_TEST_TMPDIR/b"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/a")" -gt 4000 ]
	diff -q "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
}

@test "parse: standard input gives the same table as the file" {
	"$BIN/vnd-parse" -q -p snat-inside - <"$SAMPLES/snat-inside.pcap" >"$BATS_TEST_TMPDIR/out"
	diff -u "$GOLDEN/parse/snat-inside.tsv" "$BATS_TEST_TMPDIR/out"
}

@test "parse: gzip, bzip2, xz and zstd are recognised by content, from a file and from stdin" {
	for z in gzip bzip2 xz zstd; do
		command -v $z >/dev/null || skip "$z is not installed"
		$z -c <"$SAMPLES/snat-inside.pcap" >"$BATS_TEST_TMPDIR/cap.bin"
		"$BIN/vnd-parse" -q -p snat-inside "$BATS_TEST_TMPDIR/cap.bin" >"$BATS_TEST_TMPDIR/out"
		diff -u "$GOLDEN/parse/snat-inside.tsv" "$BATS_TEST_TMPDIR/out"
		"$BIN/vnd-parse" -q -p snat-inside <"$BATS_TEST_TMPDIR/cap.bin" >"$BATS_TEST_TMPDIR/out"
		diff -u "$GOLDEN/parse/snat-inside.tsv" "$BATS_TEST_TMPDIR/out"
		[ "$("$BIN/vnd-parse" -q -D "$BATS_TEST_TMPDIR/cap.bin" | tsv_col format)" = "pcap+$z" ]
	done
}

@test "parse: several inputs are several points in one table" {
	"$BIN/vnd-parse" -q in="$SAMPLES/snat-inside.pcap" out="$SAMPLES/snat-outside.pcap" >"$BATS_TEST_TMPDIR/out"
	[ "$(tsv_col point <"$BATS_TEST_TMPDIR/out" | sort -u | tr '\n' ' ')" = "in out " ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 745 ]
}

@test "parse: the SNAT outside capture shows conntrack's translated ports" {
	"$BIN/vnd-parse" -q -f 'tcp[tcpflags] == tcp-syn' "$SAMPLES/snat-outside.pcap" | tsv_col src_port | sort -n >"$BATS_TEST_TMPDIR/got"
	tsv_awk 'v["proto"] == "tcp" { print v["nat_src_port"] }' "$SAMPLES/snat.truth.tsv" | sort -n >"$BATS_TEST_TMPDIR/want"
	[ -s "$BATS_TEST_TMPDIR/want" ]
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}
