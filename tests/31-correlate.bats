#!/usr/bin/env bats
# vnd-correlate: flows through NAT and a proxy, against conntrack and haproxy's own log.
bats_require_minimum_version 1.5.0
load helpers

@test "correlate: the SNAT flow map equals conntrack's mapping for every connection" {
	cd "$SAMPLES"
	run -0 --separate-stderr "$BIN/vnd-correlate" -q in=snat-inside.pcap out=snat-outside.pcap
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/flows"
	# ip_proto, inside source, its port as the NAT wrote it
	tsv_awk '{ print v["ip_proto"], v["in_src_ip"], v["in_src_port"], v["out_src_ip"], v["out_src_port"], v["method"] }' \
	    "$BATS_TEST_TMPDIR/flows" | sort >"$BATS_TEST_TMPDIR/got"
	tsv_awk '{ print (v["proto"] == "tcp" ? 6 : 17), v["orig_src_ip"], v["orig_src_port"], v["nat_src_ip"], v["nat_src_port"], "fingerprint" }' \
	    snat.truth.tsv | sort >"$BATS_TEST_TMPDIR/want"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" -eq 24 ]
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "correlate: through haproxy (mode tcp), 400 connections at 400/s agree with haproxy's log" {
	cd "$SAMPLES"
	tsv_awk '{ print v["client_port"], v["lb_src_port"] }' haproxy.truth.tsv | sort >"$BATS_TEST_TMPDIR/want"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" -ge 300 ]
	for m in auto payload order; do
		"$BIN/vnd-correlate" -q -m $m front=haproxy-front.pcap back=haproxy-back.pcap >"$BATS_TEST_TMPDIR/$m"
		tsv_awk '{ print v["in_src_port"], v["out_src_port"] }' "$BATS_TEST_TMPDIR/$m" | sort >"$BATS_TEST_TMPDIR/got"
		echo "$m: $(comm -12 "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" | wc -l) agree"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	done
	# the proxy splits every connection: the fingerprint finds none of them
	"$BIN/vnd-correlate" -q -m fingerprint front=haproxy-front.pcap back=haproxy-back.pcap >"$BATS_TEST_TMPDIR/fp"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/fp")" -eq 1 ]
	# and auto says which method it used
	[ "$(tsv_col method <"$BATS_TEST_TMPDIR/auto" | sort -u)" = payload ]
	[ "$(tsv_col method <"$BATS_TEST_TMPDIR/order" | sort -u)" = order ]
}

@test "correlate: --pairs gives every packet matched through the NAT, with its delay" {
	cd "$SAMPLES"
	"$BIN/vnd-correlate" -q --pairs in=snat-inside.pcap out=snat-outside.pcap >"$BATS_TEST_TMPDIR/pairs"
	head -1 "$BATS_TEST_TMPDIR/pairs" | grep -qx $'in_frame\tout_frame\tin_ts_ns\tout_ts_ns\tdelay_ns\tfrom\tmethod'
	# every IP packet inside crossed (nothing dropped there): one pair each
	n=$("$BIN/vnd-parse" -q -H -f ip snat-inside.pcap | wc -l)
	[ "$(($(wc -l <"$BATS_TEST_TMPDIR/pairs") - 1))" -eq "$n" ]
	[ "$(tsv_count 'v["delay_ns"] < 0 || v["delay_ns"] > 10000000' "$BATS_TEST_TMPDIR/pairs")" -eq 0 ]
}

@test "correlate: SQLite output holds flows and pairs" {
	need_cmd sqlite3
	cd "$SAMPLES"
	"$BIN/vnd-correlate" -q -o "$BATS_TEST_TMPDIR/c.db" in=snat-inside.pcap out=snat-outside.pcap
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/c.db" 'SELECT count(*) FROM flows')" -eq 24 ]
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/c.db" 'SELECT count(*) FROM pairs')" -gt 300 ]
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/c.db" "SELECT group_concat(point || ':' || packets) FROM meta")" = "in:372,out:372" ]
}

