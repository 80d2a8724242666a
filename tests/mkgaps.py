#!/usr/bin/env python3
"""mkgaps.py: TCP connections with idle gaps and odd time stamps, at one point.

usage: mkgaps.py gap|ahead|behind|reuse|lastlow|finlow|resyn|huge OUT

gap: A, 10.0.0.1:40000 to 10.0.0.2:80, sends 1000 bytes from its server,
  is idle 400 s, sends 1000 more and is reset by its server; B,
  10.0.0.1:40001 to 10.0.0.3:80, 1500 bytes at 350 s, in A's gap.
ahead: gap, and first a SYN (10.0.0.9:5000 to 10.0.0.20:1) stamped a day
  after the rest.
behind: A sends 100 bytes from its server every 10 s for 590 s (5900
  bytes) and is reset by its server; one of its ACKs (at 290 s) is
  stamped 1 s after the epoch. B, alongside, sends 100 bytes every 10 s.
reuse: A sends 2000 bytes and closes; 20 s later a SYN on its 5-tuple,
  reset by the server.
lastlow: A sends 50 000 bytes, its last packet stamped 1 s after the
  epoch; B, 10.0.0.1:40001 to 10.0.0.3:80, 100 bytes alongside.
finlow: A sends 3000 bytes and closes, its last ACK stamped 1 s after the
  epoch; 5 s later a copy of its server's FIN; then B sends 100 bytes.
resyn: A sends 100 bytes and closes; 0.3 s later a SYN on its 5-tuple
  (never answered); then three connections from 10.0.0.1:40001-40003 to
  10.0.0.3:80 0.1, 5 and 200 s after it.
huge: a pcapng file (microseconds): A sends 2000 bytes, its sixth packet
  stamped 9.3e15 s after the epoch (some 300 000 years); then B.
"""
import struct
import sys

from mktcpflows import frame

SYN, ACK, FIN, RST, PSH = 0x02, 0x10, 0x01, 0x04, 0x08
T0 = 1_700_000_000_000_000	# microseconds
A, B, D = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]), bytes([10, 0, 0, 3])


def conn(cli, srv, sport, t, chunks, gaps=None, end=FIN, stamp=None, cs=1000):
    """A connection from t (us), the client's ISN cs: handshake, the
    server's chunks each acked (gaps[k]: us idle after chunk k), then FINs
    or the server's RST. stamp(k, t): the time written for the client's
    k-th ACK."""
    out, ss, gaps = [], 5000, gaps or {}
    put = lambda a, b, sp, dp, fl, seq, ack, pl=b"": out.append(
        (t, frame(a, b, sp, dp, seq, ack, fl, pl, b"", 1)))
    put(cli, srv, sport, 80, SYN, cs, 0)
    t += 1000
    put(srv, cli, 80, sport, SYN | ACK, ss, cs + 1)
    t += 1000
    put(cli, srv, sport, 80, ACK, cs + 1, ss + 1)
    sq = ss + 1
    for k, n in enumerate(chunks):
        t += 1000
        put(srv, cli, 80, sport, ACK | PSH, sq, cs + 1, b"x" * n)
        sq += n
        t += 1000
        put(cli, srv, sport, 80, ACK, cs + 1, sq)
        if stamp is not None:
            out[-1] = (stamp(k, t), out[-1][1])
        t += gaps.get(k, 0)
    t += 1000
    if end == RST:
        put(srv, cli, 80, sport, RST | ACK, sq, cs + 1)
        return out
    put(srv, cli, 80, sport, FIN | ACK, sq, cs + 1)
    t += 1000
    put(cli, srv, sport, 80, FIN | ACK, cs + 1, sq + 1)
    t += 1000
    put(srv, cli, 80, sport, ACK, sq + 1, cs + 2)
    return out


def write(path, first, pkts, keep_order):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for t, fr in first + (pkts if keep_order else sorted(pkts, key=lambda p: p[0])):
            f.write(struct.pack("<IIII", t // 10**6, t % 10**6, len(fr), len(fr)) + fr)


def write_ng(path, pkts):
    """pcapng, microsecond stamps, in the order given."""
    def blk(t, body):
        body += b"\0" * (-len(body) % 4)
        return struct.pack("<II", t, len(body) + 12) + body + struct.pack("<I", len(body) + 12)
    data = blk(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    data += blk(1, struct.pack("<HHI", 1, 0, 65535))
    for t, fr in pkts:
        data += blk(6, struct.pack("<IIIII", 0, t >> 32, t & 0xFFFFFFFF, len(fr), len(fr)) + fr)
    with open(path, "wb") as f:
        f.write(data)


def main():
    kind, out = sys.argv[1], sys.argv[2]
    first = []
    if kind in ("gap", "ahead"):
        pk = conn(A, B, 40000, T0, [1000, 1000], {0: 400 * 10**6}, RST)
        pk += conn(A, D, 40001, T0 + 350 * 10**6, [1500])
        if kind == "ahead":
            first = [(T0 + 86400 * 10**6, frame(bytes([10, 0, 0, 9]),
                      bytes([10, 0, 0, 20]), 5000, 1, 100, 0, SYN, b"", b"", 9))]
    elif kind == "behind":
        every = {k: 10**7 - 4000 for k in range(59)}
        pk = conn(A, B, 40000, T0, [100] * 59, every, RST,
                  lambda k, t: 10**6 if k == 29 else t)
        pk += conn(A, D, 40001, T0 + 5 * 10**6, [100] * 59, every)
    elif kind == "lastlow":
        pk = conn(A, B, 40000, T0, [1000] * 50)
        last = pk[-1]
        pk = pk[:-1] + [(10**6, last[1])] + conn(A, D, 40001, T0 + 200_000, [100])
    elif kind == "finlow":
        pk = conn(A, B, 40000, T0, [1000] * 3)
        last, fin = pk[-1], pk[-3]
        pk = pk[:-1] + [(10**6, last[1]), (last[0] + 5 * 10**6, fin[1])]
        pk += conn(A, D, 40001, last[0] + 6 * 10**6, [100])
    elif kind == "huge":
        pk = conn(A, B, 40000, T0, [1000, 1000], {0: 10**6})
        pk[5] = (9_300_000_000_000_000, pk[5][1])
        write_ng(out, pk + conn(A, D, 40001, T0 + 3 * 10**6, [100]))
        return
    elif kind == "resyn":
        pk = conn(A, B, 40000, T0, [100])
        t = pk[-1][0] + 300_000
        pk.append((t, frame(A, B, 40000, 80, 777777, 0, SYN, b"", b"", 1)))
        for port, later in ((40001, 100_000), (40002, 5 * 10**6), (40003, 200 * 10**6)):
            pk += conn(A, D, port, t + later, [100])
    else:
        pk = conn(A, B, 40000, T0, [1000, 1000])
        pk += [p for p in conn(A, B, 40000, T0 + 20 * 10**6, [], end=RST, cs=90000)
               if p[1][47] & (SYN | RST)]
    # the odd stamps stay where the packets were sent
    write(out, first, pk, kind in ("lastlow", "finlow"))


main()
