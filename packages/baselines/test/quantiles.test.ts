import { describe, expect, it } from 'vitest';
import { pinnedHash as hash } from '../../../test-fixtures/pinned-hash.js';
import { normalQuantile } from '@tsfm/numerics';
import { gaussianForecast, resampleLevels } from '../src/quantiles.js';
import { DEFAULT_LEVELS } from '../src/types.js';
import { gaussian, rowsNonDecreasing } from './helpers/series.js';

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

describe('pinned outputs (computed before the normal quantile, the crossing fix and mulberry32 moved to @tsfm/numerics)', () => {
  it('a Gaussian quantile matrix', () => {
    const point = Float32Array.from({ length: 24 }, (_, i) => i * 1.5);
    const sd = Float32Array.from({ length: 24 }, (_, i) => 0.1 + i / 10);
    expect(hash(gaussianForecast(point, sd, [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95]).quantiles)).toBe(
      '6b20067667e28dad',
    );
  });

  it('the noise of the test fixtures', () => {
    const expected: [number, string][] = [
      [0, '41556e377d174d8a'],
      [1, 'ff911ed916e900c5'],
      [42, '5c894e2f659520d5'],
      [4294967295, 'bfdb76bbd09c99d6'],
      [-7, 'bd678ea9de59b494'],
    ];
    for (const [seed, want] of expected) {
      const g = gaussian(seed);
      expect(hash(Array.from({ length: 2000 }, () => g())), `seed ${seed}`).toBe(want);
    }
  });
});
