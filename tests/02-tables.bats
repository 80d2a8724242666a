#!/usr/bin/env bats
# vnd-tables(5) is the contract: the header of every table every tool writes,
# in every mode, TSV or SQLite, is exactly the list of columns the page gives
# for that table, in its order: nothing missing, nothing extra. The lists are
# read from the page, so a new column needs only its entry there.
bats_require_minimum_version 1.5.0
load helpers

# man_cols 'SECTION' [OPTION]...: the columns vnd-tables(5) lists for a table,
# one a line: the `.It Va` entries of the first tag list of the .Sh or .Ss
# SECTION (`.It Va a , b` names two). An entry whose text begins "Only with"
# and `.Fl X` is listed only when X, as the page writes it (`i`, `-by flow`),
# is among the OPTIONs. Nothing listed is an error.
man_cols() {
	local sec=$1
	shift
	awk -v sec="$sec" -v opts="$*" '
	BEGIN { n = split(opts, o, ","); for (i = 1; i <= n; i++) want[o[i]] = 1 }
	/^\.S[hs] / { t = substr($0, 5); in_sec = t == sec; depth = lists = 0; next }
	!in_sec { next }
	/^\.Bl / { if (depth++ == 0) lists++; next }
	/^\.El/ { depth--; next }
	depth != 1 || lists != 1 { next }
	/^\.It Va / {
		k++
		for (i = 3; i <= NF && $i !~ /^[A-Z][a-z]$/; i++)
			if ($i != ",")
				names[k] = names[k] " " $i
		st = 1
		next
	}
	st == 1 { st = $0 == "Only with" ? 2 : 0; next }
	st == 2 {
		if ($1 == ".Fl") {
			c = substr($0, 5)
			gsub(/\\-/, "-", c)
			gsub(/ Cm /, " ", c)
			sub(/ [:,.;]$/, "", c)
			cond[k] = c
		}
		st = 0
	}
	END {
		for (i = 1; i <= k; i++)
			if (cond[i] == "" || cond[i] in want) {
				m = split(names[i], a, " ")
				for (j = 1; j <= m; j++)
					print a[j]
			}
		exit k == 0
	}' "$TOP/man/vnd-tables.5"
}

# tsv_is FILE 'SECTION' [OPTION,...]: FILE's header line is the page's list.
tsv_is() {
	man_cols "$2" "${3:-}" >"$T/want"
	tsv_header "$1" >"$T/got"
	echo "$1: the header against '$2' ${3:-}"
	diff -u "$T/want" "$T/got"
}

# out_is 'SECTION' 'OPTION,...' COMMAND...: the header COMMAND writes is the page's list.
out_is() {
	local sec=$1 opts=$2
	shift 2
	"$@" >"$T/out"
	echo "$*"
	tsv_is "$T/out" "$sec" "$opts"
}

# db_is DB 'TABLE=SECTION[=OPTION,...]'...: DB holds these tables and no
# other, each with the page's list of columns.
db_is() {
	local db=$1 t name sec opts
	shift
	for t in "$@"; do
		echo "${t%%=*}"
	done | sort | paste -sd' ' >"$T/want"
	sqlite3 "$db" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name" | paste -sd' ' >"$T/got"
	diff -u "$T/want" "$T/got"
	for t in "$@"; do
		IFS='=' read -r name sec opts <<<"$t"
		man_cols "$sec" "$opts" >"$T/want"
		sqlite3 "$db" "SELECT name FROM pragma_table_info('$name')" >"$T/got"
		echo "$db: table $name against '$sec' $opts"
		diff -u "$T/want" "$T/got"
	done
}

META='meta=Meta table of the analysis tools'
PATH3=("$SAMPLES/path-client.pcap" "$SAMPLES/path-r1in.pcap" "$SAMPLES/path-r2in.pcap")
SNAT=("$SAMPLES/snat-inside.pcap" "$SAMPLES/snat-outside.pcap")
CLIENT=$SAMPLES/path-client.pcap
T=""

setup() {
	T=$BATS_TEST_TMPDIR
	NS=""
}

teardown() {
	[ -z "$NS" ] || ip netns del "$NS" 2>/dev/null || true
}

@test "tables: the page's lists are read: the packets table has DESIGN.md's core columns first" {
	run -0 man_cols 'PACKETS TABLE'
	[ "${#lines[@]}" -ge 29 ]
	[ "${lines[0]}" = frame ]
	[ "${lines[28]}" = malformed ]
	# an option's columns only with it; an unknown section is an error
	run -0 man_cols 'HOPS TABLE'
	refute_line slot_ts_ns
	refute_line src_port
	run -0 man_cols 'HOPS TABLE' i
	assert_line slot_ts_ns
	refute_line src_port
	run -0 man_cols 'HOPS TABLE' '-by flow'
	assert_line src_port
	run -0 man_cols 'TCPSTATE SLOTS TABLE'
	assert_line receiver_limited_ratio
	run -1 man_cols 'NO SUCH TABLE'
}

@test "tables: vnd-parse: packets and meta, TSV and SQLite" {
	out_is 'PACKETS TABLE' '' "$BIN/vnd-parse" -q "$SAMPLES/snat-inside.pcap"
	out_is 'META TABLE' '' "$BIN/vnd-parse" -q -D "$SAMPLES/snat-inside.pcap"
	"$BIN/vnd-parse" -q -o "$T/p.db" "$SAMPLES/snat-inside.pcap"
	db_is "$T/p.db" 'packets=PACKETS TABLE' 'meta=META TABLE'
}

