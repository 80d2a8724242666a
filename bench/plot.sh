#!/bin/bash
# plot.sh: vnd plot seq of the busiest connection against the floor and tcptrace's way to a picture.
#
# usage: bench/plot.sh [TRACE]          (default bench/data/trace.pcap, see mktrace.sh)
# env:   BIN=dir   the vnd programs (default bin)
#        RUNS=n    timed runs of each vnd row, minimum kept (default 5; the peer runs once)
#        OUT=dir   where the pictures are left to look at (default bench/data/plot)
#
# Rows: the floor (a bare libpcap loop), vnd-plot seq with no -f (two passes:
# the busiest connection, then its picture, gnuplot included), the same with
# --script (no gnuplot), with -f (one pass), and what a tcptrace user runs for
# the same picture: tcptrace -S (an xplot file per connection direction),
# xpl2gpl on the busiest, gnuplot to SVG. Wall time (minimum), CPU time
# (user + system of that run) and the SVG's size; on a shared machine the CPU
# column is the steadier.
set -eu

prog=plot.sh tool=vnd-plot outdir=plot runs_default=5
. "$(dirname "$0")/setup.sh"
command -v gnuplot >/dev/null 2>&1 || die "gnuplot not found (Debian: gnuplot-nox)"
make -s -C "$here" >/dev/null || die "cannot build the floor in bench/"

# timed N CMD...: minimum wall and that run's CPU seconds of N runs into
# $wall $cpu; CMD's stdout into $work/stdout
timed() {
	local n=$1 i w c
	shift
	wall= cpu=
	for ((i = 0; i < n; i++)); do
		/usr/bin/time -f '%e %U %S' -o "$work/time" "$@" >"$work/stdout" ||
			die "failed: $*"
		read -r w c < <(awk '{ print $1, $2 + $3 }' "$work/time")
		if [ -z "$wall" ] || awk -v a="$w" -v b="$wall" 'BEGIN { exit !(a < b) }'; then
			wall=$w cpu=$c
		fi
	done
}

rows=()
# row NAME BYTES: a line of the table from $wall and $cpu
row() { rows+=("$(printf '%-44s %8s %8s %12s' "$1" "$wall" "$cpu" "$2")"); }

say "floor"
timed "$runs" "$here/floor" "$trace"
floor=$wall
row "floor (libpcap loop)" -

say "vnd-plot seq, the busiest connection"
timed "$runs" "$bin/vnd-plot" seq "$trace"
cp "$work/stdout" "$out/seq.svg"
vnd_wall=$wall
row "vnd-plot seq (busiest: two passes) -> SVG" "$(wc -c <"$out/seq.svg")"
flow=$(sed -n 's/.*time-sequence graph: \([^ ]*\) &gt; \([^ ]*\) at .*/\1>\2/p; s/.*time-sequence graph: \([^ ]*\) > \([^ ]*\) at .*/\1>\2/p' "$out/seq.svg" | head -1)
[ -n "$flow" ] || die "no connection named in the picture"
say "the busiest connection: $flow"

timed "$runs" "$bin/vnd-plot" --script seq "$trace"
row "vnd-plot --script seq (no gnuplot)" -
timed "$runs" "$bin/vnd-plot" -f "$flow" seq "$trace"
row "vnd-plot -f FLOW seq (one pass) -> SVG" "$(wc -c <"$work/stdout")"

if command -v tcptrace >/dev/null 2>&1 && command -v xpl2gpl >/dev/null 2>&1 &&
    command -v gawk >/dev/null 2>&1; then
	say "tcptrace -S, xpl2gpl, gnuplot (once)"
	cd "$work"	# tcptrace and xpl2gpl write beside them
	timed 1 tcptrace -n -S "$trace"
	row "peer: tcptrace -n -S (every connection)" -
	# tcptrace names a direction's file by letters: the busiest is the largest
	xpl=$(ls -S "$work"/*_tsg.xpl | head -1)
	timed 1 xpl2gpl "$xpl"
	row "peer: xpl2gpl (the busiest)" -
	# its script to SVG: its terminal and its pause off, the rest as written
	sed -e 's/^set term postscript.*//' -e 's/^set output.*//' -e 's/^replot$//' \
	    -e 's/pause -1;*//' "${xpl%.xpl}.gpl" | sed '1i set term svg size 1000,560' >"$work/peer.gp"
	timed 1 gnuplot "$work/peer.gp"
	cp "$work/stdout" "$out/peer-seq.svg"
	row "peer: gnuplot -> SVG" "$(wc -c <"$out/peer-seq.svg")"
	cd "$root"
else
	say "skipping the peer: tcptrace, xpl2gpl and gawk are needed (Debian: tcptrace gawk)"
fi

printf '%-44s %8s %8s %12s\n' "$(basename "$trace"): $(capinfos -c -M "$trace" 2>/dev/null |
    awk -F': *' '/Number of packets/ { print $2 }') packets" "wall s" "cpu s" "SVG bytes"
printf '%s\n' "${rows[@]}"
awk -v v="$vnd_wall" -v f="$floor" 'BEGIN { printf "vnd-plot seq: %.2f s, %.1fx the floor (target: under 1 s)\n", v, v / f }'
echo "pictures in $out"
