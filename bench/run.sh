#!/bin/bash
# run.sh: time vnd tools against the floors and peer tools, side by side, as ratios.
#
# usage: bench/run.sh [TRACE]          (default bench/data/trace.pcap, see mktrace.sh)
# env:   BIN=dir      the vnd programs (default bin, relative to the current directory)
#        RUNS=n       timed runs per command, minimum wall time kept (default 5)
#        PREFIX=n     packets in the prefix for tshark and the memory check (default 100000)
#        TSHARK_FULL=1  run tshark once on the whole trace instead of scaling a prefix
#        TIMER=hyperfine|loop  force a timer (default: hyperfine when installed)
#        ONLY=a,b     time only these parts: parse (TSV and SQLite), hoploss,
#                     rtt, tcpstate, tshark, memory (default all)
#        RT=1         time the floor and vnd-parse's TSV at real-time
#                     priority (chrt -f 10, root): they preempt the machine's
#                     other tasks, so vnd-parse's two threads get two cores
#        INSN=0       no instruction counts (default: callgrind on the
#                     prefix, for the floor and vnd-parse's TSV, when valgrind
#                     is installed)
#        BASE=dir     another build's vnd-parse (before a change) timed in
#                     the same turns as BIN's, its rows marked "(BASE)"
#
# Each row is timed with hyperfine (one warm-up run, then RUNS runs) or, without
# hyperfine, a loop of RUNS runs after a warm-up; peak RSS comes from one more
# run under /usr/bin/time.  To add a tool, add a `row` line below (see there).
set -eu

prog=run.sh
die() { echo "$prog: $*" >&2; exit 1; }
say() { echo "$prog: $*" >&2; }

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
abspath() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }

trace=$(abspath "${1:-$root/bench/data/trace.pcap}")
bin=$(abspath "${BIN:-bin}")
base=${BASE:+$(abspath "$BASE")}
runs=${RUNS:-5}
prefix_pkts=${PREFIX:-100000}
case $runs in '' | *[!0-9]* | 0) die "RUNS must be a positive integer, not '$runs'" ;; esac
case $prefix_pkts in '' | *[!0-9]* | 0) die "PREFIX must be a positive integer, not '$prefix_pkts'" ;; esac
only=${ONLY:-}
case ,$only, in
*[!a-z,]* ) die "ONLY is a comma-separated list of parse, hoploss, rtt, tcpstate, tshark, memory, not '$only'" ;;
esac
for part in ${only//,/ }; do
	case $part in
	parse | hoploss | rtt | tcpstate | tshark | memory) ;;
	*) die "ONLY: no part '$part' (parse, hoploss, rtt, tcpstate, tshark, memory)" ;;
	esac
done
# want PART: is PART of the run timed?
want() { [ -z "$only" ] || [[ ,$only, == *,$1,* ]]; }
load_start=$(cut -d" " -f1-3 /proc/loadavg 2>/dev/null || echo "?")
[ $# -le 1 ] || die "usage: bench/run.sh [TRACE]"
[ -r "$trace" ] || die "cannot read trace '$trace'; make one with bench/mktrace.sh"
[ -x "$bin/vnd-parse" ] || die "'$bin/vnd-parse' not found; run make first (or set BIN=dir)"
[ -z "$base" ] || [ -x "$base/vnd-parse" ] || die "BASE: '$base/vnd-parse' not found"
command -v tcpdump >/dev/null 2>&1 || die "'tcpdump' not found (needed to cut the prefix trace)"
cd "$root"

make -s -C "$here" >/dev/null || die "cannot build the floors in bench/"

work=$(mktemp -d "${TMPDIR:-/tmp}/vnd-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP

timer=${TIMER:-auto}
case $timer in
auto)	if command -v hyperfine >/dev/null 2>&1; then
		timer=hyperfine
	else
		timer=loop
		say "hyperfine not found; timing with a shell loop"
	fi ;;
hyperfine | loop) ;;
*)	die "TIMER must be auto, hyperfine or loop, not '$timer'" ;;
esac
if [ -x /usr/bin/time ]; then
	have_gnu_time=1
