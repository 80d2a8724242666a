#!/usr/bin/env python3
"""pngcheck.py FILE: a PNG's width, height and count of distinct colours, decoded by hand.

A blank picture has one colour; a rendered plot or page has many. Only the
standard library: PNG's own filters (RFC 2083) undone per scanline.
"""
import struct
import sys
import zlib


def rows(data, width, bpp):
    stride = width * bpp
    prev = bytearray(stride)
    pos = 0
    while pos < len(data):
        ft, line = data[pos], bytearray(data[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        yield bytes(line)
        prev = line


def main():
    blob = open(sys.argv[1], "rb").read()
    if blob[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("pngcheck: not a PNG")
    pos, idat, hdr = 8, b"", None
    while pos < len(blob):
        n, kind = struct.unpack(">I4s", blob[pos:pos + 8])
        body = blob[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    width, height, depth, ctype = hdr[:4]
    bpp = {2: 3, 6: 4, 0: 1, 4: 2}.get(ctype)
    if depth != 8 or bpp is None:
        print(width, height, "unknown")
        return
    colours = set()
    for line in rows(zlib.decompress(idat), width, bpp):
        for i in range(0, len(line), bpp * 7):
            colours.add(line[i:i + bpp])
    print(width, height, len(colours))


main()
