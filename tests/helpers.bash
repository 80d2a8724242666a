# helpers.bash: paths and small tools shared by every bats file.
TOP="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
BIN="${BIN:-$TOP/bin}"
SAMPLES="$TOP/samples"
GOLDEN="$TOP/tests/golden"
DATA="$TOP/tests/data"
CORPUS="${VND_CORPUS:-$TOP/../shared/corpus}"

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

# A pipeline fails when any of its commands does, not only the last: a tool
# that crashes into `| sort` fails the test. A producer cut short by `head` or
# `grep -q` dies of SIGPIPE and fails it too: write to a file first.
set -o pipefail

# Corpus tests skip cleanly when ../shared is not beside the project.
need_corpus() {
	[ -d "$CORPUS" ] || skip "no corpus at $CORPUS"
}

need_cmd() {
	command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed"
}

# tsv_awk [-v var=value]... 'PROGRAM' [FILE]...: awk over TSV with a header
# line (each file's first line; stdin when no FILE). PROGRAM sees each row's
# columns by name, v["name"], and the header positions as h["name"]. A column
# the program names as v["..."] or h["..."] that a header lacks is an error
# (exit 2), so a typo or a renamed column cannot pass for empty values.
tsv_awk() {
	local vars=() prog need
	while [ "$1" = -v ]; do
		vars+=(-v "$2")
		shift 2
	done
	prog=$1
	shift
	# (a program that names no column is fine: grep finds nothing)
	need=$({ grep -o '[vh]\["[^"]*"\]' <<<"$prog" || true; } | sed 's/^.\["//; s/"\]$//' | sort -u | tr '\n' ' ')
	# the END that stops on a missing column comes before the program's
	awk -F'\t' "${vars[@]}" -v need_="$need" '
	    FNR == 1 {
		delete h
		for (i_ = 1; i_ <= NF; i_++)
			h[$i_] = i_
		nn_ = split(need_, nd_, " ")
		for (i_ = 1; i_ <= nn_; i_++)
			if (!(nd_[i_] in h)) {
				printf("tsv_awk: no column %s in %s\n", nd_[i_],
				    FILENAME == "" ? "stdin" : FILENAME) > "/dev/stderr"
				bad_ = 1
				exit 2
			}
		next
	    }
	    { delete v; for (c_ in h) v[c_] = $h[c_] }
	    END { if (bad_) exit 2 }
	    '"$prog" "$@"
}

# tsv_col NAME... <file: the values of columns picked by header name, tab
# separated, header line dropped; an unknown name is an error.
tsv_col() {
	local prog='{ print' sep='' c
	for c in "$@"; do
		prog+="$sep v[\"$c\"]"
		sep=' "\t"'
	done
	tsv_awk "$prog }"
}

# tsv_count 'awk condition on named columns' FILE: rows where it holds.
# The condition sees each column as v["name"].
tsv_count() {
	tsv_awk "$1 { n_++ } END { print n_ + 0 }" "$2"
}

# tsv_header FILE: the header's column names, one a line.
tsv_header() {
	head -n 1 "$1" | tr '\t' '\n'
}

# truth ELEMENT ATTR FILE: a value from a ground-truth <ts element attr value> file.
truth() {
	tsv_awk -v e="$1" -v a="$2" 'v["element"] == e && v["attr"] == a { print v["value"]; exit }' "$3"
}

# ns_pair PREFIX NET: namespaces A=PREFIXa and B=PREFIXb joined by a veth,
# IF=PREFIXa0 with NET.1/24 in A, IFB=PREFIXb0 with NET.2/24 in B (NET in
# 198.18.0.0/15); skips the test when namespaces cannot be made. Delete them
# with ns_pair_del in teardown.
ns_pair() {
	A=${1}a B=${1}b IF=${1}a0 IFB=${1}b0
	ip netns add "$A" 2>/dev/null || skip "cannot make network namespaces"
	ip netns add "$B"
	ip link add "$IF" type veth peer name "$IFB"
	ip link set "$IF" netns "$A"
	ip link set "$IFB" netns "$B"
	ip -n "$A" addr add "$2.1/24" dev "$IF"
	ip -n "$B" addr add "$2.2/24" dev "$IFB"
	ip -n "$A" link set "$IF" up
	ip -n "$B" link set "$IFB" up
	ip -n "$A" link set lo up
}

ns_pair_del() {
	[ -n "${A:-}" ] && ip netns del "$A" 2>/dev/null || true
	[ -n "${B:-}" ] && ip netns del "$B" 2>/dev/null || true
}
