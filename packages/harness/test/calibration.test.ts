/**
 * `options.calibration: 'conformal'` (calibration.ts): split-conformal shifts of the α-quantile
 * path and of the peak from cross-fitted validation residuals. A fake forecaster whose α-quantile
 * is biased low by a known constant on noise of known distribution: the shift recovers the bias
 * and the shifted forecast covers a synthetic future at about α; residuals are cross-fitted; the
 * peak is calibrated as a peak; cold start records that nothing was shifted.
 */
import type { ForecastRow } from '@tsfm/tsfm-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  conformalShift,
  Harness,
  type CalibrationMethod,
  type HarnessRequest,
  type HarnessResult,
} from '../src/index.js';
import { appendResiduals, crossFittedResiduals, shiftPath } from '../src/calibration.js';
import type { CandidateSet } from '../src/candidates.js';
import type { Scores } from '../src/scoring.js';
import { selectWinners } from '../src/select.js';
import { Mulberry32, scrambleSeed } from '@tsfm/numerics';
import { FREE, GRID, X, Y } from './helpers/three-configs.js';
import { familyOf, FakeForecaster, flatMatrix, lastValue, naive, type Predict } from './helpers/fake-forecaster.js';
import { METRICS, syntheticTenant } from '../../../test-fixtures/tenants.js';

const LEVEL = 10;
const BIAS = 0.5;

/** LEVEL + Uniform(−1, 1) noise, seeded; `n` history points followed by `future` more. */
function noisySeries(n: number, future: number, seed: number): Float32Array {
  const rng = new Mulberry32(scrambleSeed(seed));
  return Float32Array.from({ length: n + future }, () => LEVEL + (2 * rng.next() - 1));
}

/**
 * Every config: the true Uniform(−1, 1) quantiles around LEVEL, minus BIAS — so the α-quantile
 * is BIAS too low everywhere (validation and final alike), whichever config wins.
 */
const biasedLow: Predict = (row, levels) => {
  const out = new Float32Array(row.horizon * levels.length);
  for (let t = 0; t < row.horizon; t++)
    levels.forEach((p, l) => (out[t * levels.length + l] = LEVEL + (2 * p - 1) - BIAS));
  return out;
};

async function harnessWith(predict: Predict) {
  const fake = new FakeForecaster(predict);
  return { fake, harness: await Harness.create(fake, { grid: GRID, costModel: FREE(), budgetMode: 'measure' }) };
}

/** The fields a caller reads; timings and budget vary by run. */
const deterministic = (r: HarnessResult) => ({
  forecast: r.forecast,
  quantiles: Object.fromEntries(Object.entries(r.quantiles).map(([m, q]) => [m, q.quantiles])),
  winner: r.winner,
  tenantWinner: r.tenantWinner,
  tried: r.tried,
  fallbacks: r.fallbacks,
  skipped: r.skipped,
  notes: r.notes,
  path: r.path,
  modelRows: r.modelRows,
  forecasterCalls: r.forecasterCalls,
});

describe('conformalShift', () => {
  it('is the ⌈(n + 1)·α⌉-th smallest residual; capped at the largest when that rank exceeds n; 0 without residuals', () => {
    const r = [5, 1, 4, 2, 3, 9, 8, 7, 6, 10]; // 1 … 10
    expect(conformalShift(r, 0.5)).toEqual({ shift: 6, n: 10, capped: false }); // ⌈5.5⌉ = 6
    expect(conformalShift(r, 0.9)).toEqual({ shift: 10, n: 10, capped: false }); // ⌈9.9⌉ = 10
    expect(conformalShift(r, 0.95)).toEqual({ shift: 10, n: 10, capped: true }); // ⌈10.45⌉ = 11 > 10
    expect(conformalShift([Number.NaN, 2, Number.NaN], 0.5)).toEqual({ shift: 2, n: 1, capped: false });
    expect(conformalShift([], 0.9)).toEqual({ shift: 0, n: 0, capped: false });
  });

  const residuals = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 });
  const alpha = fc.double({ min: 0.01, max: 0.99, noNaN: true });

  it('property: monotone (non-decreasing) in α for fixed residuals', () => {
    fc.assert(
      fc.property(residuals, alpha, alpha, (r, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(conformalShift(r, lo).shift).toBeLessThanOrEqual(conformalShift(r, hi).shift);
      }),
    );
  });

  it('property: zero residuals give zero shift, and a constant residual c gives c', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        alpha,
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        (n, a, c) => {
          expect(Object.is(conformalShift(new Array<number>(n).fill(0), a).shift, 0)).toBe(true);
          expect(conformalShift(new Array<number>(n).fill(c), a).shift).toBe(c + 0);
        },
      ),
    );
  });

  it('property: at least ⌈(n + 1)·α⌉ ∧ n residuals are ≤ the shift (the conformal coverage count)', () => {
    fc.assert(
      fc.property(residuals, alpha, (r, a) => {
        const { shift, n } = conformalShift(r, a);
        expect(r.filter((x) => x <= shift).length).toBeGreaterThanOrEqual(Math.min(Math.ceil((n + 1) * a), n));
      }),
    );
  });

  it('residuals skip missing actuals; the shifted path is floored at 0 only for non-negative series', () => {
    const out: number[] = [];
    appendResiduals(new Float32Array([3, Number.NaN, 1]), new Float32Array([1, 1, 2]), out);
    expect(out).toEqual([2, -1]);
    expect(Array.from(shiftPath(new Float32Array([0.5, 2]), -1, true))).toEqual([0, 1]);
    expect(Array.from(shiftPath(new Float32Array([0.5, 2]), -1, false))).toEqual([-0.5, 1]);
  });
});

