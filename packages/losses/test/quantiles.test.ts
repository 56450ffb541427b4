import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LossInputError, interpolateQuantile, interpolateQuantileRow } from '../src/index.js';
import { monotoneQuantiles, quantileLevels, value } from './arbitraries.js';

const level = fc.double({ min: 1e-4, max: 1 - 1e-4, noNaN: true });

describe('interpolateQuantile', () => {
  const levels = [0.1, 0.5, 0.9];
  const values = [10, 20, 40];

  it('returns a model level exactly', () => {
    expect(interpolateQuantile(levels, values, 0.5)).toBe(20);
    expect(interpolateQuantile(levels, values, 0.9)).toBe(40);
  });

  it('interpolates linearly between the bracketing levels', () => {
    // 0.3 is halfway between 0.1 and 0.5 → 10 + 0.5·(20 − 10) = 15
    expect(interpolateQuantile(levels, values, 0.3)).toBeCloseTo(15, 12);
    // 0.75: t = (0.75 − 0.5)/(0.9 − 0.5) = 0.625 → 20 + 0.625·(40 − 20) = 32.5
    expect(interpolateQuantile(levels, values, 0.75)).toBeCloseTo(32.5, 12);
  });

  it('extrapolates flat outside the model levels', () => {
    expect(interpolateQuantile(levels, values, 0.05)).toBe(10);
    expect(interpolateQuantile(levels, values, 0.99)).toBe(40);
  });

  it('returns the only value when the model has one level', () => {
    expect(interpolateQuantile([0.5], [7], 0.9)).toBe(7);
    expect(interpolateQuantile([0.5], [7], 0.1)).toBe(7);
  });

  it('stays between crossed values', () => {
    // levels 0.1, 0.9 with values 5, 3 (crossed): at 0.5, t = 0.5 → 5 + 0.5·(3 − 5) = 4
    expect(interpolateQuantile([0.1, 0.9], [5, 3], 0.5)).toBeCloseTo(4, 12);
  });

  it('rejects bad levels and lengths', () => {
    expect(() => interpolateQuantile([0.5, 0.5], [1, 2], 0.5)).toThrow(/strictly increasing/);
    expect(() => interpolateQuantile([0.9, 0.1], [1, 2], 0.5)).toThrow(LossInputError);
    expect(() => interpolateQuantile([0, 0.5], [1, 2], 0.5)).toThrow(/levels\[0\]/);
    expect(() => interpolateQuantile([], [], 0.5)).toThrow(/empty/);
    expect(() => interpolateQuantile([0.1, 0.9], [1], 0.5)).toThrow(/2 levels but 1 values/);
  });

  it('never overshoots the upper bracketing value (rounding regression)', () => {
    // Found by search: (0.9899…9 − 0.3)/(0.99 − 0.3) rounds to t = 1, and lo + (hi − lo) rounds
    // to 0.46875903012147546 > hi, so an unclamped lerp just below 0.99 exceeds the value at 0.99.
    const ls = [0.3, 0.99];
    const vs = [-424.5410723232662, 0.46875903012145975];
    const justBelow = 0.9899999999999999;
    expect(interpolateQuantile(ls, vs, justBelow)).toBeLessThanOrEqual(interpolateQuantile(ls, vs, 0.99));
  });

  it.each([0, 1, Number.NaN])('rejects level = %s', (l) => {
    expect(() => interpolateQuantile(levels, values, l)).toThrow(LossInputError);
  });

  describe('properties', () => {
    it('is monotone in the level when the values are monotone', () => {
      fc.assert(
        fc.property(monotoneQuantiles, level, level, ({ levels: ls, values: vs }, a, b) => {
          const [low, high] = a < b ? [a, b] : [b, a];
          expect(interpolateQuantile(ls, vs, low)).toBeLessThanOrEqual(interpolateQuantile(ls, vs, high));
        }),
      );
    });

    it('reproduces every model level exactly', () => {
      fc.assert(
        fc.property(monotoneQuantiles, ({ levels: ls, values: vs }) =>
          ls.every((l, i) => interpolateQuantile(ls, vs, l) === vs[i]),
        ),
      );
    });

    it('stays within the range of the values, even when they cross', () => {
      const unsorted = quantileLevels.chain((ls) =>
        fc.array(value, { minLength: ls.length, maxLength: ls.length }).map((vs) => ({ ls, vs })),
      );
      fc.assert(
        fc.property(unsorted, level, ({ ls, vs }, l) => {
          const v = interpolateQuantile(ls, vs, l);
          return v >= Math.min(...vs) && v <= Math.max(...vs);
        }),
      );
    });
  });
});

describe('interpolateQuantileRow', () => {
  const levels = [0.1, 0.5, 0.9];
  // two steps × three levels, row-major
  const matrix = Float32Array.of(10, 20, 40, 1, 2, 4);

  it('interpolates every step of a [horizon × nLevels] matrix', () => {
    // step 0: 20 + 0.625·20 = 32.5; step 1: 2 + 0.625·2 = 3.25
    expect(Array.from(interpolateQuantileRow(levels, matrix, 3, 2, 0.75))).toEqual([32.5, 3.25]);
  });

  it('writes into a caller buffer when given one', () => {
    const out = new Float32Array(2);
    expect(interpolateQuantileRow(levels, matrix, 3, 2, 0.5, out)).toBe(out);
    expect(Array.from(out)).toEqual([20, 2]);
  });

  it('rejects inconsistent shapes', () => {
    expect(() => interpolateQuantileRow(levels, matrix, 3, 3, 0.5)).toThrow(/horizon × nLevels/);
    expect(() => interpolateQuantileRow(levels, matrix, 2, 3, 0.5)).toThrow(/nLevels is 2/);
    expect(() => interpolateQuantileRow(levels, matrix, 3, 2, 0.5, new Float32Array(3))).toThrow(/out has length 3/);
    expect(() => interpolateQuantileRow(levels, matrix, 3, 2, 1)).toThrow(LossInputError);
  });

  it('agrees step by step with interpolateQuantile (float32 storage)', () => {
    const problem = quantileLevels.chain((ls) =>
      fc.integer({ min: 0, max: 8 }).chain((horizon) =>
        fc
          .array(fc.float({ min: -1e6, max: 1e6, noNaN: true }), {
            minLength: horizon * ls.length,
            maxLength: horizon * ls.length,
          })
          .map((cells) => ({ ls, horizon, matrix: Float32Array.from(cells) })),
      ),
    );
    fc.assert(
      fc.property(problem, level, ({ ls, horizon, matrix: m }, l) => {
        const row = interpolateQuantileRow(ls, m, ls.length, horizon, l);
        expect(row.length).toBe(horizon);
        for (let h = 0; h < horizon; h++) {
          const cells = m.subarray(h * ls.length, (h + 1) * ls.length);
          expect(row[h]).toBe(Math.fround(interpolateQuantile(ls, cells, l)));
        }
      }),
    );
  });

  it('is monotone in the level for monotone float32 rows', () => {
    const rows = monotoneQuantiles.map(({ levels: ls, values: vs }) => ({
      ls,
      m: Float32Array.from(vs, Math.fround),
    }));
    fc.assert(
      fc.property(rows, level, level, ({ ls, m }, a, b) => {
        const [low, high] = a < b ? [a, b] : [b, a];
        const lowRow = interpolateQuantileRow(ls, m, ls.length, 1, low);
        const highRow = interpolateQuantileRow(ls, m, ls.length, 1, high);
        expect(lowRow[0]).toBeLessThanOrEqual(highRow[0]);
      }),
    );
  });
});
