# helpers.bash: paths and small tools shared by every bats file.
TOP="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
BIN="${BIN:-$TOP/bin}"
SAMPLES="$TOP/samples"
GOLDEN="$TOP/tests/golden"
DATA="$TOP/tests/data"
CORPUS="${VND_CORPUS:-$TOP/../shared/corpus}"

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

# Corpus tests skip cleanly when ../shared is not beside the project.
need_corpus() {
	[ -d "$CORPUS" ] || skip "no corpus at $CORPUS"
}

need_cmd() {
	command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed"
}

# tsv_col NAME <file: the values of one column, picked by header name.
tsv_col() {
	awk -F'\t' -v c="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }'
}

# tsv_count 'awk condition on named columns' FILE: rows where it holds.
# The condition sees each column as v["name"].
tsv_count() {
	awk -F'\t' "NR == 1 { for (i = 1; i <= NF; i++) h[i] = \$i; next }
	    { for (i = 1; i <= NF; i++) v[h[i]] = \$i; if ($1) n++ } END { print n + 0 }" "$2"
}

# truth ELEMENT ATTR FILE: a value from a ground-truth <ts element attr value> file.
truth() {
	awk -F'\t' -v e="$1" -v a="$2" '$2 == e && $3 == a { print $4; exit }' "$3"
}
