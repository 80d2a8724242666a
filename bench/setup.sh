# setup.sh: sourced by plot.sh and report.sh: messages, the trace, the programs, a work directory.
# Before sourcing: prog (the script's name), tool (the vnd program it needs),
# outdir (the default of OUT under bench/data), runs_default; "$@" the
# script's arguments. After: die, say, abspath, here, root, trace, bin, out,
# runs, work (removed on exit).

die() { echo "$prog: $*" >&2; exit 1; }
say() { echo "$prog: $*" >&2; }
abspath() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
[ $# -le 1 ] || die "usage: bench/$prog [TRACE]"
trace=$(abspath "${1:-$root/bench/data/trace.pcap}")
bin=$(abspath "${BIN:-bin}")
out=$(abspath "${OUT:-$root/bench/data/$outdir}")
runs=${RUNS:-$runs_default}
case $runs in '' | *[!0-9]* | 0) die "RUNS must be a positive integer, not '$runs'" ;; esac
[ -r "$trace" ] || die "cannot read trace '$trace'; make one with bench/mktrace.sh"
[ -x "$bin/$tool" ] || die "'$bin/$tool' not found; run make first (or set BIN=dir)"
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/$prog.XXXXXX")
trap 'rm -rf "$work"' EXIT
