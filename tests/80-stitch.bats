#!/usr/bin/env bats
# vnd-stitch: TCP streams rebuilt (vnd_reasm), HTTP and AMQP/oslo.messaging
# messages, transactions and their faults.
bats_require_minimum_version 1.5.0
load helpers

STITCH_DATA="$DATA/stitch"

# mkcase CASE: a made TCP connection (tests/stitch-mkpcap.py); its FNV-1a of
# the client's and the server's stream into $BATS_TEST_TMPDIR/CASE.fnv
mkcase() {
	python3 "$TOP/tests/stitch-mkpcap.py" "$1" "$BATS_TEST_TMPDIR/$1.pcap" >"$BATS_TEST_TMPDIR/$1.fnv"
}

# server_stream CASE COLUMN: the server's stream's value of COLUMN
server_stream() {
	"$BIN/vnd-stitch" -k test --streams "$BATS_TEST_TMPDIR/$1.pcap" >"$BATS_TEST_TMPDIR/$1.streams"
	awk -F'\t' -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
	    $4 == 8080 { print $k }' "$BATS_TEST_TMPDIR/$1.streams"
}

@test "stitch: reassembly: every gap-free stream of the corpus's HTTP captures is tshark's, byte for byte" {
	need_corpus
	n=0
	for f in $(tail -n +2 "$STITCH_DATA/follow.tsv" | cut -f1 | sort -u); do
		# a capture cut short (http.epeek7.gz) is read to its cut: exit 1
		"$BIN/vnd-stitch" -q -k test --streams "$CORPUS/$f" >"$BATS_TEST_TMPDIR/s" || [ $? -eq 1 ]
		awk -F'\t' -v f="$f" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		    $c["gaps"] == 0 && $c["bytes"] > 0 { print f "\t" $c["src_ip"] ":" $c["src_port"] "\t" $c["dst_ip"] ":" $c["dst_port"] "\t" $c["bytes"] "\t" $c["fnv1a"] }' \
		    "$BATS_TEST_TMPDIR/s" >>"$BATS_TEST_TMPDIR/vnd"
	done
	# each of vnd's gap-free streams is among tshark's, same bytes, same hash
	sort "$BATS_TEST_TMPDIR/vnd" >"$BATS_TEST_TMPDIR/got"
	tail -n +2 "$STITCH_DATA/follow.tsv" | sort >"$BATS_TEST_TMPDIR/want"
	comm -23 "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want" >"$BATS_TEST_TMPDIR/differ"
	cat "$BATS_TEST_TMPDIR/differ"
	[ ! -s "$BATS_TEST_TMPDIR/differ" ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/got")" -eq 245 ]
}

@test "stitch: reassembly: out of order, twice, overlapping: the stream that was sent" {
	for c in inorder reorder dup overlap; do
		mkcase "$c"
		want=$(cut -f2 "$BATS_TEST_TMPDIR/$c.fnv")
		echo "$c: want $want"
		[ "$(server_stream "$c" fnv1a)" = "$want" ]
		[ "$(server_stream "$c" gaps)" -eq 0 ]
	done
	[ "$(server_stream reorder ooo_segs)" -eq 2 ]
	[ "$(server_stream dup retx_bytes)" -eq 541 ]
	[ "$(server_stream overlap retx_bytes)" -eq 100 ]
}

@test "stitch: reassembly: two copies that differ: the first wins, the conflict is counted" {
	mkcase conflict
	[ "$(server_stream conflict conflict_bytes)" -eq 100 ]
	[ "$(server_stream conflict bytes)" -eq 541 ]
	[ "$(server_stream conflict fnv1a)" != "$(cut -f2 "$BATS_TEST_TMPDIR/conflict.fnv")" ]
}

@test "stitch: reassembly: a segment never seen but acknowledged is a gap of its size, the body around it kept" {
	mkcase hole
	[ "$(server_stream hole gaps)" -eq 1 ]
	[ "$(server_stream hole gap_bytes)" -eq 100 ]
	[ "$(server_stream hole bytes)" -eq 441 ]
	"$BIN/vnd-stitch" -k test "$BATS_TEST_TMPDIR/hole.pcap" >"$BATS_TEST_TMPDIR/m"
	[ "$(tsv_count 'v["status"] == 200 && v["gap_bytes"] == 100 && v["body_bytes"] == 369' "$BATS_TEST_TMPDIR/m")" -eq 1 ]
	[ "$(tsv_count 'v["status"] == 409 && v["answers"] == 2 && v["gap_bytes"] == 0' "$BATS_TEST_TMPDIR/m")" -eq 1 ]
}

