#!/bin/sh
# demo.sh: the whole pipeline on the bundled path samples, from captures to postmortem lines.
# Six capture points on client - r1 - r2 - server; r1 drops at random with
# iptables, r2 queues and drops in a tbf bottleneck (samples/README.md).
set -eu
cd "$(dirname "$0")/.."
db=${TMPDIR:-/tmp}/vnd-demo.db
pts="client r1in r1out r2in r2out server"

echo "== vnd parse: six capture points into one SQLite file ($db)"
set --
for p in $pts; do set -- "$@" "samples/path-$p.pcap"; done
bin/vnd parse -q -o "$db" "$@"
sqlite3 -header -column "$db" \
    "SELECT point, packets, format, link_types, (last_ts_ns - first_ts_ns) / 1000000 AS span_ms FROM meta"

echo
echo "== vnd hoploss: loss and delay hop by hop, both directions, clocks checked"
set --
for p in $pts; do set -- "$@" "samples/path-$p.pcap"; done
bin/vnd hoploss "$@" | cut -f1-11 | column -t
echo
echo "== the same counts by hand, in SQL over the trace tables"
prev=""
for p in $pts; do
	if [ -n "$prev" ]; then
		sqlite3 -separator ' ' "$db" "
		WITH a AS (SELECT * FROM packets WHERE point = 'path-$prev' AND src_ip = '198.18.1.1' AND ip_proto = 6),
		     b AS (SELECT * FROM packets WHERE point = 'path-$p' AND src_ip = '198.18.1.1' AND ip_proto = 6)
		SELECT printf('%-7s -> %-7s in %5d  out %5d  lost %4d', '$prev', '$p',
		    (SELECT count(*) FROM a), (SELECT count(*) FROM b), (SELECT count(*) FROM a) - (SELECT count(*) FROM b))"
	fi
	prev=$p
done

echo
echo "== vnd tcpstate and vnd rtt at the client: what limited the connections"
bin/vnd tcpstate samples/path-client.pcap |
    awk -F'\t' '{ print $3, $7, $16, $19, $20, $21, $29, $30, $31, $32 }' | column -t
bin/vnd rtt --summary samples/path-client.pcap | cut -f3,7,8,11,14 | column -t
echo

echo "== vnd select (MOZART): the flows that lost packets at the client, and their packets at every point"
sel=${TMPDIR:-/tmp}/vnd-demo-select
bin/vnd select -e loss -w "$sel" "$@" | cut -f1-7,10 | column -t
cut -f1,5-8 "$sel/manifest.tsv" | column -t
echo

echo "== what the kernels counted (samples/path.truth.tsv)"
awk -F'\t' '$3 == "pkts" && $2 ~ /random-drop/ { print "r1 iptables DROP rule:", $4, "packets" }
    $3 == "dropped_pkts" { print "r2 tbf qdisc drops:   ", $4, "packets" }
    $2 == "client:tcp" && $3 == "TcpRetransSegs" { print "client retransmitted: ", $4, "segments" }' samples/path.truth.tsv

echo
echo "== vnd rootcause: which element, which resource (PerfSight Algorithm 1, the hosts' counters)"
bin/vnd rootcause -c samples/path.truth.tsv | cut -f1,2,4,6 | column -t -s "$(printf '\t')"
echo
echo "== and in a chain of proxies with one slow element (Algorithm 2, from the captures alone)"
for v in slowsink slowsource slowrelay; do
	bin/vnd tcpstate r1in=samples/chain-$v-relay1in.pcap r1out=samples/chain-$v-relay1out.pcap \
	    r2in=samples/chain-$v-relay2in.pcap r2out=samples/chain-$v-relay2out.pcap |
	    bin/vnd rootcause -H --chain tests/data/chain.tsv -s - | cut -f8
done
echo

echo "== for the postmortem"
bin/vnd hoploss -q --path "$@" | tail -n 1
bin/vnd rootcause -H -c samples/path.truth.tsv | cut -f8

echo
echo "== vnd check, as cron runs it: silent when all is well, else a line per threshold crossed (exit 3)"
bin/vnd check "$db" || test $? -eq 3

echo
echo "== vnd report: the incident on one page (every figure with the command that draws it)"
report=${TMPDIR:-/tmp}/vnd-demo.html
set --
for p in $pts; do set -- "$@" "$p=path-$p.pcap"; done
(cd samples && ../bin/vnd report -o "$report" --chain ../tests/data/path-chain.tsv \
    -c path.truth.tsv "$@")
echo "report: $report ($(wc -c <"$report") bytes; open it in a browser, or vnd report --text)"
