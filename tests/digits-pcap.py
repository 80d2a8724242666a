#!/usr/bin/env python3
"""digits-pcap.py: a capture whose numbers sit on every decimal boundary, and their text.

usage: digits-pcap.py OUT.pcap EXPECTED.tsv

Writes a nanosecond pcap of TCP segments (IPv4 and IPv6) whose sequence and
acknowledgement numbers, time stamps (TCP option and capture time), ports,
windows, IP ids, TTLs, SACK blocks and addresses run through the values
where a decimal writer changes its number of digits (0, 9, 10, 99, 100, ...,
2^32 - 1) and random ones, each value more than once and in other orders (so
a writer that caches texts is hit, missed and overwritten), more than 1000
frames (the frame number crosses 9, 99, 999). EXPECTED.tsv holds, with a
header, the columns of vnd-parse's packets table that carry those values as
Python writes them (str(), ipaddress): the text vnd-parse must give.
"""
import ipaddress
import os
import random
import struct
import sys

sys.dont_write_bytecode = True	# no __pycache__ in tests/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkparts import csum  # noqa: E402  (the IPv4 header checksum)

U32 = [0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10000, 99999, 100000, 999999,
       1000000, 9999999, 10000000, 99999999, 100000000, 999999999, 1000000000,
       4294967295, 4294967294, 2147483648, 123456789, 1234567890]
U16 = [0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10000, 65535, 12345]
U8 = [0, 1, 9, 10, 99, 100, 199, 200, 255]
NSEC = [0, 1, 9, 10, 99999999, 100000000, 999999999, 123456789]
SEC = [0, 1, 9, 10, 999999999, 1000000000, 1796589686, 4294967295]

COLS = ["frame", "ts_ns", "src_ip", "dst_ip", "ip_id", "ttl", "src_port",
        "dst_port", "seq", "ack", "win", "tsval", "tsecr", "sack", "pkt_id"]


def tcp(sport, dport, seq, ack, win, tsval, tsecr, sack):
    # options: NOP NOP timestamps, then NOP NOP SACK blocks
    opt = struct.pack("!BBBBII", 1, 1, 8, 10, tsval, tsecr)
    if sack:
        opt += struct.pack("!BBBB", 1, 1, 5, 2 + 8 * len(sack))
        for left, right in sack:
            opt += struct.pack("!II", left, right)
    off = (20 + len(opt)) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, 0x10,
                       win, 0, 0) + opt


def ipv4(src, dst, ident, ttl, seg):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), ident, 0, ttl, 6,
                    0, src.packed, dst.packed)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + seg


def ipv6(src, dst, hlim, seg):
    return struct.pack("!IHBB16s16s", 6 << 28, len(seg), 6, hlim, src.packed,
                       dst.packed) + seg


def v4addr(rnd, i):
    octs = [U8[(i + k) % len(U8)] for k in range(4)]
    if i % 3 == 0:
        octs = [rnd.randrange(256) for _ in range(4)]
    return ipaddress.IPv4Address(bytes(octs))


def v6addr(rnd, i):
    groups = [0] * 8
    # runs of zero groups of every length and place, and random groups
    start, run = i % 8, (i // 8) % 9
    for g in range(8):
        if not start <= g < start + run:
            groups[g] = rnd.choice([0, 1, 0xf, 0x10, 0xff, 0x100, 0xfff,
                                    0x1000, 0xffff, rnd.randrange(65536)])
    a = ipaddress.IPv6Address(struct.pack("!8H", *groups))
    if a.ipv4_mapped is not None:	# Python's text of those changed in 3.13
        a = ipaddress.IPv6Address(int(a) | 1 << 100)
    return a


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: digits-pcap.py OUT.pcap EXPECTED.tsv")
    rnd = random.Random(9)
    v4 = [v4addr(rnd, i) for i in range(150)]
    v6 = [v6addr(rnd, i) for i in range(150)]
    values = U32 + [rnd.randrange(1 << 32) for _ in range(40)]
    frames, rows = [], []
    for n in range(1200):
        seq = values[n % len(values)]
        ack = values[(n * 7 + 3) % len(values)]
        tsval = values[(n // 3) % len(values)]
        tsecr = values[(n * 5) % len(values)]
        sport, dport = U16[n % len(U16)], U16[(n // 5) % len(U16)]
        win, ident, ttl = U16[(n // 2) % len(U16)], U16[(n // 7) % len(U16)], U8[n % len(U8)]
        sack = [(values[(n + k) % len(values)], values[(n + 2 * k + 1) % len(values)])
                for k in range(n % 4)]
        sec, nsec = SEC[n % len(SEC)], NSEC[(n // 8) % len(NSEC)]
        seg = tcp(sport, dport, seq, ack, win, tsval, tsecr, sack)
        if n % 2:
            src, dst = v6[n % 150], v6[(n * 11 + 1) % 150]
            pkt = ipv6(src, dst, ttl, seg)
            # no IP id without a fragment header: the packet id is the seq's part
            ip_id, pkt_id = "-", str(seq << 16)
        else:
            src, dst = v4[n % 150], v4[(n * 13 + 5) % 150]
            pkt = ipv4(src, dst, ident, ttl, seg)
            ip_id, pkt_id = str(ident), str(ident + (seq << 16))
        frame = b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02" + \
            (b"\x86\xdd" if n % 2 else b"\x08\x00") + pkt
        frames.append(struct.pack("<IIII", sec, nsec, len(frame), len(frame)) + frame)
        sacktext = ";".join("%d-%d" % b for b in sack) or "-"
        rows.append([str(n + 1), str(sec * 10**9 + nsec), src.compressed,
                     dst.compressed, ip_id, str(ttl), str(sport), str(dport),
                     str(seq), str(ack), str(win), str(tsval), str(tsecr),
                     sacktext, pkt_id])
    with open(sys.argv[1], "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b23c4d, 2, 4, 0, 0, 65535, 1))
        f.write(b"".join(frames))
    with open(sys.argv[2], "w") as f:
        f.write("\t".join(COLS) + "\n")
        for r in rows:
            f.write("\t".join(r) + "\n")


if __name__ == "__main__":
    main()
