#!/usr/bin/env python3
"""tcptrace-rtt.py: vnd-rtt's samples against tcptrace's RTT figures, over the corpus.

usage: tcptrace-rtt.py BINDIR CORPUS PINNED

For every capture with a tcptrace reference (ref/PATH.tcptrace.txt, from
tcptrace -l -r -n), per direction of each connection: tcptrace's RTT sample
count, min, max and mean against vnd-rtt's samples of the rules tcptrace
knows (ack, cumulative, handshake: an ACK times the last segment it covers;
tcptrace times SYN and FIN as segments, never by SACK or timestamps). They
agree when the counts are equal and min, max and mean are within tcptrace's
0.1 ms printout (its mean runs about 1e-4 low: 49012.5 ms alone, mean
49007.6). A direction that does not agree is explained
  exact-end  when vnd's samples of ACKs that end inside a segment are left
             out and the two agree: tcptrace times an ACK only when it ends
             exactly where a segment ends, vnd also when it ends inside the
             next one (a receiver that acknowledges in its own units);
  pinned     when PINNED (file, direction, reason) names it.
For every pinned direction tcptrace -Z says which segments it timed: the
script prints those only one of the two timed, with vnd's rule for the ones
vnd rejected. Exit 0 when every direction agrees or is explained, and no pin
is stale.
"""
import collections
import csv
import ipaddress
import os
import re
import subprocess
import sys
import tempfile

KEPT = ('ack', 'cumulative', 'handshake')


def addr(s):
    """host:port as tcptrace prints it (IPv6 groups zero-padded, ::1 as :0001)."""
    a, p = s.rsplit(':', 1)
    for c in (a, ':' + a):
        try:
            return str(ipaddress.ip_address(c)), int(p)
        except ValueError:
            pass
    return a, int(p)


def reference(path):
    """{(src, sport, dst, dport): [n, min, max, sum, connections]}, tcptrace's."""
    txt = open(path, errors='replace').read()
    out = {}
    for block in txt.split('TCP connection ')[1:]:
        hosts = re.findall(r'host (\w+):\s+(\S+)', block)
        if len(hosts) < 2:
            continue
        a, b = addr(hosts[0][1]), addr(hosts[1][1])
        d = {}
        for key in ('RTT samples', 'RTT min', 'RTT max', 'RTT avg'):
            m = re.search(r'^\s+' + key + r':\s+([\d.]+)(?: ms)?\s+' + key +
                          r':\s+([\d.]+)', block, re.M)
            if m:
                d[key] = (float(m.group(1)), float(m.group(2)))
        if 'RTT samples' not in d:
            continue
        for k, (s, t) in enumerate(((a, b), (b, a))):
            g = out.setdefault((s[0], s[1], t[0], t[1]), [0, None, None, 0.0, 0])
            g[4] += 1
            n = int(d['RTT samples'][k])
            if n:
                lo, hi = d['RTT min'][k], d['RTT max'][k]
                g[0] += n
                g[1] = lo if g[1] is None else min(g[1], lo)
                g[2] = hi if g[2] is None else max(g[2], hi)
                g[3] += d['RTT avg'][k] * n
    return out


def table(cmd):
    out = subprocess.run(cmd, capture_output=True, timeout=300).stdout
    lines = out.decode('utf-8', 'replace').split('\n')
    if not lines or not lines[0]:
        return
    hdr = lines[0].split('\t')
    for line in lines[1:]:
        if line:
            yield dict(zip(hdr, line.split('\t')))


