import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LossInputError, mae, mase, owa, rmse, smape } from '../src/index.js';
import { closeRel, pairedSeries, value } from './arbitraries.js';

const NaN_ = Number.NaN;

describe('mae and rmse', () => {
  // errors y − ŷ: −1, 0, −2, 4
  const actual = [1, 2, 3, 4];
  const forecast = [2, 2, 5, 0];

  it('mae is the mean absolute error', () => {
    // (1 + 0 + 2 + 4) / 4 = 1.75
    expect(mae(actual, forecast)).toBe(1.75);
  });

  it('rmse is the root mean squared error', () => {
    // √((1 + 0 + 4 + 16) / 4) = √5.25
    expect(rmse(actual, forecast)).toBeCloseTo(Math.sqrt(5.25), 12);
  });

  it('skip missing actuals and propagate NaN forecasts', () => {
    // observed (1, 2) and (4, 0): (1 + 4)/2 = 2.5; √((1 + 16)/2) = √8.5
    expect(mae([1, NaN_, NaN_, 4], forecast)).toBe(2.5);
    expect(rmse([1, NaN_, NaN_, 4], forecast)).toBeCloseTo(Math.sqrt(8.5), 12);
    expect(mae([NaN_], [1])).toBeNaN();
    expect(rmse([NaN_], [1])).toBeNaN();
    expect(mae([1, 2], [1, NaN_])).toBeNaN();
    expect(rmse([1, 2], [1, NaN_])).toBeNaN();
  });

  it('reject mismatched or empty input', () => {
    expect(() => mae([1, 2], [1])).toThrow(LossInputError);
    expect(() => rmse([1, 2], [1])).toThrow(LossInputError);
    expect(() => mae([], [])).toThrow(LossInputError);
    expect(() => rmse([], [])).toThrow(LossInputError);
  });

  it('rmse ≥ mae ≥ 0, both 0 for a perfect forecast', () => {
    fc.assert(
      fc.property(pairedSeries, ([ys, fs]) => {
        const a = mae(ys, fs);
        expect(a).toBeGreaterThanOrEqual(0);
        expect(rmse(ys, fs)).toBeGreaterThanOrEqual(a * (1 - 1e-12));
        expect(mae(ys, ys)).toBe(0);
        expect(rmse(ys, ys)).toBe(0);
      }),
    );
  });
});

describe('smape', () => {
  it('follows the M4 definition in percent', () => {
    // 200·|100 − 110| / (100 + 110) = 2000/210; the 0/0 term counts 0 → (2000/210 + 0)/2
    expect(smape([100, 0], [110, 0])).toBeCloseTo(1000 / 210, 12);
  });

  it('reaches 200 when one side is zero', () => {
    // 200·|1 − 0| / (1 + 0) = 200
    expect(smape([1], [0])).toBe(200);
    expect(smape([0], [-3])).toBe(200);
  });

  it('counts a 0/0 term as 0 but still averages over it', () => {
    // terms: 0 (0/0) and 200·2/(4 + 6) = 40 → 20
    expect(smape([0, 4], [0, 6])).toBeCloseTo(20, 12);
  });

  it('skips missing actuals and propagates NaN forecasts', () => {
    expect(smape([NaN_, 4], [100, 6])).toBeCloseTo(40, 12);
    expect(smape([0, 4], [NaN_, 6])).toBeNaN();
  });

  it('rejects mismatched input', () => {
    expect(() => smape([1], [1, 2])).toThrow(LossInputError);
  });

  it('lies in [0, 200] and is symmetric in actual and forecast', () => {
    fc.assert(
      fc.property(pairedSeries, ([ys, fs]) => {
        const s = smape(ys, fs);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(200 * (1 + 1e-12));
        expect(closeRel(s, smape(fs, ys), 1e-12)).toBe(true);
      }),
    );
  });
});

