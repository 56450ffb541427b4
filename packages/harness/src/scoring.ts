/**
 * Scoring: every candidate (tried config or statistical member) on every validation window, in
 * scale-free α-loss.
 *
 *   loss(config, metric) = mean over the metric's scorable windows of
 *                          pinball_α(actual, α-quantile path of the config's forecast) / scale(metric)
 *
 * The α-quantile path is read from the config's OWN post-processed quantiles: rows are shared
 * by configs that differ only in clamp / crossing fix, so the model's raw quantiles are
 * post-processed here per config (clamp and sort commute with the client's resolution
 * repetition, so this equals what the client would have returned for that config).
 *
 * Gaps are reported, never dropped silently:
 *  - a window whose actuals are all NaN is not scorable for that metric (every config alike);
 *  - a config whose row for a scorable window could not be built (no observation inside its
 *    context window) is `incomplete` on that metric and cannot win on it;
 *  - a non-finite loss (a model emitting NaN) makes the config ineligible on that metric.
 */
import { interpolateQuantileRow, scaledPinball } from '@tsfm/losses';
import { fixCrossing } from '@tsfm/numerics';
import { clampNonNegative, type ForecastConfig } from '@tsfm/tsfm-client';
import type { CandidateSet } from './candidates.js';

/** Per (config, metric) outcome of scoring. */
export const ScoreStatus = Object.freeze({
  Scored: 0,
  /** No scorable validation window for this metric (no evidence for any config). */
  NoEvidence: 1,
  /** A scorable window had no row for this config (empty context window). */
  Incomplete: 2,
  /** The loss was NaN or infinite. */
  NonFinite: 3,
} as const);

export interface ScoreInput {
  readonly alpha: number;
  readonly scales: Float64Array;
  /** actual[m·O + o] (o ≥ 1): the metric's values in validation window o. */
  readonly actual: readonly (Float32Array | null)[];
  readonly scorable: Uint8Array;
}

export interface Scores {
  /** loss[c·M + m]: mean scaled α-loss over the metric's scorable windows, NaN unless status is Scored. */
  readonly loss: Float64Array;
  readonly status: Uint8Array;
  /** windowLoss[(c·M + m)·O + o] (o ≥ 1): scaled α-loss on window o; NaN when not scorable or not scored. */
  readonly windowLoss: Float64Array;
  /** Scorable windows per metric. */
  readonly windowsPerMetric: Int32Array;
}

/**
 * Post-processing of one config applied to a raw [h × L] quantile matrix; returns `raw` itself
 * when the config has none (no copy), else `out`.
 */
export function postProcess(
  raw: Float32Array,
  config: ForecastConfig,
  horizon: number,
  nLevels: number,
  out: Float32Array,
): Float32Array {
  if (!config.clampNonNegative && !config.fixCrossing) return raw;
  out.set(raw);
  if (config.clampNonNegative) clampNonNegative(out, horizon * nLevels);
  if (config.fixCrossing) fixCrossing(out, horizon, nLevels);
  return out;
}

export function scoreCandidates(set: CandidateSet, input: ScoreInput): Scores {
  const { alpha, scales, actual, scorable } = input;
  const { metricCount: M, originCount: O, horizon, levels } = set;
  const K = set.info.length;
  const L = levels.length;
  const loss = new Float64Array(K * M).fill(Number.NaN);
  const windowLoss = new Float64Array(K * M * O).fill(Number.NaN);
  const status = new Uint8Array(K * M);
  const windowsPerMetric = new Int32Array(M);
  for (let m = 0; m < M; m++) for (let o = 1; o < O; o++) windowsPerMetric[m]! += scorable[m * O + o]!;

  // Reused across every (candidate, metric, window): the loop allocates nothing.
  const processed = new Float32Array(horizon * L);
  const path = new Float32Array(horizon);
  for (let c = 0; c < K; c++) {
    for (let m = 0; m < M; m++) {
      const cell = c * M + m;
      if (windowsPerMetric[m] === 0) {
        status[cell] = ScoreStatus.NoEvidence;
        continue;
      }
      let sum = 0;
      let incomplete = false;
      for (let o = 1; o < O; o++) {
        if (scorable[m * O + o] !== 1) continue;
        const quantiles = set.matrix(c, m, o, processed);
        if (quantiles === null) {
          incomplete = true;
          break;
        }
        interpolateQuantileRow(levels, quantiles, L, horizon, alpha, path);
        const l = scaledPinball(actual[m * O + o]!, path, alpha, scales[m]!);
        windowLoss[cell * O + o] = l;
        sum += l;
      }
      if (incomplete) {
        status[cell] = ScoreStatus.Incomplete;
        continue;
      }
      const mean = sum / windowsPerMetric[m]!;
      if (Number.isFinite(mean)) loss[cell] = mean;
      else status[cell] = ScoreStatus.NonFinite;
    }
  }
  return { loss, status, windowLoss, windowsPerMetric };
}
