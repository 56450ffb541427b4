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
import { interpolateQuantileRow, quantileAtStep, quantileBracket, scaledPinball } from '@tsfm/losses';
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

/**
 * interpolateQuantileRow(levels, postProcess(raw, config, …), …, alpha) into `path`, without
 * writing the post-processed matrix: a step whose row is non-decreasing (no NaN) and, under the
 * clamp, starts at or above 0 is left as it is by both repairs, so its α-value is read from `raw`
 * directly; any other step is repaired in `scratch` (nLevels long) exactly as postProcess would.
 * The same values bit for bit, for a fraction of the work: scoring reads one α-path per
 * (config, metric, window), and most model rows are already monotone.
 */
export function postProcessedPath(
  raw: Float32Array,
  config: ForecastConfig,
  horizon: number,
  levels: readonly number[],
  alpha: number,
  path: Float32Array,
  scratch: Float32Array,
): Float32Array {
  const L = levels.length;
  const upper = quantileBracket(levels, alpha);
  const clamp = config.clampNonNegative;
  const sort = config.fixCrossing;
  for (let t = 0; t < horizon; t++) {
    const base = t * L;
    let untouched = !clamp || raw[base] >= 0;
    if (sort) for (let k = 1; k < L && untouched; k++) untouched = raw[base + k] >= raw[base + k - 1];
    else if (clamp) for (let k = 1; k < L && untouched; k++) untouched = raw[base + k] >= 0;
    if (untouched) {
      path[t] = quantileAtStep(raw, base, levels, upper, alpha);
      continue;
    }
    for (let k = 0; k < L; k++) scratch[k] = raw[base + k];
    if (clamp) clampNonNegative(scratch, L);
    if (sort) fixCrossing(scratch, 1, L);
    path[t] = quantileAtStep(scratch, 0, levels, upper, alpha);
  }
  return path;
}

/**
 * Candidate c's α-path for metric m at origin o into `path` (false when it has no forecast there):
 * the set's own fast accessor when it has one, else interpolated from `matrix` (written into
 * `matrix` when given).
 */
export function candidatePath(
  set: CandidateSet,
  c: number,
  m: number,
  o: number,
  alpha: number,
  path: Float32Array,
  matrix?: Float32Array,
): boolean {
  if (set.path !== undefined) return set.path(c, m, o, alpha, path);
  const quantiles = set.matrix(c, m, o, matrix ?? new Float32Array(set.horizon * set.levels.length));
  if (quantiles === null) return false;
  interpolateQuantileRow(set.levels, quantiles, set.levels.length, set.horizon, alpha, path);
  return true;
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
  for (let m = 0; m < M; m++) for (let o = 1; o < O; o++) windowsPerMetric[m] += scorable[m * O + o];

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
        if (!candidatePath(set, c, m, o, alpha, path, processed)) {
          incomplete = true;
          break;
        }
        const observed = actual[m * O + o];
        if (observed === null) throw new Error(`scoring: window ${o} of metric ${m} is scorable but has no actuals`);
        const l = scaledPinball(observed, path, alpha, scales[m]);
        windowLoss[cell * O + o] = l;
        sum += l;
      }
      if (incomplete) {
        status[cell] = ScoreStatus.Incomplete;
        continue;
      }
      const mean = sum / windowsPerMetric[m];
      if (Number.isFinite(mean)) loss[cell] = mean;
      else status[cell] = ScoreStatus.NonFinite;
    }
  }
  return { loss, status, windowLoss, windowsPerMetric };
}
