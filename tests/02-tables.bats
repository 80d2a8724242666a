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
	man_cols "$2" "${3:-}" >"$BATS_TEST_TMPDIR/want"
	tsv_header "$1" >"$BATS_TEST_TMPDIR/got"
	echo "$1: the header against '$2' ${3:-}"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

# sql_is DB TABLE 'SECTION' [OPTION,...]: a table's columns are the page's list.
sql_is() {
	man_cols "$3" "${4:-}" >"$BATS_TEST_TMPDIR/want"
	sqlite3 "$1" "SELECT name FROM pragma_table_info('$2')" >"$BATS_TEST_TMPDIR/got"
	echo "$1: table $2 against '$3' ${4:-}"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

# sql_tables DB: the database's tables, sorted, on one line.
sql_tables() {
	sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name" | paste -sd' '
}

# run_to NAME COMMAND...: COMMAND's standard output into $BATS_TEST_TMPDIR/NAME.
run_to() {
	local out="$BATS_TEST_TMPDIR/$1"
	shift
	"$@" >"$out"
}

PATH3=("$SAMPLES/path-client.pcap" "$SAMPLES/path-r1in.pcap" "$SAMPLES/path-r2in.pcap")
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
	run_to packets "$BIN/vnd-parse" -q "$SAMPLES/snat-inside.pcap"
	tsv_is "$T/packets" 'PACKETS TABLE'
	run_to meta "$BIN/vnd-parse" -q -D "$SAMPLES/snat-inside.pcap"
	tsv_is "$T/meta" 'META TABLE'
	"$BIN/vnd-parse" -q -o "$T/p.db" "$SAMPLES/snat-inside.pcap"
	[ "$(sql_tables "$T/p.db")" = "meta packets" ]
	sql_is "$T/p.db" packets 'PACKETS TABLE'
	sql_is "$T/p.db" meta 'META TABLE'
}

@test "tables: vnd-hoploss: hops by hop, flow, slot and both; lost; SQLite" {
	run_to hops "$BIN/vnd-hoploss" -q "${PATH3[@]}"
	tsv_is "$T/hops" 'HOPS TABLE'
	run_to flow "$BIN/vnd-hoploss" -q --by flow "${PATH3[@]}"
	tsv_is "$T/flow" 'HOPS TABLE' '-by flow'
	run_to slot "$BIN/vnd-hoploss" -q -i 1 "${PATH3[@]}"
	tsv_is "$T/slot" 'HOPS TABLE' i
	run_to both "$BIN/vnd-hoploss" -q --by flow -i 1 "${PATH3[@]}"
	tsv_is "$T/both" 'HOPS TABLE' 'i,-by flow'
	run_to lost "$BIN/vnd-hoploss" -q --lost "${PATH3[@]}"
	tsv_is "$T/lost" 'LOST TABLE'
	"$BIN/vnd-hoploss" -q -o "$T/h.db" "${PATH3[@]}"
	[ "$(sql_tables "$T/h.db")" = "hops meta" ]
	sql_is "$T/h.db" hops 'HOPS TABLE'
	sql_is "$T/h.db" meta 'Meta table of the analysis tools'
	"$BIN/vnd-hoploss" -q --by flow -i 1 -o "$T/hb.db" "${PATH3[@]}"
	sql_is "$T/hb.db" hops 'HOPS TABLE' 'i,-by flow'
	"$BIN/vnd-hoploss" -q --lost -o "$T/hl.db" "${PATH3[@]}"
	[ "$(sql_tables "$T/hl.db")" = "lost meta" ]
	sql_is "$T/hl.db" lost 'LOST TABLE'
}

