import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LossInputError, crpsApprox, mae, weightedQuantileLoss } from '../src/index.js';
import { closeRel, quantileLevels, value } from './arbitraries.js';

// Two steps, levels 0.1 / 0.5 / 0.9, row-major [horizon × nLevels].
const levels = [0.1, 0.5, 0.9];
const actual = [10, 20];
const matrix = [8, 10, 12, 15, 21, 30];
// step 0 (y = 10): ŷ 8 → 0.1·2 = 0.2; ŷ 10 → 0; ŷ 12 → (1 − 0.9)·2 = 0.2     → 0.4
// step 1 (y = 20): ŷ 15 → 0.1·5 = 0.5; ŷ 21 → 0.5·1 = 0.5; ŷ 30 → 0.1·10 = 1.0 → 2.0
// Σ pinball = 2.4

/** A quantile forecast problem: levels, a horizon of actuals, and a matrix of matching shape. */
const problem = quantileLevels.chain((ls) =>
  fc
    .integer({ min: 1, max: 12 })
    .chain((horizon) =>
      fc
        .tuple(
          fc.array(value, { minLength: horizon, maxLength: horizon }),
          fc.array(value, { minLength: horizon * ls.length, maxLength: horizon * ls.length }),
        )
        .map(([ys, cells]) => ({ ls, ys, cells })),
    ),
);

describe('crpsApprox', () => {
  it('averages 2·pinball over levels and time', () => {
    // 2 · 2.4 / (3 levels · 2 steps) = 0.8
    expect(crpsApprox(actual, matrix, levels)).toBeCloseTo(0.8, 12);
  });

  it('skips steps whose actual is missing', () => {
    const gappy = [10, Number.NaN, 20];
    const withRow = [8, 10, 12, 999, -999, 0, 15, 21, 30];
    expect(crpsApprox(gappy, withRow, levels)).toBeCloseTo(0.8, 12);
    expect(crpsApprox([Number.NaN], [1, 2, 3], levels)).toBeNaN();
  });

  it('accepts a Float32Array matrix', () => {
    expect(crpsApprox(Float32Array.from(actual), Float32Array.from(matrix), levels)).toBeCloseTo(0.8, 6);
  });

  it('rejects inconsistent shapes and empty input', () => {
    expect(() => crpsApprox(actual, matrix.slice(1), levels)).toThrow(/horizon × nLevels = 2 × 3 = 6/);
    expect(() => crpsApprox([], [], levels)).toThrow(LossInputError);
    expect(() => crpsApprox(actual, matrix, [0.5, 0.1, 0.9])).toThrow(/strictly increasing/);
    expect(() => crpsApprox(actual, matrix, [0.1, 0.5, 1])).toThrow(LossInputError);
  });

  describe('properties', () => {
    it('is never negative', () => {
      fc.assert(fc.property(problem, ({ ls, ys, cells }) => crpsApprox(ys, cells, ls) >= 0));
    });

    it('is zero when every quantile equals the actual', () => {
      fc.assert(
        fc.property(problem, ({ ls, ys }) => {
          const exact = ys.flatMap((y) => ls.map(() => y));
          return crpsApprox(ys, exact, ls) === 0;
        }),
      );
    });

    it('reduces to the MAE for a point forecast with levels symmetric about 0.5', () => {
      // Σ_q pinball_q(e) = |e| · Σ_q q (or Σ_q (1 − q)) = |e| · |Q|/2 when levels are symmetric.
      const symmetric = [0.1, 0.25, 0.5, 0.75, 0.9];
      const points = fc
        .integer({ min: 1, max: 12 })
        .chain((n) =>
          fc.tuple(fc.array(value, { minLength: n, maxLength: n }), fc.array(value, { minLength: n, maxLength: n })),
        );
      fc.assert(
        fc.property(points, ([ys, point]) => {
          const degenerate = point.flatMap((p) => symmetric.map(() => p));
          return closeRel(crpsApprox(ys, degenerate, symmetric), mae(ys, point), 1e-9);
        }),
      );
    });
  });
});

describe('weightedQuantileLoss', () => {
  it('normalises by Σ|y| as in GluonTS', () => {
    // 2 · 2.4 / (3 levels · (|10| + |20|)) = 4.8 / 90
    expect(weightedQuantileLoss(actual, matrix, levels)).toBeCloseTo(4.8 / 90, 12);
  });

  it('is NaN when every observed actual is zero (Σ|y| = 0)', () => {
    expect(weightedQuantileLoss([0, 0], matrix, levels)).toBeNaN();
  });

  it('skips missing actuals in both the loss and Σ|y|', () => {
    const gappy = [10, Number.NaN, 20];
    const withRow = [8, 10, 12, 999, -999, 0, 15, 21, 30];
    expect(weightedQuantileLoss(gappy, withRow, levels)).toBeCloseTo(4.8 / 90, 12);
  });

  it('rejects inconsistent shapes', () => {
    expect(() => weightedQuantileLoss(actual, matrix, [0.1, 0.9])).toThrow(/horizon × nLevels/);
  });

  describe('properties', () => {
    it('is never negative', () => {
      fc.assert(
        fc.property(problem, ({ ls, ys, cells }) => {
          const w = weightedQuantileLoss(ys, cells, ls);
          return ys.every((y) => y === 0) ? Number.isNaN(w) : w >= 0;
        }),
      );
    });

    it('equals crpsApprox · T / Σ|y|', () => {
      fc.assert(
        fc.property(problem, ({ ls, ys, cells }) => {
          fc.pre(ys.some((y) => y !== 0));
          const sumAbs = ys.reduce((s, y) => s + Math.abs(y), 0);
          const expected = (crpsApprox(ys, cells, ls) * ys.length) / sumAbs;
          return closeRel(weightedQuantileLoss(ys, cells, ls), expected, 1e-9);
        }),
      );
    });

    it('does not change when the series and its quantiles are scaled by c > 0', () => {
      const c = fc.double({ min: 1e-3, max: 1e3, noNaN: true });
      fc.assert(
        fc.property(problem, c, ({ ls, ys, cells }, k) => {
          fc.pre(ys.some((y) => y !== 0));
          const scaled = weightedQuantileLoss(
            ys.map((y) => y * k),
            cells.map((v) => v * k),
            ls,
          );
          return closeRel(scaled, weightedQuantileLoss(ys, cells, ls), 1e-9);
        }),
      );
    });
  });
});
