#!/usr/bin/env python3
"""mktcpflows.py: many short TCP connections, one after the other, at one point.

usage: mktcpflows.py [-g MS] [-k] [-s] [-a] N OUT.pcap [LATE]

N connections from 198.18.0.1 to 198.19.X.1:80, each from its own source
port, one every 100 ms (or MS): a handshake (MSS, window scale, SACK, timestamps),
a 100-byte request, a 1000-byte answer, each acked, then both FINs, each
acked; every 8th is reset by the server instead of closed. A trace whose
length grows with N while the connections alive at any time stay few.
LATE: each connection's last packet is sent again LATE seconds later.
-k: one more connection, 198.18.0.9:2000 to 198.19.255.1:22, open from the
first packet to the last: 10 bytes each way every 10 s, never closed.
-s: each connection is a SYN alone, never answered.
-a: the first connection's last packet is stamped a day late, in its place.
"""
import struct
import sys

from mkparts import csum

SYN, ACK, FIN, RST, PSH = 0x02, 0x10, 0x01, 0x04, 0x08


def frame(src, dst, sport, dport, seq, ack, flags, payload, opts, ipid):
    off = (20 + len(opts)) // 4
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                      ack & 0xFFFFFFFF, off << 4, flags, 1024, 0, 0) + opts
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
    c = csum(pseudo + tcp + payload)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload),
                     ipid & 0xFFFF, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    return eth + ip + tcp + payload


def ts_opt(val, ecr):
    return b"\x01\x01\x08\x0a" + struct.pack("!II", val, ecr)


def conn(i):
    """The packets of connection i: (microseconds from its start, frame)."""
    cli, srv = bytes([198, 18, 0, 1]), bytes([198, 19, i // 60000 % 256, 1])
    sport, cs, ss = 1024 + i % 60000, 1000 * i, 7000 * i + 1
    syn_opts = (b"\x02\x04\x05\xb4" + b"\x01\x03\x03\x07" + b"\x04\x02" +
                b"\x08\x0a" + struct.pack("!II", i, 0))
    synack_opts = (b"\x02\x04\x05\xb4" + b"\x01\x03\x03\x07" + b"\x04\x02" +
                   b"\x08\x0a" + struct.pack("!II", i + 5, i))
    c = lambda us, seq, ack, fl, pl=b"", o=None, t=0: (us, frame(
        cli, srv, sport, 80, seq, ack, fl, pl,
        o if o is not None else ts_opt(i + t, i + 5 + t), i * 8 + us))
    s = lambda us, seq, ack, fl, pl=b"", o=None, t=0: (us, frame(
        srv, cli, 80, sport, seq, ack, fl, pl,
        o if o is not None else ts_opt(i + 5 + t, i + t), i * 8 + us))
    pk = [c(0, cs, 0, SYN, o=syn_opts), s(200, ss, cs + 1, SYN | ACK, o=synack_opts),
          c(400, cs + 1, ss + 1, ACK), c(410, cs + 1, ss + 1, ACK | PSH, b"q" * 100, t=1),
          s(600, ss + 1, cs + 101, ACK, t=1), s(700, ss + 1, cs + 101, ACK | PSH, b"a" * 1000, t=2),
          c(900, cs + 101, ss + 1001, ACK, t=2)]
    if i % 8 == 7:
        return pk + [s(1000, ss + 1001, cs + 101, RST | ACK, o=b"")]
    return pk + [c(1000, cs + 101, ss + 1001, FIN | ACK, t=3),
                 s(1200, ss + 1001, cs + 102, ACK, t=3),
                 s(1300, ss + 1001, cs + 102, FIN | ACK, t=4),
                 c(1500, cs + 102, ss + 1002, ACK, t=4)]


def keeper(start, end):
    """The -k connection's packets from start to end (microseconds)."""
    cli, srv = bytes([198, 18, 0, 9]), bytes([198, 19, 255, 1])
    c = lambda t, seq, ack, fl, pl=b"": (t, frame(cli, srv, 2000, 22, seq, ack, fl, pl, b"", 0))
    s = lambda t, seq, ack, fl, pl=b"": (t, frame(srv, cli, 22, 2000, seq, ack, fl, pl, b"", 0))
    pk = [c(start, 0, 0, SYN), s(start + 200, 500, 1, SYN | ACK), c(start + 400, 1, 501, ACK)]
    k, t = 0, start + 10**7
    while t < end:
        pk += [c(t, 1 + 10 * k, 501 + 10 * k, ACK | PSH, b"k" * 10),
               s(t + 200, 501 + 10 * k, 11 + 10 * k, ACK | PSH, b"k" * 10),
               c(t + 400, 11 + 10 * k, 511 + 10 * k, ACK)]
        k, t = k + 1, t + 10**7
    return pk


def main():
    args = sys.argv[1:]
    gap, keep, synonly, ahead = 100_000, False, False, False
    while args[0].startswith("-"):
        opt, args = args[0], args[1:]
        if opt == "-g":
            gap, args = int(float(args[0]) * 1000), args[1:]
        keep |= opt == "-k"
        synonly |= opt == "-s"
        ahead |= opt == "-a"
    n = int(args[0])
    late = float(args[2]) if len(args) > 2 else None
    pkts = []
    hdr = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    with open(args[1], "wb") as out:
        out.write(hdr)
        for i in range(n):
            start = 1_700_000_000_000_000 + i * gap
            pk = [(start + us, f) for us, f in conn(i)][:1 if synonly else None]
            if ahead and i == 0:
                pk[-1] = (pk[-1][0] + 86400 * 10**6, pk[-1][1])
            if late is not None or keep:
                if late is not None:
                    pk.append((pk[-1][0] + int(late * 10**6), pk[-1][1]))
                pkts += pk
                continue
            for t, f in pk:
                out.write(struct.pack("<IIII", t // 10**6, t % 10**6, len(f), len(f)) + f)
        if keep:
            pkts += keeper(1_700_000_000_000_000 - 1000, 1_700_000_000_000_000 + n * gap)
        for t, f in sorted(pkts, key=lambda p: p[0]):
            out.write(struct.pack("<IIII", t // 10**6, t % 10**6, len(f), len(f)) + f)


if __name__ == "__main__":
    main()
