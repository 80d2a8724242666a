#!/usr/bin/env bats
# vnd-correlate through haproxy and nginx's stream proxy, payloads the same in
# every connection or not: the time method against the proxies' own logs.
bats_require_minimum_version 1.5.0
load helpers

# best_rows FLOWS: "client_port backend_source_port" of each input
# connection's row of highest confidence, sorted
best_rows() {
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	    { p = $h["in_src_port"]; c = $h["confidence"]
	      if (!(p in b) || c > b[p]) { b[p] = c; o[p] = $h["out_src_port"] } }
	    END { for (p in o) print p, o[p] }' "$1" | sort
}

# truth_rows TRUTH: the same pairs from the proxy's log
truth_rows() {
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	    { print $h["client_port"], $h["lb_src_port"] }' "$1" | sort
}

# right TRUTH FLOWS: how many best rows the log confirms
right() {
	truth_rows "$1" >"$BATS_TEST_TMPDIR/want"
	best_rows "$2" >"$BATS_TEST_TMPDIR/got"
	comm -12 "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" | wc -l
}

correlate_sample() {	# NAME [options]: flows of samples/proxy-NAME into $BATS_TEST_TMPDIR/NAME
	local n=$1
	shift
	"$BIN/vnd-correlate" -q "$@" front="$SAMPLES/proxy-$n-front.pcap.gz" \
	    back="$SAMPLES/proxy-$n-back.pcap.gz" >"$BATS_TEST_TMPDIR/$n"
}

@test "correlate proxies: identical payloads through haproxy (round robin): every best row is haproxy's" {
	correlate_sample haproxy-rr-same
	[ "$(wc -l <"$SAMPLES/proxy-haproxy-rr-same.truth.tsv")" -eq 401 ]
	truth_rows "$SAMPLES/proxy-haproxy-rr-same.truth.tsv" >"$BATS_TEST_TMPDIR/want"
	best_rows "$BATS_TEST_TMPDIR/haproxy-rr-same" >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	[ "$(tsv_col method <"$BATS_TEST_TMPDIR/haproxy-rr-same" | sort -u)" = time ]
	[ "$(tsv_count 'v["confidence"] < 0.99' "$BATS_TEST_TMPDIR/haproxy-rr-same")" -eq 0 ]
	[ "$(tsv_count 'v["matched_pkts"] != 7' "$BATS_TEST_TMPDIR/haproxy-rr-same")" -eq 0 ]
}

@test "correlate proxies: identical payloads through nginx stream (least connections): every best row is nginx's" {
	correlate_sample nginx-lc-same
	[ "$(right "$SAMPLES/proxy-nginx-lc-same.truth.tsv" "$BATS_TEST_TMPDIR/nginx-lc-same")" -eq 400 ]
	[ "$(($(wc -l <"$BATS_TEST_TMPDIR/nginx-lc-same") - 1))" -eq 400 ]
}

@test "correlate proxies: distinct payloads stay payload rows, all right, through both proxies" {
	for n in haproxy-lc-distinct nginx-rr-distinct; do
		correlate_sample $n
		[ "$(right "$SAMPLES/proxy-$n.truth.tsv" "$BATS_TEST_TMPDIR/$n")" -eq 400 ]
		[ "$(tsv_col method <"$BATS_TEST_TMPDIR/$n" | sort -u)" = payload ]
		[ "$(tsv_count 'v["confidence"] != 1' "$BATS_TEST_TMPDIR/$n")" -eq 0 ]
	done
}

@test "correlate proxies: the time method alone gets them all; payload alone cannot with identical payloads" {
	for n in haproxy-rr-same haproxy-lc-distinct nginx-rr-distinct nginx-lc-same; do
		correlate_sample $n -m time
		[ "$(right "$SAMPLES/proxy-$n.truth.tsv" "$BATS_TEST_TMPDIR/$n")" -eq 400 ]
	done
	for n in haproxy-rr-same nginx-lc-same; do
		correlate_sample $n -m payload
		[ "$(right "$SAMPLES/proxy-$n.truth.tsv" "$BATS_TEST_TMPDIR/$n")" -lt 100 ]
	done
}

