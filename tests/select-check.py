#!/usr/bin/env python3
"""select-check.py: is a vnd-select output pcap exactly a point's packets of some flows?

usage: select-check.py FULL.pcap OUT.pcap FLOWS.tsv

FLOWS.tsv names the flows at this point by the columns src_ip src_port
dst_ip dst_port (either way round), and ip_proto (6 when it has none).
The check, independent of vnd: the records of OUT.pcap (time stamp,
lengths, bytes) are exactly those of FULL.pcap whose IPv4 TCP or UDP
5-tuple is one of them, in the same order.
Prints "N records match" and exits 0, or says what differs and exits 1.
"""
import csv
import struct
import sys


def records(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = data[:4]
    endian = {b'\xd4\xc3\xb2\xa1': '<', b'\xa1\xb2\xc3\xd4': '>',
              b'\x4d\x3c\xb2\xa1': '<', b'\xa1\xb2\x3c\x4d': '>'}[magic]
    nano = magic in (b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\x3c\x4d')
    link = struct.unpack(endian + 'I', data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        sec, sub, incl, orig = struct.unpack(endian + 'IIII', data[off:off + 16])
        body = data[off + 16:off + 16 + incl]
        off += 16 + incl
        yield (sec * 10**9 + (sub if nano else sub * 1000), orig, body, link)


def tuple_of(body, link):
    if link != 1 or len(body) < 14:
        return None
    etype = struct.unpack('>H', body[12:14])[0]
    ip = body[14:]
    if etype != 0x0800 or len(ip) < 20 or ip[9] not in (6, 17):
        return None
    ihl = (ip[0] & 15) * 4
    if len(ip) < ihl + 4:
        return None
    sport, dport = struct.unpack('>HH', ip[ihl:ihl + 4])
    src = '.'.join(str(b) for b in ip[12:16])
    dst = '.'.join(str(b) for b in ip[16:20])
    return (src, sport, dst, dport, ip[9])


def main():
    full, out, flows = sys.argv[1:4]
    want = set()
    with open(flows) as f:
        for row in csv.DictReader(f, delimiter='\t'):
            t = (row['src_ip'], int(row['src_port']), row['dst_ip'],
                 int(row['dst_port']), int(row.get('ip_proto') or 6))
            want.add(t)
            want.add((t[2], t[3], t[0], t[1], t[4]))
    expect = [r[:3] for r in records(full) if tuple_of(r[2], r[3]) in want]
    got = [r[:3] for r in records(out)]
    if got != expect:
        print('%d records expected, %d written' % (len(expect), len(got)))
        for i, (a, b) in enumerate(zip(expect, got)):
            if a != b:
                print('first difference at record %d: ts %d vs %d' %
                      (i + 1, a[0], b[0]))
                break
        sys.exit(1)
    print('%d records match' % len(got))


main()