@test "tables: vnd-correlate: flows and pairs, TSV and SQLite" {
	run_to flows "$BIN/vnd-correlate" -q "$SAMPLES/snat-inside.pcap" "$SAMPLES/snat-outside.pcap"
	tsv_is "$T/flows" 'FLOWS TABLE'
	run_to pairs "$BIN/vnd-correlate" -q --pairs "$SAMPLES/snat-inside.pcap" "$SAMPLES/snat-outside.pcap"
	tsv_is "$T/pairs" 'PAIRS TABLE'
	"$BIN/vnd-correlate" -q -o "$T/c.db" "$SAMPLES/snat-inside.pcap" "$SAMPLES/snat-outside.pcap"
	[ "$(sql_tables "$T/c.db")" = "flows meta pairs" ]
	sql_is "$T/c.db" flows 'FLOWS TABLE'
	sql_is "$T/c.db" pairs 'PAIRS TABLE'
	sql_is "$T/c.db" meta 'Meta table of the analysis tools'
}

@test "tables: vnd-rtt: samples (also --all), the summary, per slot; SQLite" {
	run_to samples "$BIN/vnd-rtt" "$SAMPLES/path-client.pcap"
	tsv_is "$T/samples" 'SAMPLES TABLE'
	run_to all "$BIN/vnd-rtt" --all "$SAMPLES/path-client.pcap"
	tsv_is "$T/all" 'SAMPLES TABLE'
	run_to summary "$BIN/vnd-rtt" --summary "$SAMPLES/path-client.pcap"
	tsv_is "$T/summary" 'RTT FLOWS TABLE'
	run_to slots "$BIN/vnd-rtt" -i 1 "$SAMPLES/path-client.pcap"
	tsv_is "$T/slots" 'RTT FLOWS TABLE' i
	"$BIN/vnd-rtt" -o "$T/r.db" "$SAMPLES/path-client.pcap"
	[ "$(sql_tables "$T/r.db")" = "flows meta samples" ]
	sql_is "$T/r.db" samples 'SAMPLES TABLE'
	sql_is "$T/r.db" flows 'RTT FLOWS TABLE'
	sql_is "$T/r.db" meta 'Meta table of the analysis tools'
	"$BIN/vnd-rtt" -i 1 -o "$T/ri.db" "$SAMPLES/path-client.pcap"
	sql_is "$T/ri.db" flows 'RTT FLOWS TABLE' i
}

@test "tables: vnd-tcpstate: connections, events, slots; SQLite" {
	run_to conns "$BIN/vnd-tcpstate" "$SAMPLES/path-client.pcap"
	tsv_is "$T/conns" 'CONNECTIONS TABLE'
	run_to events "$BIN/vnd-tcpstate" --events "$SAMPLES/path-client.pcap"
	tsv_is "$T/events" 'EVENTS TABLE'
	run_to slots "$BIN/vnd-tcpstate" -i 1 "$SAMPLES/path-client.pcap"
	tsv_is "$T/slots" 'TCPSTATE SLOTS TABLE'
	"$BIN/vnd-tcpstate" -o "$T/t.db" "$SAMPLES/path-client.pcap"
	[ "$(sql_tables "$T/t.db")" = "connections events meta" ]
	sql_is "$T/t.db" connections 'CONNECTIONS TABLE'
	sql_is "$T/t.db" events 'EVENTS TABLE'
	sql_is "$T/t.db" meta 'Meta table of the analysis tools'
	"$BIN/vnd-tcpstate" -i 1 -o "$T/ti.db" "$SAMPLES/path-client.pcap"
	[ "$(sql_tables "$T/ti.db")" = "connections events meta slots" ]
	sql_is "$T/ti.db" slots 'TCPSTATE SLOTS TABLE'
}

@test "tables: vnd-rootcause: causes, TSV and SQLite; the chain and counters it reads" {
	run_to causes "$BIN/vnd-rootcause" -c "$SAMPLES/path.truth.tsv"
	tsv_is "$T/causes" 'CAUSES TABLE'
	"$BIN/vnd-rootcause" -c "$SAMPLES/path.truth.tsv" -o "$T/rc.db"
	[ "$(sql_tables "$T/rc.db")" = "causes" ]
	sql_is "$T/rc.db" causes 'CAUSES TABLE'
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
