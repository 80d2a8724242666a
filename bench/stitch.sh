#!/bin/sh
# stitch.sh [OPS [REF]]: vnd-stitch's speed and memory on two recordings of
# the control plane (samples/make-controlplane.sh, as root): OPS boots
# (2000 by default) and ten times as many, made once into
# bench/data/stitch/N/. Against a bare libpcap loop (bench/floor),
# tshark's HTTP and AMQP dissectors, and, given REF (a git commit), the
# vnd-stitch built from it, run side by side (the machine is shared: runs
# alternate, the best of RUNS, 5 by default, counts).
# Prints control traffic per second of CPU (TCP payload bits and wire
# bits) and peak RSS on both recordings, and for this vnd-stitch its
# peak RSS and --stats at -w 2 and -w 10: memory must follow the
# transactions in flight, not the recording (flat from one to the other
# once the recording is several windows long).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
ops=${1:-2000}
ref=${2:-}
runs=${RUNS:-5}
data=$here/data/stitch
bin=$root/bin

# recording N: bench/data/stitch/N/controlplane.pcap, made if missing
recording() {
	if [ ! -f "$data/$1/controlplane.pcap" ]; then
		mkdir -p "$data/$1"
		"$root/samples/make-controlplane.sh" "$data/$1" "$1" plain >&2
		gzip -dc "$data/$1/controlplane.pcap.gz" >"$data/$1/controlplane.pcap"
	fi
	echo "$data/$1/controlplane.pcap"
}

# base REF: vnd-stitch built from commit REF, into bench/data/stitch/base-REF/
base() {
	d=$data/base-$1
	if [ ! -x "$d/bin/vnd-stitch" ]; then
		rm -rf "$d"
		mkdir -p "$d"
		git -C "$root" archive "$1" | tar -x -C "$d"
		make -s -C "$d" bin/vnd-stitch >/dev/null
	fi
	echo "$d/bin/vnd-stitch"
}

# once CMD...: "cpu_seconds max_rss_kib" of one run
once() {
	/usr/bin/time -f '%U %S %M' -o "$data/time" "$@" >/dev/null 2>&1 || true
	# the last line: a status other than 0 adds one before it
	tail -n 1 "$data/time" | awk '{ printf "%.3f %d\n", $1 + $2, $3 }'
}

# best FILE: the least CPU (and the most RSS) of the runs in FILE
best() {
	sort -n "$1" | awk 'NR == 1 { c = $1 } $2 > r { r = $2 } END { print c, r }'
}

# side TRACE BIN...: each binary run RUNS times, alternating; best of each
side() {
	trace=$1
	shift
	for b in "$@"; do : >"$data/runs.$(echo "$b" | cksum | cut -d' ' -f1)"; done
	i=0
	while [ "$i" -lt "$runs" ]; do
		for b in "$@"; do
			once "$b" -q -k bench -o "$data/out.db" "$trace" \
			    >>"$data/runs.$(echo "$b" | cksum | cut -d' ' -f1)"
		done
		i=$((i + 1))
	done
	for b in "$@"; do best "$data/runs.$(echo "$b" | cksum | cut -d' ' -f1)"; done
}

mbits() {
	echo "$1 $2" | awk '{ printf "%.0f", $1 * 8 / ($2 > 0 ? $2 : 0.001) / 1e6 }'
}

make -s -C "$here" >/dev/null
short=$(recording "$ops")
long=$(recording $((ops * 10)))
bins=$bin/vnd-stitch
[ -z "$ref" ] || bins="$(base "$ref") $bins"
for t in "$short" "$long"; do
	pkts=$(tcpdump -r "$t" -n 2>/dev/null | wc -l)
	"$bin/vnd-stitch" -q -k bench --streams "$t" >"$data/streams.tsv"
	payload=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	    { n += $c["bytes"] + $c["gap_bytes"] } END { print n }' "$data/streams.tsv")
	wire=$(stat -c %s "$t")
	echo "$t: $pkts packets, $wire bytes, $payload bytes of TCP payload"
	# shellcheck disable=SC2086 # the binaries, one word each
	side "$t" $bins >"$data/side"
	set -- $bins
	while read -r cpu rss; do
		printf '  %s: %s s CPU, %s Mbit/s of payload, %s Mbit/s on the wire, peak RSS %s KiB\n' \
		    "$1" "$cpu" "$(mbits "$payload" "$cpu")" "$(mbits "$wire" "$cpu")" "$rss"
		shift
	done <"$data/side"
	if [ -n "$ref" ]; then
		awk 'NR == 1 { b = $1 } NR == 2 { printf "  speed-up: %.2fx the CPU of %s\n", b / ($1 > 0 ? $1 : 0.001), r }' \
		    r="$ref" "$data/side"
	fi
	# the floor is too quick for time(1)'s 10 ms: 20 runs, a twentieth of them
	f=$(once sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do "$0" "$1"; done' \
	    "$here/floor" "$t" | awk '{ printf "%.4f", $1 / 20 }')
	echo "  libpcap floor: $f s CPU"
	# memory at two windows: it follows the transactions in flight
	for w in 2 10; do
		set -- $(once "$bin/vnd-stitch" -q -k bench -w "$w" -o "$data/out.db" "$t")
		echo "  -w $w: peak RSS $2 KiB; $("$bin/vnd-stitch" -q -k bench -w "$w" --stats \
		    -o "$data/out.db" "$t" 2>&1 | sed 's/^vnd-stitch: //')"
	done
done
if command -v tshark >/dev/null 2>&1; then
	set -- $(once tshark -r "$short" -n -T fields -e http.request.method \
	    -e http.response.code -e amqp.method.arguments.routing_key)
	echo "tshark (HTTP and AMQP fields) on $short: $1 s CPU"
fi

# accuracy at this scale: transactions against the services' logs, faults
# against the client's truth
dir=$(dirname "$short")
"$bin/vnd-stitch" -q -k bench --transactions "$short" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { print $c["request_id"] "\t" $c["http"] + $c["rpc"] }' | sort >"$data/got"
awk -F'\t' '$3 == "send" { n[$5]++ } END { for (k in n) print k "\t" n[k] }' "$dir/controlplane.log" | sort >"$data/want"
echo "transactions whole (messages as the services logged): $(comm -12 "$data/want" "$data/got" | wc -l) of $(wc -l <"$data/want")"
"$bin/vnd-stitch" -q -k bench --faults "$short" >"$data/faults.tsv"
awk -F'\t' 'NR == FNR { if (FNR > 1) { fault[$3] = $6; what[$3] = $7 } next }
    FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { r = $c["request_id"]; if (!(r in fault) || fault[r] == "-") { fp++; next }
      w = what[r]; ok = $c["fault"] == fault[r] && ($c["status"] == w || index($c["failure"], w) == 1 || $c["server"] == w)
      if (ok) tp++; else fp++; seen[r] = 1 }
    END { for (r in fault) if (fault[r] != "-" && !(r in seen)) fn++
          printf "faults: %d right root causes, %d wrong or false, %d missed: precision %.3f, recall %.3f\n",
              tp, fp, fn, tp / (tp + fp > 0 ? tp + fp : 1), tp / (tp + fn > 0 ? tp + fn : 1) }' \
    "$dir/controlplane.truth.tsv" "$data/faults.tsv"
