#!/usr/bin/env python3
"""zeekretx.py BIN CORPUS: vnd-tcpstate's retransmissions against Zeek's labelled traces.

For every tcpretransmissions.log baseline of the corpus (GROUNDTRUTH.tsv names its trace),
the retransmitted segments Zeek labels (by timestamp, to the microsecond) against the
retx_* events of `vnd-tcpstate --events`: which segments are retransmissions (both /
either), and, for those both label, timeout or fast retransmit. Zeek's labels come from
TCPRS (Swaro, Ohio University): rtype 1 (RTO), 14 (brute-force RTO) and 15 (RTO without
duplicate ACKs) are timeouts; 2, 3, 4 and 9 to 13 (fast, speculative, early, SACK-based)
and 16 (FACK) fast retransmits; 5, a retransmission that only follows one of those, and
6 to 8 (testing, no RTT, no timestamps) name neither. Prints the figures and every
disagreement on the type; exit 0 when both agreements are at least 95% and vnd labels
nothing Zeek does not.
"""
import csv, os, subprocess, sys

TIMEOUT = {1, 14, 15}
FAST = {2, 3, 4, 9, 10, 11, 12, 13, 16}

def main():
    bindir, corpus = sys.argv[1:3]
    gt = csv.DictReader(open(os.path.join(corpus, 'GROUNDTRUTH.tsv')), delimiter='\t')
    pairs = {g['path']: g['applies_to'] for g in gt if g['path'].endswith('tcpretransmissions.log')}
    z_all = v_all = both = typed = same_type = 0
    differ = []
    for log, trace in sorted(pairs.items()):
        z = {}
        for line in open(os.path.join(corpus, log)):
            if not line.startswith('#'):
                f = line.rstrip('\n').split('\t')
                z[round(float(f[0]) * 1e6)] = int(f[12])
        out = subprocess.run([os.path.join(bindir, 'vnd-tcpstate'), '--events',
                              os.path.join(corpus, trace)], capture_output=True, text=True).stdout
        v = {}
        for line in out.splitlines()[1:]:
            f = line.split('\t')
            if f[7].startswith('retx'):
                v[round(int(f[1]) / 1000)] = f[7]
        z_all += len(z)
        v_all += len(v)
        both += len(set(z) & set(v))
        for t in sorted(set(z) & set(v)):
            want = 'timeout' if z[t] in TIMEOUT else 'fast' if z[t] in FAST else None
            got = {'retx_timeout': 'timeout', 'retx_fast': 'fast'}.get(v[t])
            if want is None or got is None:
                continue
            typed += 1
            if want == got:
                same_type += 1
            else:
                differ.append(f'  {os.path.basename(trace)} {t / 1e6:.6f}: Zeek {want} '
                              f'(rtype {z[t]}), vnd {got}')
    either = z_all + v_all - both
    pct = 100.0 * both / max(either, 1)
    tpct = 100.0 * same_type / max(typed, 1)
    print(f'{len(pairs)} traces: Zeek labels {z_all} retransmissions, vnd {v_all}, both {both}: '
          f'{pct:.1f}% agree')
    print(f'timeout or fast retransmit, where Zeek says which: {same_type} of {typed} '
          f'agree ({tpct:.1f}%)')
    for d in differ:
        print(d)
    return 0 if pct >= 95.0 and v_all == both and tpct >= 95.0 else 1

if __name__ == '__main__':
    sys.exit(main())
