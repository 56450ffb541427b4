/**
 * `options.calibration: 'validation-shift'` (calibration.ts): one-sided CQR on the used config's
 * validation residuals. A fake forecaster whose α-quantile is biased low by a known constant on
 * noise of known distribution: the shift recovers the bias and the shifted forecast covers a
 * synthetic future at about α; 'none' is exactly the request without the option; the shift
 * follows the guard's fallback; cold start records that nothing was shifted.
 */
import { configKey, type ForecastRow } from '@tsfm/tsfm-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conformalShift, Harness, type HarnessRequest, type HarnessResult } from '../src/index.js';
import { appendResiduals, shiftPath } from '../src/calibration.js';
import { SeededRandom } from '../src/seeded-random.js';
import { FREE, GRID, X, Y } from './helpers/three-configs.js';
import { familyOf, FakeForecaster, flatMatrix, lastValue, naive, type Predict } from './helpers/fake-forecaster.js';
import { METRICS, syntheticTenant } from './helpers/tenants.js';

const LEVEL = 10;
const BIAS = 0.5;

/** LEVEL + Uniform(−1, 1) noise, seeded; `n` history points followed by `future` more. */
function noisySeries(n: number, future: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed);
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
  return { fake, harness: await Harness.create(fake, { grid: GRID, costModel: FREE() }) };
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

