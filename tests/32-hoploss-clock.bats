#!/usr/bin/env bats
# vnd-hoploss: one clock where the time stamps allow it, an offset only where causality forbids; the vnd_cli frame.
bats_require_minimum_version 1.5.0
load helpers

PATHPTS="path-client.pcap path-r1in.pcap path-r1out.pcap path-r2in.pcap path-r2out.pcap path-server.pcap"

# raw A.pcap B.pcap CLIENT_IP: "client|server min max n" of the raw time
# differences, by vnd-parse's fields alone (see hoploss-raw.sh)
raw() {
	"$TOP/tests/hoploss-raw.sh" "$BIN" "$@"
}

# hopdelays OUT IN_POINT: "side min max" of that hop, both directions
hopdelays() {
	awk -F'\t' -v a="$2" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	    ($h["in_point"] == a && $h["src_side"] == "client") ||
	    ($h["out_point"] == a && $h["src_side"] == "server") {
	        print $h["src_side"], $h["delay_min_ns"], $h["delay_max_ns"] }' "$1" | sort
}

@test "hoploss clock: corpus: ns-3's two ends of a link are one clock; delays are the raw differences" {
	need_corpus
	d="$CORPUS/multicast-tcp"
	run -0 --separate-stderr "$BIN/vnd-hoploss" a="$d/tcp-bulk-send-0-0.pcap" b="$d/tcp-bulk-send-1-0.pcap"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	echo "$stderr"
	[[ $stderr == "vnd-hoploss: clock of b = clock of a +0.000000000 s (one clock: 286 packets"* ]]
	[ "$(tsv_count 'v["offset_ns"] != 0' "$BATS_TEST_TMPDIR/out")" -eq 0 ]
	raw "$d/tcp-bulk-send-0-0.pcap" "$d/tcp-bulk-send-1-0.pcap" 10.1.1.1 >"$BATS_TEST_TMPDIR/raw"
	cat "$BATS_TEST_TMPDIR/raw"
	# data queued one way (5.671 to 14.248 ms), ACKs not (5.672 ms): as stamped
	grep -qx "client 5671000 14248000 190" "$BATS_TEST_TMPDIR/raw"
	grep -qx "server 5672000 5672000 96" "$BATS_TEST_TMPDIR/raw"
	cut -d' ' -f1-3 "$BATS_TEST_TMPDIR/raw" | diff -u - <(hopdelays "$BATS_TEST_TMPDIR/out" a)
}

@test "hoploss clock: six points on one clock, a tbf one way: every hop's delays are the raw differences" {
	cd "$SAMPLES"
	run -0 --separate-stderr "$BIN/vnd-hoploss" $PATHPTS
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	[ "$(grep -c '+0.000000000 s (one clock: ' <<<"$stderr")" -eq 5 ]
	set -- $PATHPTS
	while [ $# -ge 2 ]; do
		raw "$1" "$2" 198.18.1.1 | cut -d' ' -f1-3 >"$BATS_TEST_TMPDIR/raw"
		hopdelays "$BATS_TEST_TMPDIR/out" "${1%.pcap}" >"$BATS_TEST_TMPDIR/got"
		echo "${1%.pcap}:"; cat "$BATS_TEST_TMPDIR/got"
		[ "$(wc -l <"$BATS_TEST_TMPDIR/got")" -eq 2 ]
		diff -u "$BATS_TEST_TMPDIR/raw" "$BATS_TEST_TMPDIR/got"
		shift
	done
	# the tbf holds the client's packets milliseconds, as stamped
	[ "$(awk '$1 == "client" { print $3 }' <(raw path-r2in.pcap path-r2out.pcap 198.18.1.1))" -gt 10000000 ]
}

@test "hoploss clock: a 17 s offset is estimated with the interval the data allow, in the meta table too" {
	need_cmd sqlite3
	python3 "$TOP/tests/pcapshift.py" 17 "$SAMPLES/path-r2in.pcap" "$BATS_TEST_TMPDIR/r2in.pcap"
	run -0 --separate-stderr "$BIN/vnd-hoploss" -o "$BATS_TEST_TMPDIR/h.db" \
	    r1out="$SAMPLES/path-r1out.pcap" r2in="$BATS_TEST_TMPDIR/r2in.pcap"
	echo "$stderr"
	[[ $stderr == "vnd-hoploss: clock of r2in = clock of r1out +17.000000000 s (estimated: the data allow +17.000000000 to +17.000000000 s)" ]]
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/h.db" "SELECT offset_ns FROM meta WHERE point = 'r2in'")" = 17000000000 ]
	[[ $(sqlite3 "$BATS_TEST_TMPDIR/h.db" "SELECT offset_how FROM meta WHERE point = 'r2in'") == "estimated: the data allow +17"* ]]
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/h.db" "SELECT sum(lost_pkts) + sum(created_pkts) FROM hops")" -eq 0 ]
}

