#!/bin/bash
# select-curve.sh: MOZART's two-mode curve on fresh recordings: selected flows missed against memory.
#
# Usage (as root): tests/select-curve.sh OUTDIR [RUNS] [DELAY]
#
# Records RUNS (default 3) of select-net.sh's "many" case (192 connections,
# 16 at once, through a router dropping 2%), runs vnd-select --monitor with
# the loss selector at the client's tap and the server's tap as the monitor
# (coordination delay DELAY seconds, default 0.01), and prints, summed over
# the runs, per table size: the selected flows missed and the share of
# their packets from before the decision that was kept, for the strawman
# (p = 0) and two-mode at p = 0.01, 0.1 and 0.5.
set -eu
[ $# -ge 1 ] || { echo "usage: select-curve.sh OUTDIR [RUNS] [DELAY]" >&2; exit 2; }
out=$1
runs=${2:-3}
delay=${3:-0.01}
here=$(cd "$(dirname "$0")" && pwd)
bin=${BIN:-$here/../bin}
for r in $(seq "$runs"); do
	"$here/select-net.sh" "$out/run$r" many
	(cd "$out/run$r" && "$bin/vnd-select" --monitor --delay "$delay" -e loss \
	    ctap=ctap.pcap srv=srv.pcap >mon.tsv)
done
python3 - "$out"/run*/mon.tsv <<'PY'
import csv
import sys

agg = {}
for f in sys.argv[1:]:
    for row in csv.DictReader(open(f), delimiter='\t'):
        a = agg.setdefault((int(row['entries']), float(row['prob'])), [0] * 4)
        a[0] += int(row['missed'])
        a[1] += int(row['selected_flows'])
        a[2] += int(row['pre_kept_pkts'])
        a[3] += int(row['pre_pkts'])
ns = sorted({k[0] for k in agg})
ps = sorted({k[1] for k in agg})
print('\t'.join(['entries'] + ['p=%g missed\tpre kept' % p for p in ps]))
for n in ns:
    cells = [str(n)]
    for p in ps:
        m, s, k, pre = agg[(n, p)]
        cells.append('%d/%d %.1f%%' % (m, s, 100.0 * m / s if s else 0))
        cells.append('%.0f%%' % (100.0 * k / pre if pre else 0))
    print('\t'.join(cells))
PY