else
	have_gnu_time=0
	say "/usr/bin/time not found (Debian: time); no peak RSS"
fi

# --- measuring -------------------------------------------------------------

# quote CMD... as one shell word list for hyperfine --prepare/commands
shquote() { local a s=; for a in "$@"; do s="$s $(printf '%q' "$a")"; done; echo "${s# }"; }

# measure CMD...: minimum wall seconds over $RUNS runs into $t_min; stdout of
# CMD goes to /dev/null; $PREP (a shell command) runs untimed before each run
measure() {
	local n=${RUNS_ROW:-$runs} cmd json i s e best=
	cmd="$(shquote "$@") >/dev/null"
	if [ "$timer" = hyperfine ]; then
		json=$work/hyperfine.json
		set -- --runs "$n" --export-json "$json" --style none --shell bash
		[ "$n" -gt 1 ] && set -- "$@" --warmup 1
		[ -n "${PREP:-}" ] && set -- "$@" --prepare "$PREP"
		hyperfine "$@" "$cmd" >"$work/hyperfine.log" 2>&1 ||
			die "hyperfine failed on: $cmd$(printf '\n'; tail -5 "$work/hyperfine.log")"
		t_min=$(sed -n 's/^ *"min": *\([0-9.eE+-]*\),*$/\1/p' "$json" | head -1)
		[ -n "$t_min" ] || die "no minimum in hyperfine output '$json'"
	else
		[ "$n" -gt 1 ] && { [ -n "${PREP:-}" ] && sh -c "$PREP"; bash -c "$cmd" || die "failed: $cmd"; }
		for i in $(seq "$n"); do
			[ -n "${PREP:-}" ] && sh -c "$PREP"
			s=$(date +%s%N)
			bash -c "$cmd" || die "failed: $cmd"
			e=$(date +%s%N)
			if [ -z "$best" ] || [ $((e - s)) -lt "$best" ]; then best=$((e - s)); fi
		done
		t_min=$(awk -v ns="$best" 'BEGIN { printf "%.6f", ns / 1e9 }')
	fi
}

# peak CMD...: peak resident set size of one run in MiB into $rss, and the
# CPU seconds it took (user + system, all its threads) into $cpu ("-" if unknown)
peak() {
	rss=- cpu=-
	[ "$have_gnu_time" = 1 ] || return 0
	[ -n "${PREP:-}" ] && sh -c "$PREP"
	/usr/bin/time -f '%M %U %S' -o "$work/rss" "$@" >/dev/null 2>"$work/stderr" ||
		die "failed: $(shquote "$@")$(printf '\n'; tail -5 "$work/stderr")"
	rss=$(awk 'NF == 3 && $1 ~ /^[0-9]+$/ { printf "%.1f", $1 / 1024 }' "$work/rss")
	cpu=$(awk 'NF == 3 && $1 ~ /^[0-9]+$/ { printf "%.2f", $2 + $3 }' "$work/rss")
	[ -n "$rss" ] || rss=-
	[ -n "$cpu" ] || cpu=-
}

# insn CMD...: instructions of one run under callgrind (all threads) into $insn
# ("-" without valgrind or with INSN=0)
insn() {
	insn=-
	[ "${INSN:-1}" != 0 ] && command -v valgrind >/dev/null 2>&1 || return 0
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" \
	    >/dev/null 2>"$work/callgrind" || die "failed under callgrind: $(shquote "$@")"
	insn=$(sed -n 's/^==[0-9]*== Collected : \([0-9]*\).*/\1/p' "$work/callgrind")
	[ -n "$insn" ] || insn=-
}

# --- the table ---------------------------------------------------------------

names=() times=() rsss=() cpus=() refs=() targets=() memtargets=() notes=()

