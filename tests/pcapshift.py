#!/usr/bin/env python3
"""pcapshift.py SECONDS IN OUT: a copy of a classic pcap with every timestamp
moved by SECONDS (a whole or fractional number, may be negative), as a capture
host with a wrong clock would have written it. Tests make clock offsets with it."""
import struct, sys

def main():
    shift, src, dst = float(sys.argv[1]), sys.argv[2], sys.argv[3]
    d = bytearray(open(src, 'rb').read())
    magic = d[:4]
    e = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    per_s = 10**9 if magic in (b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\x3c\x4d') else 10**6
    step = round(shift * per_s)
    off = 24
    while off + 16 <= len(d):
        sec, frac, incl, _ = struct.unpack_from(e + 'IIII', d, off)
        t = sec * per_s + frac + step
        struct.pack_into(e + 'II', d, off, t // per_s, t % per_s)
        off += 16 + incl
    open(dst, 'wb').write(d)

if __name__ == '__main__':
    main()
