#!/bin/sh
# stitch.sh [OPS]: vnd-stitch's speed and memory on a large recording of the
# control plane (samples/make-controlplane.sh with OPS boots, 2000 by
# default; made once into bench/data/stitch/, as root), against a bare
# libpcap loop (bench/floor) and tshark's HTTP and AMQP dissectors.
# Prints control traffic per second of CPU (TCP payload bits and wire bits)
# and peak RSS, for the whole recording and for its first quarter (memory
# must not grow with the trace: it follows the connections alive).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
ops=${1:-2000}
data=$here/data/stitch
bin=$root/bin
mkdir -p "$data"
if [ ! -f "$data/controlplane.pcap" ]; then
	"$root/samples/make-controlplane.sh" "$data" "$ops" plain
	gzip -dc "$data/controlplane.pcap.gz" >"$data/controlplane.pcap"
fi
make -s -C "$here" >/dev/null
trace=$data/controlplane.pcap
pkts=$(tcpdump -r "$trace" -n 2>/dev/null | wc -l)
head -c $(($(stat -c %s "$trace") / 4)) "$trace" >"$data/quarter.pcap"

# cpu CMD...: user+sys seconds and peak RSS (KiB) of one run, the best of 3
cpu() {
	best=""
	for i in 1 2 3; do
		/usr/bin/time -f '%U %S %M' -o "$data/time" "$@" >/dev/null 2>&1 || true
		# the last line: a status other than 0 adds one before it
		t=$(tail -n 1 "$data/time" | awk '{ printf "%.3f %d", $1 + $2, $3 }')
		if [ -z "$best" ] || [ "$(echo "$t $best" | awk '{ print ($1 < $3) }')" = 1 ]; then
			best=$t
		fi
	done
	echo "$best"
}

"$bin/vnd-stitch" -q -k bench --streams "$trace" >"$data/streams.tsv"
payload=$(awk -F'\t' 'NR > 1 { n += $11 + $13 } END { print n }' "$data/streams.tsv")
wire=$(stat -c %s "$trace")
set -- $(cpu "$bin/vnd-stitch" -q -k bench -o "$data/out.db" "$trace")
s_cpu=$1 s_rss=$2
set -- $(cpu "$bin/vnd-stitch" -q -k bench -o "$data/out.db" "$data/quarter.pcap")
q_rss=$2
# the floor is too quick for time(1)'s 10 ms: 20 runs, a twentieth of them
set -- $(cpu sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do "$0" "$1"; done' "$here/floor" "$trace")
f_cpu=$(echo "$1" | awk '{ printf "%.4f", $1 / 20 }')
echo "trace: $pkts packets, $wire bytes, $payload bytes of TCP payload, $ops boots"
printf 'vnd-stitch -o: %s s CPU, %.0f Mbit/s of payload, %.0f Mbit/s on the wire, %.1fx the libpcap floor (%s s), peak RSS %s KiB (first quarter: %s KiB)\n' \
    "$s_cpu" "$(echo "$payload $s_cpu" | awk '{ print $1 * 8 / $2 / 1e6 }')" \
    "$(echo "$wire $s_cpu" | awk '{ print $1 * 8 / $2 / 1e6 }')" \
    "$(echo "$s_cpu $f_cpu" | awk '{ print $1 / ($2 > 0 ? $2 : 0.001) }')" "$f_cpu" "$s_rss" "$q_rss"
if command -v tshark >/dev/null 2>&1; then
	set -- $(cpu tshark -r "$trace" -n -T fields -e http.request.method -e http.response.code \
	    -e amqp.method.arguments.routing_key)
	echo "tshark (HTTP and AMQP fields): $1 s CPU, $(echo "$1 $s_cpu" | awk '{ printf "%.1f", $1 / $2 }')x vnd-stitch's"
fi

# accuracy at this scale: transactions against the services' logs, faults
# against the client's truth
"$bin/vnd-stitch" -q -k bench --transactions "$trace" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { print $c["request_id"] "\t" $c["http"] + $c["rpc"] }' | sort >"$data/got"
awk -F'\t' '$3 == "send" { n[$5]++ } END { for (k in n) print k "\t" n[k] }' "$data/controlplane.log" | sort >"$data/want"
echo "transactions whole (messages as the services logged): $(comm -12 "$data/want" "$data/got" | wc -l) of $(wc -l <"$data/want")"
"$bin/vnd-stitch" -q -k bench --faults "$trace" >"$data/faults.tsv"
awk -F'\t' 'NR == FNR { if (FNR > 1) { fault[$3] = $6; what[$3] = $7 } next }
    FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { r = $c["request_id"]; if (!(r in fault) || fault[r] == "-") { fp++; next }
      w = what[r]; ok = $c["fault"] == fault[r] && ($c["status"] == w || index($c["failure"], w) == 1 || $c["server"] == w)
      if (ok) tp++; else fp++; seen[r] = 1 }
    END { for (r in fault) if (fault[r] != "-" && !(r in seen)) fn++
          printf "faults: %d right root causes, %d wrong or false, %d missed: precision %.3f, recall %.3f\n",
              tp, fp, fn, tp / (tp + fp > 0 ? tp + fp : 1), tp / (tp + fn > 0 ? tp + fn : 1) }' \
    "$data/controlplane.truth.tsv" "$data/faults.tsv"
