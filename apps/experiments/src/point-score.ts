/**
 * The one scoring rule every method is judged by (harness, fixed configs, baselines alike):
 *
 *   loss(point) = mean over metrics with an observed actual of
 *                 meanPinball_α(actual[origin, origin + h), α-quantile forecast) / scale(metric)
 *
 * scale(metric) = robustSeasonalScale of the tenant's history BEFORE the origin (its last
 * 8 days, seasonal lag one day when the window holds two days, else one hour, else 1) — the same
 * number for every method at a point, computed from data every method could see. For a 1-minute
 * fleet this is exactly the scale the harness uses internally (history-profile.ts), evaluated at
 * the forecast origin instead of the validation origin. Averaging scaled losses gives CPU
 * fractions and network bytes equal weight (the original project summed raw units, so network
 * bytes decided everything).
 */
import { meanPinball, robustSeasonalScale } from '@tsfm/losses';

export interface ScaleGrid {
  /** Steps per day on the series' grid: 1440 for 1-minute data, 288 for 5-minute data. */
  readonly stepsPerDay: number;
}

export const SCALE_WINDOW_DAYS = 8;

/** The scale of one metric from values[0, origin): finite and > 0. */
export function evaluationScale(values: Float32Array, origin: number, grid: ScaleGrid): number {
  const day = grid.stepsPerDay;
  const from = Math.max(0, origin - SCALE_WINDOW_DAYS * day);
  const n = origin - from;
  const hour = Math.max(1, Math.round(day / 24));
  const m = n >= 2 * day ? day : n >= 2 * hour ? hour : 1;
  const s = n > 0 ? robustSeasonalScale(values.subarray(from, origin), m) : 1;
  return s > 0 && Number.isFinite(s) ? s : 1;
}

export interface PointLoss {
  /** Mean scaled pinball over the metrics with an observed actual; NaN when none (unscorable). */
  readonly loss: number;
  /** Metrics that contributed. */
  readonly metrics: number;
}

/**
 * Scores α-quantile paths (one per metric, length h) against the actuals after the origin.
 * A non-finite forecast value at an observed minute makes the loss NaN (a failure, not a skip).
 */
export function scorePoint(
  series: readonly Float32Array[],
  origin: number,
  horizon: number,
  alpha: number,
  paths: readonly Float32Array[],
  scales: Float64Array,
): PointLoss {
  let sum = 0;
  let used = 0;
  for (let m = 0; m < series.length; m++) {
    const actual = series[m].subarray(origin, origin + horizon);
    const l = meanPinball(actual, paths[m], alpha);
    // meanPinball is NaN when no actual is observed (skip the metric) or when the forecast is
    // non-finite at an observed minute (propagate: the method failed there).
    if (Number.isNaN(l) && !hasObserved(actual)) continue;
    sum += l / scales[m];
    used++;
  }
  return { loss: used === 0 ? Number.NaN : sum / used, metrics: used };
}

function hasObserved(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) return true;
  return false;
}

export interface ProvisioningTally {
  /** Observed (minute, metric) cells. */
  observed: number;
  /** Cells with actual > forecast (under-provisioned). */
  under: number;
  /**
   * Cells with actual ≥ forecast: under-provisioned or exactly at capacity. On data with repeated
   * values (a metric at 0 most of the time) the α-quantile of a calibrated forecast satisfies
   * under / observed ≤ 1 − α ≤ atOrAbove / observed, while `under` alone can sit far below 1 − α.
   * Absent in outputs written before it existed.
   */
  atOrAbove: number;
  /** Σ over metrics with a positive median level of mean(q_α) / mean(q_0.5). */
  ratioSum: number;
  ratioCount: number;
  /** Σ over metrics of (mean(q_α) − mean(q_0.5)) / scale: the α uplift in scale units. */
  upliftSum: number;
  upliftCount: number;
}

export function emptyTally(): ProvisioningTally {
  return { observed: 0, under: 0, atOrAbove: 0, ratioSum: 0, ratioCount: 0, upliftSum: 0, upliftCount: 0 };
}

/** Adds one point's provisioning outcome (and its forecast level relative to the median). */
export function tallyProvisioning(
  tally: ProvisioningTally,
  series: readonly Float32Array[],
  origin: number,
  horizon: number,
  paths: readonly Float32Array[],
  medians: readonly Float32Array[] | null,
  scales: Float64Array,
): void {
  for (let m = 0; m < series.length; m++) {
    const values = series[m];
    const path = paths[m];
    for (let t = 0; t < horizon; t++) {
      const y = values[origin + t];
      if (y !== y) continue;
      tally.observed++;
      if (y > path[t]) tally.under++;
      if (y >= path[t]) tally.atOrAbove++;
    }
    if (medians === null) continue;
    const median = medians[m];
    let a = 0;
    let q = 0;
    for (let t = 0; t < horizon; t++) {
      a += path[t];
      q += median[t];
    }
    a /= horizon;
    q /= horizon;
    if (q > 0 && Number.isFinite(a / q)) {
      tally.ratioSum += a / q;
      tally.ratioCount++;
    }
    if (Number.isFinite(a - q)) {
      tally.upliftSum += (a - q) / scales[m];
      tally.upliftCount++;
    }
  }
}

export function mergeTally(into: ProvisioningTally, from: ProvisioningTally): void {
  into.observed += from.observed;
  into.under += from.under;
  // Older outputs have no count: NaN makes a merged rate unavailable rather than wrong.
  into.atOrAbove += from.atOrAbove ?? Number.NaN;
  into.ratioSum += from.ratioSum;
  into.ratioCount += from.ratioCount;
  into.upliftSum += from.upliftSum;
  into.upliftCount += from.upliftCount;
}