@test "hoploss clock: --offset as NTP gives it corrects a shifted point; a wrong one is said to be wrong" {
	python3 "$TOP/tests/pcapshift.py" -0.25 "$SAMPLES/path-r2out.pcap" "$BATS_TEST_TMPDIR/r2out.pcap"
	pts="r2in=$SAMPLES/path-r2in.pcap r2out=$BATS_TEST_TMPDIR/r2out.pcap"
	"$BIN/vnd-hoploss" -q r2in="$SAMPLES/path-r2in.pcap" r2out="$SAMPLES/path-r2out.pcap" >"$BATS_TEST_TMPDIR/want"
	run -0 --separate-stderr "$BIN/vnd-hoploss" --offset r2out=-0.25 --offset r2in=0 $pts
	[[ $stderr == *"clock of r2out = clock of r2in -0.250000000 s (given)"* ]]
	# the same table as unshifted, but for the offset column
	tsv_col in_point out_point src_side in_pkts out_pkts lost_pkts loss_ratio delay_min_ns delay_p50_ns delay_p99_ns delay_max_ns created_pkts dup_pkts <"$BATS_TEST_TMPDIR/want" >"$BATS_TEST_TMPDIR/want.cols"
	printf '%s\n' "$output" | tsv_col in_point out_point src_side in_pkts out_pkts lost_pkts loss_ratio delay_min_ns delay_p50_ns delay_p99_ns delay_max_ns created_pkts dup_pkts | diff -u "$BATS_TEST_TMPDIR/want.cols" -
	# 1 ms off: packets crossing the router faster than that come out negative
	run -0 --separate-stderr "$BIN/vnd-hoploss" --offset r2out=-0.249 --offset r2in=0 $pts
	echo "$stderr"
	[[ $stderr == *"r2in - r2out: "*" packets crossed in negative time: the clock offset is off"* ]]
	# and the drops stay where the tbf made them
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	[ "$(tsv_count 'v["src_side"] == "client" && v["lost_pkts"] == 285' "$BATS_TEST_TMPDIR/out")" -eq 1 ]
	[ "$(tsv_count 'v["created_pkts"] != 0' "$BATS_TEST_TMPDIR/out")" -eq 0 ]
}

@test "hoploss clock: --clock sync takes one clock as told; --clock estimate estimates and counts alike" {
	cd "$SAMPLES"
	python3 "$TOP/tests/pcapshift.py" 0.003 path-r2in.pcap "$BATS_TEST_TMPDIR/r2in.pcap"
	run -0 --separate-stderr "$BIN/vnd-hoploss" --clock sync r1out=path-r1out.pcap r2in="$BATS_TEST_TMPDIR/r2in.pcap"
	[[ $stderr == *"clock of r2in = clock of r1out +0.000000000 s (one clock: --clock sync)"* ]]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	[ "$(tsv_count 'v["src_side"] == "client" && v["delay_min_ns"] >= 3000000' "$BATS_TEST_TMPDIR/out")" -eq 1 ]
	# auto: a 3 ms shift makes the server's packets arrive before they left
	run -0 --separate-stderr "$BIN/vnd-hoploss" r1out=path-r1out.pcap r2in="$BATS_TEST_TMPDIR/r2in.pcap"
	[[ $stderr == *"clock of r2in = clock of r1out +0.003000000 s (estimated: the data allow"* ]]
	# estimate on the unshifted path: an offset within a microsecond, the same counts
	"$BIN/vnd-hoploss" -q $PATHPTS >"$BATS_TEST_TMPDIR/all"
	tsv_col in_point out_point src_side in_pkts out_pkts lost_pkts created_pkts dup_pkts \
	    <"$BATS_TEST_TMPDIR/all" >"$BATS_TEST_TMPDIR/want"
	run -0 --separate-stderr "$BIN/vnd-hoploss" --clock estimate $PATHPTS
	[ "$(grep -c '(estimated: the data allow ' <<<"$stderr")" -eq 5 ]
	printf '%s\n' "$output" | tsv_col in_point out_point src_side in_pkts out_pkts lost_pkts created_pkts dup_pkts |
	    diff -u "$BATS_TEST_TMPDIR/want" -
}

