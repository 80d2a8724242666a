#!/bin/sh
# hoploss-raw.sh BIN A B CLIENT_IP: the raw time differences of the packets two points both saw.
#
# Prints "client|server MIN MAX N" per direction, sorted: B's time stamp less
# A's for the packets from CLIENT_IP, A's less B's for the others, in ns.
# Packets are joined by vnd-parse's fields alone (addresses, pkt_id, ack,
# flags, payload length and hash, TSval), not by vnd-hoploss's matching, so
# that a test can hold vnd-hoploss's delays against the time stamps. A key
# seen as often at both points (a packet sent twice alike) pairs its k-th
# sighting at A with its k-th at B, as a first-in first-out matcher does;
# one seen a different number of times at each is left out.
set -eu
[ $# -eq 4 ] || { echo "usage: hoploss-raw.sh BIN A B CLIENT_IP" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hoploss-raw.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$1/vnd-parse" -q "$2" >"$tmp/a.tsv"
"$1/vnd-parse" -q "$3" >"$tmp/b.tsv"
awk -F'\t' -v c="$4" '
    FNR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; f++; next }
    $h["src_ip"] == "-" { next }
    { k = $h["src_ip"] " " $h["dst_ip"] " " $h["pkt_id"] " " $h["ack"] " " \
        $h["tcp_flags"] " " $h["payload_bytes"] " " $h["payload_hash"] " " $h["tsval"]
      o = ++n[f, k]
      s[k] = $h["src_ip"]
      # seconds and nanoseconds apart: a double holds neither whole
      sec[f, k, o] = substr($h["ts_ns"], 1, length($h["ts_ns"]) - 9)
      ns[f, k, o] = substr($h["ts_ns"], length($h["ts_ns"]) - 8) }
    END {
      for (x in n) {
        split(x, p, SUBSEP)
        if (p[1] != 1 || n[1, p[2]] != n[2, p[2]])
          continue
        k = p[2]
        side = s[k] == c ? "client" : "server"
        for (o = 1; o <= n[1, k]; o++) {
          d = (sec[2, k, o] - sec[1, k, o]) * 1000000000 + ns[2, k, o] - ns[1, k, o]
          if (side == "server")
            d = -d
          if (!(side in mn) || d < mn[side]) mn[side] = d
          if (!(side in mx) || d > mx[side]) mx[side] = d
          cnt[side]++
        }
      }
      for (side in cnt)
        print side, mn[side], mx[side], cnt[side]
    }' "$tmp/a.tsv" "$tmp/b.tsv" | sort