@test "stitch: reassembly: -m bounds the bytes held: the hole is given up, marked" {
	mkcase hole
	"$BIN/vnd-stitch" -k test -m 50 --streams "$BATS_TEST_TMPDIR/hole.pcap" >"$BATS_TEST_TMPDIR/s"
	[ "$(tsv_count 'v["dst_port"] == 40000 && v["held_max_bytes"] == 100 && v["gap_bytes"] == 100 && v["bytes"] == 441' "$BATS_TEST_TMPDIR/s")" -eq 1 ]
	# without -m, both segments after the hole were held until the ACK
	[ "$(server_stream hole held_max_bytes)" -eq 141 ]
}

@test "stitch: http: the suricata gap case: 14 bytes missing inside a body, its three exchanges whole" {
	need_corpus
	# frame 17 (14 bytes at relative sequence 264) was removed from the capture
	"$BIN/vnd-stitch" -k test "$CORPUS/suricata-verify/tests/http-gap-simple/input.pcap" >"$BATS_TEST_TMPDIR/m"
	[ "$(tsv_count 'v["kind"] == "request"' "$BATS_TEST_TMPDIR/m")" -eq 3 ]
	[ "$(tsv_count 'v["kind"] == "response" && v["status"] == 200' "$BATS_TEST_TMPDIR/m")" -eq 3 ]
	[ "$(tsv_count 'v["gap_bytes"] == 14 && v["body_bytes"] == 70' "$BATS_TEST_TMPDIR/m")" -eq 1 ]
	[ "$(tsv_col target <"$BATS_TEST_TMPDIR/m" | grep -c '^/[123]$')" -eq 3 ]
}

@test "stitch: http: a response lost from the capture: the others still answer their own requests" {
	need_corpus
	"$BIN/vnd-stitch" -k test "$CORPUS/zeek/testing/btest/Traces/http/1000-requests-one-dropped-response.pcap.gz" >"$BATS_TEST_TMPDIR/m"
	[ "$(tsv_count 'v["kind"] == "request"' "$BATS_TEST_TMPDIR/m")" -eq 1000 ]
	[ "$(tsv_count 'v["kind"] == "response"' "$BATS_TEST_TMPDIR/m")" -eq 999 ]
	# the lost one is the first response (tshark: previous segment not captured at frame 7)
	[ "$(tsv_col answers <"$BATS_TEST_TMPDIR/m" | grep -cx 1)" -eq 0 ]
	[ "$(tsv_col answers <"$BATS_TEST_TMPDIR/m" | grep -v -- - | sort | uniq -d | wc -l)" -eq 0 ]
	[ "$(tsv_count 'v["kind"] == "response" && v["latency_ns"] < 0' "$BATS_TEST_TMPDIR/m")" -eq 0 ]
}

@test "stitch: http: an interim 100 Continue does not take its request's answer" {
	mkcase continue
	"$BIN/vnd-stitch" -k test "$BATS_TEST_TMPDIR/continue.pcap" >"$BATS_TEST_TMPDIR/m"
	[ "$(tsv_count 'v["status"] == 100 && v["answers"] == 1' "$BATS_TEST_TMPDIR/m")" -eq 1 ]
	[ "$(tsv_count 'v["status"] == 200 && v["answers"] == 1' "$BATS_TEST_TMPDIR/m")" -eq 1 ]
	[ "$(tsv_count 'v["status"] == 409 && v["answers"] == 2' "$BATS_TEST_TMPDIR/m")" -eq 1 ]
}

@test "stitch: http: the token is a keyed hash, never the token; the same key gives the same hash" {
	mkcase inorder
	"$BIN/vnd-stitch" -k one "$BATS_TEST_TMPDIR/inorder.pcap" >"$BATS_TEST_TMPDIR/a"
	"$BIN/vnd-stitch" -k one "$BATS_TEST_TMPDIR/inorder.pcap" >"$BATS_TEST_TMPDIR/b"
	"$BIN/vnd-stitch" -k two "$BATS_TEST_TMPDIR/inorder.pcap" >"$BATS_TEST_TMPDIR/c"
	run ! grep -q gAAAAAsecret "$BATS_TEST_TMPDIR/a"
	diff -u "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	[ "$(tsv_col auth <"$BATS_TEST_TMPDIR/a" | grep -c '^h:[0-9a-f]\{12\}$')" -eq 1 ]
	[ "$(tsv_col auth <"$BATS_TEST_TMPDIR/a" | grep '^h:')" != "$(tsv_col auth <"$BATS_TEST_TMPDIR/c" | grep '^h:')" ]
}

