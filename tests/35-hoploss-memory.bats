#!/usr/bin/env bats
# vnd-hoploss's memory follows the flows alive, not the length of the trace.
bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	export FLOWS="$BATS_FILE_TMPDIR"
	python3 "$TOP/tests/mkflows.py" 20000 "$FLOWS/short-a.pcap" "$FLOWS/short-b.pcap"
	python3 "$TOP/tests/mkflows.py" 200000 "$FLOWS/long-a.pcap" "$FLOWS/long-b.pcap"
}

# Peak resident memory of one run, in KiB.
peak_kb() {
	/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" "$BIN/vnd-hoploss" -q "$@" \
	    >"$BATS_TEST_TMPDIR/hops.tsv"
	cat "$BATS_TEST_TMPDIR/rss"
}

@test "hoploss memory: ten times the flows, one after the other, no more memory" {
	# AddressSanitizer keeps what is freed in quarantine: RSS says nothing
	! ldd "$BIN/vnd-hoploss" | grep -q libasan || skip "an ASan build"
	short=$(peak_kb a="$FLOWS/short-a.pcap" b="$FLOWS/short-b.pcap")
	long=$(peak_kb a="$FLOWS/long-a.pcap" b="$FLOWS/long-b.pcap")
	echo "peak: $short KiB for 20000 flows, $long KiB for 200000"
	# every flow's direction kept (before): 33 MB and 160 MB
	[ "$long" -lt $((short + 16384)) ]
}

@test "hoploss memory: the long trace's counts are still exact" {
	peak_kb a="$FLOWS/long-a.pcap" b="$FLOWS/long-b.pcap" >/dev/null
	[ "$(tsv_col in_pkts <"$BATS_TEST_TMPDIR/hops.tsv" | head -1)" -eq 200000 ]
	[ "$(tsv_col lost_pkts <"$BATS_TEST_TMPDIR/hops.tsv" | head -1)" -eq 4000 ]
	[ "$(tsv_col src_side <"$BATS_TEST_TMPDIR/hops.tsv" | head -1)" = client ]
}
