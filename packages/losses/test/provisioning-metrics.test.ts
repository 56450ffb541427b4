import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LossInputError, mae, meanPinball, meanShortfall, meanSlack, underProvisionedFraction } from '../src/index.js';
import { alpha, closeRel, pairedSeries } from './arbitraries.js';

const NaN_ = Number.NaN;

describe('provisioning metrics', () => {
  // demand y vs provision ŷ; the last point is missing
  const actual = [10, 5, 8, NaN_];
  const forecast = [8, 7, 8, 0];

  it('underProvisionedFraction counts y > ŷ strictly', () => {
    // 10 > 8 yes; 5 > 7 no; 8 > 8 no (exactly provisioned is enough) → 1/3
    expect(underProvisionedFraction(actual, forecast)).toBeCloseTo(1 / 3, 15);
  });

  it('meanShortfall averages max(0, y − ŷ)', () => {
    // 2, 0, 0 → 2/3
    expect(meanShortfall(actual, forecast)).toBeCloseTo(2 / 3, 15);
  });

  it('meanSlack averages max(0, ŷ − y)', () => {
    // 0, 2, 0 → 2/3
    expect(meanSlack(actual, forecast)).toBeCloseTo(2 / 3, 15);
  });

  it('return NaN when nothing is observed, or when an observed forecast is NaN', () => {
    for (const metric of [underProvisionedFraction, meanShortfall, meanSlack]) {
      expect(metric([NaN_, NaN_], [1, 2])).toBeNaN();
      expect(metric([1, 2], [1, NaN_])).toBeNaN();
    }
  });

  it('reject mismatched or empty input', () => {
    for (const metric of [underProvisionedFraction, meanShortfall, meanSlack]) {
      expect(() => metric([1, 2], [1])).toThrow(LossInputError);
      expect(() => metric([], [])).toThrow(LossInputError);
    }
  });

  describe('properties', () => {
    it('shortfall and slack split the absolute error: shortfall + slack = MAE', () => {
      fc.assert(
        fc.property(pairedSeries, ([ys, fs]) => closeRel(meanShortfall(ys, fs) + meanSlack(ys, fs), mae(ys, fs), 1e-9)),
      );
    });

    it('weighted by α and 1 − α they give the mean pinball loss', () => {
      fc.assert(
        fc.property(pairedSeries, alpha, ([ys, fs], a) =>
          closeRel(a * meanShortfall(ys, fs) + (1 - a) * meanSlack(ys, fs), meanPinball(ys, fs, a), 1e-9),
        ),
      );
    });

    it('the under-provisioned fraction is in [0, 1] and is 0 exactly when there is no shortfall', () => {
      fc.assert(
        fc.property(pairedSeries, ([ys, fs]) => {
          const f = underProvisionedFraction(ys, fs);
          expect(f).toBeGreaterThanOrEqual(0);
          expect(f).toBeLessThanOrEqual(1);
          expect(f === 0).toBe(meanShortfall(ys, fs) === 0);
        }),
      );
    });

    it('raising every provision never increases shortfall or the under-provisioned fraction', () => {
      const lift = fc.double({ min: 0, max: 1e3, noNaN: true });
      fc.assert(
        fc.property(pairedSeries, lift, ([ys, fs], d) => {
          const higher = fs.map((f) => f + d);
          expect(meanShortfall(ys, higher)).toBeLessThanOrEqual(meanShortfall(ys, fs));
          expect(underProvisionedFraction(ys, higher)).toBeLessThanOrEqual(underProvisionedFraction(ys, fs));
          expect(meanSlack(ys, higher)).toBeGreaterThanOrEqual(meanSlack(ys, fs));
        }),
      );
    });
  });
});