@test "stitch: http: method, path, status, request id and the UUIDs of path and body" {
	mkcase inorder
	"$BIN/vnd-stitch" -k test "$BATS_TEST_TMPDIR/inorder.pcap" >"$BATS_TEST_TMPDIR/m"
	[ "$(tsv_count 'v["method"] == "DELETE" && v["target"] == "/v2.1/servers/6f1c2a7e-0b7d-4d3c-9a7e-2f4b1c9d8e01"' "$BATS_TEST_TMPDIR/m")" -eq 1 ]
	[ "$(tsv_count 'v["status"] == 200 && v["request_id"] == "req-0b1e5bb4-1d6e-4a0e-8a55-9e2b4c61f0aa" && v["uuids"] == "6f1c2a7e-0b7d-4d3c-9a7e-2f4b1c9d8e01"' "$BATS_TEST_TMPDIR/m")" -eq 1 ]
	# the request id is not taken for a resource UUID
	run ! grep -q '0b1e5bb4-1d6e-4a0e-8a55-9e2b4c61f0aa,' "$BATS_TEST_TMPDIR/m"
}

@test "stitch: bad input: HTTP that is not HTTP is counted and named, garbage on 5672 too, no crash" {
	printf 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n' >"$BATS_TEST_TMPDIR/bad.txt"
	python3 - "$BATS_TEST_TMPDIR" <<'PY'
import struct, sys, os
d = sys.argv[1]
def frame(sp, dp, seq, flags, data):
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq, 0, 5 << 4, flags, 65535, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + len(data), 1, 0, 64, 6, 0, bytes([198, 18, 0, 1]), bytes([198, 18, 0, 2]))
    return b"\x02" * 12 + b"\x08\x00" + ip + tcp + data
bad = open(d + "/bad.txt", "rb").read()
pk = [frame(40001, 80, 1, 0x02, b""), frame(40001, 80, 2, 0x18, bad),
      frame(40002, 5672, 1, 0x02, b""), frame(40002, 5672, 2, 0x18, b"AMQP\0\0\x09\x01" + os.urandom(0) + b"\x01\x00\x01\xff\xff\xff\xffgarbage" * 20)]
with open(d + "/bad.pcap", "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, p in enumerate(pk):
        f.write(struct.pack("<IIII", 1700000000 + i, 0, len(p), len(p)) + p)
PY
	run -0 --separate-stderr "$BIN/vnd-stitch" -k test "$BATS_TEST_TMPDIR/bad.pcap"
	[[ $stderr == *"1 HTTP streams broke off: not HTTP (the last: HPE_INVALID_CONTENT_LENGTH)"* ]]
	[[ $stderr == *"bytes on AMQP connections were not AMQP frames"* ]]
	[ "${#lines[@]}" -eq 1 ]
}

@test "stitch: usage: two tables on standard output, a bad -m, an unknown option" {
	run -2 --separate-stderr "$BIN/vnd-stitch" --faults --transactions x.pcap
	[[ $stderr == *"one table on standard output"* ]]
	run -2 --separate-stderr "$BIN/vnd-stitch" -m 0 x.pcap
	[[ $stderr == *"usage: vnd-stitch"* ]]
	run -2 --separate-stderr "$BIN/vnd-stitch" --bogus
	[[ $stderr == *"usage: vnd-stitch"* ]]
	run -1 --separate-stderr "$BIN/vnd-stitch" /nonexistent.pcap
	[[ $stderr == *"vnd-stitch: "*"/nonexistent.pcap"* ]]
}

# The control plane of samples/make-controlplane.sh: RabbitMQ, oslo.messaging
# RPC servers, REST services; 40 server boots, 20 in flight, 8 with a fault.
# The services' own logs (controlplane.log: ts, role, send|recv, kind,
# global request id, what, body bytes) and the client's truth file are the
# ground truth.
CP="$SAMPLES/controlplane"

