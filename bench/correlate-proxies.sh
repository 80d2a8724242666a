#!/bin/bash
# correlate-proxies.sh [RUNS] [RATES]: share of client connections whose best
# row names the right backend connection, per proxy x balancing x payload kind
# x rate x method, over fresh recordings (samples/make-proxies.sh, as root).
# Prints TSV: proxy balance payload rate run method right total.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-3}
RATES=${2:-400 800}
W=$(mktemp -d /tmp/vc-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT

# the best row of each input connection (highest confidence) against the truth
score() {	# TRUTH FLOWS
	awk -F'\t' 'FNR == 1 { f++; for (i = 1; i <= NF; i++) h[f, $i] = i; next }
	f == 1 { want[$h[1, "client_port"]] = $h[1, "lb_src_port"]; n++; next }
	{ p = $h[2, "in_src_port"]; c = $h[2, "confidence"]
	  if (!(p in best) || c > best[p]) { best[p] = c; got[p] = $h[2, "out_src_port"] } }
	END { for (p in want) if (got[p] == want[p]) r++; printf "%d\t%d\n", r, n }' "$1" "$2"
}

printf 'proxy\tbalance\tpayload\trate\trun\tmethod\tright\ttotal\n'
for rate in $RATES; do
for run in $(seq "$RUNS"); do
for proxy in haproxy nginx; do
for bal in rr lc; do
for pay in same distinct; do
	"$TOP/samples/make-proxies.sh" -d "$W" -n 400 -r "$rate" "$proxy" "$bal" "$pay" x 2>/dev/null
	for m in auto time payload order; do
		"${VND_CORRELATE:-$TOP/bin/vnd-correlate}" -q -m "$m" "$W/x-front.pcap" "$W/x-back.pcap" >"$W/flows"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$proxy" "$bal" "$pay" "$rate" "$run" "$m" "$(score "$W/x.truth.tsv" "$W/flows")"
	done
done
done
done
done
done