def ends(bindir, cap):
    """frame -> the sequence number just past the segment (SYN, FIN count one);
    and per direction the segments first seen below data sent already."""
    e = {}
    high = {}
    below = collections.defaultdict(set)
    seen = collections.defaultdict(set)
    for r in table([os.path.join(bindir, 'vnd-parse'), '-q', cap]):
        try:
            k = (r['src_ip'], int(r['src_port']), r['dst_ip'], int(r['dst_port']))
            seq = int(r['seq'])
            end = (seq + int(r['payload_bytes']) +
                   (1 if int(r['tcp_flags']) & 3 else 0)) & 0xffffffff
        except (KeyError, ValueError):
            continue
        e[r['frame']] = end
        if end == seq:
            continue
        h = high.get(k)
        if seq not in seen[k]:
            seen[k].add(seq)
            if h is not None and 0 < ((h - seq) & 0xffffffff) < 0x80000000:
                below[k].add(seq)
        if h is None or ((end - h) & 0xffffffff) < 0x80000000:
            high[k] = end
    return e, below


def agree(ref, v):
    n, lo, hi, total, nconn = ref
    if n != len(v):
        return False
    if n == 0:
        return True
    mean = sum(v) / n
    # tcptrace's min takes 0 for "none yet": a 0 ms sample (a capture clock
    # of 10 ms ticks) is never its minimum
    nz = [x for x in v if x > 0]
    v = nz or v
    # several connections on one 5-tuple: tcptrace's means, each rounded
    slack = 0.05 if nconn > 1 else 0.0
    return (abs(min(v) - lo) <= 0.1 and abs(max(v) - hi) <= 0.1 and
            abs(mean - total / n) <= 0.1 + 1.1e-4 * mean + slack)


def tcptrace_seqs(cap):
    """tcptrace -Z: {(src, sport, dst, dport): set of timed sequence numbers}."""
    with tempfile.TemporaryDirectory() as d:
        out = subprocess.run(['tcptrace', '-Z', '-n', '-l', os.path.abspath(cap)], cwd=d,
                             capture_output=True, timeout=300).stdout
        txt = out.decode('utf-8', 'replace')
        host = {}
        for letter, hp in re.findall(r'host (\w+):\s+(\S+)', txt):
            host[letter] = addr(hp)
        got = collections.defaultdict(set)
        for f in os.listdir(d):
            m = re.match(r'([a-z]+)2([a-z]+)_rttraw\.d', f)  # names cut at 14
            if not m or m.group(1) not in host or m.group(2) not in host:
                continue
            s, t = host[m.group(1)], host[m.group(2)]
            for line in open(os.path.join(d, f)):
                p = line.split()
                if len(p) == 2 and p[0].isdigit():
                    got[(s[0], s[1], t[0], t[1])].add(int(p[0]))
        return got


# what vnd did with a segment tcptrace timed and vnd did not
WHY_TCPTRACE_ONLY = {
    'sack': 'timed by vnd on its SACK, by tcptrace on the cumulative ACK after the hole',
    'sacked': 'timed by vnd on its SACK, by tcptrace on the cumulative ACK after the hole',
    'karn': 'sent twice: vnd takes no sample (Karn)',
    'hole': 'waited at the receiver for a retransmission sent after it: vnd takes no sample',
}


def per_sample(k, zs, cand, kept_seqs, exactness, below):
    """Every sample only one of the two took, explained; or None."""
    if zs is None:
        return None
    theirs = zs.get(k, set())
    mine = kept_seqs.get(k, {})
    why = collections.Counter()
    for s in theirs - set(mine):
        rule = cand[k].get(s)
        if rule in WHY_TCPTRACE_ONLY:
            why[WHY_TCPTRACE_ONLY[rule]] += 1
        elif s in below.get(k, ()):
            why['first seen below data sent already: a retransmission whose '
                'original the capture did not see; vnd takes no sample (Karn), '
                'tcptrace takes it for a first transmission'] += 1
        else:
            return None
    for s in set(mine) - theirs:
        if (k, s) not in exactness:
            why['an ACK that ends inside a segment: vnd times the last whole one, tcptrace none'] += 1
        elif mine[s] == 0:
            why['0 ms: tcptrace -Z writes no such sample'] += 1
        else:
            return None
    return why if why else None


