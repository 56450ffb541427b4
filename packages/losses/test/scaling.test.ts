import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LossInputError,
  SCALE_RELATIVE_EPSILON,
  meanPinball,
  robustSeasonalScale,
  scaleFreePinball,
  scaledPinball,
  seasonalNaiveScale,
} from '../src/index.js';
import { alpha, closeRel, value } from './arbitraries.js';

const NaN_ = Number.NaN;

describe('seasonalNaiveScale', () => {
  it('is the mean absolute lag-m difference', () => {
    // lag 2: |3−1|, |4−2|, |5−3|, |6−4| = 2, 2, 2, 2 → 2
    expect(seasonalNaiveScale([1, 2, 3, 4, 5, 6], 2)).toBe(2);
    // lag 1: |3−1| = 2, |2−3| = 1 → 1.5
    expect(seasonalNaiveScale([1, 3, 2], 1)).toBe(1.5);
  });

  it('uses lag m as soon as the history has m + 1 points', () => {
    // 4 points, m = 3: one lag-3 pair |10 − 1| = 9 (lag 1 would give (1 + 1 + 7)/3 = 3)
    expect(seasonalNaiveScale([1, 2, 3, 10], 3)).toBe(9);
  });

  it('falls back to lag 1 when the history is shorter than m + 1', () => {
    // 3 points, m = 3: lag 1 → |2−1|, |3−2| → 1
    expect(seasonalNaiveScale([1, 2, 3], 3)).toBe(1);
    // 2 points, m = 24: |7 − 5| = 2
    expect(seasonalNaiveScale([5, 7], 24)).toBe(2);
  });

  it('skips pairs with a missing point', () => {
    // lag 2 pairs: (3, 1) → 2; (4, NaN) skipped; (5, 3) → 2 → 2
    expect(seasonalNaiveScale([1, NaN_, 3, 4, 5], 2)).toBe(2);
  });

  it('is 0 for a constant history', () => {
    expect(seasonalNaiveScale([4, 4, 4, 4], 2)).toBe(0);
  });

  it('is NaN when it cannot be computed', () => {
    expect(seasonalNaiveScale([], 1)).toBeNaN();
    expect(seasonalNaiveScale([3], 1)).toBeNaN();
    expect(seasonalNaiveScale([1, NaN_, NaN_, 4], 1)).toBeNaN();
  });

  it.each([0, -1, 1.5, NaN_])('rejects m = %s', (m) => {
    expect(() => seasonalNaiveScale([1, 2, 3], m)).toThrow(LossInputError);
  });

  it('does not change when a constant is added to the history', () => {
    const history = fc.array(value, { minLength: 2, maxLength: 40 });
    const m = fc.integer({ min: 1, max: 12 });
    const shift = fc.double({ min: -1e3, max: 1e3, noNaN: true });
    fc.assert(
      fc.property(history, m, shift, (xs, lag, k) =>
        closeRel(
          seasonalNaiveScale(
            xs.map((x) => x + k),
            lag,
          ),
          seasonalNaiveScale(xs, lag),
          1e-6,
        ),
      ),
    );
  });
});

describe('robustSeasonalScale', () => {
  it('is the seasonal scale when that is usable', () => {
    expect(robustSeasonalScale([1, 2, 3, 4, 5, 6], 2)).toBe(2);
  });

  it('falls back to mean |history| for a constant history', () => {
    expect(robustSeasonalScale([5, 5, 5, 5], 2)).toBe(5);
    expect(robustSeasonalScale([-3, -3, NaN_, -3], 1)).toBe(3);
  });

  it('treats variation below SCALE_RELATIVE_EPSILON of the level as constant', () => {
    // seasonal MAE 1e-3 on a level of ~1e6: 1e-3 < 1e-6 · 1e6 → fall back to the level
    const jitter = [1e6, 1e6 + 1e-3, 1e6, 1e6 + 1e-3];
    expect(1e-3).toBeLessThan(SCALE_RELATIVE_EPSILON * 1e6);
    expect(robustSeasonalScale(jitter, 1)).toBeCloseTo(1e6, 0);
    // a variation of 10 on the same level (10 > 1e-6 · 1e6 = 1) is kept
    expect(robustSeasonalScale([1e6, 1e6 + 10, 1e6, 1e6 + 10], 1)).toBe(10);
  });

  it('falls back to mean |history| for a single point, and to 1 when there is no level', () => {
    expect(robustSeasonalScale([-4], 1)).toBe(4);
    expect(robustSeasonalScale([0, 0, 0], 1)).toBe(1);
    expect(robustSeasonalScale([], 24)).toBe(1);
    expect(robustSeasonalScale([NaN_, NaN_], 1)).toBe(1);
  });

  it('is always finite and positive for finite (or missing) history', () => {
    const history = fc.array(fc.oneof(value, fc.constant(NaN_), fc.constant(0)), { maxLength: 30 });
    fc.assert(
      fc.property(history, fc.integer({ min: 1, max: 12 }), (xs, m) => {
        const s = robustSeasonalScale(xs, m);
        return Number.isFinite(s) && s > 0;
      }),
    );
  });
});

describe('scaledPinball', () => {
  it('divides the mean pinball loss by the scale', () => {
    // meanPinball([8, 9], [7, 11], 0.75) = (0.75·1 + 0.25·2)/2 = 0.625 → / 2 = 0.3125
    expect(scaledPinball([8, 9], [7, 11], 0.75, 2)).toBeCloseTo(0.3125, 12);
  });

  it.each([0, -1, NaN_, Number.POSITIVE_INFINITY])('rejects scale = %s', (scale) => {
    expect(() => scaledPinball([1], [1], 0.5, scale)).toThrow(/scale must be finite and > 0/);
  });
});

