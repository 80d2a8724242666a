#!/bin/sh
# golden.sh: regenerate tests/golden from the samples; review the diff, never hand-edit.
set -eu
cd "$(dirname "$0")/.."
g=tests/golden/parse
mkdir -p "$g"
bin/vnd-parse -q samples/snat-inside.pcap >"$g/snat-inside.tsv"
bin/vnd-parse -q -p outside samples/snat-outside.pcap >"$g/snat-outside.tsv"
bin/vnd-parse -q -H -f 'tcp[tcpflags] & tcp-syn != 0' samples/haproxy-front.pcap >"$g/haproxy-front-syn.tsv"
bin/vnd-parse -q -c tests/data/figure7b.conf samples/chain-slowsink-relay1in.pcap >"$g/figure7b.tsv"
# meta without the command and version columns, which name paths and builds;
# the columns picked by name, each file's header once
for f in samples/*.pcap; do
	bin/vnd-parse -q -D "$f"
done | awk -F'\t' -v OFS='\t' -v want='point file format link_types packets malformed_pkts first_ts_ns last_ts_ns' '
    NR == 1 { hdr = $0; n = split(want, w, " ")
	for (i = 1; i <= NF; i++) h[$i] = i
	for (i = 1; i <= n; i++) if (!(w[i] in h)) { print "golden.sh: no column " w[i] >"/dev/stderr"; exit 2 } }
    NR > 1 && $0 == hdr { next }
    { line = $h[w[1]]; for (i = 2; i <= n; i++) line = line OFS $h[w[i]]; print line }' >"$g/samples-meta.tsv"
echo "golden files regenerated in $g; review with git diff"
# vnd-hoploss on the path samples, run from samples/ so point names carry no directory
g=tests/golden/hoploss
mkdir -p "$g"
p="path-client.pcap path-r1in.pcap path-r1out.pcap path-r2in.pcap path-r2out.pcap path-server.pcap"
(cd samples && ../bin/vnd-hoploss -q $p) >"$g/path.tsv"
(cd samples && ../bin/vnd-hoploss -q --path $p) >"$g/path-report.txt"
# vnd-check on the path samples: its findings (exit 3), run from samples/ as above
g=tests/golden/check
mkdir -p "$g"
(cd samples && ../bin/vnd-check $p || [ $? -eq 3 ]) >"$g/path.txt"
# vnd-select on the samples, run from samples/ so point names carry no directory
g=tests/golden/select
mkdir -p "$g"
(cd samples && ../bin/vnd-select -e loss,reset,zero-window,slow,elephant,scan,unanswered client=path-client.pcap) >"$g/path-all.tsv"
(cd samples && ../bin/vnd-select -e loss,zero-window chain-slowsink-relay2out.pcap) >"$g/chain-slowsink.tsv"
(cd samples && ../bin/vnd-select -e elephant --top 3 in=snat-inside.pcap) >"$g/snat-elephants.tsv"
(cd samples && ../bin/vnd-select -e slow --slow 1 path-server.pcap) >"$g/path-slow.tsv"
(cd samples && ../bin/vnd-select -q -e loss --at client,r1in,r1out,r2in,r2out,server client=path-client.pcap r1in=path-r1in.pcap \
    r1out=path-r1out.pcap r2in=path-r2in.pcap r2out=path-r2out.pcap server=path-server.pcap) >"$g/path-hops.tsv"
