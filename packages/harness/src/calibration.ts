/**
 * Calibration of what the caller provisions from (`options.calibration`, default 'conformal'):
 * the α-quantile path and the peak over the decision horizon, each shifted by a split-conformal
 * quantile of residuals from the request's own validation windows — no extra model row.
 *
 *   residuals  r = actual − q̂_α       every observed minute of every validation window, where
 *                                      q̂_α on window o comes from the choice (winner, or top-m
 *                                      combination) the selection makes WITHOUT window o
 *   peak       r = max actual − max q̂_α   over sub-windows of d = peakHorizon minutes starting at
 *                                      0, ⌈d/2⌉, 2⌈d/2⌉, … inside each validation window
 *   shift      s = the ⌈(n + 1)·α⌉-th smallest r      (finite-sample conformal quantile)
 *   forecast   = q̂_α + s,  peak = max_{t<d} q̂_α(t) + s_peak   (floored at 0 for non-negative series)
 *
 * Why cross-fitted: the winner is the config whose α-quantile did best on the validation windows,
 * so its residuals on those same windows are optimistically small (winner's curse) and a shift
 * computed from them under-covers. Residuals on window o of the choice made on the OTHER windows
 * are honest out-of-sample errors of the whole procedure "select, then forecast" (the CV+ /
 * cross-conformal idea, Barber et al. 2021). With one validation window nothing is left out; the
 * choice's own residuals are used and the report says 'in-sample'.
 *
 * Why the peak separately: capacity is set from the peak of the α-quantile path over the decision
 * horizon (@tsfm/provisioning's recommender), and P(max y ≤ max q̂_α) is well below α even when
 * every minute is calibrated — peaks of noise exceed peaks of quantiles. The peak is calibrated as
 * the quantity it is.
 *
 * Under exchangeability of the windows' residuals with the future's, P(y ≤ q̂_α + s) ≥ α. The
 * residuals are consecutive minutes of a few hours before the forecast, so this is a heuristic
 * with a finite-sample guarantee only on exchangeable data (tested). `result.quantiles` stays the
 * model's distribution; only `forecast` (the α-path) and `peak` move (see result.ts).
 */
import { interpolateQuantileRow } from '@tsfm/losses';
import { orderStatistic } from '@tsfm/numerics';
import type { CandidateSet } from './candidates.js';
import { combineMatrices, topPositions, type CombineMethod } from './combine.js';
import type { CalibrationReport, MetricCalibration } from './result.js';
import { pickLowest } from './selection.js';
import { candidatePath } from './scoring.js';

export const CALIBRATION_METHODS = ['none', 'conformal', 'conformal-scaled'] as const;
export type CalibrationMethod = (typeof CALIBRATION_METHODS)[number];

/**
 * `conformal-scaled` (locally adaptive conformal, Lei et al. 2018): every residual is divided by
 * the forecast's own spread at that step, s(t) = q̂_0.9(t) − q̂_0.1(t) (floored at SPREAD_FLOOR ×
 * the metric's loss scale), and the shift is applied as ŝ · s(t). The validation hours and the
 * forecast hour differ in how uncertain they are (a quiet night, a busy morning); the model's
 * spread tracks that, so normalised residuals transfer where raw ones do not. The peak's residual
 * is divided by the mean spread over its sub-window, its shift multiplied by the final forecast's
 * mean spread over the decision horizon.
 */
export const SPREAD_LEVELS = [0.1, 0.9] as const;
export const SPREAD_FLOOR = 1e-3;

/** s(t) = q̂_0.9(t) − q̂_0.1(t), floored at `floor`, into `out`. */
export function spreadPath(
  levels: readonly number[],
  matrix: Float32Array,
  horizon: number,
  floor: number,
  out: Float32Array,
): Float32Array {
  const L = levels.length;
  const lo = interpolateQuantileRow(levels, matrix, L, horizon, SPREAD_LEVELS[0]);
  const hi = interpolateQuantileRow(levels, matrix, L, horizon, SPREAD_LEVELS[1]);
  for (let t = 0; t < horizon; t++) out[t] = Math.max(floor, hi[t] - lo[t]);
  return out;
}

/** Mean of path[from, to). */
function meanOf(path: Float32Array, from: number, to: number): number {
  let sum = 0;
  for (let t = from; t < to; t++) sum += path[t];
  return sum / (to - from);
}

/**
 * The conformal shift: the ⌈(n + 1)·α⌉-th smallest finite residual (1-based), i.e. the
 * empirical α-quantile with the finite-sample correction. No residual → 0 (nothing to learn).
 * When ⌈(n + 1)·α⌉ > n (fewer than α/(1 − α) residuals, e.g. < 9 at α = 0.9) the conformal
 * quantile is +∞; the largest residual is used instead — the most conservative finite shift —
 * and `capped` says so. Non-decreasing in α for fixed residuals (the rank is).
 */
