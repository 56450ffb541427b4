import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LossInputError, mae, meanPinball, pinball } from '../src/index.js';
import { alpha, closeRel, pairedSeries, value } from './arbitraries.js';

describe('pinball', () => {
  it('charges α per unit of under-prediction', () => {
    // y − ŷ = 10 − 7 = 3 > 0 → 0.9 · 3 = 2.7
    expect(pinball(10, 7, 0.9)).toBeCloseTo(2.7, 12);
  });

  it('charges 1 − α per unit of over-prediction', () => {
    // ŷ − y = 10 − 7 = 3 > 0 → (1 − 0.9) · 3 = 0.3
    expect(pinball(7, 10, 0.9)).toBeCloseTo(0.3, 12);
  });

  it('is zero for an exact forecast', () => {
    expect(pinball(5, 5, 0.3)).toBe(0);
  });

  it.each([0, 1, Number.NaN, -0.1, 1.5, Number.POSITIVE_INFINITY])('rejects α = %s', (a) => {
    expect(() => pinball(1, 2, a)).toThrow(LossInputError);
    expect(() => pinball(1, 2, a)).toThrow(/alpha must be in the open interval \(0, 1\)/);
  });

  describe('properties', () => {
    it('is never negative', () => {
      fc.assert(fc.property(value, value, alpha, (y, yhat, a) => pinball(y, yhat, a) >= 0));
    });

    it('is zero for a perfect forecast', () => {
      fc.assert(fc.property(value, alpha, (y, a) => pinball(y, y, a) === 0));
    });

    it('at α = 0.5 is exactly half the absolute error', () => {
      fc.assert(fc.property(value, value, (y, yhat) => pinball(y, yhat, 0.5) === 0.5 * Math.abs(y - yhat)));
    });

    it('grows with α when under-predicting and shrinks with α when over-predicting', () => {
      const gapped = fc
        .tuple(alpha, alpha)
        .filter(([a, b]) => Math.abs(a - b) >= 1e-3)
        .map(([a, b]) => (a < b ? [a, b] : [b, a]));
      const error = fc.double({ min: 1e-3, max: 1e6, noNaN: true });
      fc.assert(
        fc.property(value, error, gapped, (y, e, [low, high]) => {
          // under-prediction: ŷ = y − e
          expect(pinball(y, y - e, low)).toBeLessThan(pinball(y, y - e, high));
          // over-prediction: ŷ = y + e
          expect(pinball(y, y + e, low)).toBeGreaterThan(pinball(y, y + e, high));
        }),
      );
    });

    it('is mirror-symmetric: L_α(y, ŷ) = L_{1−α}(−y, −ŷ)', () => {
      fc.assert(
        fc.property(value, value, alpha, (y, yhat, a) =>
          closeRel(pinball(y, yhat, a), pinball(-y, -yhat, 1 - a), 1e-12),
        ),
      );
    });
  });
});