@test "tables: vnd-hoploss: hops by hop, flow, slot and both; lost; SQLite" {
	out_is 'HOPS TABLE' '' "$BIN/vnd-hoploss" -q "${PATH3[@]}"
	out_is 'HOPS TABLE' '-by flow' "$BIN/vnd-hoploss" -q --by flow "${PATH3[@]}"
	out_is 'HOPS TABLE' i "$BIN/vnd-hoploss" -q -i 1 "${PATH3[@]}"
	out_is 'HOPS TABLE' 'i,-by flow' "$BIN/vnd-hoploss" -q --by flow -i 1 "${PATH3[@]}"
	out_is 'LOST TABLE' '' "$BIN/vnd-hoploss" -q --lost "${PATH3[@]}"
	"$BIN/vnd-hoploss" -q -o "$T/h.db" "${PATH3[@]}"
	db_is "$T/h.db" 'hops=HOPS TABLE' "$META"
	"$BIN/vnd-hoploss" -q --by flow -i 1 -o "$T/hb.db" "${PATH3[@]}"
	db_is "$T/hb.db" 'hops=HOPS TABLE=i,-by flow' "$META"
	"$BIN/vnd-hoploss" -q --lost -o "$T/hl.db" "${PATH3[@]}"
	db_is "$T/hl.db" 'lost=LOST TABLE' "$META"
}

@test "tables: vnd-correlate: flows and pairs, TSV and SQLite" {
	out_is 'FLOWS TABLE' '' "$BIN/vnd-correlate" -q "${SNAT[@]}"
	out_is 'PAIRS TABLE' '' "$BIN/vnd-correlate" -q --pairs "${SNAT[@]}"
	"$BIN/vnd-correlate" -q -o "$T/c.db" "${SNAT[@]}"
	db_is "$T/c.db" 'flows=FLOWS TABLE' 'pairs=PAIRS TABLE' "$META"
}

@test "tables: vnd-rtt: samples (also --all), the summary, per slot; SQLite" {
	out_is 'SAMPLES TABLE' '' "$BIN/vnd-rtt" "$CLIENT"
	out_is 'SAMPLES TABLE' '' "$BIN/vnd-rtt" --all "$CLIENT"
	out_is 'RTT FLOWS TABLE' '' "$BIN/vnd-rtt" --summary "$CLIENT"
	out_is 'RTT FLOWS TABLE' i "$BIN/vnd-rtt" -i 1 "$CLIENT"
	"$BIN/vnd-rtt" -o "$T/r.db" "$CLIENT"
	db_is "$T/r.db" 'samples=SAMPLES TABLE' 'flows=RTT FLOWS TABLE' "$META"
	"$BIN/vnd-rtt" -i 1 -o "$T/ri.db" "$CLIENT"
	db_is "$T/ri.db" 'samples=SAMPLES TABLE' 'flows=RTT FLOWS TABLE=i' "$META"
}

@test "tables: vnd-tcpstate: connections, events, slots; SQLite" {
	out_is 'CONNECTIONS TABLE' '' "$BIN/vnd-tcpstate" "$CLIENT"
	out_is 'EVENTS TABLE' '' "$BIN/vnd-tcpstate" --events "$CLIENT"
	out_is 'TCPSTATE SLOTS TABLE' '' "$BIN/vnd-tcpstate" -i 1 "$CLIENT"
	"$BIN/vnd-tcpstate" -o "$T/t.db" "$CLIENT"
	db_is "$T/t.db" 'connections=CONNECTIONS TABLE' 'events=EVENTS TABLE' "$META"
	"$BIN/vnd-tcpstate" -i 1 -o "$T/ti.db" "$CLIENT"
	db_is "$T/ti.db" 'connections=CONNECTIONS TABLE' 'events=EVENTS TABLE' 'slots=TCPSTATE SLOTS TABLE' "$META"
}

@test "tables: vnd-rootcause: causes, TSV and SQLite; the chain and counters it reads" {
	out_is 'CAUSES TABLE' '' "$BIN/vnd-rootcause" -c "$SAMPLES/path.truth.tsv"
	"$BIN/vnd-rootcause" -c "$SAMPLES/path.truth.tsv" -o "$T/rc.db"
	db_is "$T/rc.db" 'causes=CAUSES TABLE' "$META"
	for f in chain path-chain perfsight-chain; do
		tsv_is "$DATA/$f.tsv" 'CHAIN TABLE'
	done
	tsv_is "$DATA/perfsight-chain-stats.tsv" 'COUNTERS TABLE'
}

@test "tables: vnd-capture: the manifest and the counters it writes (root, a namespace of its own)" {
	[ "$(id -u)" -eq 0 ] || skip "needs root for a network namespace"
	need_cmd ip
	ip netns add vndtab-$$ 2>/dev/null || skip "cannot make network namespaces"
	NS=vndtab-$$
	ip -n "$NS" link set lo up
	ip netns exec "$NS" "$BIN/vnd-capture" -q -i lo=lo -w "$T/cap" -d 1 --counters 1
	tsv_is "$T/cap/manifest.tsv" 'MANIFEST TABLE'
	tsv_is "$T/cap/counters.tsv" 'COUNTERS TABLE'
}
