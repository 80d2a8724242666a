#!/usr/bin/env bats
# vnd-capture -z: a command on every file the ring closes (root only; skips without).
bats_require_minimum_version 1.5.0
load helpers

setup() {
	[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"
	command -v ip >/dev/null && command -v socat >/dev/null || skip "needs iproute2 and socat"
	id nobody >/dev/null 2>&1 || skip "needs the user nobody"
	ns_pair sch$$ 198.18.5
	# nobody (-u) must reach the ring's directory: not under bats' 0700 one
	TOPD=$(mktemp -d /tmp/sch$$.XXXXXX)
	chmod 755 "$TOPD"
	RING="$TOPD/ring"
}

teardown() {
	ns_pair_del
	[ -n "${TOPD:-}" ] && rm -rf "$TOPD" || true
}

# a UDP datagram from B to A every 0.1 s for about $1 seconds
datagrams() {
	local i
	for i in $(seq $(( $1 * 10 ))); do
		echo "datagram $i" | ip netns exec $B socat -u - UDP:198.18.5.1:9
		sleep 0.1
	done
}

# the -z script: the uid it runs as, the file, its size at that time
zscript() {
	cat >"$TOPD/z.sh" <<'Z'
#!/bin/sh
echo "$(id -u) $1 $(stat -c %s "$1")" >>"$(dirname "$1")/z.log"
Z
	chmod 755 "$TOPD/z.sh"
}

@test "capture -z: the command ran once per closed file of the ring, as the -u user" {
	zscript
	ip netns exec $A "$BIN/vnd-capture" -q -i a=$IF -w "$RING" -G 1 -d 4 \
	    -u nobody -z "$TOPD/z.sh" &
	pid=$!
	datagrams 4
	wait $pid
	ls "$RING"/a-*.pcap >"$BATS_TEST_TMPDIR/files"
	cut -d' ' -f2 "$RING/z.log" | sort >"$BATS_TEST_TMPDIR/ran"
	cat "$RING/z.log"
	# one command per file, and a ring of several files
	diff -u "$BATS_TEST_TMPDIR/files" "$BATS_TEST_TMPDIR/ran"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/files")" -ge 3 ]
	# as nobody, never as root
	[ "$(cut -d' ' -f1 "$RING/z.log" | sort -u)" = "$(id -u nobody)" ]
	# each file was closed whole when the command saw it: its size then is its size now
	while read -r uid f size; do
		[ "$(stat -c %s "$f")" -eq "$size" ]
	done <"$RING/z.log"
}

@test "capture -z: vnd parse --append keeps a database of the ring current" {
	ip netns exec $A "$BIN/vnd-capture" -q -i a=$IF -w "$RING" -G 1 -d 6 \
	    -u nobody -z "$BIN/vnd-parse -q --append -o $RING/ring.db -p a" &
	pid=$!
	sleep 1		# the device open before the first datagram
	datagrams 3
	wait $pid
	db="$RING/ring.db"
	# every file of the ring loaded once, and nothing else
	ls "$RING"/a-*.pcap >"$BATS_TEST_TMPDIR/files"
	sqlite3 "$db" 'SELECT file FROM meta ORDER BY file' >"$BATS_TEST_TMPDIR/loaded"
	diff -u "$BATS_TEST_TMPDIR/files" "$BATS_TEST_TMPDIR/loaded"
	# as many rows as the files have frames, the point's frames numbered 1..n
	want=0
	for f in $(cat "$BATS_TEST_TMPDIR/files"); do
		want=$(( want + $("$BIN/vnd-parse" -q -H "$f" | wc -l) ))
	done
	echo "frames in the ring: $want"
	[ "$want" -gt 30 ]
	[ "$(sqlite3 "$db" "SELECT count(*) FROM packets WHERE point = 'a'")" -eq "$want" ]
	[ "$(sqlite3 "$db" "SELECT count(DISTINCT frame) FROM packets WHERE point = 'a'")" -eq "$want" ]
	[ "$(sqlite3 "$db" "SELECT max(frame) FROM packets WHERE point = 'a'")" -eq "$want" ]
	# the datagrams themselves, each once
	[ "$(sqlite3 "$db" "SELECT count(*) FROM packets WHERE dst_ip = '198.18.5.1' AND dst_port = 9")" -eq 30 ]
}

@test "capture -z: a command that fails is said, with its file" {
	ip netns exec $A "$BIN/vnd-capture" -q -i a=$IF -w "$RING" -d 1 -z false \
	    2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	datagrams 1
	wait $pid
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = "vnd-capture: -z command on '$RING/a.pcap' exited with 1" ]
}