def main():
    bindir, corpus, pinned = sys.argv[1:4]
    pins = {}
    for r in csv.DictReader(open(pinned), delimiter='\t'):
        pins[(r['file'], r['direction'])] = r['reason']
    refroot = os.path.join(corpus, 'ref')
    count = collections.Counter()
    reasons = collections.Counter()
    unexplained = []
    used = set()
    for dp, _, fn in sorted(os.walk(refroot)):
        for f in sorted(fn):
            if not f.endswith('.tcptrace.txt'):
                continue
            rel = os.path.relpath(os.path.join(dp, f), refroot)[:-len('.tcptrace.txt')]
            cap = os.path.join(corpus, rel)
            if not os.path.exists(cap):
                continue
            ref = reference(os.path.join(dp, f))
            if not ref:
                continue
            e, below = ends(bindir, cap)
            kept = collections.defaultdict(list)
            exact = collections.defaultdict(list)
            cand = collections.defaultdict(dict)
            kept_seqs = collections.defaultdict(dict)
            exactness = {}
            for r in table([os.path.join(bindir, 'vnd-rtt'), '--all', cap]):
                k = (r['src_ip'], int(r['src_port']), r['dst_ip'], int(r['dst_port']))
                seq = int(r['seq'])
                if r['kind'] in ('syn', 'synack'):
                    seq = (int(r['ack']) - 1) & 0xffffffff
                if r['kind'] != 'ts':
                    cand[k].setdefault(seq, r['rule'])
                if r['rule'] not in KEPT:
                    continue
                ms = int(r['rtt_ns']) / 1e6
                kept[k].append(ms)
                kept_seqs[k][seq] = ms
                if e.get(r['data_frame']) == int(r['ack']):
                    exact[k].append(ms)
                    exactness[(k, seq)] = True
            zs = None
            for k, g in ref.items():
                name = '%s:%d>%s:%d' % k
                if agree(g, kept.get(k, [])):
                    count['same'] += 1
                    continue
                if agree(g, exact.get(k, [])):
                    count['exact-end'] += 1
                    continue
                if zs is None:
                    zs = tcptrace_seqs(cap)
                why = per_sample(k, zs, cand, kept_seqs, exactness, below)
                if why is not None:
                    count['per-sample'] += 1
                    for w, n in why.items():
                        reasons[w] += n
                    continue
                if (rel, name) in pins:
                    count['pinned'] += 1
                    used.add((rel, name))
                    mine = {s for s, rule in cand[k].items() if rule in KEPT}
                    theirs = zs.get(k, set())
                    why = collections.Counter(cand[k].get(s, 'no candidate')
                                              for s in theirs - mine)
                    print(f'pinned {rel} {name}: tcptrace {g[0]}, vnd {len(kept.get(k, []))}; '
                          f'only tcptrace times {len(theirs - mine)} '
                          f'(vnd: {", ".join(f"{n} {w}" for w, n in why.most_common()) or "-"}), '
                          f'only vnd {len(mine - theirs)}: {pins[(rel, name)]}')
                    continue
                v = kept.get(k, [])
                unexplained.append(f'NEW {rel} {name}: tcptrace {g[0]} samples '
                                   f'{g[1]}-{g[2]} ms, vnd {len(v)}'
                                   + (f' {min(v):.1f}-{max(v):.1f} ms' if v else ''))
    for u in unexplained:
        print(u)
    stale = sorted(set(pins) - used)
    for p in stale:
        print(f'STALE pin {p[0]} {p[1]}: it agrees now, or is gone')
    total = sum(count.values()) + len(unexplained)
    for w, n in reasons.most_common():
        print(f'per sample: {n} {w}')
    print(f'tcptrace-rtt: {total} directions: {count["same"]} agree, '
          f'{count["exact-end"]} once ACKs inside a segment are left out, '
          f'{count["per-sample"]} with every sample only one takes explained, '
          f'{count["pinned"]} pinned, {len(unexplained)} unexplained, {len(stale)} stale pins')
    return 0 if not unexplained and not stale else 1


if __name__ == '__main__':
    sys.exit(main())
