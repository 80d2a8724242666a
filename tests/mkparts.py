#!/usr/bin/env python3
"""mkparts.py: a pcap made to mislead a reader that starts in the middle.

usage: mkparts.py OUT.pcap [clean|badlen|cut|pcapng]

About 3 MB of TCP (8 connections, data one way, ACKs the other) whose
payloads are chains of well-formed pcap record headers: a reader that looks
for where records start, anywhere in the file, finds these first. vnd-tcpstate
-j N must still see exactly the packets that one reader sees from the start.
badlen: a record past the middle claims 64 MB (the reader stops there, as one
reader does); cut: the file ends inside a record; pcapng: the same packets as
pcapng, in two sections (the second declares its interfaces anew, halfway:
the parts after it must know them).
"""
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def fake_records(n):
    """n bytes of chained pcap record headers, each with 12 bytes of data."""
    out = b""
    t = 1700000000
    while len(out) < n:
        out += struct.pack("<IIII", t, 123456, 12, 60) + b"\xab" * 12
    return out[:n]


def frame(src, dst, sport, dport, seq, ack, flags, payload):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags,
                      65535, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload),
                     seq & 0xFFFF, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    return eth + ip + tcp + payload


def main():
    out = sys.argv[1]
    mode = sys.argv[2] if len(sys.argv) > 2 else "clean"
    recs = []
    ts = 1700000000 * 1000000
    payload = fake_records(1400)
    nconn = 8
    seq = [1000 * (i + 1) for i in range(nconn)]
    for i in range(nconn):
        a = bytes([198, 18, 0, 1])
        b = bytes([198, 19, 0, 1])
        recs.append((ts, frame(a, b, 40000 + i, 5001, seq[i] - 1, 0, 0x02, b"")))
        ts += 10
        recs.append((ts, frame(b, a, 5001, 40000 + i, 7, seq[i], 0x12, b"")))
        ts += 10
        recs.append((ts, frame(a, b, 40000 + i, 5001, seq[i], 8, 0x10, b"")))
        ts += 10
    for k in range(300):
        for i in range(nconn):
            a = bytes([198, 18, 0, 1])
            b = bytes([198, 19, 0, 1])
            recs.append((ts, frame(a, b, 40000 + i, 5001, seq[i], 8, 0x18,
                                   payload[k % 7:] + payload[:k % 7])))
            seq[i] += len(payload)
            ts += 7
            if k % 2:
                recs.append((ts, frame(b, a, 5001, 40000 + i, 8, seq[i],
                                       0x10, b"")))
                ts += 5
    if mode == "pcapng":
        def block(btype, body):
            n = 12 + len(body)
            return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
        def head():
            shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
            # an unused interface first, so the halves differ in what they declare
            idb0 = block(1, struct.pack("<HHI", 101, 0, 0))
            idb = block(1, struct.pack("<HHI", 1, 0, 0))
            return shb + idb0 + idb
        data = bytearray(head())
        for k, (t, f) in enumerate(recs):
            if k == len(recs) // 2:
                data += block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
                data += block(1, struct.pack("<HHI", 1, 0, 0))
                data += block(1, struct.pack("<HHI", 101, 0, 0))
                ifid = 0
            else:
                ifid = 1 if k < len(recs) // 2 else 0
            pad = b"\0" * (-len(f) % 4)
            data += block(6, struct.pack("<IIIII", ifid, t >> 32, t & 0xFFFFFFFF,
                                         len(f), len(f)) + f + pad)
        with open(out, "wb") as fp:
            fp.write(data)
        return
    data = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    marks = []
    for t, f in recs:
        marks.append(len(data))
        data += struct.pack("<IIII", t // 1000000, t % 1000000, len(f), len(f))
        data += f
    if mode == "badlen":
        at = marks[len(marks) * 3 // 5]
        data[at + 8:at + 12] = struct.pack("<I", 64 << 20)
    elif mode == "cut":
        at = marks[len(marks) * 7 // 10]
        del data[at + 40:]
    with open(out, "wb") as fp:
        fp.write(data)


if __name__ == "__main__":
    main()
