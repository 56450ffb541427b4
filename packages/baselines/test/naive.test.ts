import { describe, expect, it } from 'vitest';
import { naive2Forecaster } from '../src/models/naive2.js';
import { naiveForecaster, seasonalNaiveForecaster } from '../src/models/naive.js';
import { directErrors, MIN_SAMPLES } from '../src/residual-quantiles.js';
import { seasonalFigure } from '../src/decomposition.js';
import { DEFAULT_LEVELS } from '../src/types.js';
import { add, linear, maxAbsDiff, noise, randomWalk, sinusoid } from './helpers/series.js';

const k = DEFAULT_LEVELS.length;
const q = (f: { quantiles: Float32Array }, step: number, level: number): number =>
  f.quantiles[step * k + DEFAULT_LEVELS.indexOf(level)];

describe('naive', () => {
  it('repeats the last value', async () => {
    const f = await naiveForecaster().forecast({ history: Float32Array.from([1, 5, 3]), horizon: 4 });
    expect(Array.from(f.point)).toEqual([3, 3, 3, 3]);
  });

  it('widens its intervals with the horizon on a random walk, about like √h', async () => {
    const f = await naiveForecaster().forecast({ history: randomWalk(3000, 11), horizon: 16 });
    const width = (s: number): number => q(f, s, 0.9) - q(f, s, 0.1);
    expect(width(15)).toBeGreaterThan(width(0));
    expect(width(15) / width(3)).toBeGreaterThan(1.5); // √(16/4) = 2
    expect(width(15) / width(3)).toBeLessThan(2.7);
  });
});

describe('seasonal naive', () => {
  it('is exact on a pure sinusoid with the period given', async () => {
    const f = await seasonalNaiveForecaster().forecast({ history: sinusoid(24 * 10, 24), horizon: 48, period: 24 });
    expect(maxAbsDiff(f.point, sinusoid(48, 24, { start: 240 }))).toBeLessThan(1e-5);
    // Every in-sample error is zero too, so the whole band collapses onto the point.
    expect(maxAbsDiff(f.quantiles.subarray(0, k), new Float32Array(k).fill(f.point[0]))).toBeLessThan(1e-5);
  });

  it('detects the period when none is given', async () => {
    const f = await seasonalNaiveForecaster().forecast({ history: sinusoid(24 * 10, 24), horizon: 24 });
    expect(maxAbsDiff(f.point, sinusoid(24, 24, { start: 240 }))).toBeLessThan(1e-5);
  });

  it('bridges a missing point with the value one period earlier', async () => {
    const history = sinusoid(24 * 10, 24);
    history[24 * 9 + 5] = NaN;
    const f = await seasonalNaiveForecaster().forecast({ history, horizon: 24, period: 24 });
    expect(maxAbsDiff(f.point, sinusoid(24, 24, { start: 240 }))).toBeLessThan(1e-5);
  });
});

describe('naive2', () => {
  it('recovers a multiplicative seasonal pattern around a constant level', async () => {
    // y = 100·(1 + 0.3 sin): seasonally adjusted it is flat, so Naive2 is (nearly) exact.
    const y = sinusoid(24 * 12, 24, { level: 100, amplitude: 30 });
    const f = await naive2Forecaster().forecast({ history: y, horizon: 24, period: 24 });
    expect(maxAbsDiff(f.point, sinusoid(24, 24, { level: 100, amplitude: 30, start: 288 }))).toBeLessThan(0.5);
  });

  it('is naive-last when the seasonality test fails', async () => {
    const y = add(linear(200, { intercept: 50, slope: 0 }), noise(200, 5));
    const a = await naive2Forecaster().forecast({ history: y, horizon: 6, period: 24 });
    const b = await naiveForecaster().forecast({ history: y, horizon: 6 });
    expect(Array.from(a.point)).toEqual(Array.from(b.point));
  });
});

describe('seasonalFigure', () => {
  it('matches the generating pattern for an additive season on a trend', () => {
    const pattern = [3, -1, -1, -1];
    const y = Float64Array.from({ length: 40 }, (_, i) => 0.5 * i + pattern[i % 4]);
    expect(Array.from(seasonalFigure(y, 4, 'additive')).map((v) => Number(v.toFixed(9)))).toEqual(pattern);
  });
});

describe('directErrors', () => {
  it('measures each step from earlier origins and falls back to √ scaling past the data', () => {
    const y = Float64Array.from({ length: 30 }, (_, i) => i); // naive errors at step k are exactly k
    const errors = directErrors(y, 3, 1, (o, out) => out.fill(y[o - 1]));
    expect(Array.from(errors[0]).every((e) => e === 1)).toBe(true);
    expect(errors[2].length).toBeGreaterThanOrEqual(MIN_SAMPLES);
    const late = directErrors(y, 40, 1, (o, out) => out.fill(y[o - 1]));
    // Step 40 cannot be measured from 30 points: it is step 10's errors (the last with ≥ 20
    // samples) times √(40/10).
    expect(late[39][0]).toBeCloseTo(10 * 2, 10);
  });
});