@test "hoploss clock: bad --clock and --offset are usage errors" {
	cd "$SAMPLES"
	run -2 --separate-stderr "$BIN/vnd-hoploss" --clock bogus path-r1in.pcap path-r1out.pcap
	[[ $stderr == *"--clock 'bogus': auto, sync or estimate"* ]]
	run -2 --separate-stderr "$BIN/vnd-hoploss" --offset nosuch=1 path-r1in.pcap path-r1out.pcap
	[[ $stderr == *"--offset 'nosuch=1': no point of that name"* ]]
	run -2 --separate-stderr "$BIN/vnd-hoploss" --offset path-r1in=1x path-r1in.pcap path-r1out.pcap
	[[ $stderr == *"NAME=SECONDS"* ]]
	run -2 --separate-stderr "$BIN/vnd-hoploss" --offset path-r1in path-r1in.pcap path-r1out.pcap
	[[ $stderr == *"usage: vnd-hoploss"* ]]
}

@test "hoploss frame: -b, undocumented, is now a usage error; --by flow still works" {
	cd "$SAMPLES"
	run -2 --separate-stderr "$BIN/vnd-hoploss" -b flow path-r1in.pcap path-r1out.pcap
	[[ $stderr == *"usage: vnd-hoploss"* ]]
	run -0 --separate-stderr "$BIN/vnd-hoploss" -q --by flow path-r1in.pcap path-r1out.pcap
	[[ ${lines[0]} == $'in_point\tout_point\tsrc_side\tsrc_ip\tsrc_port'* ]]
	run -2 --separate-stderr "$BIN/vnd-hoploss" --by host path-r1in.pcap path-r1out.pcap
	[[ $stderr == *"--by 'host': only 'flow'"* ]]
}

@test "hoploss frame: out of memory mid-run leaves no temporary SQLite file" {
	# AddressSanitizer reserves terabytes of address space: no ulimit -v there
	if grep -q __asan_init "$BIN/vnd-hoploss"; then skip "built with sanitizers"; fi
	# 300000 packets at one point that never reach the other, a day's window:
	# every one waits, and the table of waiting packets outgrows 60 MB
	python3 - "$BATS_TEST_TMPDIR" <<'EOF'
import struct, sys
def pcap(fn, n, base):
    with open(fn, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 32, (i + base) & 0xffff, 0, 64, 17, 0,
                bytes([198, 18, 0, 1]), bytes([198, 18, 1, 1]))
            pkt = b'\0' * 12 + b'\x08\x00' + ip + struct.pack('!HHHHI', 1000, 2000 + base, 12, 0, i)
            t = 1000000 + i * 10
            f.write(struct.pack('<IIII', t // 1000000, t % 1000000, len(pkt), len(pkt)) + pkt)
pcap(sys.argv[1] + '/a.pcap', 300000, 0)
pcap(sys.argv[1] + '/b.pcap', 10, 7)
EOF
	mkdir "$BATS_TEST_TMPDIR/out"
	run -1 --separate-stderr bash -c 'ulimit -v 60000; exec "$0" -q -w 86400 -o "$1/out/h.db" "$1/a.pcap" "$1/b.pcap"' \
	    "$BIN/vnd-hoploss" "$BATS_TEST_TMPDIR"
	[ "$stderr" = "vnd-hoploss: out of memory" ]
	[ "$(ls -A "$BATS_TEST_TMPDIR/out")" = "" ]
}
