/**
 * Opt-in calibration of the returned α-quantile (`options.calibration: 'validation-shift'`):
 * one-sided conformalized quantile regression (CQR, Romano, Patterson & Candès 2019) on the
 * config the result actually uses.
 *
 *   residuals  r_i = actual_i − q̂_α,i      every observed minute of that config's validation
 *                                           window(s) — forecasts already in the request's one
 *                                           model call (no extra model row)
 *   shift      s   = the ⌈(n + 1)·α⌉-th smallest r_i          (finite-sample conformal quantile)
 *   forecast       = q̂_α + s on the final horizon, ≥ 0 when the metric's history is non-negative
 *
 * Under exchangeability of the validation residuals and the future ones, P(y ≤ q̂_α + s) ≥ α.
 * The residuals are not exchangeable here — they are ~60 consecutive minutes of one hour
 * (validationWindows · h points, strongly autocorrelated) and the future hour comes after them —
 * so the guarantee is a heuristic: the shift removes a bias the validation hour shows, with the
 * noise of an estimate from about one effective hour of data.
 *
 * Why only the α-quantile is shifted (result.forecast), not result.quantiles: the residual
 * quantile calibrates level α only. Adding s to the median or to lower levels would move them by
 * an amount that says nothing about their own coverage (the median's shift would be the median
 * residual, not the α one), and shifting only the levels ≥ α breaks non-crossing whenever s < 0.
 * So `result.quantiles` stays the model's distribution, and under calibration
 * `result.forecast[m]` is that matrix's α-quantile plus `calibration.shifts[m]` (then floored at
 * 0 for non-negative series) — stated in the result and the README.
 */

import { interpolateQuantileRow } from '@tsfm/losses';
import type { ForecastConfig, QuantileForecast } from '@tsfm/tsfm-client';
import type { CalibrationReport } from './result.js';
import type { RowPlan } from './row-plan.js';
import { postProcess } from './scoring.js';

export const CALIBRATION_METHODS = ['none', 'validation-shift'] as const;
export type CalibrationMethod = (typeof CALIBRATION_METHODS)[number];

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
  const finite: number[] = [];
  for (let i = 0; i < residuals.length; i++) {
    const r = residuals[i]!;
    if (Number.isFinite(r)) finite.push(r);
  }
  const n = finite.length;
  if (n === 0) return { shift: 0, n: 0, capped: false };
  finite.sort((a, b) => a - b);
  const rank = Math.ceil((n + 1) * alpha);
  const capped = rank > n;
  const k = Math.min(Math.max(rank, 1), n);
  // + 0 turns a −0 residual into 0: "zero residuals, zero shift" without a signed zero.
  return { shift: finite[k - 1]! + 0, n, capped };
}

/**
 * Appends actual − forecast at every observed minute (NaN actual = missing, skipped). A
 * non-finite forecast at an observed minute is appended as NaN so the caller can refuse it.
 */
export function appendResiduals(actual: Float32Array, path: Float32Array, out: number[]): void {
  for (let t = 0; t < actual.length; t++) {
    const y = actual[t]!;
    if (y !== y) continue;
    const q = path[t]!;
    out.push(Number.isFinite(q) ? y - q : Number.NaN);
  }
}

/** path + shift, floored at 0 when `nonNegative` (a negative shift must not forecast negative capacity). */
export function shiftPath(path: Float32Array, shift: number, nonNegative: boolean): Float32Array {
  const out = new Float32Array(path.length);
  for (let t = 0; t < path.length; t++) {
    const v = path[t]! + shift;
    out[t] = nonNegative && v < 0 ? 0 : v;
  }
  return out;
}

/** The report of a request whose calibration did nothing (method 'none', or nothing to use). */
export const emptyCalibration = (method: CalibrationMethod): CalibrationReport => ({
  method,
  shifts: {},
  residuals: {},
  configs: {},
  capped: [],
  unshifted: [],
});

/** Collects the per-metric shifts of one request and applies them. */
export class Calibrator {
  readonly #method: CalibrationMethod;
  readonly #alpha: number;
  readonly #shifts: Record<string, number> = {};
  readonly #residuals: Record<string, number> = {};
  readonly #configs: Record<string, string> = {};
  readonly #capped: string[] = [];
  readonly #unshifted: { metric: string; reason: string }[] = [];

  constructor(method: CalibrationMethod, alpha: number) {
    this.#method = method;
    this.#alpha = alpha;
  }

  /** The shifted α-quantile path, or `path` itself when `residuals` is a reason not to shift. */
  apply(
    metric: string,
    config: string,
    residuals: number[] | string,
    path: Float32Array,
    nonNegative: boolean,
  ): Float32Array {
    if (typeof residuals === 'string') {
      this.#unshifted.push({ metric, reason: `${config}: ${residuals}` });
      return path;
    }
    const { shift, n, capped } = conformalShift(residuals, this.#alpha);
    this.#shifts[metric] = shift;
    this.#residuals[metric] = n;
    this.#configs[metric] = config;
    if (capped) this.#capped.push(metric);
    return shiftPath(path, shift, nonNegative);
  }

  report(): CalibrationReport {
    return {
      method: this.#method,
      shifts: this.#shifts,
      residuals: this.#residuals,
      configs: this.#configs,
      capped: this.#capped,
      unshifted: this.#unshifted,
    };
  }
}

/** Where one config's validation forecasts are in the batch (row-plan.ts, scoring.ts). */
export interface ValidationForecasts {
  readonly plan: RowPlan;
  readonly rowIndex: Int32Array;
  readonly forecasts: readonly QuantileForecast[];
  readonly metricCount: number;
  readonly originCount: number;
  readonly horizon: number;
  readonly alpha: number;
  readonly levels: readonly number[];
  readonly actual: readonly (Float32Array | null)[];
  readonly scorable: Uint8Array;
}

/**
 * Residuals actual − α-quantile of the config at sample position c on metric m over its scorable
 * validation windows, from the forecasts already in the batch (the same post-processing and
 * interpolation as scoring); a string saying why when there are none to use.
 */
export function validationResiduals(
  input: ValidationForecasts,
  c: number,
  config: ForecastConfig,
  m: number,
): number[] | string {
  const { plan, rowIndex, forecasts, horizon: h, levels, actual, scorable, alpha } = input;
  const M = input.metricCount;
  const O = input.originCount;
  const L = levels.length;
  const out: number[] = [];
  const processed = new Float32Array(h * L);
  const path = new Float32Array(h);
  for (let o = 1; o < O; o++) {
    if (scorable[m * O + o] !== 1) continue;
    const row = rowIndex[plan.slotOf[c * O + o]! * M + m]!;
    if (!(row >= 0))
      return `validation window ${o} has no forecast for this config (no observation inside its context window)`;
    interpolateQuantileRow(levels, postProcess(forecasts[row]!.quantiles, config, h, L, processed), L, h, alpha, path);
    appendResiduals(actual[m * O + o]!, path, out);
  }
  if (out.length === 0) return 'no observed value in any validation window';
  if (out.some((r) => Number.isNaN(r))) return 'non-finite validation forecast at an observed minute';
  return out;
}