@test "correlate proxies: haproxy's health checks are left unpaired, and put the order method out" {
	"$BIN/vnd-parse" -q -f 'tcp[tcpflags] == tcp-syn' "$SAMPLES/proxy-haproxy-rr-same-back.pcap.gz" >"$BATS_TEST_TMPDIR/syns"
	# 400 proxied connections and haproxy's own checks
	[ "$(($(wc -l <"$BATS_TEST_TMPDIR/syns") - 1))" -gt 400 ]
	correlate_sample haproxy-rr-same
	[ "$(($(wc -l <"$BATS_TEST_TMPDIR/haproxy-rr-same") - 1))" -eq 400 ]
	correlate_sample haproxy-rr-same -m order
	[ "$(right "$SAMPLES/proxy-haproxy-rr-same.truth.tsv" "$BATS_TEST_TMPDIR/haproxy-rr-same")" -lt 100 ]
}

@test "correlate proxies: from vnd-parse's table and into SQLite, the same pairs" {
	need_cmd sqlite3
	n=nginx-lc-same
	correlate_sample $n
	"$BIN/vnd-parse" -q front="$SAMPLES/proxy-$n-front.pcap.gz" back="$SAMPLES/proxy-$n-back.pcap.gz" >"$BATS_TEST_TMPDIR/pk.tsv"
	"$BIN/vnd-correlate" -q front="$BATS_TEST_TMPDIR/pk.tsv" back="$BATS_TEST_TMPDIR/pk.tsv" >"$BATS_TEST_TMPDIR/from-table"
	diff -u "$BATS_TEST_TMPDIR/$n" "$BATS_TEST_TMPDIR/from-table"
	"$BIN/vnd-correlate" -q -o "$BATS_TEST_TMPDIR/c.db" front="$SAMPLES/proxy-$n-front.pcap.gz" back="$SAMPLES/proxy-$n-back.pcap.gz"
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/c.db" "SELECT count(*) FROM flows WHERE method = 'time'")" -eq 400 ]
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/c.db" "SELECT count(*) FROM flows WHERE confidence < 0.99")" -eq 0 ]
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/c.db" "SELECT group_concat(point) FROM meta")" = front,back ]
}

@test "correlate proxies: the assignment is optimal and its regret exact (brute force, 20000 instances)" {
	need_cmd cc
	cc -std=c11 -O1 -I"$TOP/common" -o "$BATS_TEST_TMPDIR/assign-check" \
	    "$TOP/tests/assign-check.c" "$TOP/common/vnd_assign.c" -lm
	run -0 "$BATS_TEST_TMPDIR/assign-check"
	[ "${lines[-1]}" = "bad 0" ]
}

@test "correlate proxies: out of memory at any point leaves no temporary SQLite file" {
	need_cmd prlimit
	prlimit --as=$((64 * 1024 * 1024)) "$BIN/vnd-correlate" -V >/dev/null 2>&1 ||
	    skip "the build needs more address space (sanitizers)"
	d="$BATS_TEST_TMPDIR/oom"
	mkdir "$d"
	failed=0
	for mb in 11 12 13 14 15 16 17 18 20 22 24 28; do
		run prlimit --as=$((mb * 1024 * 1024)) "$BIN/vnd-correlate" -q -o "$d/c.db" \
		    front="$SAMPLES/haproxy-front.pcap" back="$SAMPLES/haproxy-back.pcap"
		# a clean failure or a whole database: never a crash
		[[ $status -eq 0 || $status -eq 1 ]]
		[ "$(find "$d" -name 'c.db.tmp-*' | wc -l)" -eq 0 ]
		if [ "$status" -eq 1 ]; then
			failed=$((failed + 1))
			[[ $output == *"out of memory"* ]]
		fi
		rm -f "$d/c.db"
	done
	# the limits reach the run itself, not only the loader
	[ "$failed" -gt 0 ]
}

@test "correlate proxies: usage names the time method, and -m time is accepted" {
	run -0 "$BIN/vnd-correlate" --help
	[[ $output == *"auto (default), time, fingerprint, payload or order"* ]]
	run -2 --separate-stderr "$BIN/vnd-correlate" -m clock "$SAMPLES/snat-inside.pcap" "$SAMPLES/snat-outside.pcap"
	[[ $stderr == *"-m 'clock': time, auto, fingerprint, payload or order"* ]]
	run -2 --separate-stderr "$BIN/vnd-correlate" "$SAMPLES/snat-inside.pcap"
	[[ $stderr == *"an input and an output point are needed"* ]]
	[[ $stderr == *"usage: vnd-correlate"* ]]
}

