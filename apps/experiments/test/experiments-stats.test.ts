import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { erfc, normalSf, pairedSummary, pairedWinRate, relativeImprovement, wilcoxonSignedRank } from '../src/stats.js';

// Reference values: scipy 1.17.1, scipy.stats.wilcoxon(d, method='approx', zero_method=…,
// correction=…). scipy reports min(W+, W−) and a non-positive z; we report signed z.
const SMALL = [1.5, -0.5, 2.0, 3.0, -1.0, 4.0, 2.5, 0.7];
const TIES = [1, 1, -1, 2, 2, 2, -3, 4, 4, 5];
const ZEROS = [0, 0, 1, -2, 3, 3, 4, -5, 6, 7, 0.5];
const BIG = Array.from({ length: 200 }, (_, i) => (((i * 37) % 23) - 9) / 4);

describe('wilcoxonSignedRank', () => {
  it('matches a hand computation on a small sample', () => {
    // |d| ranks: 0.5→1, 0.7→2, 1→3, 1.5→4, 2→5, 2.5→6, 3→7, 4→8; negatives: −0.5 (1), −1 (3).
    const r = wilcoxonSignedRank(SMALL);
    expect(r.wMinus).toBe(4);
    expect(r.wPlus).toBe(32);
    // E = 8·9/4 = 18, Var = 8·9·17/24 = 51 → z = (32 − 18)/√51.
    expect(r.z).toBeCloseTo(14 / Math.sqrt(51), 12);
    expect(r.p).toBeCloseTo(0.0499499764547464, 12);
  });

  it.each([
    ['ties', TIES, 'wilcox', false, 9, 0.057852694427290845],
    ['ties', TIES, 'wilcox', true, 9, 0.06495797077612134],
    ['zeros', ZEROS, 'wilcox', false, 10, 0.13829429092519505],
    ['zeros', ZEROS, 'wilcox', true, 10, 0.15476920527702331],
    ['zeros', ZEROS, 'pratt', false, 14, 0.11770827791673287],
    ['zeros', ZEROS, 'pratt', true, 14, 0.12856966356632374],
    ['big', BIG, 'wilcox', false, 6329, 0.00013890260924914023],
    ['big', BIG, 'wilcox', true, 6329, 0.00013926774723132144],
    ['big', BIG, 'pratt', false, 6961, 0.00017668122307165578],
    ['big', BIG, 'pratt', true, 6961, 0.0001771119446502048],
  ] as const)('matches scipy (%s, %s, continuity %s)', (_name, d, zeroMethod, continuity, statistic, p) => {
    const r = wilcoxonSignedRank(d, { zeroMethod, continuity });
    expect(Math.min(r.wPlus, r.wMinus)).toBe(statistic);
    expect(r.p).toBeCloseTo(p, 10);
  });

  it('is symmetric: negating the differences flips z and keeps p', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 60 }), (xs) => {
        const a = wilcoxonSignedRank(xs);
        const b = wilcoxonSignedRank(xs.map((x) => -x));
        expect(b.p).toBeCloseTo(a.p, 12);
        expect(b.z).toBeCloseTo(-a.z, 12);
        expect(a.wPlus + a.wMinus).toBeCloseTo((a.n * (a.n + 1)) / 2, 9);
      }),
    );
  });

  it('gives p = 1 when every difference is zero', () => {
    expect(wilcoxonSignedRank([0, 0, 0]).p).toBe(1);
  });
});

describe('normal tail', () => {
  it('matches scipy.special.erfc, far tail included', () => {
    expect(erfc(0.5)).toBeCloseTo(0.4795001221869535, 14);
    expect(erfc(-3)).toBeCloseTo(1.9999779095030015, 14);
    expect(erfc(10) / 2.0884875837625446e-45).toBeCloseTo(1, 12);
    expect(erfc(26) / 5.663192408856145e-296).toBeCloseTo(1, 12);
    expect(normalSf(1.959963984540054)).toBeCloseTo(0.025, 12);
  });
});

describe('paired statistics', () => {
  it('counts ties as half a win', () => {
    expect(pairedWinRate([1, 2, 3, 4], [2, 2, 1, 5])).toBe((1 + 0.5 + 0 + 1) / 4);
  });

  it('relative improvement is 1 − mean(a)/mean(b)', () => {
    expect(relativeImprovement([1, 1], [2, 2])).toBe(0.5);
  });

  it('bootstrap CIs are ordered, reproducible for a seed, and match the direct statistics', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: 0.1, max: 5, noNaN: true }),
            fc.double({ min: 0.1, max: 5, noNaN: true }),
            fc.integer({ min: 0, max: 6 }),
          ),
          {
            minLength: 3,
            maxLength: 40,
          },
        ),
        (rows) => {
          const a = rows.map((r) => r[0]);
          const b = rows.map((r) => r[1]);
          const c = rows.map((r) => r[2]);
          const s = pairedSummary(a, b, c, { replicates: 200, seed: 3 });
          const t = pairedSummary(a, b, c, { replicates: 200, seed: 3 });
          expect(t).toEqual(s);
          if (s.clusters >= 2) expect(s.winRateCI.lo).toBeLessThanOrEqual(s.winRateCI.hi);
          else expect(s.winRateCI.lo).toBeNaN();
          expect(s.winRate).toBeCloseTo(pairedWinRate(a, b), 12);
          expect(s.relativeImprovement).toBeCloseTo(relativeImprovement(a, b), 12);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('a cluster bootstrap is wider than treating correlated points as independent', () => {
    // 20 tenants × 10 identical points each: all the information is in the 20 tenants.
    const a: number[] = [];
    const b: number[] = [];
    const cluster: number[] = [];
    for (let t = 0; t < 20; t++) {
      for (let o = 0; o < 10; o++) {
        a.push(t % 2 === 0 ? 1 : 2);
        b.push(1.5);
        cluster.push(t);
      }
    }
    const tenants = pairedSummary(a, b, cluster, { seed: 1 });
    const points = pairedSummary(
      a,
      b,
      a.map((_, i) => i),
      { seed: 1 },
    );
    expect(tenants.winRateCI.hi - tenants.winRateCI.lo).toBeGreaterThan(
      2 * (points.winRateCI.hi - points.winRateCI.lo),
    );
    expect(tenants.clusters).toBe(20);
    expect(tenants.wilcoxonClusters.n).toBe(20);
  });

  it('refuses non-finite pairs instead of dropping them', () => {
    expect(() => pairedSummary([1, Number.NaN], [1, 2], [0, 0])).toThrow(/not finite/);
  });
});

describe('one cluster', () => {
  it('gives no bootstrap interval rather than a zero-width one', () => {
    const s = pairedSummary([1, 2, 3], [2, 2, 4], [0, 0, 0]);
    expect(s.winRateCI.lo).toBeNaN();
    expect(s.relativeImprovementCI.hi).toBeNaN();
    expect(s.winRate).toBeCloseTo(2.5 / 3, 12); // win, tie, win
  });
});
