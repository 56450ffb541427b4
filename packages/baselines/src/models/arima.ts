/**
 * AutoARIMA via the `arima` package (an Emscripten port of ctsa's C auto.arima).
 *
 * Seasonal (SARIMA with s = m) when m ≤ maxSeasonalPeriod; a longer season (288 at 5 minutes)
 * makes the seasonal likelihood cost explode, so the series is first adjusted by the additive
 * classical seasonal figure, a non-seasonal AutoARIMA forecasts the adjusted series and the
 * figure is added back (the "decomposition + ARIMA" route statsforecast's MSTL also takes).
 *
 * Non-seasonal fits get a drift term when the mean difference is significant (significantDrift).
 *
 * The C search can fail without saying so: on a noise-free series (σ² = 0, an unbounded
 * likelihood) `predict` hands back an uninitialised buffer — forecasts such as 1e-309 or stale
 * copies of the input, and an h=1 variance of ~1e-313. Every result is therefore checked
 * (`plausible`) and a failed search falls back: seasonal auto → airline (0,1,1)(0,1,1)_m →
 * non-seasonal auto → ARIMA(0,1,1); if all fail the forecaster throws, and the evaluation
 * counts the window as failed.
 */
import { runArima, type ArimaRun, type SarimaOrder } from '../arima-wasm.js';
import { seasonalFigure } from '../decomposition.js';
import { prepareInput } from '../input.js';
import { detectPeriod } from '../period.js';
import { gaussianForecast } from '../quantiles.js';
import type { ForecastInput, Forecaster, QuantileForecast } from '../types.js';

export interface ArimaOptions {
  readonly period?: number;
  readonly candidates?: readonly number[];
  /** Longest season modelled inside SARIMA; longer ones go through seasonal adjustment. */
  readonly maxSeasonalPeriod?: number;
  /**
   * Search caps (max orders). Smaller than R's defaults (5, 2, 5, 2, 1, 2) to keep a 414-series
   * M4-Hourly run in minutes: a seasonal fit with these caps takes ~0.5–5 s per series.
   */
  readonly maxP?: number;
  readonly maxD?: number;
  readonly maxQ?: number;
  readonly maxSeasonalP?: number;
  readonly maxSeasonalD?: number;
  readonly maxSeasonalQ?: number;
  /**
   * Only the last `maxContext` points are fitted: the exact likelihood is O(n) per evaluation and
   * the search evaluates it thousands of times; older data rarely changes an ARIMA forecast.
   */
  readonly maxContext?: number;
  /** Called with the reason whenever a search result is rejected and the next attempt runs. */
  readonly onFallback?: (reason: string) => void;
}

export function arimaForecaster(options: ArimaOptions = {}): Forecaster {
  const maxSeasonal = options.maxSeasonalPeriod ?? 24;
  const maxContext = options.maxContext ?? 1008; // 6 weeks hourly, 3.5 days at 5 minutes
  const maxP = options.maxP ?? 2;
  const maxQ = options.maxQ ?? 2;
  return {
    name: 'arima',
    async forecast(input: ForecastInput): Promise<QuantileForecast> {
      const prepared = prepareInput(input);
      const { horizon, levels } = prepared;
      const full = prepared.y;
      const m = prepared.period ?? options.period ?? detectPeriod(full, options.candidates);
      const y = full.length > maxContext ? full.subarray(full.length - maxContext) : full;
      const n = y.length;
      if (isConstant(y)) {
        // Nothing to fit (σ² = 0): every ARIMA forecasts the constant, with no spread.
        return gaussianForecast(new Float64Array(horizon).fill(y[n - 1]), new Float64Array(horizon), levels);
      }

      const onFallback = options.onFallback;
      const nonSeasonal = (series: Float64Array): ArimaRun =>
        firstPlausible(series, horizon, onFallback, [
          { auto: true, order: { p: maxP + 1, d: options.maxD ?? 2, q: maxQ + 1, P: 0, D: 0, Q: 0, s: 0 } },
          { auto: false, order: { p: 0, d: 1, q: 1, P: 0, D: 0, Q: 0, s: 0 } },
        ]);

      if (m > 1 && m <= maxSeasonal && n >= 3 * m) {
        const seasonal = firstPlausible(
          y,
          horizon,
          onFallback,
          [
            {
              auto: true,
              order: {
                p: maxP,
                d: options.maxD ?? 1,
                q: maxQ,
                P: options.maxSeasonalP ?? 1,
                D: options.maxSeasonalD ?? 1,
                Q: options.maxSeasonalQ ?? 1,
                s: m,
              },
            },
            { auto: false, order: { p: 0, d: 1, q: 1, P: 0, D: 1, Q: 1, s: m } },
          ],
          false,
        );
        if (seasonal) return toForecast(seasonal, levels);
      }
      // Figure from the fitted window; its phase is aligned to index 0 of that window.
      const figure = m > 1 && n >= 2 * m ? seasonalFigure(y, m, 'additive') : undefined;
      const adjusted = figure ? y.map((v, i) => v - figure[i % m]) : y;
      const mu = significantDrift(adjusted);
      const run = nonSeasonal(mu === 0 ? adjusted : adjusted.map((v, i) => v - mu * i));
      const point = run.point.map((v, t) => v + mu * (n + t) + (figure ? figure[(n + t) % m] : 0));
      return toForecast({ point, mse: run.mse }, levels);
    },
  };
}