# record NAME SECONDS RSS: add a measured row (with the CPU seconds in $cpu
# of the last peak() run, "-" if none); the optional variables
#   REF=name        the row the ratio is taken against (default floor)
#   TARGET=x        the ratio to stay at or under (default none)
#   MEM=MiB         the peak RSS to stay under (default none)
#   NOTE=text       a footnote
record() {
	names+=("$1") times+=("$2") rsss+=("$3") cpus+=("${cpu:--}")
	refs+=("${REF:-floor}") targets+=("${TARGET:--}") memtargets+=("${MEM:--}")
	notes+=("${NOTE:-}")
}

# row NAME CMD...: time CMD (stdout discarded) and add it to the table.
# Prefix with the variables of record(), PREP=shell-command to run untimed
# before each run, RUNS_ROW=n to override RUNS, e.g.
#   REF=floor TARGET=3 MEM=48 row vnd-rtt "$bin/vnd-rtt" "$trace"
row() {
	local name=$1
	shift
	if ! command -v "$1" >/dev/null 2>&1; then
		say "skipping '$name': '$1' not found"
		return 0
	fi
	say "timing $name (${RUNS_ROW:-$runs} runs, $timer)"
	measure "$@"
	peak "$@"
	record "$name" "$t_min" "$rss"
}

