#!/usr/bin/env python3
"""Compare the 'harness' column of two M6 runs on the same points (tenant, origin).

    python3 scripts/compare-m6-runs.py <run A>/m6-points.csv <run B>/m6-points.csv [COLUMN_A [COLUMN_B]]

Prints the ratio of mean losses, B against A (> 0: B is better), with a 95 % cluster bootstrap CI
over tenants (2000 replicates, seed 42), overall and per archetype, on the points both columns
scored. The columns default to 'harness' in both runs. Used for docs/results/harness-selection.md
("Evaluation tenants: M6 with the chosen placement"): two M6 runs differ only in a harness option,
and experiments.ts compares methods within one run only; with COLUMN_A a baseline of run A (e.g.
'naive', which does not depend on the harness) is compared with run B's harness on its points.
"""
import csv, sys, random, collections
def load(p):
    rows = {}
    for r in csv.DictReader(open(p)):
        rows[(r['tenant'], r['origin'])] = r
    return rows
a = load(sys.argv[1]); b = load(sys.argv[2])
col_a = sys.argv[3] if len(sys.argv) > 3 else 'harness'
col_b = sys.argv[4] if len(sys.argv) > 4 else 'harness'
keys = [k for k in a if k in b and a[k].get(col_a) and b[k].get(col_b)]
print(f'paired points {len(keys)} of {len(a)} {len(b)}: A {col_a} against B {col_b}')
def rel(ks):
    la = sum(float(a[k][col_a]) for k in ks); lb = sum(float(b[k][col_b]) for k in ks)
    return la / len(ks), lb / len(ks), (la - lb) / la * 100
def boot(ks, n=2000, seed=42):
    by = collections.defaultdict(list)
    for k in ks: by[k[0]].append(k)
    ts = list(by); rng = random.Random(seed); out = []
    for _ in range(n):
        s = [k for t in (rng.choice(ts) for _ in ts) for k in by[t]]
        out.append(rel(s)[2])
    out.sort(); return out[int(0.025 * n)], out[int(0.975 * n)]
la, lb, r = rel(keys); lo, hi = boot(keys)
print(f'all: old {la:.4f} new {lb:.4f} improvement {r:+.1f}% [{lo:+.1f}, {hi:+.1f}] tenants {len(set(k[0] for k in keys))}')
arch = collections.defaultdict(list)
for k in keys: arch[a[k]['archetype']].append(k)
for name, ks in sorted(arch.items()):
    la, lb, r = rel(ks); lo, hi = boot(ks)
    print(f'{name}: n_tenants {len(set(k[0] for k in ks))} old {la:.4f} new {lb:.4f} {r:+.1f}% [{lo:+.1f}, {hi:+.1f}]')