describe("calibration: 'conformal'", () => {
  const W = 8; // 8 validation hours: n = 480 residuals, so the bias estimate is tight enough to test
  const h = 60;
  const n = 1000;
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const request = (values: Float32Array, alpha: number, calibration?: CalibrationMethod): HarnessRequest => ({
    history: { id: 'noisy', metrics: { cpu: values.subarray(0, n) } },
    horizon: h,
    alpha,
    k: 8,
    budgetMs: 1e9,
    options: { validationWindows: W, members: [], ...(calibration === undefined ? {} : { calibration }) },
  });

  for (const alpha of [0.9, 0.75]) {
    it(`α = ${alpha}: recovers the known bias and brings coverage of a synthetic future to about α`, async () => {
      const { fake, harness } = await harnessWith(biasedLow);
      let coveredRaw = 0;
      let coveredCal = 0;
      let cells = 0;
      for (const seed of seeds) {
        const values = noisySeries(n, h, seed);
        const r = await harness.forecast(request(values, alpha, 'conformal'));
        expect(r.calibration.method).toBe('conformal');
        const c = r.calibration.metrics.cpu!;
        expect(c.residuals).toBe(W * h);
        expect(c.residualSource).toBe('cross-fitted');
        expect(r.calibration.unshifted).toEqual([]);
        // The α-quantile of Uniform(−1, 1) residuals + BIAS is BIAS (standard error ≈ 0.03 at n = 480).
        expect(Math.abs(c.shift - BIAS)).toBeLessThan(0.12);
        const raw = r.quantiles.cpu!.quantileAt(alpha);
        for (let t = 0; t < h; t++) {
          expect(r.forecast.cpu![t]).toBeCloseTo(raw[t]! + c.shift, 5);
          const y = values[n + t]!;
          coveredRaw += y <= raw[t]! ? 1 : 0;
          coveredCal += y <= r.forecast.cpu![t]! ? 1 : 0;
          cells++;
        }
      }
      // No extra model call: one forecastBatch per request.
      expect(fake.calls).toBe(seeds.length);
      // Uncalibrated coverage is α − BIAS·density = α − 0.25; calibrated ≈ α (slightly above: the
      // finite-sample rank). 720 future cells: standard error ≈ 0.015.
      expect(coveredRaw / cells).toBeLessThan(alpha - 0.15);
      expect(Math.abs(coveredCal / cells - alpha)).toBeLessThan(0.06);
    });
  }

  it("'conformal-scaled': residuals in units of the forecast's spread; on constant-spread noise it recovers the bias like 'conformal'", async () => {
    const { harness } = await harnessWith(biasedLow);
    const values = noisySeries(n, 0, 7);
    const plain = await harness.forecast(request(values, 0.9, 'conformal'));
    const scaled = await harness.forecast(request(values, 0.9, 'conformal-scaled'));
    // biasedLow's spread q_0.9 − q_0.1 is 2·0.8 = 1.6 at every step: the scaled shift is the plain one / 1.6.
    expect(scaled.calibration.metrics.cpu!.shift).toBeCloseTo(plain.calibration.metrics.cpu!.shift / 1.6, 4);
    expect(Array.from(scaled.forecast.cpu!).map((v) => +v.toFixed(4))).toEqual(
      Array.from(plain.forecast.cpu!).map((v) => +v.toFixed(4)),
    );
    expect(scaled.peak.cpu!.value).toBeCloseTo(plain.peak.cpu!.value, 4);
  });

  it("'none' leaves the α-quantile of the chosen matrix, and the peak its maximum", async () => {
    const { harness } = await harnessWith(biasedLow);
    const values = noisySeries(n, 0, 3);
    const none = await harness.forecast(request(values, 0.9, 'none'));
    expect(none.calibration).toEqual({ method: 'none', metrics: {}, unshifted: [] });
    const path = none.quantiles.cpu!.quantileAt(0.9);
    expect(Array.from(none.forecast.cpu!)).toEqual(Array.from(path));
    expect(none.peak.cpu).toEqual({
      horizon: h,
      value: Math.max(...path),
      raw: Math.max(...path),
      shift: 0,
      online: 0,
    });
  });

  it('the model distribution (result.quantiles), the winner and the model rows are the same with and without calibration', async () => {
    const { harness } = await harnessWith(biasedLow);
    const values = noisySeries(n, 0, 4);
    const a = deterministic(await harness.forecast(request(values, 0.9, 'none')));
    const b = deterministic(await harness.forecast(request(values, 0.9, 'conformal')));
    expect(b.quantiles).toEqual(a.quantiles);
    expect(b.winner).toEqual(a.winner);
    expect(b.modelRows).toBe(a.modelRows);
    expect(b.forecasterCalls).toBe(1);
    expect(b.forecast).not.toEqual(a.forecast);
  });

  it("residuals are cross-fitted: window o's come from the candidate chosen without window o", () => {
    // Three candidates, three windows, one metric. Window losses (c0 is the default):
    //   c0 [1.2, 1.2, 1.2]   c1 [0, 2, 2]   c2 [2, 0.5, 0.5]
    // Chosen on all windows: c2 (mean 1.0). Without window 1: c2 (0.5); without 2 or 3: c1 (1.0).
    // Each candidate forecasts a constant v_c at every level (v = 10, 1, 2) and the actuals are 0,
    // so window 1 contributes −2 (c2's) per minute and windows 2 and 3 contribute −1 (c1's).
    const h = 4;
    const O = 4;
    const levels = [0.1, 0.5, 0.9];
    const v = [10, 1, 2];
    const set: CandidateSet = {
      info: v.map((_, c) => ({ key: `c${c}`, config: null, model: null, source: 'statistical' as const })),
      modelCount: 0,
      metricCount: 1,
      originCount: O,
      horizon: h,
      levels,
      matrix: (c) => new Float32Array(h * levels.length).fill(v[c]!),
    };
    const windowLosses = [
      [1.2, 1.2, 1.2],
      [0, 2, 2],
      [2, 0.5, 0.5],
    ];
    const windowLoss = new Float64Array(3 * O).fill(Number.NaN);
    windowLosses.forEach((w, c) => w.forEach((l, i) => (windowLoss[c * O + i + 1] = l)));
    const scores: Scores = {
      loss: Float64Array.from(windowLosses, (w) => w.reduce((a, b) => a + b, 0) / 3),
      status: new Uint8Array(3),
      windowLoss,
      windowsPerMetric: Int32Array.from([3]),
    };
    const selection = selectWinners({ set, scores, metricNames: ['cpu'], selection: 'per-tenant' });
    expect(selection.winnerPos[0]).toBe(2);
    const actual = [null, ...[1, 2, 3].map(() => new Float32Array(h))];
    const residuals = crossFittedResiduals(
      {
        set,
        alpha: 0.9,
        actual,
        scorable: Uint8Array.from([0, 1, 1, 1]),
        top: 1,
        combine: 'median',
        leaveOut: selection.scoreWithout,
        fullScore: selection.selectionScore,
        fullFirst: (m) => selection.winnerPos[m]!,
        peakHorizon: 2,
        scaled: false,
        scales: Float64Array.from([1]),
      },
      0,
    );
    if (typeof residuals === 'string') throw new Error(residuals);
    expect(residuals.source).toBe('cross-fitted');
    expect(residuals.minute).toEqual([...new Array(h).fill(-2), ...new Array(2 * h).fill(-1)]);
    // The winner's own (in-sample) residuals would all be −2.
    // Peaks over 2 minutes starting every ⌈2/2⌉ = 1 minute: 3 per window.
    expect(residuals.peak).toEqual([-2, -2, -2, -1, -1, -1, -1, -1, -1]);
  });

  it('the peak over the decision horizon is calibrated as a peak: its shift exceeds the per-minute one on noise', async () => {
    const { harness } = await harnessWith(biasedLow);
    const values = noisySeries(n, 0, 6);
    const r = await harness.forecast({
      ...request(values, 0.9, 'conformal'),
      options: { validationWindows: W, members: [], peakHorizon: 15 },
    });
    const c = r.calibration.metrics.cpu!;
    // The max of 15 Uniform(−1, 1) draws is above the 0.9-quantile of one draw most of the time.
    expect(c.peakShift).toBeGreaterThan(c.shift);
    // Sub-windows of 15 minutes every 8 minutes: 6 per 60-minute window.
    expect(c.peakResiduals).toBe(6 * W);
    const raw = Math.max(...r.quantiles.cpu!.quantileAt(0.9).subarray(0, 15));
    expect(r.peak.cpu!.horizon).toBe(15);
    expect(r.peak.cpu!.raw).toBeCloseTo(raw, 6);
    expect(r.peak.cpu!.value).toBeCloseTo(raw + c.peakShift, 5);
  });

  it('cold start: nothing to calibrate from, every metric recorded as unshifted', async () => {
    const { harness } = await harnessWith(biasedLow);
    const values = noisySeries(100, 0, 5);
    const r = await harness.forecast({ history: { values }, horizon: 60, alpha: 0.9, budgetMs: 1e9 });
    expect(r.path).toBe('cold-start-default');
    expect(r.calibration.metrics).toEqual({});
    expect(r.calibration.unshifted.map((u) => u.metric)).toEqual(['value']);
    expect(Array.from(r.forecast.value!)).toEqual(Array.from(r.quantiles.value!.quantileAt(0.9)));
  });
});
