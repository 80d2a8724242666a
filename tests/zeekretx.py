#!/usr/bin/env python3
"""zeekretx.py BIN CORPUS: vnd-tcpstate's retransmissions against Zeek's labelled traces.

For every tcpretransmissions.log baseline of the corpus (GROUNDTRUTH.tsv names its trace),
the retransmitted segments Zeek labels (by timestamp, to the microsecond) against the
retx_* events of `vnd-tcpstate --events`. Prints the counts and the agreement (both / either);
exit 0 when it is at least 95% and vnd labels nothing Zeek does not.
"""
import csv, os, subprocess, sys

def main():
    bindir, corpus = sys.argv[1:3]
    gt = csv.DictReader(open(os.path.join(corpus, 'GROUNDTRUTH.tsv')), delimiter='\t')
    pairs = {g['path']: g['applies_to'] for g in gt if g['path'].endswith('tcpretransmissions.log')}
    z_all = v_all = both = 0
    for log, trace in sorted(pairs.items()):
        z = set()
        for line in open(os.path.join(corpus, log)):
            if not line.startswith('#'):
                z.add(round(float(line.split('\t')[0]) * 1e6))
        out = subprocess.run([os.path.join(bindir, 'vnd-tcpstate'), '--events',
                              os.path.join(corpus, trace)], capture_output=True, text=True).stdout
        v = set()
        for line in out.splitlines()[1:]:
            f = line.split('\t')
            if f[7].startswith('retx'):
                v.add(round(int(f[1]) / 1000))
        z_all += len(z)
        v_all += len(v)
        both += len(z & v)
    either = z_all + v_all - both
    pct = 100.0 * both / max(either, 1)
    print(f'{len(pairs)} traces: Zeek labels {z_all} retransmissions, vnd {v_all}, both {both}: '
          f'{pct:.1f}% agree')
    return 0 if pct >= 95.0 and v_all == both else 1

if __name__ == '__main__':
    sys.exit(main())
