/**
 * Scoring: every tried config on every validation window, in scale-free α-loss.
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
import { clampNonNegative, fixCrossing, type ForecastConfig, type QuantileForecast } from '@tsfm/tsfm-client';
import type { RowPlan } from './row-plan.js';

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
  readonly configs: readonly ForecastConfig[];
  readonly plan: RowPlan;
  readonly rowIndex: Int32Array;
  readonly forecasts: readonly QuantileForecast[];
  readonly metricCount: number;
  /** Origins including the final one (W + 1). */
  readonly originCount: number;
  readonly horizon: number;
  readonly alpha: number;
  readonly levels: readonly number[];
  readonly scales: Float64Array;
  /** actual[m·O + o] (o ≥ 1): the metric's values in validation window o. */
  readonly actual: readonly (Float32Array | null)[];
  readonly scorable: Uint8Array;
}

export interface Scores {
  /** loss[c·M + m]: mean scaled α-loss, NaN unless status is Scored. */
  readonly loss: Float64Array;
  readonly status: Uint8Array;
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

export function scoreConfigs(input: ScoreInput): Scores {
  const { configs, plan, rowIndex, forecasts, horizon, alpha, levels, scales, actual, scorable } = input;
  const M = input.metricCount;
  const O = input.originCount;
  const K = configs.length;
  const L = levels.length;
  const loss = new Float64Array(K * M).fill(Number.NaN);
  const status = new Uint8Array(K * M);
  const windowsPerMetric = new Int32Array(M);
  for (let m = 0; m < M; m++) for (let o = 1; o < O; o++) windowsPerMetric[m]! += scorable[m * O + o]!;

  // Reused across every (config, metric, window): the loop allocates nothing.
  const processed = new Float32Array(horizon * L);
  const path = new Float32Array(horizon);
  for (let c = 0; c < K; c++) {
    const config = configs[c]!;
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
        const row = rowIndex[plan.slotOf[c * O + o]! * M + m]!;
        if (row < 0) {
          incomplete = true;
          break;
        }
        const quantiles = postProcess(forecasts[row]!.quantiles, config, horizon, L, processed);
        interpolateQuantileRow(levels, quantiles, L, horizon, alpha, path);
        sum += scaledPinball(actual[m * O + o]!, path, alpha, scales[m]!);
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
  return { loss, status, windowsPerMetric };
}
