#!/usr/bin/env bats
# vnd-select on real traffic recorded in network namespaces: loss through a NAT router, a port scan.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
	need_cmd iperf3
	need_cmd tcpdump
	need_cmd iptables
	need_cmd conntrack
	need_cmd socat
	need_cmd tc
}

# lossy_at PCAP: the connections vnd-tcpstate finds retransmissions in, client first
lossy_at() {
	"$BIN/vnd-tcpstate" "$1" | tsv_awk 'v["retx_pkts"] > 0 {
	    c = v["src_ip"] ":" v["src_port"]; s = v["dst_ip"] ":" v["dst_port"]
	    print (v["sender"] == "server" ? s " " c : c " " s) }' | sort -u
}

@test "select net: lossy flows through a dropping, queueing NAT router, at every point" {
	local d="$BATS_TEST_TMPDIR/loss" p
	"$TOP/tests/select-net.sh" "$d" loss
	drops=$(awk -F'\t' '{ print $3 }' "$d/truth.tsv")
	echo "the router dropped $drops packets"
	[ "$drops" -gt 0 ]
	cd "$d"
	"$BIN/vnd-select" -e loss -w out ctap=ctap.pcap rin=rin.pcap rout=rout.pcap srv=srv.pcap >sel.tsv
	# the selection at the client's tap: exactly vnd-tcpstate's lossy connections
	tsv_col src_ip src_port dst_ip dst_port <sel.tsv | awk '{ print $1 ":" $2 " " $3 ":" $4 }' | sort -u >sel.txt
	lossy_at ctap.pcap >ts.txt
	diff -u ts.txt sel.txt
	nsel=$(wc -l <sel.txt)
	echo "$nsel lossy connections of $(($(wc -l <conntrack.tsv) - 1))"
	[ "$nsel" -gt 0 ]
	[ "$nsel" -lt "$(($(wc -l <conntrack.tsv) - 1))" ]
	# each point's file: exactly its records of those flows; outside the NAT
	# the flows as conntrack rewrote them
	for p in ctap rin; do
		run -0 python3 "$TOP/tests/select-check.py" "$p.pcap" "out/$p.pcap" sel.tsv
		echo "$p: $output"
	done
	tsv_col src_port <sel.tsv >ports
	tsv_col src_port nat_ip nat_port dst_ip dst_port <conntrack.tsv |
	    awk -F'\t' -v OFS='\t' 'NR == FNR { w[$1] = 1; next } $1 in w { print $2, $3, $4, $5 }' ports - >body
	[ "$(wc -l <body)" -eq "$nsel" ]
	{ printf 'src_ip\tsrc_port\tdst_ip\tdst_port\n'; cat body; } >outside.tsv
	for p in rout srv; do
		run -0 python3 "$TOP/tests/select-check.py" "$p.pcap" "out/$p.pcap" outside.tsv
		echo "$p: $output"
	done
	# every point found every selected flow
	[ "$(tsv_count "v[\"selected_flows\"] == $nsel" out/manifest.tsv)" -eq 4 ]
}

@test "select net: elephants are vnd-tcpstate's top flows by bytes, through the NAT too" {
	local d="$BATS_TEST_TMPDIR/el"
	"$TOP/tests/select-net.sh" "$d" loss
	cd "$d"
	"$BIN/vnd-select" -e elephant --top 4 -w out ctap.pcap srv.pcap | tsv_col src_ip src_port | sort >sel.txt
	"$BIN/vnd-tcpstate" ctap.pcap | tsv_awk '{
	    c = v["sender"] == "server" ? v["dst_ip"] "\t" v["dst_port"] : v["src_ip"] "\t" v["src_port"]
	    b[c] += v["data_bytes"] } END { for (c in b) print b[c] "\t" c }' |
	    sort -k1,1nr >ts.txt
	[ "$(wc -l <sel.txt)" -eq 4 ]
	# a top 4 by tcpstate's bytes: none left out has more than one taken
	# (flows tied at the 4th place may be taken either way)
	run -0 awk -F'\t' 'NR == FNR { sel[$1 "\t" $2] = 1; next }
	    ($2 "\t" $3) in sel { n++; if (min == "" || $1 < min) min = $1; next }
	    $1 > max { max = $1 }
	    END { print n, (max <= min) }' sel.txt ts.txt
	[ "$output" = "4 1" ]
	# the two iperf3 data flows are among them
	[ "$(grep -c '^198.18.60.1	' sel.txt)" -ge 2 ]
	[ "$(tsv_awk 'v["point"] == "srv" { print v["selected_flows"] }' out/manifest.tsv)" -eq 4 ]
}

@test "select net: a port scan among ordinary clients selects the scanner's flows only" {
	local d="$BATS_TEST_TMPDIR/scan"
	"$TOP/tests/select-net.sh" "$d" scan
	cd "$d"
	"$BIN/vnd-select" -e scan rin.pcap >sel.tsv
	tsv_col src_ip <sel.tsv | sort | uniq -c >who
	cat who
	[ "$(tsv_count 'v["src_ip"] == "198.18.60.9"' sel.tsv)" -eq 200 ]
	[ "$(tsv_count 'v["src_ip"] != "198.18.60.9"' sel.tsv)" -eq 0 ]
	# the ordinary client's 20 transfers were there, and not selected
	"$BIN/vnd-tcpstate" rin.pcap >conns.tsv
	[ "$(tsv_count 'v["src_ip"] == "198.18.60.1" && v["dst_port"] == 7000' conns.tsv)" -ge 20 ]
	# the evidence: 200 ports tried, all refused (the sink, 7000, is not among them)
	[ "$(tsv_count 'v["evidence"] == "targets=200 failed=200"' sel.tsv)" -eq 200 ]
	# unanswered: the same refused SYNs, none of the ordinary client's
	"$BIN/vnd-select" -e unanswered rin.pcap >un.tsv
	[ "$(tsv_count 'v["src_ip"] == "198.18.60.9"' un.tsv)" -eq 200 ]
	[ "$(tsv_count 'v["src_ip"] != "198.18.60.9"' un.tsv)" -eq 0 ]
}