interface Attempt {
  readonly auto: boolean;
  readonly order: SarimaOrder;
}

type FallbackListener = ((reason: string) => void) | undefined;

function firstPlausible(
  y: Float64Array,
  horizon: number,
  onFallback: FallbackListener,
  attempts: readonly Attempt[],
): ArimaRun;
function firstPlausible(
  y: Float64Array,
  horizon: number,
  onFallback: FallbackListener,
  attempts: readonly Attempt[],
  required: false,
): ArimaRun | undefined;
function firstPlausible(
  y: Float64Array,
  horizon: number,
  onFallback: FallbackListener,
  attempts: readonly Attempt[],
  required = true,
): ArimaRun | undefined {
  const reasons: string[] = [];
  for (const { auto, order } of attempts) {
    const minLength = auto
      ? Math.max(2 * order.s + order.d, 20)
      : order.d + order.s * order.D + Math.max(order.p + order.q, 2 * order.s, 10);
    if (y.length < minLength) {
      reasons.push(`${describe(order, auto)}: history ${y.length} < ${minLength}`);
      continue;
    }
    const run = runArima(y, horizon, order, auto);
    const problem = implausibility(y, run);
    if (problem === undefined) return run;
    reasons.push(`${describe(order, auto)}: ${problem}`);
    onFallback?.(reasons[reasons.length - 1]);
  }
  if (required) throw new Error(`arima: no usable fit (${reasons.join('; ')})`);
  return undefined;
}

function describe(o: SarimaOrder, auto: boolean): string {
  return `${auto ? 'auto ≤' : ''}(${o.p},${o.d},${o.q})${o.s > 0 ? `(${o.P},${o.D},${o.Q})_${o.s}` : ''}`;
}

/**
 * Why a C result cannot be a real forecast, or undefined if it can: non-finite values, a
 * one-step variance that is zero or denormal relative to the data (σ² of a fitted model is never
 * that small on data that is not constant), h-step variances that clearly shrink (they are Σψ²σ²,
 * which only grows), or forecasts far outside anything the history suggests.
 */
function implausibility(y: Float64Array, run: ArimaRun): string | undefined {
  const { point, mse } = run;
  let min = Infinity;
  let max = -Infinity;
  let mean = 0;
  for (const v of y) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    mean += v / y.length;
  }
  let variance = 0;
  for (const v of y) variance += (v - mean) ** 2 / y.length;
  if (!point.every(Number.isFinite) || !mse.every(Number.isFinite)) return 'non-finite output';
  if (!(mse[0] > 1e-10 * variance)) return `one-step variance ${mse[0]} is implausibly small`;
  for (let k = 1; k < mse.length; k++) {
    // 1% slack: once Σψ² has converged the C code's values wobble in the last digits.
    if (mse[k] < mse[k - 1] * 0.99) return `h-step variance falls at step ${k + 1}`;
  }
  const span = max - min;
  const reach = 10 * span * (1 + point.length / y.length);
  for (const v of point) if (v < min - reach || v > max + reach) return `forecast ${v} far outside [${min}, ${max}]`;
  // Stale or uninitialised buffers can sit inside the data's range (a copy of older inputs, or
  // 0); what they cannot do is move like the series: no sane model's forecast jumps by more than
  // a few times the largest step the history ever took.
  let maxStep = 0;
  for (let t = 1; t < y.length; t++) maxStep = Math.max(maxStep, Math.abs(y[t] - y[t - 1]));
  const limit = 3 * maxStep + 1e-9 * Math.max(Math.abs(max), Math.abs(min), 1);
  let previous = y[y.length - 1];
  for (let k = 0; k < point.length; k++) {
    if (Math.abs(point[k] - previous) > limit)
      return `forecast step ${k + 1} jumps by ${Math.abs(point[k] - previous)} (history's largest step ${maxStep})`;
    previous = point[k];
  }
  return undefined;
}

/**
 * Drift for the non-seasonal route: ctsa's search has no drift term, so an ARIMA(p,1,q) it picks
 * for a trending series forecasts flat (it lagged a clean linear trend by slope·h in the tests).
 * As R's auto.arima does with `drift`, the mean of the first differences is removed as a linear
 * trend μ·t before the search and added back after — but only when it is significant (|μ| above
 * two standard errors of the mean difference), so a stationary series gets no spurious trend.
 */
function significantDrift(y: Float64Array): number {
  const n = y.length;
  if (n < 3) return 0;
  let mean = 0;
  for (let t = 1; t < n; t++) mean += (y[t] - y[t - 1]) / (n - 1);
  let ss = 0;
  for (let t = 1; t < n; t++) ss += (y[t] - y[t - 1] - mean) ** 2;
  const se = Math.sqrt(ss / (n - 2) / (n - 1));
  return Math.abs(mean) > 2 * se ? mean : 0;
}

function isConstant(y: Float64Array): boolean {
  let min = Infinity;
  let max = -Infinity;
  for (const v of y) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return max - min <= 1e-12 * Math.max(1, Math.abs(max));
}

/** The C code returns the forecast and its mean squared error per step: Gaussian quantiles. */
function toForecast(run: ArimaRun, levels: readonly number[]): QuantileForecast {
  return gaussianForecast(
    run.point,
    run.mse.map((v) => Math.sqrt(Math.max(v, 0))),
    levels,
  );
}