export function conformalShift(
  residuals: ArrayLike<number>,
  alpha: number,
): { shift: number; n: number; capped: boolean } {
  const finite = new Float64Array(residuals.length);
  let n = 0;
  for (let i = 0; i < residuals.length; i++) {
    const r = residuals[i];
    if (Number.isFinite(r)) finite[n++] = r;
  }
  if (n === 0) return { shift: 0, n: 0, capped: false };
  const rank = Math.ceil((n + 1) * alpha);
  const capped = rank > n;
  const k = Math.min(Math.max(rank, 1), n);
  // The k-th smallest by selection (no full sort: one rank is read). + 0 turns a −0 residual
  // into 0 — "zero residuals, zero shift" without a signed zero — and makes the ±0 order moot.
  return { shift: orderStatistic(finite, n, k - 1) + 0, n, capped };
}

/**
 * Appends actual − forecast at every observed minute (NaN actual = missing, skipped). A
 * non-finite forecast at an observed minute is appended as NaN so the caller can refuse it.
 */
export function appendResiduals(
  actual: Float32Array,
  path: Float32Array,
  out: number[],
  spread: Float32Array | null = null,
): void {
  for (let t = 0; t < actual.length; t++) {
    const y = actual[t];
    if (y !== y) continue;
    const q = path[t];
    out.push(Number.isFinite(q) ? (y - q) / (spread === null ? 1 : spread[t]) : Number.NaN);
  }
}

/**
 * Appends max actual − max path over each sub-window [j, j + d) of the window, j = 0, ⌈d/2⌉, …
 * (sub-windows without an observed minute are skipped; a non-finite path gives NaN).
 */
export function appendPeakResiduals(
  actual: Float32Array,
  path: Float32Array,
  d: number,
  out: number[],
  spread: Float32Array | null = null,
): void {
  const stride = Math.max(1, Math.ceil(d / 2));
  for (let j = 0; j + d <= actual.length; j += stride) {
    let peakY = Number.NEGATIVE_INFINITY;
    let peakQ = Number.NEGATIVE_INFINITY;
    let finite = true;
    for (let t = j; t < j + d; t++) {
      const y = actual[t];
      if (y === y && y > peakY) peakY = y;
      const q = path[t];
      if (!Number.isFinite(q)) finite = false;
      else if (q > peakQ) peakQ = q;
    }
    if (peakY === Number.NEGATIVE_INFINITY) continue;
    out.push(finite ? (peakY - peakQ) / (spread === null ? 1 : meanOf(spread, j, j + d)) : Number.NaN);
  }
}

/** path + shift, floored at 0 when `nonNegative` (a negative shift must not forecast negative capacity). */
export function shiftPath(
  path: Float32Array,
  shift: number,
  nonNegative: boolean,
  spread: Float32Array | null = null,
): Float32Array {
  const out = new Float32Array(path.length);
  for (let t = 0; t < path.length; t++) {
    const v = path[t] + shift * (spread === null ? 1 : spread[t]);
    out[t] = nonNegative && v < 0 ? 0 : v;
  }
  return out;
}

/** max path[0, d). */
export function peakOf(path: Float32Array, d: number): number {
  let peak = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < d && t < path.length; t++) if (path[t] > peak) peak = path[t];
  return peak;
}

/** The report of a request whose calibration did nothing (method 'none', or nothing to use). */
export const emptyCalibration = (method: CalibrationMethod): CalibrationReport => ({
  method,
  metrics: {},
  unshifted: [],
});

export interface CrossFitInput {
  readonly set: CandidateSet;
  readonly alpha: number;
  readonly actual: readonly (Float32Array | null)[];
  readonly scorable: Uint8Array;
  /** Candidates combined per choice (1 = the winner alone) and how. */
  readonly top: number;
  readonly combine: CombineMethod;
  /** leaveOut(o, m): the selection's score of every candidate for metric m without window o. */
  readonly leaveOut: (o: number, m: number) => (c: number) => number;
  /** The full choice's score for metric m (when there is one window, its own residuals are used). */
  readonly fullScore: (m: number) => (c: number) => number;
  readonly fullFirst: (m: number) => number;
  readonly peakHorizon: number;
  /** Residuals relative to the forecast's spread ('conformal-scaled'); the floor is SPREAD_FLOOR × this per metric. */
  readonly scaled: boolean;
  readonly scales: Float64Array;
}

export type Residuals =
  | { readonly minute: number[]; readonly peak: number[]; readonly source: MetricCalibration['residualSource'] }
  | string;

