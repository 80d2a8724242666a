#!/usr/bin/env python3
"""mkddl.py [vnd-tables.5]: the ClickHouse DDL of every vnd table, from the man page.

Writes to standard output what sql/clickhouse.sql holds (tests/90-clickhouse.bats
checks that the two are in step). For each "NAME TABLE" section of
vnd-tables.5, in order, a MergeTree table NAME_local on each host and a
Distributed table NAME over the cluster "vnd". Types: INTEGER -> Int64,
REAL -> Float64, TEXT -> String, all Nullable (a vnd column may be unset)
but the sort key's. Nothing that ClickHouse 18.16 lacks or later releases
removed: no IPv6 type, no codecs, no LowCardinality.
"""
import re
import sys

TYPES = {"INTEGER": "Int64", "REAL": "Float64", "TEXT": "String"}
WORDS = {"integer": "INTEGER", "real": "REAL", "text": "TEXT"}

# Sort keys, never unset in what the tools write. Tables not named here
# are kept in insertion order (ORDER BY tuple()).
KEYS = {"packets": ["point", "frame"]}

# The packets table's computed columns, for vnd-sql's hop joins: the
# fingerprint vnd-hoploss widens pkt_id with, hashed,
# and the flow and its reverse as text, all computed when read (18.16
# cannot insert through a Distributed table into a MATERIALIZED column).
FLOW = ("concat(ifNull(src_ip, '-'), ' ', ifNull(toString(src_port), '-'), ' ', "
        "ifNull(dst_ip, '-'), ' ', ifNull(toString(dst_port), '-'), ' ', "
        "ifNull(toString(ip_proto), '-'))")
RFLOW = ("concat(ifNull(dst_ip, '-'), ' ', ifNull(toString(dst_port), '-'), ' ', "
         "ifNull(src_ip, '-'), ' ', ifNull(toString(src_port), '-'), ' ', "
         "ifNull(toString(ip_proto), '-'))")
FP_COLS = ["pkt_id", "ack", "tcp_flags", "win", "payload_bytes", "payload_hash",
           "icmp_type", "icmp_code", "frag_off", "tsval", "tsecr"]
EXTRA = {"packets": [
    ("fp", "UInt64 ALIAS cityHash64(%s)" %
     ", ".join("ifNull(%s, -1)" % c for c in FP_COLS)),
    ("flow", "String ALIAS " + FLOW),
    ("rflow", "String ALIAS " + RFLOW),
]}
# Every sighting of a packet on one shard: the hash of its pkt_id.
SHARD = {"packets": "cityHash64(ifNull(pkt_id, 0))"}


def tables(lines):
    """[(name, [(column, SQL type)])] in the order of the page."""
    out, cur, pending = [], None, []
    for i, ln in enumerate(lines):
        m = re.match(r"^\.Sh (.+) TABLE$", ln)
        if m:
            cur = (m.group(1).lower().replace(" ", "_"), [])
            out.append(cur)
            continue
        if ln.startswith(".Sh "):
            cur = None
            continue
        if ln.startswith(".Ss Meta table of the analysis tools"):
            cur = ("tool_meta", [])
            out.append(cur)
            continue
        if cur is None or not ln.startswith(".It Va "):
            continue
        m = re.match(r"^\.It Va (\w+) Pq ([A-Z]+)", ln)
        if m:
            cur[1].append((m.group(1), m.group(2)))
            continue
        # ".It Va a , b , c" then "integer, ...", "real, ..." or "as in
        # the connections table."
        names = [n.strip() for n in ln[len(".It Va "):].split(",")]
        if not all(re.match(r"^\w+$", n) for n in names):
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        word = re.match(r"^(\w+)", nxt)
        if word and word.group(1) in WORDS:
            cur[1].extend((n, WORDS[word.group(1)]) for n in names)
        elif nxt.startswith("as in the ") and " table" in nxt:
            ref = nxt[len("as in the "):nxt.index(" table")].replace(" ", "_")
            known = dict(next(c for t, c in out if t == ref))
            cur[1].extend((n, known[n]) for n in names)
    return [(t, c) for t, c in out if c]


def ddl(name, cols):
    key = KEYS.get(name, [])
    body = []
    for c, t in cols:
        ct = TYPES[t] if c in key else "Nullable(%s)" % TYPES[t]
        body.append("    %s %s" % (c, ct))
    body += ["    %s %s" % e for e in EXTRA.get(name, [])]
    order = "(%s)" % ", ".join(key) if key else "tuple()"
    cols_sql = ",\n".join(body)
    return (
        "CREATE TABLE IF NOT EXISTS %s_local (\n%s\n) ENGINE = MergeTree()\n"
        "ORDER BY %s;\n\n"
        "CREATE TABLE IF NOT EXISTS %s AS %s_local\nENGINE = Distributed(vnd, "
        "currentDatabase(), %s_local, %s);\n" % (
            name, cols_sql, order, name, name, name,
            SHARD.get(name, "rand()")))


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "man/vnd-tables.5"
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    print("-- clickhouse.sql: every vnd table on ClickHouse (18.16 and later).")
    print("-- Made by sql/mkddl.py from man/vnd-tables.5: do not edit, run")
    print("-- 'python3 sql/mkddl.py >sql/clickhouse.sql'. Per host:")
    print("--   clickhouse-client --database vnd --multiquery <sql/clickhouse.sql")
    print("-- NAME_local holds the host's rows (MergeTree), NAME is the cluster's")
    print("-- (Distributed over cluster 'vnd'; inserted into, it shards packets")
    print("-- by pkt_id, the other tables at random).")
    for name, cols in tables(lines):
        print()
        print("-- %s" % name)
        sys.stdout.write(ddl(name, cols))


if __name__ == "__main__":
    main()
