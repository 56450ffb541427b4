import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LossInputError, coverage, intervalSides, meanIntervalWidth } from '../src/index.js';
import { value } from './arbitraries.js';

const NaN_ = Number.NaN;

describe('intervalSides', () => {
  it('splits the misses by side and skips missing actuals', () => {
    // 1 inside [0, 2]; −1 below [0, 2]; 9 above [0, 2]; NaN skipped; 5 inside the degenerate [5, 5]
    expect(intervalSides([1, -1, 9, NaN_, 5], [0, 0, 0, 0, 5], [2, 2, 2, 2, 5])).toEqual({
      observed: 4,
      inside: 2,
      below: 1,
      above: 1,
    });
    expect(() => intervalSides([1], [NaN_], [2])).toThrow(/NaN bound at observed point 0/);
    expect(() => intervalSides([1, 2], [0], [3, 3])).toThrow(/lower/);
  });

  it('its inside share is coverage, and the three counts add up', () => {
    const problem = fc.integer({ min: 1, max: 30 }).chain((n) => {
      const arr = fc.array(value, { minLength: n, maxLength: n });
      return fc.tuple(arr, arr, arr);
    });
    fc.assert(
      fc.property(problem, ([actual, a, b]) => {
        const sides = intervalSides(actual, a, b);
        expect(sides.inside + sides.below + sides.above).toBe(sides.observed);
        if (sides.observed > 0) expect(sides.inside / sides.observed).toBe(coverage(actual, a, b));
      }),
    );
  });
});

describe('coverage', () => {
  it('is the fraction of actuals inside [lower, upper], bounds inclusive', () => {
    // 1 ∈ [0, 2] yes; 5 ∈ [5, 6] yes (on the lower bound); 10 ∈ [11, 12] no; 7 ∈ [3, 7] yes → 3/4
    expect(coverage([1, 5, 10, 7], [0, 5, 11, 3], [2, 6, 12, 7])).toBe(0.75);
  });

  it('counts a degenerate interval that hits the actual', () => {
    expect(coverage([4], [4], [4])).toBe(1);
  });

  it('treats a crossed interval as covering nothing', () => {
    expect(coverage([5], [6], [4])).toBe(0);
  });

  it('skips missing actuals; NaN bounds make it NaN', () => {
    // observed: 1 ∈ [0, 2] yes, 10 ∈ [11, 12] no → 1/2
    expect(coverage([1, NaN_, 10], [0, 0, 11], [2, 0, 12])).toBe(0.5);
    expect(coverage([NaN_], [0], [1])).toBeNaN();
    expect(coverage([1, 2], [0, NaN_], [3, 3])).toBeNaN();
    expect(coverage([1, 2], [0, 0], [3, NaN_])).toBeNaN();
  });

  it('rejects mismatched or empty input', () => {
    expect(() => coverage([1, 2], [0], [3, 3])).toThrow(/lower/);
    expect(() => coverage([1, 2], [0, 0], [3])).toThrow(/upper/);
    expect(() => coverage([], [], [])).toThrow(LossInputError);
  });

  it('never decreases when the interval is widened', () => {
    const problem = fc.integer({ min: 1, max: 30 }).chain((n) => {
      const arr = fc.array(value, { minLength: n, maxLength: n });
      const widening = fc.array(fc.double({ min: 0, max: 1e3, noNaN: true }), { minLength: n, maxLength: n });
      return fc.tuple(arr, arr, arr, widening);
    });
    fc.assert(
      fc.property(problem, ([ys, a, b, w]) => {
        const lower = a.map((x, t) => Math.min(x, b[t]));
        const upper = a.map((x, t) => Math.max(x, b[t]));
        const c = coverage(ys, lower, upper);
        const wider = coverage(
          ys,
          lower.map((x, t) => x - w[t]),
          upper.map((x, t) => x + w[t]),
        );
        expect(c).toBeGreaterThanOrEqual(0);
        expect(c).toBeLessThanOrEqual(1);
        expect(wider).toBeGreaterThanOrEqual(c);
      }),
    );
  });
});

describe('meanIntervalWidth', () => {
  it('is the mean of upper − lower', () => {
    // (2 − 0) + (4 − 1) = 5 → 2.5
    expect(meanIntervalWidth([0, 1], [2, 4])).toBe(2.5);
  });

  it('counts crossed intervals as negative width', () => {
    // (2 − 0) + (1 − 4) = −1 → −0.5
    expect(meanIntervalWidth([0, 4], [2, 1])).toBe(-0.5);
  });

  it('propagates NaN bounds', () => {
    expect(meanIntervalWidth([0, NaN_], [1, 2])).toBeNaN();
  });

  it('rejects mismatched or empty input', () => {
    expect(() => meanIntervalWidth([0], [1, 2])).toThrow(LossInputError);
    expect(() => meanIntervalWidth([], [])).toThrow(LossInputError);
  });
});
