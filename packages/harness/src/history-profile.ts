/**
 * One pass over each metric's history, once per request, for everything the later stages ask
 * about the data: is anything observed, where is the last observation, may log1p run on it,
 * and the scale that makes its losses comparable with other metrics'.
 */
import { robustSeasonalScale } from '@tsfm/losses';

export interface MetricProfile {
  /** Observed (non-NaN) points. */
  readonly observed: number;
  /** Index of the last observed point, −1 when none. */
  readonly lastObserved: number;
  /** Whether any observed value is negative (log1p normalisation is then not servable). */
  readonly hasNegative: boolean;
}

export function profileMetric(values: Float32Array): MetricProfile {
  let observed = 0;
  let lastObserved = -1;
  let hasNegative = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // v === v is false only for NaN; cheaper than Number.isNaN in a 43,200-point loop.
    if (v === v) {
      observed++;
      lastObserved = i;
      if (v < 0) hasNegative = true;
    }
  }
  return { observed, lastObserved, hasNegative };
}

/** Index of the last observed point in values[0, end), −1 when none. */
export function lastObservedBefore(values: Float32Array, end: number): number {
  let i = end - 1;
  while (i >= 0 && values[i] !== values[i]) i--;
  return i;
}

/** Observed points in values[from, to). */
export function observedIn(values: Float32Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (values[i] === values[i]) n++;
  return n;
}

export const MINUTES_PER_DAY = 1440;
export const MINUTES_PER_HOUR = 60;

/**
 * Seasonal period for the loss scale (1-minute data): daily (1440) when the in-sample history
 * holds at least two days — two full seasons, so the seasonal-naive error averages over a whole
 * day of pairs; else hourly (60) when it holds at least two hours; else 1 (step-to-step change).
 */
export function scalePeriod(inSampleLength: number): number {
  if (inSampleLength >= 2 * MINUTES_PER_DAY) return MINUTES_PER_DAY;
  if (inSampleLength >= 2 * MINUTES_PER_HOUR) return MINUTES_PER_HOUR;
  return 1;
}

export interface MetricScale {
  /** Seasonal period used (see scalePeriod). */
  readonly m: number;
  /** robustSeasonalScale of the in-sample history: finite and > 0 (constant series included). */
  readonly value: number;
}

/**
 * In-sample points the scale is computed on, at most: 8 days, i.e. 7 days of daily-seasonal
 * pairs. The scale should describe the tenant's recent variability (what the validation window
 * is scored against), and a 30-day history would otherwise cost ~4× the scale time of a 7-day
 * one on every request for a barely different number.
 */
export const SCALE_WINDOW_POINTS = 8 * MINUTES_PER_DAY;

/**
 * The scale of one metric from its in-sample history values[0, end) — everything before the
 * earliest validation origin, so the validation windows never leak into their own denominator —
 * restricted to the last SCALE_WINDOW_POINTS of it.
 */
export function metricScale(values: Float32Array, end: number): MetricScale {
  const from = Math.max(0, end - SCALE_WINDOW_POINTS);
  const m = scalePeriod(end - from);
  const value = end > from ? robustSeasonalScale(values.subarray(from, end), m) : 1;
  // robustSeasonalScale is finite and > 0 for finite input; guard anyway so a scale can never
  // turn a loss into Infinity/NaN (a metric with no observed in-sample point returns 1).
  return { m, value: value > 0 && Number.isFinite(value) ? value : 1 };
}
