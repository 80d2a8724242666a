#!/bin/bash
# select.sh: vnd-select on the bench trace given as two points, against the floor reading both.
#
# usage: bench/select.sh [TRACE]     (default bench/data/trace.pcap, see mktrace.sh)
# env:   BIN=dir (default bin), RUNS=n (default 5), PREFIX=n packets for the
#        memory check (default 200000), BASE=dir another build's vnd-select
#        (before a change) timed in the same turns, its rows marked "(BASE)"
#
# Rows, timed in turns (1, 2, 3, 1, 2, 3, ...; the minimum wall time of
# each): the floor run on the trace twice (the floor reading both points);
# vnd-select -e reset -w (no flow selected: what reading and deciding
# cost); vnd-select -e elephant --top 1 -w (one flow of four: its records
# copied at both points, and the third pass that times the elephant);
# vnd-select -e loss -w (every TCP flow lossy: the whole trace copied
# twice). Then peak RSS on a prefix and on the whole trace: flat when the
# memory follows the flows, not the packets.
set -eu

prog=select.sh
die() { echo "$prog: $*" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
trace=${1:-$root/bench/data/trace.pcap}
bin=${BIN:-$root/bin}
runs=${RUNS:-5}
prefix=${PREFIX:-200000}
[ -r "$trace" ] || die "cannot read trace '$trace'; make one with bench/mktrace.sh"
[ -x "$bin/vnd-select" ] || die "'$bin/vnd-select' not found; run make first"
make -s -C "$here" floor >/dev/null || die "cannot build bench/floor"
work=$(mktemp -d "${TMPDIR:-/tmp}/vnd-select-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

cmds=(
	"$here/floor $trace >/dev/null && $here/floor $trace >/dev/null"
	"$bin/vnd-select -e reset -w $work/r a=$trace b=$trace >/dev/null"
	"$bin/vnd-select -e elephant --top 1 -w $work/e a=$trace b=$trace >/dev/null"
	"$bin/vnd-select -e loss -w $work/l a=$trace b=$trace >/dev/null"
)
names=("floor x2" "select reset -w" "select elephant -w" "select loss -w")
if [ -n "${BASE:-}" ]; then
	[ -x "$BASE/vnd-select" ] || die "BASE: '$BASE/vnd-select' not found"
	cmds+=(
		"$BASE/vnd-select -e reset -w $work/r a=$trace b=$trace >/dev/null"
		"$BASE/vnd-select -e elephant --top 1 -w $work/e a=$trace b=$trace >/dev/null"
		"$BASE/vnd-select -e loss -w $work/l a=$trace b=$trace >/dev/null"
	)
	names+=("select reset -w (BASE)" "select elephant -w (BASE)" "select loss -w (BASE)")
fi
best=()
for i in "${!cmds[@]}"; do best[i]=999999; done
for i in "${!cmds[@]}"; do bash -c "${cmds[i]}"; done	# warm the page cache
for _ in $(seq "$runs"); do
	for i in "${!cmds[@]}"; do
		t0=$(date +%s%N)
		bash -c "${cmds[i]}"
		t=$((($(date +%s%N) - t0) / 1000000))
		[ "$t" -lt "${best[i]}" ] && best[i]=$t
		rm -rf "$work"/r "$work"/e "$work"/l
	done
done
pkts=$("$here/floor" "$trace" 2>/dev/null || echo '?')
echo "trace: $trace, $pkts packets, given as two points; minimum of $runs runs"
printf '%-26s %8s %8s\n' row ms ratio
for i in "${!cmds[@]}"; do
	printf '%-26s %8d %8.2f\n' "${names[i]}" "${best[i]}" \
	    "$(awk -v a="${best[i]}" -v b="${best[0]}" 'BEGIN { print a / b }')"
done

tcpdump -r "$trace" -c "$prefix" -w "$work/prefix.pcap" 2>/dev/null
for f in "$work/prefix.pcap" "$trace"; do
	n=$("$here/floor" "$f" 2>/dev/null || echo '?')
	rss=$( { /usr/bin/time -f %M "$bin/vnd-select" -e elephant --top 1 -w "$work/m" \
	    a="$f" b="$f" >/dev/null; } 2>&1 | tail -1)
	echo "peak RSS, $n packets a point: $rss KiB"
done