# logged ROLE-or-* EVENT KIND: lines of the services' log
logged() {
	awk -F'\t' -v r="$1" -v e="$2" -v k="$3" '(r == "*" || $2 == r) && $3 == e && $4 == k' "$CP.log" | wc -l
}

@test "stitch: amqp: every RPC the services sent is a publish, every one received a deliver" {
	"$BIN/vnd-stitch" -k test "$CP.pcap.gz" >"$BATS_TEST_TMPDIR/m"
	[ "$(logged '*' send call)" -eq 78 ]
	[ "$(tsv_count 'v["kind"] == "call" && v["amqp_method"] == "publish"' "$BATS_TEST_TMPDIR/m")" -eq "$(logged '*' send call)" ]
	[ "$(tsv_count 'v["kind"] == "call" && v["amqp_method"] == "deliver"' "$BATS_TEST_TMPDIR/m")" -eq "$(logged '*' recv call)" ]
	[ "$(tsv_count 'v["kind"] == "reply" && v["amqp_method"] == "publish"' "$BATS_TEST_TMPDIR/m")" -eq "$(logged '*' send reply)" ]
	[ "$(tsv_count 'v["kind"] == "reply" && v["amqp_method"] == "deliver"' "$BATS_TEST_TMPDIR/m")" -eq "$(logged '*' send reply)" ]
	[ "$(tsv_count 'v["proto"] == "http" && v["kind"] == "request"' "$BATS_TEST_TMPDIR/m")" -eq "$(logged '*' send request)" ]
}

@test "stitch: oslo: a call's method, topic, message id, reply queue and request id; a reply answers its call" {
	"$BIN/vnd-stitch" -k test "$CP.pcap.gz" >"$BATS_TEST_TMPDIR/m"
	[ "$(tsv_count 'v["kind"] == "call" && v["method"] == "build_instance" && v["target"] == "conductor" && length(v["msg_id"]) == 32 && v["msg_id"] ~ /^[0-9a-f]+$/ && length(v["reply_q"]) == 38 && v["reply_q"] ~ /^reply_[0-9a-f]+$/ && v["unique_id"] != "-"' "$BATS_TEST_TMPDIR/m")" -eq 76 ]
	# the request ids the calls carry are the ones the senders logged
	awk -F'\t' '$3 == "send" && $4 == "call" { print $5 }' "$CP.log" | sort -u >"$BATS_TEST_TMPDIR/want"
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["kind"] == "call" { print $c["global_request_id"] }' "$BATS_TEST_TMPDIR/m" | sort -u >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	[ "$(tsv_count 'v["kind"] == "reply" && v["answers"] == "-"' "$BATS_TEST_TMPDIR/m")" -eq 0 ]
	# compute raised it, conductor raised it again: each seen published and delivered
	[ "$(tsv_count 'v["kind"] == "reply" && v["failure"] ~ /^builtins.ValueError: no valid host for [-0-9a-f]+$/' "$BATS_TEST_TMPDIR/m")" -eq 8 ]
}

@test "stitch: oslo: the token in the RPC context and in the headers: one keyed hash, never in clear" {
	"$BIN/vnd-stitch" -k test "$CP.pcap.gz" >"$BATS_TEST_TMPDIR/m"
	run ! grep -q 'gAAAAABsecret' "$BATS_TEST_TMPDIR/m"
	tsv_col auth <"$BATS_TEST_TMPDIR/m" | grep -v '^-$' | sort -u >"$BATS_TEST_TMPDIR/auth"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/auth")" -eq 1 ]
	[ "$(tsv_count 'v["kind"] == "call" && v["auth"] ~ /^h:/' "$BATS_TEST_TMPDIR/m")" -eq 154 ]
}

# per_op FILE.tsv: request id, HTTP + RPC messages of vnd's transaction
per_op() {
	"$BIN/vnd-stitch" -k test --transactions "$1" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	    { print $c["request_id"] "\t" $c["http"] + $c["rpc"] }' | sort
}

