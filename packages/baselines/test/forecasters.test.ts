/**
 * The one-surface contract, checked for every baseline alike, plus known-answer checks per model.
 * Fixtures are small (≤ 20 days hourly) so the whole file runs in a few seconds.
 */
import { describe, expect, it } from 'vitest';
import { arimaForecaster } from '../src/models/arima.js';
import { mstlEtsForecaster } from '../src/models/mstl-ets.js';
import { naive2Forecaster } from '../src/models/naive2.js';
import { naiveForecaster, seasonalNaiveForecaster } from '../src/models/naive.js';
import { prophetForecaster } from '../src/models/prophet.js';
import { BASELINE_NAMES, createBaseline } from '../src/registry.js';
import { DEFAULT_LEVELS, ForecastInputError, forecastAll, type Forecaster } from '../src/types.js';
import { add, linear, maxAbsDiff, noise, rowsNonDecreasing, sinusoid } from './helpers/series.js';

// Eight days hourly: enough for a seasonal ARIMA (≥ 3 cycles) while keeping its search fast.
const seasonalNoisy = add(sinusoid(24 * 8, 24), noise(24 * 8, 42, 0.3));

describe.each(BASELINE_NAMES.map((name) => [name]))('%s: the Forecaster contract', (name) => {
  const model: Forecaster = createBaseline(name);

  it('is named as registered', () => {
    expect(model.name).toBe(name);
  });

  it('returns h points and an [h × levels] non-crossing finite quantile matrix', async () => {
    const f = await model.forecast({ history: seasonalNoisy, horizon: 30, period: 24 });
    expect(f.point).toBeInstanceOf(Float32Array);
    expect(f.point.length).toBe(30);
    expect(f.levels).toEqual(DEFAULT_LEVELS);
    expect(f.quantiles.length).toBe(30 * DEFAULT_LEVELS.length);
    expect(f.quantiles.every(Number.isFinite)).toBe(true);
    expect(f.point.every(Number.isFinite)).toBe(true);
    expect(rowsNonDecreasing(f.quantiles, DEFAULT_LEVELS.length)).toBe(true);
  });

  it('honours custom levels', async () => {
    const levels = [0.25, 0.5, 0.75];
    const f = await model.forecast({ history: seasonalNoisy, horizon: 5, period: 24, levels });
    expect(f.levels).toEqual(levels);
    expect(f.quantiles.length).toBe(15);
    expect(rowsNonDecreasing(f.quantiles, 3)).toBe(true);
  });

  it('forecasts through NaNs in the history (leading, interior and trailing)', async () => {
    const history = seasonalNoisy.slice();
    history[0] = NaN;
    history.fill(NaN, 100, 110);
    history[history.length - 1] = NaN;
    const f = await model.forecast({ history, horizon: 12, period: 24 });
    expect(f.point.every(Number.isFinite)).toBe(true);
    expect(f.quantiles.every(Number.isFinite)).toBe(true);
  });

  it('forecasts a constant series as that constant', async () => {
    const f = await model.forecast({ history: new Float32Array(24 * 6).fill(7), horizon: 6, period: 24 });
    expect(maxAbsDiff(f.point, new Float32Array(6).fill(7))).toBeLessThan(1e-3);
    expect(f.quantiles.every(Number.isFinite)).toBe(true);
  });

  it('is deterministic', async () => {
    const a = await model.forecast({ history: seasonalNoisy, horizon: 8, period: 24 });
    const b = await model.forecast({ history: seasonalNoisy, horizon: 8, period: 24 });
    expect(Array.from(a.quantiles)).toEqual(Array.from(b.quantiles));
  });

  it('rejects invalid input with ForecastInputError', async () => {
    await expect(model.forecast({ history: seasonalNoisy, horizon: 0 })).rejects.toBeInstanceOf(ForecastInputError);
    await expect(model.forecast({ history: new Float32Array(4).fill(NaN), horizon: 2 })).rejects.toBeInstanceOf(
      ForecastInputError,
    );
  });

  it('serves a batch through forecastAll in input order', async () => {
    const inputs = [0, 24].map((n) => ({ history: seasonalNoisy.subarray(0, 24 * 7 + n), horizon: 3, period: 24 }));
    const many = await forecastAll(model, inputs);
    expect(many.map((f) => f.point.length)).toEqual([3, 3]);
    const single = await model.forecast(inputs[1]);
    expect(Array.from(many[1].point)).toEqual(Array.from(single.point));
  });
});

