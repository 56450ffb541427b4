import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixCrossing, gaussianForecast, normalQuantile, resampleLevels, sortedQuantile } from '../src/quantiles.js';
import { DEFAULT_LEVELS } from '../src/types.js';
import { rowsNonDecreasing } from './helpers/series.js';

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
});

describe('sortedQuantile', () => {
  it('interpolates between order statistics like R type 7', () => {
    const x = [1, 2, 3, 4, 5];
    expect(sortedQuantile(x, 0)).toBe(1);
    expect(sortedQuantile(x, 0.5)).toBe(3);
    expect(sortedQuantile(x, 0.1)).toBeCloseTo(1.4, 12);
    expect(sortedQuantile(x, 1)).toBe(5);
  });
});

describe('fixCrossing', () => {
  it('leaves every row non-decreasing and keeps each row a permutation of itself', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 4, maxLength: 40 }),
        (values) => {
          const k = 4;
          const n = values.length - (values.length % k);
          const m = Float32Array.from(values.slice(0, n));
          const before = Array.from(m);
          fixCrossing(m, k);
          expect(rowsNonDecreasing(m, k)).toBe(true);
          for (let r = 0; r < n; r += k) {
            expect(Array.from(m.subarray(r, r + k))).toEqual(before.slice(r, r + k).sort((a, b) => a - b));
          }
        },
      ),
    );
  });
});

describe('gaussianForecast', () => {
  it('puts the median on the point and spreads by sd·z', () => {
    const f = gaussianForecast([10, 20], [1, 2], DEFAULT_LEVELS);
    const k = DEFAULT_LEVELS.length;
    const mid = DEFAULT_LEVELS.indexOf(0.5);
    expect(f.quantiles[mid]).toBeCloseTo(10, 5);
    expect(f.quantiles[k + mid]).toBeCloseTo(20, 5);
    expect(f.quantiles[k + k - 1] - 20).toBeCloseTo(2 * normalQuantile(0.99), 4);
    expect(rowsNonDecreasing(f.quantiles, k)).toBe(true);
  });

  it('collapses onto the point when the sd is zero or not finite', () => {
    const f = gaussianForecast([5], [NaN], [0.1, 0.9]);
    expect(Array.from(f.quantiles)).toEqual([5, 5]);
  });
});

describe('resampleLevels', () => {
  it('is the identity onto the same levels', () => {
    const m = Float32Array.from([1, 2, 3, 4, 5, 6]);
    expect(Array.from(resampleLevels(m, [0.1, 0.5, 0.9], [0.1, 0.5, 0.9], 2))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('extrapolates beyond the outermost levels along a normal tail', () => {
    // Quantiles of N(0, 1) at 0.1 / 0.5 / 0.9: the 0.01 and 0.99 quantiles follow exactly.
    const z = (p: number): number => normalQuantile(p);
    const m = Float32Array.from([z(0.1), 0, z(0.9)]);
    const out = resampleLevels(m, [0.1, 0.5, 0.9], [0.01, 0.3, 0.99], 1);
    expect(out[0]).toBeCloseTo(z(0.01), 5);
    expect(out[2]).toBeCloseTo(z(0.99), 5);
    expect(out[1]).toBeCloseTo(z(0.1) / 2, 5); // linear between 0.1 and 0.5
  });
});