@test "stitch: transactions: 40 boots, each stitched whole: its messages are those its services sent" {
	for s in controlplane controlplane-lossy; do
		per_op "$SAMPLES/$s.pcap.gz" >"$BATS_TEST_TMPDIR/got"
		awk -F'\t' '$3 == "send" { n[$5]++ } END { for (k in n) print k "\t" n[k] }' "$SAMPLES/$s.log" | sort >"$BATS_TEST_TMPDIR/want"
		[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" -eq 40 ]
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	done
}

@test "stitch: transactions: HTTP bodies rebuilt equal the bytes the services logged (with drops too)" {
	for s in controlplane controlplane-lossy; do
		"$BIN/vnd-stitch" -k test "$SAMPLES/$s.pcap.gz" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		    $c["proto"] == "http" { print $c["kind"] "\t" $c["body_bytes"] "\t" $c["gap_bytes"] }' | sort >"$BATS_TEST_TMPDIR/got"
		awk -F'\t' '$3 == "send" && ($4 == "request" || $4 == "response") { print $4 "\t" $7 "\t0" }' "$SAMPLES/$s.log" | sort >"$BATS_TEST_TMPDIR/want"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	done
	# the lossy recording: drops on the router, before the capture point
	# (holes, filled out of order) and after it (retransmissions)
	"$BIN/vnd-stitch" -k test --streams "$SAMPLES/controlplane-lossy.pcap.gz" >"$BATS_TEST_TMPDIR/s"
	[ "$(tsv_col retx_bytes <"$BATS_TEST_TMPDIR/s" | awk '{ n += $1 } END { print n }')" -gt 1000 ]
	[ "$(tsv_col ooo_segs <"$BATS_TEST_TMPDIR/s" | awk '{ n += $1 } END { print n }')" -gt 0 ]
	[ "$(tsv_col gaps <"$BATS_TEST_TMPDIR/s" | awk '{ n += $1 } END { print n }')" -eq 0 ]
}

# score SAMPLE: tp fp fn of vnd's faults against the client's truth
score() {
	"$BIN/vnd-stitch" -k test --faults "$SAMPLES/$1.pcap.gz" >"$BATS_TEST_TMPDIR/f"
	awk -F'\t' 'NR == FNR { if (FNR > 1) { fault[$3] = $6; what[$3] = $7 } next }
	    FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	    { r = $c["request_id"]; if (!(r in fault) || fault[r] == "-") { fp++; next }
	      w = what[r]; ok = $c["fault"] == fault[r] && ($c["status"] == w || index($c["failure"], w) == 1 || $c["server"] == w)
	      if (ok) tp++; else fp++; seen[r] = 1 }
	    END { for (r in fault) if (fault[r] != "-" && !(r in seen)) fn++; print tp + 0, fp + 0, fn + 0 }' \
	    "$SAMPLES/$1.truth.tsv" "$BATS_TEST_TMPDIR/f"
}

@test "stitch: faults: the root cause of every injected fault, nothing else (409 and 500 deep, a raise, a timeout)" {
	[ "$(awk -F'\t' 'NR > 1 && $6 != "-"' "$CP.truth.tsv" | wc -l)" -eq 8 ]
	[ "$(score controlplane)" = "8 0 0" ]
	[ "$(score controlplane-lossy)" = "8 0 0" ]
}

@test "stitch: faults: the chain runs from the user's request to the failing message" {
	"$BIN/vnd-stitch" -k test --faults "$CP.pcap.gz" >"$BATS_TEST_TMPDIR/f"
	# a network 409: user -> api -> conductor -> compute -> network, then its answer
	[ "$(tsv_count 'v["status"] == 409 && split(v["chain"], a, ">") == 5 && a[1] == v["root_msg"] && a[5] == v["fault_msg"]' "$BATS_TEST_TMPDIR/f")" -eq 2 ]
	[ "$(tsv_count 'v["fault"] == "no_reply" && v["chain"] == v["root_msg"] ">" v["fault_msg"]' "$BATS_TEST_TMPDIR/f")" -eq 2 ]
}

@test "stitch: -o writes messages, transactions and faults into one SQLite file" {
	need_cmd sqlite3
	"$BIN/vnd-stitch" -k test -o "$BATS_TEST_TMPDIR/cp.db" "$CP.pcap.gz"
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/cp.db" 'select count(*) from transactions')" -eq 40 ]
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/cp.db" 'select count(*) from faults')" -eq 8 ]
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/cp.db" "select count(*) from messages m join faults f on m.msg = f.fault_msg where m.txn = f.txn")" -eq 8 ]
}