describe('mase', () => {
  it('divides the MAE by the in-sample seasonal naive MAE', () => {
    // scale of [1..6] at lag 2 = 2; MAE([8, 9], [7, 11]) = (1 + 2)/2 = 1.5 → 0.75
    expect(mase([1, 2, 3, 4, 5, 6], [8, 9], [7, 11], 2)).toBe(0.75);
  });

  it('returns the literal quotient for a constant history (M4 leaves it undefined)', () => {
    expect(mase([3, 3, 3], [4], [3], 1)).toBe(Number.POSITIVE_INFINITY);
    expect(mase([3, 3, 3], [3], [3], 1)).toBeNaN();
  });

  it('is NaN when the history is too short for any scale', () => {
    expect(mase([3], [4], [3], 1)).toBeNaN();
  });

  it('rejects bad input', () => {
    expect(() => mase([1, 2, 3], [1, 2], [1], 1)).toThrow(LossInputError);
    expect(() => mase([1, 2, 3], [1], [1], 0)).toThrow(/seasonal period/);
  });

  it('is 1 for the seasonal naive forecast on a series that repeats its seasonal differences', () => {
    // A linear trend has every lag-m difference equal to m·slope, so the naive forecast
    // y_{T+h} = y_{T+h−m} (h ≤ m) errs by exactly m·slope: MASE = 1.
    const slope = fc.double({ min: 0.01, max: 100, noNaN: true });
    fc.assert(
      fc.property(slope, fc.integer({ min: 1, max: 12 }), (b, m) => {
        const history = Array.from({ length: 3 * m }, (_, t) => b * t);
        const actual = Array.from({ length: m }, (_, h) => b * (3 * m + h));
        const naive = Array.from({ length: m }, (_, h) => history[3 * m + h - m]);
        return closeRel(mase(history, actual, naive, m), 1, 1e-9);
      }),
    );
  });
});

describe('owa', () => {
  it('averages the sMAPE and MASE ratios to Naive2', () => {
    // ½(12/16 + 0.9/1.2) = ½(0.75 + 0.75) = 0.75
    expect(owa(12, 0.9, 16, 1.2)).toBeCloseTo(0.75, 12);
    expect(owa(16, 1.2, 16, 1.2)).toBe(1);
  });

  it.each([
    [0, 1],
    [1, 0],
    [NaN_, 1],
    [1, Number.POSITIVE_INFINITY],
  ])('rejects Naive2 references (%s, %s)', (s, m) => {
    expect(() => owa(1, 1, s, m)).toThrow(LossInputError);
  });

  it('propagates a NaN metric', () => {
    expect(owa(NaN_, 1, 1, 1)).toBeNaN();
  });
});

describe('worked M4 example: a tiny seasonal series (m = 2)', () => {
  // history with season 2:  10 20 12 22 14 24
  // lag-2 differences:      |12−10| |22−20| |14−12| |24−22| = 2 2 2 2 → in-sample scale 2
  // next two actuals:       16 26
  // forecast:               15 28  → absolute errors 1, 2 → MAE 1.5
  const history = [10, 20, 12, 22, 14, 24];
  const actual = [16, 26];
  const forecast = [15, 28];

  it('sMAPE = mean of 200·|y − ŷ| / (|y| + |ŷ|)', () => {
    // 200·1/(16 + 15) = 6.4516…, 200·2/(26 + 28) = 7.4074… → mean 6.9295…
    expect(smape(actual, forecast)).toBeCloseTo((200 / 31 + 400 / 54) / 2, 12);
    expect(smape(actual, forecast)).toBeCloseTo(6.929510155, 8);
  });

  it('MASE = MAE / in-sample seasonal naive MAE', () => {
    // 1.5 / 2 = 0.75
    expect(mase(history, actual, forecast, 2)).toBe(0.75);
  });

  it('OWA against given Naive2 scores (sMAPE 10, MASE 1.5)', () => {
    // ½(6.9295…/10 + 0.75/1.5) = ½(0.69295… + 0.5) = 0.59647…
    const s = smape(actual, forecast);
    const m = mase(history, actual, forecast, 2);
    expect(owa(s, m, 10, 1.5)).toBeCloseTo(0.5 * ((200 / 31 + 400 / 54) / 2 / 10 + 0.5), 12);
  });

  it('the seasonal naive forecast itself scores MASE = 1 here', () => {
    // naive: ŷ = y_{t−2} = 14, 24 → errors 2, 2 → MAE 2 → 2 / 2 = 1
    expect(mase(history, actual, [14, 24], 2)).toBe(1);
  });
});

describe('value generator sanity', () => {
  it('produces both signs (so the properties above see negative series)', () => {
    const xs = fc.sample(value, 200);
    expect(xs.some((x) => x < 0) && xs.some((x) => x > 0)).toBe(true);
  });
});
