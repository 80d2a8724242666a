#!/usr/bin/env python3
"""conformance.py: vnd-parse against tshark over the corpus, per file and field.

usage: conformance.py BIN CORPUS PINNED

Uses the shared checker's own idea of what tshark's row means
(../shared/checks/parse-vs-tshark.py, tshark_expect), and prints every
(file, field) that disagrees and is not pinned in PINNED, and every pin that
no longer disagrees. Exit 0 when the two lists are empty.
"""
import csv, importlib.util, os, subprocess, sys

def main():
    bindir, corpus, pinned = sys.argv[1:4]
    spec = importlib.util.spec_from_file_location(
        'pvt', os.path.join(corpus, '..', 'checks', 'parse-vs-tshark.py'))
    pvt = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pvt)
    pins = {}
    for r in csv.DictReader(open(pinned), delimiter='\t'):
        pins[(r['file'], r['field'])] = r
    seen = set()
    total = agree = 0
    man = csv.DictReader(open(os.path.join(corpus, 'MANIFEST.tsv')), delimiter='\t')
    for m in man:
        p = m['path']
        ref = os.path.join(corpus, 'ref', p + '.tshark.tsv')
        if not os.path.exists(ref) or os.path.exists(os.path.join(corpus, 'ref', p + '.tshark.err')):
            continue
        rows = list(csv.DictReader(open(ref, newline=''), delimiter='\t', quoting=csv.QUOTE_NONE))
        if not rows:
            continue
        out = subprocess.run([os.path.join(bindir, 'vnd-parse'), '-q', os.path.join(corpus, p)],
                             capture_output=True, timeout=120).stdout.decode('utf-8', 'replace').split('\n')
        hdr = out[0].split('\t')
        got = {}
        for line in out[1:]:
            if line:
                f = dict(zip(hdr, line.split('\t')))
                got[f['frame']] = f
        for r in rows:
            e = pvt.tshark_expect(r)
            if e is None:
                continue
            g = got.get(e['frame'], {})
            for k, v in e.items():
                total += 1
                if g.get(k) == v:
                    agree += 1
                    continue
                if (p, k) not in pins and (p, k) not in seen:
                    print(f'NEW {p} frame {e["frame"]}: {k} is {g.get(k)!r}, tshark says {v!r}')
                seen.add((p, k))
    stale = [k for k in pins if k not in seen]
    for p, k in stale:
        print(f'STALE pin {p} {k}: vnd and tshark agree now')
    print(f'conformance: {agree} of {total} values agree ({100.0 * agree / max(total, 1):.3f}%), '
          f'{len(seen)} (file, field) pairs differ, all pinned: {not stale and seen <= set(pins)}')
    return 0 if seen <= set(pins) and not stale else 1

if __name__ == '__main__':
    sys.exit(main())
