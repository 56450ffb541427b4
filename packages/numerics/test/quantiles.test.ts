import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixCrossing, normalQuantile, sortedQuantile } from '../src/index.js';

function rowsNonDecreasing(m: ArrayLike<number>, steps: number, k: number): boolean {
  for (let j = 0; j < steps; j++) for (let i = 1; i < k; i++) if (!(m[j * k + i]! >= m[j * k + i - 1]!)) return false;
  return true;
}

describe('normalQuantile', () => {
  it('matches known values of Φ⁻¹', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.9)).toBeCloseTo(1.2815515655, 8);
    expect(normalQuantile(0.975)).toBeCloseTo(1.9599639845, 8);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326347874, 8);
  });

  it('is antisymmetric and increasing', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 0.5 - 1e-6, noNaN: true }), (p) => {
        expect(normalQuantile(p)).toBeCloseTo(-normalQuantile(1 - p), 6);
        expect(normalQuantile(p)).toBeLessThan(normalQuantile(Math.min(p + 1e-4, 0.9999)));
      }),
    );
  });

  it('is −∞ at 0, +∞ at 1 and NaN outside [0, 1]', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    for (const p of [-0.1, 1.1, Number.NaN]) expect(normalQuantile(p)).toBeNaN();
  });
});

describe('sortedQuantile (type 7)', () => {
  it('interpolates between order statistics; ends and an empty sample', () => {
    const s = [1, 2, 4, 8];
    expect(sortedQuantile(s, 0)).toBe(1);
    expect(sortedQuantile(s, 1)).toBe(8);
    expect(sortedQuantile(s, 0.5)).toBe(3); // h = 1.5: between 2 and 4
    expect(sortedQuantile(s, 0.9)).toBeCloseTo(4 + 0.7 * 4, 12); // h = 2.7
    expect(sortedQuantile([1, 2, 3, 4, 5], 0.1)).toBeCloseTo(1.4, 12);
    expect(sortedQuantile([5], 0.3)).toBe(5);
    expect(sortedQuantile([], 0.5)).toBeNaN();
  });

  it('property: monotone in the level and within the sample range', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, a, b) => {
          const sorted = [...values].sort((x, y) => x - y);
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(sortedQuantile(sorted, lo)).toBeLessThanOrEqual(sortedQuantile(sorted, hi));
          expect(sortedQuantile(sorted, lo)).toBeGreaterThanOrEqual(sorted[0]!);
          expect(sortedQuantile(sorted, hi)).toBeLessThanOrEqual(sorted[sorted.length - 1]!);
        },
      ),
    );
  });
});

describe('fixCrossing', () => {
  const matrices = fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 13 })).chain(([steps, K]) =>
    fc.record({
      steps: fc.constant(steps),
      K: fc.constant(K),
      values: fc.array(fc.float({ min: -1e6, max: 1e6, noNaN: true }), { minLength: steps * K, maxLength: steps * K }),
    }),
  );

  it('property: yields non-decreasing rows, keeps each row’s values, and is idempotent', () => {
    fc.assert(
      fc.property(matrices, ({ steps, K, values }) => {
        const m = Float64Array.from(values);
        fixCrossing(m, steps, K);
        expect(rowsNonDecreasing(m, steps, K)).toBe(true);
        for (let j = 0; j < steps; j++) {
          const before = values.slice(j * K, (j + 1) * K).sort((a, b) => a - b);
          expect([...m.subarray(j * K, (j + 1) * K)]).toEqual(before);
        }
        const again = Float64Array.from(m);
        fixCrossing(again, steps, K);
        expect([...again]).toEqual([...m]);
      }),
    );
  });

  it('leaves an already monotone matrix untouched and keeps a NaN in its row', () => {
    const m = new Float32Array([1, 2, 3, -1, 0, 0]);
    fixCrossing(m, 2, 3);
    expect([...m]).toEqual([1, 2, 3, -1, 0, 0]);
    const broken = new Float64Array([2, Number.NaN, 1]);
    fixCrossing(broken, 1, 3);
    expect(broken.filter(Number.isNaN)).toHaveLength(1);
  });
});
