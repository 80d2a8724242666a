#!/usr/bin/env bats
# vnd-parse on the public corpus: tshark conformance, the same trace in every format, robustness.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	need_corpus
}

@test "corpus: every field agrees with tshark, or the difference is pinned with its reason" {
	run -0 python3 "$TOP/tests/conformance.py" "$BIN" "$CORPUS" "$DATA/tshark-pinned.tsv"
	echo "$output"
}

@test "corpus: every capture exits 0, or 1 with one line on stderr; never a crash or a hang" {
	while IFS=$'\t' read -r path _; do
		[ "$path" = path ] && continue
		st=0
		timeout 60 "$BIN/vnd-parse" -q "$CORPUS/$path" >/dev/null 2>"$BATS_TEST_TMPDIR/err" || st=$?
		if [ "$st" -gt 1 ] || { [ "$st" -eq 1 ] && [ "$(wc -l <"$BATS_TEST_TMPDIR/err")" -ne 1 ]; }; then
			echo "$path: status $st: $(cat "$BATS_TEST_TMPDIR/err")"
			return 1
		fi
	done <"$CORPUS/MANIFEST.tsv"
}

@test "corpus: libtrace's 100_packets gives one table in pcap, pcapng, ns-pcap, and ERF" {
	d="$CORPUS/libtrace/test/traces"
	for f in 100_packets.pcap 100_packets.pcapng 100_packets.erf 100_packetsns.pcap; do
		# the point differs by name; ERF keeps nanoseconds the pcap copies cut to microseconds
		"$BIN/vnd-parse" -q -H "$d/$f" | cut -f1,3- |
		    awk -F'\t' -v OFS='\t' '{ $2 = sprintf("%d", $2 / 1000); print }' >"$BATS_TEST_TMPDIR/$f"
	done
	[ "$(wc -l <"$BATS_TEST_TMPDIR/100_packets.pcap")" -eq 100 ]
	for f in 100_packets.pcapng 100_packetsns.pcap; do
		diff -u "$BATS_TEST_TMPDIR/100_packets.pcap" "$BATS_TEST_TMPDIR/$f"
	done
	# The ERF copy was anonymised apart: some ports, sequence numbers and the
	# hashes of their payloads differ in the file itself (tshark shows the
	# same). Frames, times, lengths, addresses and IP headers are one table.
	for f in 100_packets.pcap 100_packets.erf; do
		cut -f1-13,16,20 "$BATS_TEST_TMPDIR/$f" >"$BATS_TEST_TMPDIR/$f.common"
	done
	diff -u "$BATS_TEST_TMPDIR/100_packets.pcap.common" "$BATS_TEST_TMPDIR/100_packets.erf.common"
}

@test "corpus: libtrace's ERF in gzip, bzip2 and xz gives one table" {
	d="$CORPUS/libtrace/test/traces"
	"$BIN/vnd-parse" -q -H -p x "$d/5_packets.erf.gz" >"$BATS_TEST_TMPDIR/gz"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/gz")" -eq 5 ]
	for z in bz2 xz; do
		"$BIN/vnd-parse" -q -H -p x "$d/5_packets.erf.$z" | diff -u "$BATS_TEST_TMPDIR/gz" -
	done
}

@test "corpus: dsack.dmp.gz and sack_nasa_sim.dump.gz (other byte order) differ only in frame 2534" {
	d="$CORPUS/tcptrace/input"
	"$BIN/vnd-parse" -q -H -p x "$d/dsack.dmp.gz" >"$BATS_TEST_TMPDIR/a"
	"$BIN/vnd-parse" -q -H -p x "$d/sack_nasa_sim.dump.gz" >"$BATS_TEST_TMPDIR/b"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/a")" -eq 15712 ]
	run diff "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "$output" | grep -c '^[<>]')" -eq 2 ]
	[[ ${lines[0]} == 2534c2534 ]]
}

@test "corpus: where the IP header outlives the capture, payload_bytes follows the IP header (tshark does not)" {
	# fast_reuse.dmp.gz recorded wire = cap = 128 bytes of 1500-byte packets;
	# the sender's next segment starts 1448 bytes on, so 1448 is the payload.
	"$BIN/vnd-parse" -q "$CORPUS/tcptrace/input/fast_reuse.dmp.gz" >"$BATS_TEST_TMPDIR/out"
	run -0 awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	    $h["frame"] == 2 { s = $h["seq"]; p = $h["payload_bytes"]; f = $h["src_port"] }
	    s != "" && $h["frame"] > 2 && $h["src_port"] == f && $h["payload_bytes"] > 0 && !done { print p, $h["seq"] - s; done = 1 }' "$BATS_TEST_TMPDIR/out"
	assert_output "1448 1448"
}

@test "corpus: a pcapng custom block is a numbered frame, as in Wireshark" {
	run -0 "$BIN/vnd-parse" -q -H "$CORPUS/libtrace/test/traces/complex.pcapng"
	[ "${#lines[@]}" -eq 8 ]
	# frame 1 is a custom block: no time, no headers; frame 5 a simple packet block: no time
	[[ ${lines[0]} == "1	complex	-	24	24	-"* ]]
	[[ ${lines[4]} == "5	complex	-	314	96	-"* ]]
}

@test "corpus: VXLAN, Geneve, GRE, NVGRE, GTP and MPLS report the inner headers" {
	while IFS='|' read -r f frame want; do
		got=$("$BIN/vnd-parse" -q -H "$CORPUS/$f" | awk -F'\t' -v n="$frame" '$1 == n { print $7, $8, $9, $10, $11 }')
		echo "$f $frame: $got"
		[ "$got" = "$want" ]
	done <<-'TABLE'
	libtrace/test/traces/vxlan.pcap|1|vxlan 0 192.168.203.3 192.168.203.5 1
	zeek/testing/btest/Traces/tunnels/gre-aruba.pcap|1|gre - 10.37.36.92 205.185.216.10 6
	tcpdump/tests/various_gre.pcap|11|gre 40 10.172.64.6 10.172.64.7 47
	zeek/testing/btest/Traces/tunnels/gtp/gtp1_gn_normal_incl_fragmentation.pcap|1|gtp 2355215926 10.131.47.185 79.101.110.141 6
	TABLE
}