describe('meanPinball', () => {
  it('averages the pointwise losses', () => {
    // errors y − ŷ: 2, −2, 0 → 0.75·2 = 1.5, 0.25·2 = 0.5, 0 → (1.5 + 0.5 + 0) / 3 = 2/3
    expect(meanPinball([10, 7, 4], [8, 9, 4], 0.75)).toBeCloseTo(2 / 3, 12);
  });

  it('accepts typed arrays', () => {
    const actual = Float32Array.of(10, 7, 4);
    const forecast = Float64Array.of(8, 9, 4);
    expect(meanPinball(actual, forecast, 0.75)).toBeCloseTo(2 / 3, 12);
  });

  it('skips points whose actual is missing (NaN)', () => {
    // observed: (10, 8) → 0.5·2 = 1 and (4, 6) → 0.5·2 = 1; the NaN point is ignored → 1
    expect(meanPinball([10, Number.NaN, 4], [8, 100, 6], 0.5)).toBe(1);
  });

  it('returns NaN when every actual is missing', () => {
    expect(meanPinball([Number.NaN, Number.NaN], [1, 2], 0.5)).toBeNaN();
  });

  it('propagates a NaN forecast at an observed point', () => {
    expect(meanPinball([1, 2], [1, Number.NaN], 0.5)).toBeNaN();
  });

  it('rejects mismatched lengths', () => {
    expect(() => meanPinball([1, 2, 3], [1, 2], 0.5)).toThrow(LossInputError);
    expect(() => meanPinball([1, 2, 3], [1, 2], 0.5)).toThrow(/actual has 3 points but forecast has 2/);
  });

  it('rejects an empty horizon', () => {
    expect(() => meanPinball([], [], 0.5)).toThrow(/empty/);
  });

  it.each([0, 1, Number.NaN])('rejects α = %s', (a) => {
    expect(() => meanPinball([1], [1], a)).toThrow(LossInputError);
  });

  describe('properties', () => {
    it('is never negative and zero for a perfect forecast', () => {
      fc.assert(
        fc.property(pairedSeries, alpha, ([actual, forecast], a) => {
          expect(meanPinball(actual, forecast, a)).toBeGreaterThanOrEqual(0);
          expect(meanPinball(actual, actual, a)).toBe(0);
        }),
      );
    });

    it('at α = 0.5 is half the MAE', () => {
      fc.assert(
        fc.property(pairedSeries, ([actual, forecast]) =>
          closeRel(meanPinball(actual, forecast, 0.5), mae(actual, forecast) / 2),
        ),
      );
    });

    it('gives the same result as dropping the missing points first', () => {
      const withGaps = pairedSeries.chain(([actual, forecast]) =>
        fc
          .array(fc.boolean(), { minLength: actual.length, maxLength: actual.length })
          .map((missing) => ({ actual, forecast, missing })),
      );
      fc.assert(
        fc.property(withGaps, alpha, ({ actual, forecast, missing }, a) => {
          const gappy = actual.map((y, t) => (missing[t] ? Number.NaN : y));
          const keptActual = actual.filter((_, t) => !missing[t]);
          const keptForecast = forecast.filter((_, t) => !missing[t]);
          const got = meanPinball(gappy, forecast, a);
          if (keptActual.length === 0) return Number.isNaN(got);
          return closeRel(got, meanPinball(keptActual, keptForecast, a), 1e-12);
        }),
      );
    });
  });
});

describe('newsvendor: the empirical α-quantile minimises mean pinball over constant forecasts', () => {
  /**
   * Lower empirical quantile: the ⌈nα⌉-th smallest point (any point between it and the next is
   * also optimal when nα is an integer).
   */
  function empiricalQuantile(sample: readonly number[], a: number): number {
    const sorted = [...sample].sort((x, y) => x - y);
    return sorted[Math.max(0, Math.ceil(sample.length * a) - 1)];
  }

  const constant = (n: number, c: number) => new Float64Array(n).fill(c);

  it('prefers the 0.9-quantile of 1..10 (= 9) to the median', () => {
    const sample = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    // at 9: under-prediction only for 10 → 0.9·1; over-prediction for 1..8 → 0.1·(8+7+…+1) = 3.6 → 4.5/10
    expect(meanPinball(sample, constant(10, 9), 0.9)).toBeCloseTo(0.45, 12);
    expect(meanPinball(sample, constant(10, 5), 0.9)).toBeGreaterThan(0.45);
  });

  it('holds against a grid of constants and against every sample point', () => {
    const sample = fc.array(fc.double({ min: -1000, max: 1000, noNaN: true }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(sample, alpha, (xs, a) => {
        const n = xs.length;
        const best = meanPinball(xs, constant(n, empiricalQuantile(xs, a)), a);
        const lo = Math.min(...xs) - 10;
        const hi = Math.max(...xs) + 10;
        const candidates = [...xs];
        for (let i = 0; i <= 50; i++) candidates.push(lo + ((hi - lo) * i) / 50);
        for (const c of candidates) {
          const other = meanPinball(xs, constant(n, c), a);
          expect(best).toBeLessThanOrEqual(other + 1e-9 * Math.max(1, Math.abs(other)));
        }
      }),
    );
  });
});