/**
 * The α-path of the choice `positions` on metric m at origin o, into `path` (and its spread into
 * `spread` when given); false when a member has no forecast.
 */
function choicePath(
  input: CrossFitInput,
  positions: readonly number[],
  m: number,
  o: number,
  path: Float32Array,
  spread: Float32Array | null,
): boolean {
  const { set } = input;
  const L = set.levels.length;
  // One candidate and no spread: only its α-path is needed, not its matrix.
  if (positions.length === 1 && spread === null) {
    return candidatePath(set, positions[0], m, o, input.alpha, path);
  }
  const matrices: Float32Array[] = [];
  for (const c of positions) {
    const q = set.matrix(c, m, o, new Float32Array(set.horizon * L));
    if (q === null) return false;
    matrices.push(q);
  }
  const combined =
    matrices.length === 1 ? matrices[0] : combineMatrices(matrices, input.combine, new Float32Array(set.horizon * L));
  interpolateQuantileRow(set.levels, combined, L, set.horizon, input.alpha, path);
  if (spread !== null) spreadPath(set.levels, combined, set.horizon, SPREAD_FLOOR * input.scales[m], spread);
  return true;
}

/** Residuals for metric m (see the module comment), or why there are none. */
export function crossFittedResiduals(input: CrossFitInput, m: number): Residuals {
  const { set, actual, scorable } = input;
  const O = set.originCount;
  const count = set.info.length;
  const windows: number[] = [];
  for (let o = 1; o < O; o++) if (scorable[m * O + o] === 1) windows.push(o);
  if (windows.length === 0) return 'no observed value in any validation window';
  const crossFitted = windows.length > 1;
  const minute: number[] = [];
  const peak: number[] = [];
  const path = new Float32Array(set.horizon);
  const spread = input.scaled ? new Float32Array(set.horizon) : null;
  for (const o of windows) {
    const score = crossFitted ? input.leaveOut(o, m) : input.fullScore(m);
    const first = crossFitted ? pickLowest(score, count).position : input.fullFirst(m);
    if (first < 0) continue;
    if (!choicePath(input, topPositions(first, score, count, input.top), m, o, path, spread)) continue;
    const observed = actual[m * O + o];
    if (observed === null) throw new Error(`calibration: window ${o} of metric ${m} is scorable but has no actuals`);
    appendResiduals(observed, path, minute, spread);
    appendPeakResiduals(observed, path, input.peakHorizon, peak, spread);
  }
  if (minute.length === 0) return 'no validation window has a forecast of the chosen config(s)';
  if (minute.some((r) => Number.isNaN(r))) return 'non-finite validation forecast at an observed minute';
  return { minute, peak, source: crossFitted ? 'cross-fitted' : 'in-sample' };
}

/** Applies the shifts metric by metric and collects the report. */
export class Calibrator {
  readonly #method: CalibrationMethod;
  readonly #alpha: number;
  readonly #metrics: Record<string, MetricCalibration> = {};
  readonly #unshifted: { metric: string; reason: string }[] = [];

  constructor(method: CalibrationMethod, alpha: number) {
    this.#method = method;
    this.#alpha = alpha;
  }

  /** The shifted α-path and peak, or the unshifted ones when `residuals` is a reason not to shift. */
  apply(
    metric: string,
    residuals: Residuals,
    path: Float32Array,
    peak: number,
    nonNegative: boolean,
    spread: Float32Array | null = null,
    peakHorizon = path.length,
  ): { path: Float32Array; peak: number } {
    if (typeof residuals === 'string') {
      this.#unshifted.push({ metric, reason: residuals });
      return { path, peak };
    }
    const minute = conformalShift(residuals.minute, this.#alpha);
    const top = conformalShift(residuals.peak, this.#alpha);
    this.#metrics[metric] = {
      shift: minute.shift,
      residuals: minute.n,
      capped: minute.capped,
      peakShift: top.shift,
      peakResiduals: top.n,
      peakCapped: top.capped,
      residualSource: residuals.source,
    };
    // Scaled: the shifts are in units of the forecast's spread (its mean over the decision horizon for the peak).
    const shiftedPeak = peak + top.shift * (spread === null ? 1 : meanOf(spread, 0, peakHorizon));
    return {
      path: shiftPath(path, minute.shift, nonNegative, spread),
      peak: nonNegative && shiftedPeak < 0 ? 0 : shiftedPeak,
    };
  }

  /** Records a metric left unshifted (e.g. on the cold-start path). */
  skip(metric: string, reason: string): void {
    this.#unshifted.push({ metric, reason });
  }

  report(): CalibrationReport {
    return { method: this.#method, metrics: this.#metrics, unshifted: this.#unshifted };
  }
}
