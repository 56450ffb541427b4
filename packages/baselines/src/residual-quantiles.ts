/**
 * Empirical quantiles for models without native intervals.
 *
 * Choice: DIRECT h-step errors of the model itself, re-applied at earlier forecast origins, not
 * √h-scaled one-step residuals. For the naive family the forecast from any origin is a closed
 * form of the data before it, so "refitting" at every origin costs O(1) per step and the error
 * of step k is measured, not assumed. That matters on cloud metrics: a random-walk √h law is
 * badly wrong for naive-last on a daily cycle (its 12-step-ahead error spans half a cycle, its
 * 24-step error almost none), and one-step residuals ignore autocorrelated errors entirely.
 * √(k/k') scaling is only the fallback for steps beyond what the history can measure (fewer than
 * MIN_SAMPLES origins), scaled from the furthest step that could be measured.
 */
import { empiricalForecast } from './quantiles.js';
import type { QuantileForecast } from './types.js';

/** Below this many origins a step's error sample is not trusted and the √ fallback is used. */
export const MIN_SAMPLES = 20;
/** Most recent origins used: enough for stable 1% tails, recent enough to track regime changes. */
export const MAX_ORIGINS = 2000;

/**
 * Writes the model's forecast for steps 1…out.length from `origin` (i.e. having seen
 * y[0 … origin−1]) into `out`.
 */
export type PathAtOrigin = (origin: number, out: Float64Array) => void;

/**
 * Sorted direct errors y[o+k−1] − f_k(o) per step k, over origins o in
 * [max(minOrigin, n − MAX_ORIGINS), n − 1]. Steps with fewer than MIN_SAMPLES errors are
 * synthesised from the furthest well-measured step k' as e·√(k/k').
 */
export function directErrors(
  y: Float64Array,
  horizon: number,
  minOrigin: number,
  pathAt: PathAtOrigin,
): Float64Array[] {
  const n = y.length;
  const first = Math.max(minOrigin, n - MAX_ORIGINS, 1);
  const buckets: number[][] = Array.from({ length: horizon }, () => []);
  const path = new Float64Array(horizon);
  for (let o = first; o < n; o++) {
    const steps = Math.min(horizon, n - o);
    pathAt(o, path.subarray(0, steps));
    for (let k = 0; k < steps; k++) {
      const e = y[o + k] - path[k];
      if (Number.isFinite(e)) buckets[k].push(e);
    }
  }
  const sorted = buckets.map((b) => Float64Array.from(b).sort());
  let lastGood = -1;
  for (let k = 0; k < horizon; k++) {
    if (sorted[k].length >= MIN_SAMPLES) {
      lastGood = k;
      continue;
    }
    if (lastGood < 0) {
      // Too short to measure even one step well: a zero-width band is more honest than noise
      // from a handful of points, and the caller's quantiles collapse onto the point forecast.
      sorted[k] = sorted[k].length > 0 ? sorted[k] : new Float64Array([0]);
      continue;
    }
    const scale = Math.sqrt((k + 1) / (lastGood + 1));
    sorted[k] = sorted[lastGood].map((e) => e * scale);
  }
  return sorted;
}

/** Point path plus empirical quantiles from the model's own direct h-step errors. */
export function withResidualQuantiles(
  y: Float64Array,
  point: Float64Array,
  levels: readonly number[],
  minOrigin: number,
  pathAt: PathAtOrigin,
): QuantileForecast {
  return empiricalForecast(point, directErrors(y, point.length, minOrigin, pathAt), levels);
}