describe('known answers', () => {
  const n = 24 * 8;
  const wave = sinusoid(n, 24);
  const waveFuture = sinusoid(48, 24, { start: n });
  const trend = linear(200, { intercept: 5, slope: 0.5 });
  const trendFuture = linear(12, { intercept: 5, slope: 0.5, start: 200 });
  // ARIMA's likelihood is unbounded on noise-free data (σ² → 0), so it gets a whisper of noise.
  const whisper = (y: Float32Array, seed: number): Float32Array => add(y, noise(y.length, seed, 0.02));

  it('seasonal naive is exact on a period-24 sinusoid; naive is not', async () => {
    const s = await seasonalNaiveForecaster().forecast({ history: wave, horizon: 48, period: 24 });
    const l = await naiveForecaster().forecast({ history: wave, horizon: 48, period: 24 });
    expect(maxAbsDiff(s.point, waveFuture)).toBeLessThan(1e-5);
    expect(maxAbsDiff(l.point, waveFuture)).toBeGreaterThan(2);
  });

  it('Naive2 is exact on a sinusoid whose level is well away from zero', async () => {
    const y = sinusoid(n, 24, { level: 100, amplitude: 20 });
    const f = await naive2Forecaster().forecast({ history: y, horizon: 24, period: 24 });
    expect(maxAbsDiff(f.point, sinusoid(24, 24, { level: 100, amplitude: 20, start: n }))).toBeLessThan(0.5);
  });

  it.each([
    ['mstl-ets', () => mstlEtsForecaster(), wave],
    ['prophet', () => prophetForecaster(), wave],
    ['arima', () => arimaForecaster(), whisper(wave, 3)],
  ] as const)('%s tracks a period-24 sinusoid (amplitude 3) within 0.15', async (_, make, history) => {
    const f = await make().forecast({ history, horizon: 48, period: 24 });
    expect(maxAbsDiff(f.point, waveFuture)).toBeLessThan(0.15);
  });

  it('naive lags a linear trend by exactly slope·k', async () => {
    const f = await naiveForecaster().forecast({ history: trend, horizon: 12 });
    expect(f.point[11]).toBeCloseTo(trend[199], 5);
    expect(trendFuture[11] - f.point[11]).toBeCloseTo(0.5 * 12, 4);
  });

  it.each([
    ['mstl-ets', () => mstlEtsForecaster(), trend],
    ['prophet', () => prophetForecaster(), trend],
    ['arima', () => arimaForecaster(), whisper(trend, 4)],
  ] as const)('%s extrapolates a linear trend (naive would be 6 off at step 12)', async (_, make, history) => {
    const f = await make().forecast({ history, horizon: 12, period: 1 });
    expect(maxAbsDiff(f.point, trendFuture)).toBeLessThan(0.3);
  });

  it('ARIMA intervals are positive and widen with the horizon on noisy data', async () => {
    const f = await arimaForecaster().forecast({ history: seasonalNoisy, horizon: 24, period: 24 });
    const k = DEFAULT_LEVELS.length;
    const width = (s: number): number => f.quantiles[s * k + k - 1] - f.quantiles[s * k];
    expect(width(0)).toBeGreaterThan(0);
    expect(width(23)).toBeGreaterThanOrEqual(width(0));
  });

  it("ARIMA rejects the C search's garbage on noise-free data and still forecasts", async () => {
    const reasons: string[] = [];
    const f = await arimaForecaster({ onFallback: (r) => reasons.push(r) }).forecast({
      history: trend,
      horizon: 12,
      period: 1,
    });
    expect(f.point.every(Number.isFinite)).toBe(true);
    // Whatever fit survived, its forecast moves like the series (no 1e-309 or stale values).
    expect(Math.abs(f.point[0] - trend[199])).toBeLessThan(2);
  });
});
