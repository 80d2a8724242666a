#!/usr/bin/env python3
"""mkflows.py: many short flows, one after the other, seen at two points.

usage: mkflows.py N A.pcap B.pcap [twice]

N UDP flows from 198.18.0.1 to 198.19.X.1, each of one 64-byte datagram
with its own source port and IP ID, one every 10 ms: a trace whose length
grows with N while the flows alive at any time stay few. B.pcap holds the
same packets 200 us later, every 50th one missing (lost on the hop).
twice: every datagram is sent twice alike, 2 us apart, and none is lost:
both copies cross, the second before the first has arrived.
"""
import struct
import sys


def csum(data):
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(i):
    sport = 1024 + i % 60000
    payload = struct.pack("!I", i) * 9
    udp = struct.pack("!HHHH", sport, 9, 8 + len(payload), 0) + payload
    dst = bytes([198, 19, i // 60000 % 256, 1])
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xFFFF, 0,
                     64, 17, 0, bytes([198, 18, 0, 1]), dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    return eth + ip + udp


def main():
    n = int(sys.argv[1])
    twice = len(sys.argv) > 4 and sys.argv[4] == "twice"
    hdr = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    with open(sys.argv[2], "wb") as a, open(sys.argv[3], "wb") as b:
        a.write(hdr)
        b.write(hdr)
        for i in range(n):
            f = frame(i)
            us = 1_700_000_000_000_000 + i * 10_000
            copies = [us, us + 2] if twice else [us]
            for t in copies:
                a.write(struct.pack("<IIII", t // 10**6, t % 10**6, len(f), len(f)) + f)
            for t in copies:
                if twice or i % 50 != 49:
                    t += 200
                    b.write(struct.pack("<IIII", t // 10**6, t % 10**6, len(f), len(f)) + f)


main()
