#!/usr/bin/env python3
"""stitch-mkpcap.py CASE OUT.pcap: a TCP connection carrying two HTTP exchanges, its
segments sent out of order, twice, overlapping, or never, as CASE says.

The request and response bodies are known (the FNV-1a of the client's and
the server's stream printed on stdout), so the reassembled
streams can be compared with them. Cases:
  inorder   every segment once, in order
  reorder   the server's segments 2 and 3 swapped, 5 before 4
  dup       every server segment sent twice
  overlap   half of a segment and half of the one before it sent again
  conflict  segment 3 seen twice ahead of segment 2, the first copy's bytes
            altered (the first copy wins: the stream differs from the sent)
  hole      the server's segment 3 never seen, the client's ACK covers it
  continue  the first answer preceded by an interim 100 Continue
"""
import struct
import sys

CLI, SRV = bytes([198, 18, 0, 1]), bytes([198, 18, 0, 2])
CPORT, SPORT = 40000, 8080
MSS = 100


def fnv(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def frame(src, dst, sp, dp, seq, ack, flags, data):
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(data), 1, 0, 64, 6, 0, src, dst)
    eth = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00"
    return eth + ip + tcp + data


def streams():
    b1 = ("{\"server\": {\"id\": \"6f1c2a7e-0b7d-4d3c-9a7e-2f4b1c9d8e01\", \"pad\": \"%s\"}}" % ("x" * 300)).encode()
    b2 = b"{\"error\": \"conflict\"}"
    req = (b"GET /v2.1/servers/6f1c2a7e-0b7d-4d3c-9a7e-2f4b1c9d8e01 HTTP/1.1\r\nHost: api\r\n"
           b"X-Auth-Token: gAAAAAsecret\r\n\r\n"
           b"DELETE /v2.1/servers/6f1c2a7e-0b7d-4d3c-9a7e-2f4b1c9d8e01 HTTP/1.1\r\nHost: api\r\n"
           b"Content-Length: 0\r\n\r\n")
    rsp = (b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nX-Openstack-Request-Id: req-0b1e5bb4-1d6e-4a0e-8a55-9e2b4c61f0aa\r\n\r\n" % len(b1)
           + b1 + b"HTTP/1.1 409 Conflict\r\nContent-Length: %d\r\n\r\n" % len(b2) + b2)
    return req, rsp


def main():
    case, out = sys.argv[1], sys.argv[2]
    req, rsp = streams()
    if case == "continue":
        rsp = b"HTTP/1.1 100 Continue\r\n\r\n" + rsp
    cisn, sisn = 1000, 5000
    pk = []
    pk.append(frame(CLI, SRV, CPORT, SPORT, cisn, 0, 0x02, b""))
    pk.append(frame(SRV, CLI, SPORT, CPORT, sisn, cisn + 1, 0x12, b""))
    pk.append(frame(CLI, SRV, CPORT, SPORT, cisn + 1, sisn + 1, 0x10, b""))
    pk.append(frame(CLI, SRV, CPORT, SPORT, cisn + 1, sisn + 1, 0x18, req))
    segs = [(i, rsp[i:i + MSS]) for i in range(0, len(rsp), MSS)]
    sent = []
    if case == "reorder":
        order = [0, 2, 1, 3, 5, 4] + list(range(6, len(segs)))
        sent = [segs[i] for i in order]
    elif case == "dup":
        sent = [s for s in segs for _ in (0, 1)]
    elif case == "overlap":
        for i, s in enumerate(segs):
            sent.append(s)
            if i == 2:
                off = s[0] - MSS // 2
                sent.append((off, rsp[off:off + MSS]))
    elif case == "conflict":
        bad = (segs[3][0], bytes(b ^ 0x20 for b in segs[3][1]))
        sent = [segs[0], segs[1], bad, segs[3], segs[2]] + segs[4:]
    elif case == "hole":
        sent = [s for i, s in enumerate(segs) if i != 3]
    else:
        sent = segs
    for off, d in sent:
        pk.append(frame(SRV, CLI, SPORT, CPORT, sisn + 1 + off, cisn + 1 + len(req), 0x18, d))
    end = len(rsp)
    pk.append(frame(CLI, SRV, CPORT, SPORT, cisn + 1 + len(req), sisn + 1 + end, 0x11, b""))
    pk.append(frame(SRV, CLI, SPORT, CPORT, sisn + 1 + end, cisn + 2 + len(req), 0x11, b""))
    pk.append(frame(CLI, SRV, CPORT, SPORT, cisn + 2 + len(req), sisn + 2 + end, 0x10, b""))
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(pk):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(p), len(p)) + p)
    print("%016x\t%016x" % (fnv(req), fnv(rsp)))


main()