@test "stitch: a fresh recording with RabbitMQ: its faults found again" {
	[ "$(id -u)" -eq 0 ] || skip "not root"
	[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || skip "rabbitmq-server is not installed"
	/usr/bin/python3 -c 'import oslo_messaging' 2>/dev/null || skip "python3-oslo.messaging is not installed"
	need_cmd tcpdump
	"$SAMPLES/make-controlplane.sh" "$BATS_TEST_TMPDIR" 40 plain >"$BATS_TEST_TMPDIR/log" 2>&1 || { cat "$BATS_TEST_TMPDIR/log"; false; }
	SAMPLES="$BATS_TEST_TMPDIR"
	[ "$(score controlplane)" = "8 0 0" ]
	per_op "$SAMPLES/controlplane.pcap.gz" >"$BATS_TEST_TMPDIR/got"
	awk -F'\t' '$3 == "send" { n[$5]++ } END { for (k in n) print k "\t" n[k] }' "$SAMPLES/controlplane.log" | sort >"$BATS_TEST_TMPDIR/want"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "stitch: a capture cut short: the messages before the cut, the cut named, exit 1" {
	gzip -dc "$CP.pcap.gz" >"$BATS_TEST_TMPDIR/whole.pcap"
	head -c 300000 "$BATS_TEST_TMPDIR/whole.pcap" >"$BATS_TEST_TMPDIR/cut.pcap"
	run -1 --separate-stderr "$BIN/vnd-stitch" -k test "$BATS_TEST_TMPDIR/cut.pcap"
	[[ $stderr == *"cut.pcap': truncated record"*" at byte 299"* ]]
	[ "${#lines[@]}" -gt 100 ]
}

@test "stitch: one message seen at two points is one message of its transaction, in two rows" {
	per_op "$CP.pcap.gz" >"$BATS_TEST_TMPDIR/one"
	"$BIN/vnd-stitch" -k test --transactions a="$CP.pcap.gz" b="$CP.pcap.gz" >"$BATS_TEST_TMPDIR/t"
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	    { print $c["request_id"] "\t" $c["http"] + $c["rpc"] }' "$BATS_TEST_TMPDIR/t" | sort >"$BATS_TEST_TMPDIR/two"
	diff -u "$BATS_TEST_TMPDIR/one" "$BATS_TEST_TMPDIR/two"
	"$BIN/vnd-stitch" -k test --transactions "$CP.pcap.gz" >"$BATS_TEST_TMPDIR/t1"
	[ "$(tsv_col messages <"$BATS_TEST_TMPDIR/t" | awk '{ n += $1 } END { print n }')" -eq "$(( $(tsv_col messages <"$BATS_TEST_TMPDIR/t1" | awk '{ n += $1 } END { print n }') * 2 ))" ]
	"$BIN/vnd-stitch" -k test --faults a="$CP.pcap.gz" b="$CP.pcap.gz" >"$BATS_TEST_TMPDIR/f"
	[ "$(tsv_count 'v["txn"] > 0' "$BATS_TEST_TMPDIR/f")" -eq 8 ]
}

# page_cols 'SECTION': the columns vnd-tables(5) lists under .Sh SECTION
page_cols() {
	awk -v sec="$1" '/^\.Sh / { in_sec = substr($0, 5) == sec; next }
	    in_sec && /^\.It Va / { print $3 }' "$TOP/man/vnd-tables.5"
}

@test "stitch: every table's header is the list of columns vnd-tables(5) gives, in order" {
	for t in messages:MESSAGES transactions:TRANSACTIONS faults:FAULTS streams:STREAMS; do
		page_cols "${t#*:} TABLE" >"$BATS_TEST_TMPDIR/want"
		case ${t%%:*} in
		messages) opt= ;;
		*) opt=--${t%%:*} ;;
		esac
		"$BIN/vnd-stitch" -k test $opt "$CP.pcap.gz" >"$BATS_TEST_TMPDIR/out"
		head -n 1 "$BATS_TEST_TMPDIR/out" | tr '\t' '\n' >"$BATS_TEST_TMPDIR/got"
		diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	done
	"$BIN/vnd-stitch" -k test --streams -o "$BATS_TEST_TMPDIR/s.db" "$CP.pcap.gz"
	for t in messages transactions faults streams; do
		[ "$(sqlite3 "$BATS_TEST_TMPDIR/s.db" "SELECT count(*) FROM pragma_table_info('$t')")" -eq "$(page_cols "$(echo "$t" | tr a-z A-Z) TABLE" | wc -l)" ]
	done
}