@test "correlate proxies: the NAT and the chains give what they gave before (auto, fingerprint and payload rows)" {
	cd "$SAMPLES"
	"$BIN/vnd-correlate" -q in=snat-inside.pcap out=snat-outside.pcap >"$BATS_TEST_TMPDIR/snat"
	[ "$(tsv_col method <"$BATS_TEST_TMPDIR/snat" | sort -u)" = fingerprint ]
	[ "$(($(wc -l <"$BATS_TEST_TMPDIR/snat") - 1))" -eq 24 ]
	for v in slowsink slowsource slowrelay; do
		"$BIN/vnd-correlate" -q chain-$v-relay1in.pcap chain-$v-relay2out.pcap >"$BATS_TEST_TMPDIR/chain"
		[ "$(tsv_col method <"$BATS_TEST_TMPDIR/chain")" = payload ]
		[ "$(tsv_col confidence <"$BATS_TEST_TMPDIR/chain")" = 1 ]
	done
}

@test "correlate proxies: a fresh recording through nginx, identical payloads, 200 connections at 800/s" {
	[ "$(id -u)" -eq 0 ] || skip "needs root for namespaces"
	need_cmd nginx
	need_cmd tcpdump
	[ -e /usr/lib/nginx/modules/ngx_stream_module.so ] || skip "no nginx stream module"
	"$TOP/samples/make-proxies.sh" -d "$BATS_TEST_TMPDIR/rec" -n 200 -r 800 nginx rr same fresh
	[ "$(($(wc -l <"$BATS_TEST_TMPDIR/rec/fresh.truth.tsv") - 1))" -eq 200 ]
	"$BIN/vnd-correlate" -q "$BATS_TEST_TMPDIR/rec/fresh-front.pcap" "$BATS_TEST_TMPDIR/rec/fresh-back.pcap" >"$BATS_TEST_TMPDIR/flows"
	# at least 99.5%
	[ "$(right "$BATS_TEST_TMPDIR/rec/fresh.truth.tsv" "$BATS_TEST_TMPDIR/flows")" -ge 199 ]
}

# reisn IN OUT SECONDS DELTA NOFIN: IN's packets SECONDS later, TCP sequence
# and acknowledgment numbers DELTA on (a new ISN each way), FIN and RST
# segments left out when NOFIN is 1
reisn() {
	python3 - "$@" <<'PY'
import struct, sys
src, dst, secs, delta, nofin = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
b = open(src, "rb").read()
out = [b[:24]]
i = 24
while i + 16 <= len(b):
	ts, us, cl, wl = struct.unpack("<IIII", b[i:i + 16])
	p = bytearray(b[i + 16:i + 16 + cl])
	i += 16 + cl
	if len(p) >= 34 and p[12:14] == b"\x08\x00" and p[23] == 6:
		t = 14 + (p[14] & 15) * 4
		if nofin and p[t + 13] & 5:
			continue
		for o in (4, 8):
			v = (struct.unpack(">I", p[t + o:t + o + 4])[0] + delta) & 0xffffffff
			p[t + o:t + o + 4] = struct.pack(">I", v)
	out.append(struct.pack("<IIII", ts + secs, us, cl, wl) + bytes(p))
open(dst, "wb").write(b"".join(out))
PY
}

@test "correlate proxies: a 5-tuple opened again with a new ISN, its close not captured, is a new connection" {
	cd "$SAMPLES"
	for p in inside outside; do
		reisn snat-$p.pcap "$BATS_TEST_TMPDIR/first.pcap" 0 0 1
		reisn snat-$p.pcap "$BATS_TEST_TMPDIR/again.pcap" 100 12345 0
		{ cat "$BATS_TEST_TMPDIR/first.pcap"; tail -c +25 "$BATS_TEST_TMPDIR/again.pcap"; } >"$BATS_TEST_TMPDIR/$p.pcap"
	done
	"$BIN/vnd-correlate" -q in="$BATS_TEST_TMPDIR/inside.pcap" out="$BATS_TEST_TMPDIR/outside.pcap" >"$BATS_TEST_TMPDIR/flows"
	# each of the 20 TCP connections twice, by fingerprint, each alone
	[ "$(tsv_count 'v["ip_proto"] == 6' "$BATS_TEST_TMPDIR/flows")" -eq 40 ]
	[ "$(tsv_count 'v["ip_proto"] == 6 && v["confidence"] != 1' "$BATS_TEST_TMPDIR/flows")" -eq 0 ]
	awk -F'\t' 'NR > 1 && $5 == 6 { print $2 }' "$BATS_TEST_TMPDIR/flows" | sort | uniq -c | awk '{ print $1 }' | sort -u >"$BATS_TEST_TMPDIR/counts"
	[ "$(cat "$BATS_TEST_TMPDIR/counts")" = 2 ]
}
