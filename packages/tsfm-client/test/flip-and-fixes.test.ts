import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clampNonNegative, combineFlipped, isNonCrossing, levelsAreSymmetric } from '../src/index.js';

const DEFAULT_LEVELS = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];

describe('flip invariance', () => {
  it('recognises symmetric level sets', () => {
    expect(levelsAreSymmetric(DEFAULT_LEVELS)).toBe(true);
    expect(levelsAreSymmetric([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])).toBe(true);
    expect(levelsAreSymmetric([0.5])).toBe(true);
    expect(levelsAreSymmetric([0.1, 0.5, 0.95])).toBe(false);
    expect(levelsAreSymmetric([0.1, 0.9, 0.95])).toBe(false);
  });

  it('pairs level k of f(x) with level K−1−k of f(−x), negated, and averages', () => {
    // 1 step, 3 levels (0.1, 0.5, 0.9)
    const plus = [1, 2, 4];
    const minus = [-5, -2, -1]; // f(−x): its 0.9-quantile −1 ↔ 0.1-quantile 1 of x
    const out = new Float64Array(3);
    combineFlipped(plus, minus, 1, 3, out);
    expect([...out]).toEqual([0.5 * (1 + 1), 0.5 * (2 + 2), 0.5 * (4 + 5)]);
  });

  it('property: a model that is already odd (f(−x) = −f(x) mirrored) is unchanged by flip', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 6, maxLength: 6 }), (v) => {
        const steps = 2;
        const K = 3;
        const plus = Float64Array.from(v);
        const minus = new Float64Array(6);
        for (let j = 0; j < steps; j++) for (let k = 0; k < K; k++) minus[j * K + k] = -plus[j * K + K - 1 - k]!;
        const out = new Float64Array(6);
        combineFlipped(plus, minus, steps, K, out);
        for (let i = 0; i < 6; i++) expect(out[i]).toBeCloseTo(plus[i]!, 9);
      }),
    );
  });

  it('may write in place over the plain row', () => {
    const plus = new Float64Array([1, 2, 4]);
    combineFlipped(plus, [-5, -2, -1], 1, 3, plus);
    expect([...plus]).toEqual([1, 2, 4.5]);
  });
});

describe('quantile repairs (the crossing fix is tested in @tsfm/numerics)', () => {
  it('isNonCrossing accepts non-decreasing rows only, and fails on NaN', () => {
    expect(isNonCrossing([1, 2, 2, -1, 0, 0], 2, 3)).toBe(true);
    expect(isNonCrossing([1, 2, 2, 0, -1, 0], 2, 3)).toBe(false);
    expect(isNonCrossing([1, Number.NaN, 2], 1, 3)).toBe(false);
  });

  it('clamps negatives to zero and leaves NaN visible', () => {
    const m = new Float64Array([-1, 0, 2, Number.NaN]);
    clampNonNegative(m, 4);
    expect([...m]).toEqual([0, 0, 2, Number.NaN]);
  });
});
