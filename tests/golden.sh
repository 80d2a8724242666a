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
# meta without the command and version columns, which name paths and builds
for f in samples/*.pcap; do
	bin/vnd-parse -q -D "$f"
done | awk -F'\t' 'NR == 1 || $1 != "point"' | cut -f1-8 >"$g/samples-meta.tsv"
echo "golden files regenerated in $g; review with git diff"