describe("calibration: 'validation-shift'", () => {
  const W = 8; // 8 validation hours: n = 480 residuals, so the bias estimate is tight enough to test
  const h = 60;
  const n = 1000;
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const request = (values: Float32Array, alpha: number, calibration?: 'none' | 'validation-shift'): HarnessRequest => ({
    history: { id: 'noisy', metrics: { cpu: values.subarray(0, n) } },
    horizon: h,
    alpha,
    k: 8,
    budgetMs: 1e9,
    options: { validationWindows: W, ...(calibration === undefined ? {} : { calibration }) },
  });

  for (const alpha of [0.9, 0.75]) {
    it(`α = ${alpha}: recovers the known bias and brings coverage of a synthetic future to about α`, async () => {
      const { fake, harness } = await harnessWith(biasedLow);
      let coveredRaw = 0;
      let coveredCal = 0;
      let cells = 0;
      for (const seed of seeds) {
        const values = noisySeries(n, h, seed);
        const r = await harness.forecast(request(values, alpha, 'validation-shift'));
        expect(r.calibration.method).toBe('validation-shift');
        expect(r.calibration.residuals.cpu).toBe(W * h);
        expect(r.calibration.configs.cpu).toBe(r.winner.cpu!.key);
        expect(r.calibration.unshifted).toEqual([]);
        // The α-quantile of Uniform(−1, 1) residuals + BIAS is BIAS (standard error ≈ 0.03 at n = 480).
        expect(Math.abs(r.calibration.shifts.cpu! - BIAS)).toBeLessThan(0.12);
        const raw = r.quantiles.cpu!.quantileAt(alpha);
        for (let t = 0; t < h; t++) {
          expect(r.forecast.cpu![t]).toBeCloseTo(raw[t]! + r.calibration.shifts.cpu!, 5);
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

  it("'none' returns exactly the request without the option (and the α-quantile of the winner's matrix)", async () => {
    const { harness } = await harnessWith(biasedLow);
    const values = noisySeries(n, 0, 3);
    const without = await harness.forecast(request(values, 0.9));
    const none = await harness.forecast(request(values, 0.9, 'none'));
    expect(deterministic(none)).toEqual(deterministic(without));
    expect(none.calibration).toEqual({
      method: 'none',
      shifts: {},
      residuals: {},
      configs: {},
      capped: [],
      unshifted: [],
    });
    expect(Array.from(none.forecast.cpu!)).toEqual(Array.from(none.quantiles.cpu!.quantileAt(0.9)));
    // On a four-metric tenant with the rigged-free naive forecaster, too.
    const { harness: h2 } = await harnessWith(naive);
    const tenant = syntheticTenant(3000, 5);
    const base: HarnessRequest = { history: tenant, horizon: 60, alpha: 0.75, k: 16, budgetMs: 1e9 };
    expect(deterministic(await h2.forecast({ ...base, options: { calibration: 'none' } }))).toEqual(
      deterministic(await h2.forecast(base)),
    );
  });

  it('the model distribution (result.quantiles), the winner and the model rows are the same with and without calibration', async () => {
    const { harness } = await harnessWith(biasedLow);
    const values = noisySeries(n, 0, 4);
    const a = deterministic(await harness.forecast(request(values, 0.9)));
    const b = deterministic(await harness.forecast(request(values, 0.9, 'validation-shift')));
    expect(b.quantiles).toEqual(a.quantiles);
    expect(b.winner).toEqual(a.winner);
    expect(b.modelRows).toBe(a.modelRows);
    expect(b.forecasterCalls).toBe(1);
    expect(b.forecast).not.toEqual(a.forecast);
  });

  it('after a final-forecast-guard fallback, the shift is that of the config actually used', async () => {
    // X forecasts the truth on validation (zero residuals) but NaN on its final row; Y, the
    // fallback, forecasts half-way between the truth and the last value on validation.
    const isFinal = (row: ForecastRow): boolean => (row.end ?? row.values.length) === row.values.length;
    const truth = (row: ForecastRow, t: number): number => {
      const end = row.end ?? row.values.length;
      return end + t < row.values.length ? row.values[end + t]! : lastValue(row);
    };
    const rigged: Predict = (row, levels) => {
      const fam = familyOf(row.config);
      if (fam === familyOf(X)) {
        if (!isFinal(row)) return flatMatrix(row.horizon, levels, (t) => truth(row, t));
        const m = naive(row, levels);
        m[m.length - 1] = Number.NaN;
        return m;
      }
      if (fam === familyOf(Y)) return flatMatrix(row.horizon, levels, (t) => (truth(row, t) + lastValue(row)) / 2);
      return naive(row, levels);
    };
    const { harness } = await harnessWith(rigged);
    const tenant = syntheticTenant(3000, 5);
    const r = await harness.forecast({
      history: tenant,
      horizon: 60,
      alpha: 0.9,
      k: 16,
      budgetMs: 1e9,
      options: { calibration: 'validation-shift' },
    });
    expect(r.fallbacks).toHaveLength(METRICS.length);
    for (const m of METRICS) {
      expect(r.winner[m]!.key).toBe(configKey(r.winner[m]!.config));
      expect(familyOf(r.winner[m]!.config)).toBe(familyOf(Y));
      expect(r.calibration.configs[m]).toBe(r.winner[m]!.key);
      // Y's residuals are half the truth's move away from the last value: not X's zero residuals.
      const values = tenant.metrics[m]!;
      const last = values[values.length - 61]!;
      const residuals = Array.from(values.subarray(values.length - 60), (y) => y - Math.fround((y + last) / 2));
      expect(r.calibration.shifts[m]).toBeCloseTo(conformalShift(residuals, 0.9).shift, 3);
      expect(r.calibration.shifts[m]).not.toBe(0);
    }
  });

  it('cold start: nothing to calibrate from, every metric recorded as unshifted', async () => {
    const { harness } = await harnessWith(biasedLow);
    const values = noisySeries(100, 0, 5);
    const r = await harness.forecast({
      history: { values },
      horizon: 60,
      alpha: 0.9,
      budgetMs: 1e9,
      options: { calibration: 'validation-shift' },
    });
    expect(r.path).toBe('cold-start-default');
    expect(r.calibration.shifts).toEqual({});
    expect(r.calibration.unshifted.map((u) => u.metric)).toEqual(['value']);
    expect(Array.from(r.forecast.value!)).toEqual(Array.from(r.quantiles.value!.quantileAt(0.9)));
  });
});
