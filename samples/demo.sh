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
echo "== one-hop loss and delay, client -> server data, by pkt_id + payload_hash (VND 3.3.1)"
prev=""
for p in $pts; do
	if [ -n "$prev" ]; then
		sqlite3 -separator ' ' "$db" "
		WITH a AS (SELECT * FROM packets WHERE point = 'path-$prev' AND src_ip = '198.18.1.1' AND ip_proto = 6),
		     b AS (SELECT * FROM packets WHERE point = 'path-$p' AND src_ip = '198.18.1.1' AND ip_proto = 6),
		     m AS (SELECT b.ts_ns - a.ts_ns AS d FROM a JOIN b ON b.pkt_id = a.pkt_id AND b.payload_hash IS a.payload_hash
		           AND a.payload_bytes > 0)
		SELECT printf('%-7s -> %-7s in %5d  out %5d  lost %4d (%.2f%%)  delay p50 %6.1f us  max %8.1f us',
		    '$prev', '$p', (SELECT count(*) FROM a), (SELECT count(*) FROM b),
		    (SELECT count(*) FROM a) - (SELECT count(*) FROM b),
		    100.0 * ((SELECT count(*) FROM a) - (SELECT count(*) FROM b)) / (SELECT count(*) FROM a),
		    (SELECT d FROM m ORDER BY d LIMIT 1 OFFSET (SELECT count(*) / 2 FROM m)) / 1000.0,
		    (SELECT max(d) FROM m) / 1000.0)"
	fi
	prev=$p
done

echo
echo "== what the kernels counted (samples/path.truth.tsv)"
awk -F'\t' '$3 == "pkts" && $2 ~ /random-drop/ { print "r1 iptables DROP rule:", $4, "packets" }
    $3 == "dropped_pkts" { print "r2 tbf qdisc drops:   ", $4, "packets" }' samples/path.truth.tsv

echo
echo "== for the postmortem"
sqlite3 "$db" "
WITH hops(i, o) AS (VALUES ('path-client','path-r1in'),('path-r1in','path-r1out'),('path-r1out','path-r2in'),
                           ('path-r2in','path-r2out'),('path-r2out','path-server')),
     n AS (SELECT h.i, h.o,
             (SELECT count(*) FROM packets WHERE point = h.i AND src_ip = '198.18.1.1' AND ip_proto = 6) AS nin,
             (SELECT count(*) FROM packets WHERE point = h.o AND src_ip = '198.18.1.1' AND ip_proto = 6) AS nout
           FROM hops h)
SELECT printf('%s: lost %d of %d client->server packets (%.1f%%)', replace(i, 'path-', '') || ' -> ' || replace(o, 'path-', ''),
    nin - nout, nin, 100.0 * (nin - nout) / nin)
FROM n WHERE nin > nout ORDER BY nin - nout DESC"
