import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evenSubset, forecastOrigins } from '../src/origins.js';
import { assertDisjoint, assertSide, SplitLeakError, splitTenants, stableHash } from '../src/split.js';

const ids = Array.from({ length: 1000 }, (_, i) => `t${String(i).padStart(4, '0')}`);

describe('tuning / evaluation split', () => {
  it('stableHash gives the values pinned before it took FNV-1a from @tsfm/numerics', () => {
    const texts = ['', 'a', '7:origins:t-001', 'ü∂ long text '.repeat(9)];
    const bytes = Buffer.from(Float64Array.from(texts.map(stableHash)).buffer);
    expect(createHash('sha256').update(bytes).digest('hex').slice(0, 16)).toBe('72d8e0a226a422a2');
  });

  it('is disjoint and covers every tenant', () => {
    const s = splitTenants(ids, { tuningShare: 0.3, seed: 42 });
    expect(s.tuning.length + s.evaluation.length).toBe(ids.length);
    const tuning = new Set(s.tuning);
    expect(s.evaluation.some((id) => tuning.has(id))).toBe(false);
    expect(s.tuning.length / ids.length).toBeGreaterThan(0.25);
    expect(s.tuning.length / ids.length).toBeLessThan(0.35);
  });

  it('puts a tenant on the same side whatever else is in the fleet or its order', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(ids, { minLength: 1, maxLength: 200 }), (subset) => {
        const full = splitTenants(ids, { seed: 7 });
        const part = splitTenants(subset, { seed: 7 });
        const tuning = new Set(full.tuning);
        for (const id of part.tuning) expect(tuning.has(id)).toBe(true);
        for (const id of part.evaluation) expect(tuning.has(id)).toBe(false);
      }),
      { numRuns: 30 },
    );
  });

  it('changes with the seed', () => {
    expect(splitTenants(ids, { seed: 1 }).tuning).not.toEqual(splitTenants(ids, { seed: 2 }).tuning);
  });

  it('throws on a leak instead of warning', () => {
    expect(() => assertDisjoint({ tuning: ['a', 'b'], evaluation: ['c', 'b'] })).toThrow(SplitLeakError);
    expect(() => splitTenants(['a', 'a'])).toThrow(SplitLeakError);
    const s = splitTenants(ids, { seed: 42 });
    expect(() => assertSide(s, [s.tuning[0]!], 'evaluation')).toThrow(/not on the evaluation side/);
    expect(() => assertSide(s, s.evaluation.slice(0, 10), 'evaluation')).not.toThrow();
  });
});

describe('forecast origins', () => {
  const options = { count: 50, spanSteps: 14 * 1440, horizon: 60, minHistory: 2880, seed: 42 };

  it('are sorted, distinct, inside the span and leave a full horizon', () => {
    const o = forecastOrigins('t0001', 43_200, options);
    expect(o.length).toBe(50);
    for (let i = 1; i < o.length; i++) expect(o[i]!).toBeGreaterThan(o[i - 1]!);
    expect(o[0]!).toBeGreaterThanOrEqual(43_200 - 60 - 14 * 1440);
    expect(o[o.length - 1]! + 60).toBeLessThanOrEqual(43_200);
  });

  it('are spread over the whole span (one per slice) and reproducible per tenant', () => {
    const o = forecastOrigins('t0001', 43_200, options);
    const width = (14 * 1440 + 1) / 50;
    const lo = 43_200 - 60 - 14 * 1440;
    o.forEach((x, i) => expect(Math.floor((x - lo) / width)).toBe(i));
    expect(forecastOrigins('t0001', 43_200, options)).toEqual(o);
    expect(forecastOrigins('t0002', 43_200, options)).not.toEqual(o);
  });

  it('refuse a series too short for the count', () => {
    expect(() => forecastOrigins('x', 100, { ...options, count: 50, minHistory: 90 })).toThrow(RangeError);
  });

  it('even subsets keep the spread', () => {
    expect(Array.from(evenSubset(50, 5))).toEqual([5, 15, 25, 35, 45]);
    expect(evenSubset(3, 10).length).toBe(3);
  });
});
