/**
 * VPA-style bounds per metric and horizon, from a quantile forecast.
 *
 * Capacity must hold through the whole horizon, so every bound is the PEAK over the horizon's
 * minutes of one quantile level:  target_H = max_{t ≤ H} Q_α(t).
 * The forecaster's quantiles are marginal per minute; the quantile of the per-path maximum is not
 * available without sample paths. max_t Q_α(t) is what the tier is scored on (per-minute pinball
 * at α: at every minute P(demand > target) ≤ 1 − α), and it is a lower bound of the α-quantile of
 * the path maximum, so it never over-provisions relative to the "no shortfall anywhere" reading.
 *
 * Rows are sorted before interpolation (rearrangement: a model may emit crossed quantiles) and
 * clamped at 0 (resource usage is never negative); so lowerBound ≤ target ≤ upperBound, and the
 * target never falls when α rises. Targets never fall as the horizon grows (nested maxima).
 */
import { interpolateQuantileRow } from '@tsfm/losses';
import { confidenceFromWidth } from './confidence.js';
import type { RecommendOptions } from './options.js';
import type { MetricForecast } from './request.js';

/** Quantile levels the bounds of one metric were read at. */
export interface BoundLevels {
  readonly target: number;
  readonly lowerBound: number;
  readonly upperBound: number;
}

/** Per-minute quantile paths of one metric over the steps a recommender reads. */
export interface QuantilePaths {
  readonly levels: BoundLevels;
  readonly target: Float32Array;
  readonly lower: Float32Array;
  readonly upper: Float32Array;
  readonly intervalLo: Float32Array;
  readonly median: Float32Array;
  readonly intervalHi: Float32Array;
}

/** Uncapped peak bounds and confidence of one metric over the first H minutes. */
export interface HorizonPeak {
  readonly horizonMinutes: number;
  readonly target: number;
  readonly lowerBound: number;
  readonly upperBound: number;
  /** Minute (1-based, from now) at which the α-quantile peaks; the first one on ties. */
  readonly peakMinute: number;
  readonly confidence: number;
}

export function boundLevels(alpha: number, options: RecommendOptions): BoundLevels {
  // min/max with α keep the three levels ordered for any α, e.g. an α below the median.
  return {
    target: alpha,
    lowerBound: Math.min(options.lowerLevel, alpha),
    upperBound: Math.max(options.upperLevel, alpha),
  };
}

/**
 * Sorted, non-negative copies of the first `steps` rows, then one path per level. `scratch` (at
 * least steps × nLevels long) lets a recommender reuse one buffer across calls.
 */
export function quantilePaths(
  forecast: MetricForecast,
  alpha: number,
  steps: number,
  options: RecommendOptions,
  scratch?: Float32Array,
): QuantilePaths {
  const n = forecast.levels.length;
  const size = steps * n;
  const rows = scratch && scratch.length >= size ? scratch.subarray(0, size) : new Float32Array(size);
  rows.set(forecast.quantiles.subarray(0, size));
  for (let t = 0; t < steps; t++) clampAndSortRow(rows, t * n, n);
  const levels = boundLevels(alpha, options);
  const at = (level: number) => interpolateQuantileRow(forecast.levels, rows, n, steps, level);
  const [lo, hi] = options.confidenceInterval;
  const target = shifted(at(levels.target), forecast.targetShift ?? 0);
  const upper = at(levels.upperBound);
  // A calibrated target may rise above the model's upper level; the bounds keep bracketing it.
  for (let t = 0; t < steps; t++) if (upper[t] < target[t]) upper[t] = target[t];
  return {
    levels,
    target,
    lower: at(levels.lowerBound),
    upper,
    intervalLo: at(lo),
    median: at(0.5),
    intervalHi: at(hi),
  };
}

/** The calibrated target path: path + shift, floored at 0 like every row (in place). */
function shifted(path: Float32Array, shift: number): Float32Array {
  if (shift === 0) return path;
  for (let t = 0; t < path.length; t++) path[t] = Math.max(0, path[t] + shift);
  return path;
}

/** Peak bounds and confidence for each horizon (ascending), in one pass over the paths. */
export function horizonPeaks(paths: QuantilePaths, horizons: readonly number[]): HorizonPeak[] {
  const out: HorizonPeak[] = [];
  let target = -Infinity;
  let peakMinute = 0;
  let lower = -Infinity;
  let upper = -Infinity;
  let widthSum = 0;
  let medianSum = 0;
  let t = 0;
  for (const h of horizons) {
    for (; t < h; t++) {
      if (paths.target[t] > target) {
        target = paths.target[t];
        peakMinute = t + 1;
      }
      lower = Math.max(lower, paths.lower[t]);
      upper = Math.max(upper, paths.upper[t]);
      widthSum += paths.intervalHi[t] - paths.intervalLo[t];
      medianSum += paths.median[t];
    }
    out.push({
      horizonMinutes: h,
      target,
      lowerBound: lower,
      upperBound: upper,
      peakMinute,
      confidence: confidenceFromWidth(widthSum / h, medianSum / h),
    });
  }
  return out;
}

/**
 * Clamp at 0, then insertion-sort one row in place. A model's rows are almost always sorted
 * already (crossing is rare and local), where insertion sort is one comparison per level and
 * allocates nothing — a subarray().sort() per row was the largest cost of a recommend call.
 */
function clampAndSortRow(rows: Float32Array, start: number, n: number): void {
  for (let i = start; i < start + n; i++) if (rows[i] < 0) rows[i] = 0;
  for (let i = start + 1; i < start + n; i++) {
    const v = rows[i];
    let j = i - 1;
    while (j >= start && rows[j] > v) {
      rows[j + 1] = rows[j];
      j--;
    }
    rows[j + 1] = v;
  }
}