# turns CMD...: time the shell commands CMD in turns (1, 2, 3, 1, 2, 3, ...),
# a warm-up round then $RUNS rounds, the minimum of each into ${t_turn[i]}
# (seconds); $PREP runs untimed before each run. A machine whose speed drifts
# (other tenants of its host) moves them alike, so their ratios are fairer
# than those of rows timed minutes apart. A shell loop: start-up included.
turns() {
	local i r s e
	local -a best=()
	for r in $(seq 0 "$runs"); do
		for i in $(seq 0 $(($# - 1))); do
			[ -n "${PREP:-}" ] && sh -c "$PREP"
			s=$(date +%s%N)
			bash -c "${*:$((i + 1)):1} >/dev/null" || die "failed: ${*:$((i + 1)):1}"
			e=$(date +%s%N)
			[ "$r" -gt 0 ] || continue
			if [ -z "${best[$i]:-}" ] || [ $((e - s)) -lt "${best[$i]}" ]; then best[$i]=$((e - s)); fi
		done
	done
	t_turn=()
	for i in "${!best[@]}"; do
		t_turn[$i]=$(awk -v ns="${best[$i]}" 'BEGIN { printf "%.6f", ns / 1e9 }')
	done
}

# pair_jobs NAME CMD...: time CMD -j 1 ARGS and CMD -j 2 ARGS in turns, and
# add both rows, the second against the first
pair_jobs() {
	local name=$1 bin=$2
	shift 2
	say "timing $name -j 1 and -j 2 in turns ($runs runs each)"
	turns "$(shquote "$bin" -j 1 "$@")" "$(shquote "$bin" -j 2 "$@")"
	peak "$bin" -j 1 "$@"
	NOTE="-j 1 and -j 2 timed in turns, $runs runs each (a shell loop: process start-up included)" \
	    REF="$name -j 1" record "$name -j 1" "${t_turn[0]}" "$rss"
	peak "$bin" -j 2 "$@"
	NOTE="two threads; the output is the same as -j 1's, byte for byte" \
	    REF="$name -j 1" TARGET=0.625 MEM=48 record "$name -j 2" "${t_turn[1]}" "$rss"
}

# lookup NAME: the time of row NAME into $ref_t (empty if none)
lookup() {
	local i
	ref_t=
	for i in "${!names[@]}"; do
		[ "${names[$i]}" = "$1" ] && ref_t=${times[$i]} && return 0
	done
	return 0
}

print_table() {
	local i ratio verdict mem mverdict fn=0 mark
	printf '\n%-32s %9s %8s  %-14s %-13s %6s %9s  %s\n' \
	    program wall_s ratio of target cpu_s peak_MiB mem_target
	for i in "${!names[@]}"; do
		lookup "${refs[$i]}"
		ratio=- verdict=
		if [ -n "$ref_t" ]; then
			ratio=$(awk -v a="${times[$i]}" -v b="$ref_t" 'BEGIN { printf "%.2f", a / b }')
		fi
		if [ "${targets[$i]}" != - ] && [ "$ratio" != - ]; then
			verdict=$(awk -v r="$ratio" -v t="${targets[$i]}" \
			    'BEGIN { print (r <= t) ? "ok" : "MISS" }')
			verdict="<= ${targets[$i]} $verdict"
		fi
		mem=${memtargets[$i]} mverdict=
		if [ "$mem" != - ] && [ "${rsss[$i]}" != - ]; then
			mverdict=$(awk -v r="${rsss[$i]}" -v t="$mem" \
			    'BEGIN { print (r < t) ? "ok" : "MISS" }')
			mverdict="< $mem $mverdict"
		fi
		mark=
		if [ -n "${notes[$i]}" ]; then fn=$((fn + 1)); mark=" [$fn]"; fi
		printf '%-32s %9.3f %8s  %-14s %-13s %6s %9s  %s\n' "${names[$i]}$mark" \
		    "${times[$i]}" "$ratio" "${refs[$i]}" "${verdict:--}" "${cpus[$i]}" \
		    "${rsss[$i]}" "${mverdict:--}"
	done
	fn=0
	for i in "${!names[@]}"; do
		[ -n "${notes[$i]}" ] || continue
		fn=$((fn + 1))
		printf '[%d] %s\n' "$fn" "${notes[$i]}"
	done
}

# --- the rows ----------------------------------------------------------------

# the floor also counts the packets (and warms the page cache)
pkts=$(bench/floor "$trace") || die "bench/floor failed on '$trace'"
[ "$pkts" -gt 0 ] || die "'$trace' holds no packets"
cols=34
db=$work/parse.db
floordb=$work/floor.db

# the prefix keeps nanosecond timestamps if the trace has them
prefix=$work/prefix.pcap
tcpdump --time-stamp-precision=nano -r "$trace" -c "$prefix_pkts" -w "$prefix" 2>/dev/null ||
	die "cannot cut the first $prefix_pkts packets of '$trace' with tcpdump"
npre=$(bench/floor "$prefix")

# the floor and vnd-parse: TSV, then SQLite
rows_parse() {
	local rt=() rtnote=
	if [ "${RT:-0}" = 1 ]; then
		rt=(chrt -f 10)
		rtnote="; both at real-time priority (RT=1, chrt -f 10)"
		chrt -f 10 true 2>/dev/null || die "RT=1: chrt -f 10 refused (root needed)"
	fi
	say "timing the floor and vnd-parse (TSV) in turns ($runs runs each)"
	local tsv=("$(shquote "${rt[@]}" bench/floor "$trace")"
	    "$(shquote "${rt[@]}" "$bin/vnd-parse" "$trace")")
	[ -z "$base" ] || tsv+=("$(shquote "${rt[@]}" "$base/vnd-parse" "$trace")")
	turns "${tsv[@]}"
	peak bench/floor "$trace"
	record floor "${t_turn[0]}" "$rss"
	peak "$bin/vnd-parse" "$trace"
	NOTE="timed in turns with the floor$rtnote; a decoding and a writing thread: its wall time needs two free cores, cpu_s is both threads' time" \
		TARGET=1.5 MEM=48 record "vnd-parse (TSV)" "${t_turn[1]}" "$rss"
	if [ -n "$base" ]; then
		peak "$base/vnd-parse" "$trace"
		NOTE="BASE=$base, in the same turns" \
			TARGET=1.5 record "vnd-parse (TSV) (BASE)" "${t_turn[2]}" "$rss"
	fi
	say "counting instructions of the floor and vnd-parse (TSV) on the first $npre packets"
	insn bench/floor "$prefix"
	insn_floor=$insn
	insn "$bin/vnd-parse" "$prefix"
	insn_parse=$insn
	if [ -n "$base" ]; then
		insn "$base/vnd-parse" "$prefix"
		insn_base=$insn
	fi
	rows_sqlite
}

# SQLite: the floors and vnd-parse's two outputs timed in turns (issue 9)
rows_sqlite() {
	local q_db q_floordb sql
	say "timing the SQLite floors and vnd-parse -o in turns ($runs runs each)"
	q_db=$(printf %q "$db") q_floordb=$(printf %q "$floordb")
	sql=("bench/sqlite-floor $pkts $cols $q_floordb"
	    "bench/sqlite-floor -s $pkts $cols $q_floordb"
	    "$(shquote "$bin/vnd-parse" -o "$db" --no-index "$trace")"
	    "$(shquote "$bin/vnd-parse" -o "$db" "$trace")")
	[ -z "$base" ] || sql+=("$(shquote "$base/vnd-parse" -o "$db" --no-index "$trace")"
	    "$(shquote "$base/vnd-parse" -o "$db" "$trace")")
	PREP="rm -f $q_db $q_floordb" turns "${sql[@]}"
	peak bench/sqlite-floor "$pkts" "$cols" "$floordb"
	NOTE="bare SQLite insert of $pkts rows x $cols integer columns, one prepared statement, one transaction, journal and sync off, 64 KiB pages, no connection mutex (SQLITE_OPEN_NOMUTEX), no memory statistics; the SQLite rows timed in turns" \
		record sqlite-floor "${t_turn[0]}" "$rss"
	peak bench/sqlite-floor -s "$pkts" "$cols" "$floordb"
	NOTE="the same with SQLite's defaults: every bind takes the connection's mutex, every allocation the statistics' one (the floor of issue 9)" \
		REF=sqlite-floor record "sqlite-floor -s" "${t_turn[1]}" "$rss"
	PREP="rm -f $q_db" peak "$bin/vnd-parse" -o "$db" --no-index "$trace"
	REF=sqlite-floor TARGET=1.2 MEM=48 record "vnd-parse -o --no-index" "${t_turn[2]}" "$rss"
	PREP="rm -f $q_db" peak "$bin/vnd-parse" -o "$db" "$trace"
	NOTE="the rows and the one join index, packets_pkt_id (pkt_id, point)" \
		REF=sqlite-floor TARGET=2 MEM=48 record "vnd-parse -o (SQLite)" "${t_turn[3]}" "$rss"
	[ -n "$base" ] || return 0
	PREP="rm -f $q_db" peak "$base/vnd-parse" -o "$db" --no-index "$trace"
	REF=sqlite-floor TARGET=1.2 record "vnd-parse -o --no-index (BASE)" "${t_turn[4]}" "$rss"
	PREP="rm -f $q_db" peak "$base/vnd-parse" -o "$db" "$trace"
	REF=sqlite-floor TARGET=2 record "vnd-parse -o (BASE)" "${t_turn[5]}" "$rss"
}

rows_hoploss() {
	# vnd-hoploss over two points of a million packets each (the trace twice: every
	# packet crosses the hop), against the floor reading both
	NOTE="the floor program run on the trace twice, one after the other" \
		row "floor, both points" bash -c "bench/floor $(printf %q "$trace") && bench/floor $(printf %q "$trace")"
	REF="floor, both points" TARGET=3 MEM=48 \
		row vnd-hoploss "$bin/vnd-hoploss" -q a="$trace" b="$trace"
}

# tcptrace -l -r (the per-connection RTT statistics), the reference of
# vnd-rtt and vnd-tcpstate: timed once for both
tcptrace_row() {
	lookup "tcptrace -l -r"
	[ -n "$ref_t" ] || row "tcptrace -l -r" tcptrace -l -r -n "$trace"
}

rows_rtt() {
	# vnd-rtt against the tool users would pick instead, tcptrace (-l -r: the
	# per-connection RTT statistics): target half its time
	tcptrace_row
	REF="tcptrace -l -r" TARGET=0.5 MEM=48 row vnd-rtt "$bin/vnd-rtt" "$trace"
}

rows_tcpstate() {
	tcptrace_row
	REF="tcptrace -l -r" TARGET=0.5 MEM=48 row vnd-tcpstate "$bin/vnd-tcpstate" "$trace"
	# -j 2 against -j 1: at least 1.6x faster, the same output
	if [ "$(nproc 2>/dev/null || echo 1)" -ge 2 ]; then
		pair_jobs vnd-tcpstate "$bin/vnd-tcpstate" "$trace"
	else
		say "skipping 'vnd-tcpstate -j 2': one CPU"
	fi
}

# Later tools add their rows here, with the peer a user would pick instead.

rows_tshark() {
	tshark_fields=(-n -T fields -E separator=/t -e frame.number -e frame.time_epoch
		-e frame.len -e frame.cap_len -e vlan.id -e ip.src -e ip.dst -e ip.proto
		-e ip.id -e ip.ttl -e ip.len -e tcp.srcport -e tcp.dstport -e tcp.flags
		-e tcp.seq_raw -e tcp.ack_raw -e tcp.window_size_value -e tcp.len
		-e tcp.options.mss_val -e tcp.options.wscale.shift
		-e tcp.options.timestamp.tsval -e tcp.options.timestamp.tsecr)
	if ! command -v tshark >/dev/null 2>&1; then
		say "skipping tshark: not found"
	elif [ "${TSHARK_FULL:-0}" = 1 ] || [ "$npre" -ge "$pkts" ]; then
		NOTE="tshark run once on the whole trace" RUNS_ROW=1 \
			row "tshark -T fields" tshark -r "$trace" "${tshark_fields[@]}"
	else
		# tshark is slow: time it on the prefix and scale the per-packet part,
		# t = t(1 packet) + (t(prefix) - t(1 packet)) * (N - 1) / (n - 1)
		one=$work/one.pcap
		tcpdump --time-stamp-precision=nano -r "$trace" -c 1 -w "$one" 2>/dev/null ||
			die "cannot cut the first packet of '$trace'"
		say "timing tshark on 1 packet and on the first $npre packets (1 run each)"
		RUNS_ROW=1 measure tshark -r "$one" "${tshark_fields[@]}"
		t_one=$t_min
		RUNS_ROW=1 measure tshark -r "$prefix" "${tshark_fields[@]}"
		t_pre=$t_min
		peak tshark -r "$prefix" "${tshark_fields[@]}"
		t_one=$(awk -v t="$t_one" 'BEGIN { printf "%.3f", t }')
		t_pre=$(awk -v t="$t_pre" 'BEGIN { printf "%.3f", t }')
		t_all=$(awk -v a="$t_one" -v p="$t_pre" -v N="$pkts" -v n="$npre" \
		    'BEGIN { printf "%.6f", a + (p - a) * (N - 1) / (n - 1) }')
		NOTE="tshark scaled, not measured on the whole trace: 1 run on the first $npre packets ($t_pre s) and 1 on 1 packet ($t_one s, start-up), per-packet part x $pkts/$npre; peak RSS is of the prefix run (tshark's memory grows with the trace)" \
			record "tshark -T fields" "$t_all" "$rss"
	fi
}

# memory flatness: peak RSS must not grow with the length of the trace
rows_memory() {
	say "memory flatness: vnd-parse, vnd-rtt and vnd-tcpstate on the first $npre packets and on all $pkts"
	peak "$bin/vnd-parse" "$prefix"; m_tsv_pre=$rss
	peak "$bin/vnd-parse" "$trace"; m_tsv_all=$rss
	# SQLite's index sorter fills its cache-sized buffer (8 MiB) before it
	# spills, at about 400 k packets: its plateau is measured from half the trace
	half=$work/half.pcap
	tcpdump --time-stamp-precision=nano -r "$trace" -c $((pkts / 2)) -w "$half" 2>/dev/null ||
		die "cannot cut the first half of '$trace' with tcpdump"
	PREP="rm -f $(printf %q "$db")" peak "$bin/vnd-parse" -o "$db" "$half"; m_db_pre=$rss
	PREP="rm -f $(printf %q "$db")" peak "$bin/vnd-parse" -o "$db" "$trace"; m_db_all=$rss
	peak "$bin/vnd-rtt" "$prefix"; m_rtt_pre=$rss
	peak "$bin/vnd-rtt" "$trace"; m_rtt_all=$rss
	peak "$bin/vnd-tcpstate" "$prefix"; m_ts_pre=$rss
	peak "$bin/vnd-tcpstate" "$trace"; m_ts_all=$rss
	peak "$bin/vnd-tcpstate" -j 2 "$prefix"; m_ts2_pre=$rss
	peak "$bin/vnd-tcpstate" -j 2 "$trace"; m_ts2_all=$rss
}

insn_floor=- insn_parse=- insn_base=-
for part in parse hoploss rtt tcpstate tshark memory; do
	want "$part" && "rows_$part"
done

# --- report ------------------------------------------------------------------

lookup floor
size=$(du -m "$trace" | cut -f1)
echo "vnd bench: $(uname -sr), $(nproc 2>/dev/null || echo '?') CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "load average at the start: $load_start, at the end: $(cut -d" " -f1-3 /proc/loadavg 2>/dev/null || echo "?") (a busy machine slows every row; compare ratios of one run)"
echo "trace: $trace ($pkts packets, $size MiB)"
if [ "$runs" -gt 1 ]; then how="minimum wall time of $runs runs after a warm-up run"; else how="one run, no warm-up"; fi
echo "timing: $timer, $how; CPU time (user + system) and peak RSS of one run (/usr/bin/time %U %S %M)"
[ -z "$ref_t" ] ||
	awk -v n="$pkts" -v t="$ref_t" 'BEGIN { printf "floor: %.2f M packets/s (%d packets in %.3f s)\n", n / t / 1e6, n, t }'
print_table
if [ "$insn_floor" != - ] && [ "$insn_parse" != - ]; then
	awk -v f="$insn_floor" -v p="$insn_parse" -v n="$npre" 'BEGIN {
		printf "\ninstructions on the first %d packets (callgrind, all threads): floor %.1f M, vnd-parse (TSV) %.1f M, %.2fx\n",
		    n, f / 1e6, p / 1e6, p / f }'
	[ "$insn_base" = - ] || awk -v f="$insn_floor" -v p="$insn_base" 'BEGIN {
		printf "  BASE vnd-parse (TSV) %.1f M, %.2fx\n", p / 1e6, p / f }'
fi
want memory || exit 0
flat() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "-" || b == "-") { print "unknown"; exit }
		d = b - a; lim = (a * 0.1 > 2) ? a * 0.1 : 2
		printf "%s (+%.1f MiB, limit +%.1f)\n", (d <= lim) ? "flat ok" : "GROWS MISS", d, lim }'
}
echo
echo "memory flatness, peak RSS MiB:        first $npre pkts   all $pkts pkts"
printf '  %-34s %15s %16s   %s\n' "vnd-parse (TSV)" "$m_tsv_pre" "$m_tsv_all" "$(flat "$m_tsv_pre" "$m_tsv_all")"
printf '  %-34s %15s %16s   %s\n' "vnd-parse -o (SQLite) [half]" "$m_db_pre" "$m_db_all" "$(flat "$m_db_pre" "$m_db_all")"
printf '  %-34s %15s %16s   %s\n' "vnd-rtt" "$m_rtt_pre" "$m_rtt_all" "$(flat "$m_rtt_pre" "$m_rtt_all")"
printf '  %-34s %15s %16s   %s\n' "vnd-tcpstate" "$m_ts_pre" "$m_ts_all" "$(flat "$m_ts_pre" "$m_ts_all")"
printf '  %-34s %15s %16s   %s\n' "vnd-tcpstate -j 2" "$m_ts2_pre" "$m_ts2_all" "$(flat "$m_ts2_pre" "$m_ts2_all")"
echo
echo "[half]: the first $((pkts / 2)) packets, not $npre: SQLite's index sorter grows to its 8 MiB cap first"
echo "targets: TSV <= 1.5x floor; SQLite rows <= 1.2x and with the index <= 2x the bare SQLite insert; peak memory < 48 MiB and flat"