describe('scaleFreePinball', () => {
  it('divides by the in-sample seasonal naive MAE', () => {
    // scale of [1..6] at lag 2 is 2; meanPinball = 0.625 (see scaledPinball) → 0.3125
    expect(scaleFreePinball([1, 2, 3, 4, 5, 6], [8, 9], [7, 11], 0.75, 2)).toBeCloseTo(0.3125, 12);
  });

  it('stays finite for a constant history', () => {
    // scale falls back to mean |history| = 5; meanPinball([6], [5], 0.9) = 0.9 → 0.18
    const loss = scaleFreePinball([5, 5, 5, 5, 5], [6], [5], 0.9, 2);
    expect(loss).toBeCloseTo(0.18, 12);
  });

  const scaleProblem = fc.record({
    history: fc.array(value, { minLength: 1, maxLength: 40 }).filter((xs) => xs.some((x) => x !== 0)),
    pair: fc
      .integer({ min: 1, max: 24 })
      .chain((n) =>
        fc.tuple(fc.array(value, { minLength: n, maxLength: n }), fc.array(value, { minLength: n, maxLength: n })),
      ),
    m: fc.integer({ min: 1, max: 12 }),
  });
  const times = (xs: number[], k: number) => xs.map((x) => x * k);

  it('is exactly unchanged when everything is scaled by a power of two', () => {
    // Multiplying by 2^k commutes with every rounding step, so the invariance must hold bit for bit.
    const powerOfTwo = fc.integer({ min: -20, max: 20 }).map((k) => 2 ** k);
    fc.assert(
      fc.property(scaleProblem, alpha, powerOfTwo, ({ history, pair: [actual, forecast], m }, a, c) => {
        const base = scaleFreePinball(history, actual, forecast, a, m);
        const scaled = scaleFreePinball(times(history, c), times(actual, c), times(forecast, c), a, m);
        expect(scaled).toBe(base);
      }),
    );
  });

  it('is unchanged, up to the conditioning of the data, when everything is scaled by any c > 0', () => {
    const c = fc.double({ min: 1e-3, max: 1e3, noNaN: true });
    fc.assert(
      fc.property(scaleProblem, alpha, c, ({ history, pair: [actual, forecast], m }, a, k) => {
        const base = scaleFreePinball(history, actual, forecast, a, m);
        const scaled = scaleFreePinball(times(history, k), times(actual, k), times(forecast, k), a, m);
        expect(Math.abs(scaled - base)).toBeLessThanOrEqual(invarianceTolerance(history, actual, forecast, a, m, base));
      }),
    );
  });

  it('is scale-free on the constant-history fallback too', () => {
    const level = fc.double({ min: 1e-3, max: 1e3, noNaN: true });
    const c = fc.double({ min: 1e-3, max: 1e3, noNaN: true });
    fc.assert(
      fc.property(level, value, value, alpha, c, (lvl, y, yhat, a, k) => {
        const history = [lvl, lvl, lvl];
        const base = scaleFreePinball(history, [y], [yhat], a, 1);
        const scaled = scaleFreePinball(times(history, k), [y * k], [yhat * k], a, 1);
        expect(Math.abs(scaled - base)).toBeLessThanOrEqual(invarianceTolerance(history, [y], [yhat], a, 1, base));
      }),
    );
  });

  it('never reverses the ranking meanPinball gives two forecasts of one series', () => {
    // Dividing by one positive scale is monotone, though rounding may turn a 1-ulp gap into a tie.
    const problem = fc
      .integer({ min: 1, max: 12 })
      .chain((n) =>
        fc.tuple(
          fc.array(value, { minLength: 2, maxLength: 30 }),
          fc.array(value, { minLength: n, maxLength: n }),
          fc.array(value, { minLength: n, maxLength: n }),
          fc.array(value, { minLength: n, maxLength: n }),
        ),
      );
    fc.assert(
      fc.property(problem, alpha, ([history, actual, f1, f2], a) => {
        const raw1 = meanPinball(actual, f1, a);
        const raw2 = meanPinball(actual, f2, a);
        const free1 = scaleFreePinball(history, actual, f1, a, 1);
        const free2 = scaleFreePinball(history, actual, f2, a, 1);
        if (raw1 < raw2) expect(free1).toBeLessThanOrEqual(free2);
        if (raw1 > raw2) expect(free1).toBeGreaterThanOrEqual(free2);
        if (raw1 === raw2) expect(free1).toBe(free2);
      }),
    );
  });
});

/**
 * Rescaling by an arbitrary c rounds every input, and the differences y − ŷ and y_t − y_{t−m}
 * amplify that rounding by |values| / |difference| (cancellation). The tolerance is a small
 * multiple of machine epsilon times those condition numbers: tight for well-conditioned data,
 * lenient only where floating point itself cannot do better.
 */
function invarianceTolerance(
  history: number[],
  actual: number[],
  forecast: number[],
  a: number,
  m: number,
  base: number,
): number {
  const maxAbs = (xs: number[]) => xs.reduce((s, x) => Math.max(s, Math.abs(x)), 0);
  const raw = meanPinball(actual, forecast, a);
  const scale = robustSeasonalScale(history, m);
  const lossCondition = raw === 0 ? 0 : Math.max(maxAbs(actual), maxAbs(forecast)) / raw;
  const scaleCondition = maxAbs(history) / scale;
  return 1e-13 * Math.abs(base) * (1 + lossCondition + scaleCondition);
}