@test "correlate: errors and usage" {
	cd "$SAMPLES"
	run -2 --separate-stderr "$BIN/vnd-correlate" snat-inside.pcap
	run -2 --separate-stderr "$BIN/vnd-correlate" -m bogus snat-inside.pcap snat-outside.pcap
	[[ $stderr == *"auto, fingerprint, payload or order"* ]]
	run -2 --separate-stderr "$BIN/vnd-correlate" - snat-outside.pcap
	run -2 --separate-stderr "$BIN/vnd-correlate" --bogus
	[[ $stderr == *"usage: vnd-correlate"* ]]
	run -1 --separate-stderr "$BIN/vnd-correlate" snat-inside.pcap /nonexistent.pcap
	[[ $stderr == *"No such file or directory"* ]]
}

@test "correlate: corpus: ns-3's two ends of a link correlate by fingerprint, nothing else" {
	need_corpus
	"$BIN/vnd-correlate" -q "$CORPUS/multicast-tcp/tcp-bulk-send-0-0.pcap" "$CORPUS/multicast-tcp/tcp-bulk-send-1-0.pcap" \
	    >"$BATS_TEST_TMPDIR/flows"
	run -0 tsv_awk '{ print v["method"], v["matched_pkts"], v["confidence"] }' "$BATS_TEST_TMPDIR/flows"
	assert_output "fingerprint 286 1"
}

@test "correlate: from vnd-parse's tables, the same flow map" {
	cd "$SAMPLES"
	"$BIN/vnd-parse" -q haproxy-front.pcap haproxy-back.pcap >"$BATS_TEST_TMPDIR/hp.tsv"
	"$BIN/vnd-correlate" -q haproxy-front=haproxy-front.pcap haproxy-back=haproxy-back.pcap >"$BATS_TEST_TMPDIR/a"
	"$BIN/vnd-correlate" -q haproxy-front="$BATS_TEST_TMPDIR/hp.tsv" haproxy-back="$BATS_TEST_TMPDIR/hp.tsv" >"$BATS_TEST_TMPDIR/b"
	diff -u "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
}

@test "correlate: corpus: ns-3's NAT, inside to outside, through the address rewrite" {
	need_corpus
	d="$CORPUS/multicast-tcp"
	run -0 --separate-stderr "$BIN/vnd-correlate" -q in="$d/ipv4-nat-1-2.pcap" out="$d/ipv4-nat-1-1.pcap"
	tsv_col in_src_ip in_src_port out_src_ip out_src_port method matched_pkts <<<"$output" >"$BATS_TEST_TMPDIR/got"
	cat "$BATS_TEST_TMPDIR/got"
	# the inside host's connection leaves as 8.8.8.101 (its handshake) and
	# 8.8.8.103 (the rest: ns-3's NAT changes the mapping mid-connection)
	grep -qx $'192.168.2.1\t49153\t8.8.8.101\t49153\tfingerprint\t3' "$BATS_TEST_TMPDIR/got"
	grep -qx $'192.168.2.1\t49153\t8.8.8.103\t49153\tfingerprint\t5' "$BATS_TEST_TMPDIR/got"
}

@test "correlate: a 5-tuple opened again after a close is a new connection" {
	cd "$SAMPLES"
	# the SNAT run twice, the second 100 s later: every 5-tuple comes back
	for p in inside outside; do
		python3 "$TOP/tests/pcapshift.py" 100 snat-$p.pcap "$BATS_TEST_TMPDIR/late.pcap"
		{ cat snat-$p.pcap; tail -c +25 "$BATS_TEST_TMPDIR/late.pcap"; } >"$BATS_TEST_TMPDIR/$p.pcap"
	done
	"$BIN/vnd-correlate" -q in="$BATS_TEST_TMPDIR/inside.pcap" out="$BATS_TEST_TMPDIR/outside.pcap" >"$BATS_TEST_TMPDIR/flows"
	tsv_awk 'v["ip_proto"] == 6 { n[v["in_src_ip"] " " v["in_src_port"] " " v["out_src_ip"] " " v["out_src_port"]]++ }
	    END { for (k in n) print n[k] }' "$BATS_TEST_TMPDIR/flows" | sort -u >"$BATS_TEST_TMPDIR/counts"
	# each TCP connection twice, each time alone (confidence 1)
	[ "$(cat "$BATS_TEST_TMPDIR/counts")" = 2 ]
	[ "$(tsv_count 'v["ip_proto"] == 6' "$BATS_TEST_TMPDIR/flows")" -eq 40 ]
	[ "$(tsv_count 'v["ip_proto"] == 6 && v["confidence"] != 1' "$BATS_TEST_TMPDIR/flows")" -eq 0 ]
}
