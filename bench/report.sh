#!/bin/bash
# report.sh: vnd report against the analyses it runs, one after the other, on the same points.
#
# usage: bench/report.sh [TRACE]        (default bench/data/trace.pcap, see mktrace.sh)
# env:   BIN=dir   the vnd programs (default bin)
#        RUNS=n    timed runs of each row, minimum kept (default 3)
#        OUT=dir   where the report is left to look at (default bench/data/report)
#
# The trace is given twice, as two points a and b (a path of one hop that
# loses nothing), so that every analysis of the report runs: vnd-hoploss
# (both points), vnd-rtt (both), vnd-tcpstate -i 0.1 (the first, connections
# and slots into one SQLite file, as the report asks) and vnd-rootcause on
# the hops. Those, one after the other as a person types them, are the
# reference; vnd report runs them and draws the figures, two runs at a time.
# Target: at most 1.5x the reference, the HTML under 2 MB.
set -eu

prog=report.sh tool=vnd-report outdir=report runs_default=3
. "$(dirname "$0")/setup.sh"

# the analyses as the report runs them, one after the other
analyses() {
	"$bin/vnd-hoploss" -q "a=$trace" "b=$trace" >"$work/hops.tsv"
	"$bin/vnd-rtt" "a=$trace" "b=$trace" >"$work/rtt.tsv"
	rm -f "$work/tcp.db"
	"$bin/vnd-tcpstate" -i 0.1 "a=$trace" -o "$work/tcp.db"
	"$bin/vnd-rootcause" --hops "$work/hops.tsv" >/dev/null
}

report() {
	"$bin/vnd-report" -o "$out/report.html" "a=$trace" "b=$trace"
}

# timed NAME FUNCTION: the least wall time of $runs runs (after a warm-up)
# into $wall, and the user + system CPU seconds of that run into $cpu
timed() {
	local i s e c0 c1 w
	wall= cpu=
	"$2"
	for ((i = 0; i < runs; i++)); do
		c0=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat)
		s=$(date +%s%N)
		"$2"
		e=$(date +%s%N)
		# children's CPU time, in clock ticks, once they are reaped
		c1=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat)
		w=$(((e - s) / 1000000))
		if [ -z "$wall" ] || [ "$w" -lt "$wall" ]; then
			wall=$w
			cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }')
		fi
	done
	say "$1: $wall ms wall, $cpu s CPU"
}

timed "analyses, one after the other" analyses
ref=$wall ref_cpu=$cpu
timed "vnd report" report
size=$(wc -c <"$out/report.html")
printf '%-36s %10s %8s\n' "$(basename "$trace"), as points a and b" "wall ms" "cpu s"
printf '%-36s %10s %8s\n' "analyses, one after the other" "$ref" "$ref_cpu"
printf '%-36s %10s %8s\n' "vnd report -o report.html" "$wall" "$cpu"
awk -v r="$wall" -v a="$ref" -v s="$size" 'BEGIN {
	printf "vnd report: %.2fx the analyses (target 1.5x); HTML %d bytes (target < 2000000)\n", r / a, s }'
echo "report in $out/report.html"
