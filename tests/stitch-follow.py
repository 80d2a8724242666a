#!/usr/bin/env python3
"""stitch-follow.py CORPUS FILE...: tshark's reassembled TCP streams, the oracle of vnd-stitch --streams.

For every TCP stream of each capture, `tshark -z follow,tcp,raw` gives the
bytes of each direction in order; this prints one line per direction:
file, sender, receiver (ip:port), bytes, and the 64-bit FNV-1a of the bytes
(the fnv1a column of vnd-stitch --streams). Made once, kept in
tests/data/stitch/follow.tsv; tshark is not needed to run the tests.
"""
import subprocess
import sys


def fnv(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def streams(path):
    out = subprocess.run(["tshark", "-r", path, "-n", "-T", "fields", "-e", "tcp.stream"],
                         capture_output=True, text=True).stdout.split()
    return sorted({int(x) for x in out if x})


def follow(path, n):
    out = subprocess.run(["tshark", "-r", path, "-q", "-n", "-z", "follow,tcp,raw,%d" % n],
                         capture_output=True, text=True).stdout.splitlines()
    nodes, data = [], [bytearray(), bytearray()]
    for line in out:
        if line.startswith("Node "):
            nodes.append(line.split(": ", 1)[1])
        elif line and not line.startswith(("=", "Follow", "Filter")):
            d = 1 if line.startswith("\t") else 0
            data[d] += bytes.fromhex(line.strip())
    return nodes, data


def ep(s):
    # tshark writes IPv6 as [addr]:port
    return s.replace("[", "").replace("]", "")


def main():
    corpus = sys.argv[1]
    print("file\tsrc\tdst\tbytes\tfnv1a")
    for f in sys.argv[2:]:
        for n in streams(corpus + "/" + f):
            nodes, data = follow(corpus + "/" + f, n)
            if len(nodes) != 2:
                continue
            for d in (0, 1):
                if data[d]:
                    print("%s\t%s\t%s\t%d\t%016x" % (f, ep(nodes[d]), ep(nodes[1 - d]),
                                                    len(data[d]), fnv(data[d])))


main()
