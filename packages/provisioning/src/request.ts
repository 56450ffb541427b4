/**
 * The request boundary. Two ways in, one set of checks:
 *  - `RecommendRequestSchema` (zod) for untrusted input — the HTTP service. It also accepts plain
 *    JSON arrays (null = missing minute) and turns them into Float32Arrays.
 *  - `RecommendInput`, the typed shape a simulator builds itself; the compiler checks its shape, so
 *    only `checkInput` runs per call (cheap: no zod, O(forecast size + metrics)).
 * `checkInput` holds every cross-field rule (lengths, horizons, a current allocation and a history
 * per forecast metric), so both paths reject the same inputs with the same field paths.
 */
import { TIERS, type Tier } from '@tsfm/losses';
import { z } from 'zod';
import { ProvisioningError, type ProvisioningIssue } from './errors.js';
import { optionIssue, RecommendOptionsSchema, stepsNeeded, type RecommendOptions } from './options.js';

/** One metric's quantile forecast: the shape @tsfm/tsfm-client's QuantileForecast already has. */
export interface MetricForecast {
  /** Row-major [horizon × nLevels]: quantiles[t·nLevels + k] = level k at minute t + 1 from now. */
  readonly quantiles: Float32Array;
  /** Quantile levels, strictly increasing in (0, 1). */
  readonly levels: readonly number[];
  /** Steps in the forecast; when given it must equal quantiles.length / levels.length. */
  readonly horizon?: number;
  /**
   * Added to the α-quantile (target) path before its peaks are taken: the forecaster's
   * calibration of the peak it was asked to cover (@tsfm/harness `result.peak`: value − raw), so
   * the target the recommender provisions is the calibrated peak, not the peak of the model's
   * per-minute quantiles. Default 0.
   */
  readonly targetShift?: number;
}

/** What a recommender needs per call, all on a 1-minute grid ending at the forecast origin. */
export interface RecommendInput {
  /** The pinball level the tenant pays for (premium 0.90, standard 0.75, basic 0.65). */
  readonly alpha: number;
  readonly forecasts: Readonly<Record<string, MetricForecast>>;
  /** What is provisioned now, per forecast metric, in the metric's units. */
  readonly current: Readonly<Record<string, number>>;
  /**
   * Observed history per metric (NaN = missing minute), last element = the minute before the
   * origin. Only the last demand.recentMinutes + demand.baselineMinutes are read, so a simulator
   * can pass `trace.subarray(0, now)` without copying. Extra series (an error count) may be given.
   */
  readonly history: Readonly<Record<string, Float32Array>>;
}

const float32 = z.instanceof(Float32Array, { error: 'expected a Float32Array or an array of numbers' });

/** History: a Float32Array, or JSON numbers with null for a missing minute. */
const HistorySeriesSchema = z.union([
  float32,
  z.array(z.number().nullable()).transform((a) => Float32Array.from(a, (v) => v ?? Number.NaN)),
]);

const QuantilesSchema = z.union([float32, z.array(z.number()).transform((a) => Float32Array.from(a))]);

export const MetricForecastSchema = z.object({
  quantiles: QuantilesSchema,
  levels: z.array(z.number()).min(1).readonly(),
  horizon: z.number().int().min(1).optional(),
  targetShift: z.number().optional(),
});

export const RecommendRequestSchema = z
  .object({
    /** Give alpha or tier, not both. */
    alpha: z.number().gt(0).lt(1).optional(),
    tier: z.enum(Object.keys(TIERS) as [Tier, ...Tier[]]).optional(),
    forecasts: z.record(z.string().min(1), MetricForecastSchema),
    current: z.record(z.string().min(1), z.number().min(0)),
    history: z.record(z.string().min(1), HistorySeriesSchema),
    options: RecommendOptionsSchema.prefault({}),
  })
  .refine((r) => (r.alpha === undefined) !== (r.tier === undefined), {
    error: 'give exactly one of alpha or tier',
    path: ['alpha'],
  });

export type RecommendRequest = z.input<typeof RecommendRequestSchema>;

export interface ParsedRecommendRequest {
  readonly input: RecommendInput;
  readonly options: RecommendOptions;
}

/** Validate an untrusted request (zod shape, then checkInput); throws ProvisioningError. */
export function parseRecommendRequest(request: unknown): ParsedRecommendRequest {
  const parsed = RecommendRequestSchema.safeParse(request);
  if (!parsed.success) {
    throw new ProvisioningError(parsed.error.issues.map((i) => optionIssue(i, '')));
  }
  const r = parsed.data;
  // The schema's refine lets exactly one of alpha and tier through.
  const alpha = r.tier === undefined ? r.alpha : TIERS[r.tier];
  if (alpha === undefined)
    throw new Error('parseRecommendRequest: the schema let a request without alpha or tier through');
  const input: RecommendInput = {
    alpha,
    forecasts: r.forecasts,
    current: r.current,
    history: r.history,
  };
  checkInput(input, r.options);
  return { input, options: r.options };
}

/** Cross-field rules shared by both entry points; throws one ProvisioningError listing every issue. */
export function checkInput(input: RecommendInput, options: RecommendOptions): void {
  const issues: ProvisioningIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  if (!(input.alpha > 0 && input.alpha < 1)) add('alpha', `must be in the open interval (0, 1), got ${input.alpha}`);
  const metrics = Object.keys(input.forecasts);
  if (metrics.length === 0) add('forecasts', 'no metric to recommend for; give at least one forecast');
  const needed = stepsNeeded(options);
  for (const metric of metrics) {
    checkForecast(input.forecasts[metric], `forecasts.${metric}`, needed, add);
    const current = input.current[metric];
    if (current === undefined)
      add(`current.${metric}`, 'missing: every forecast metric needs its current allocation (0 if none)');
    else if (!(current >= 0 && Number.isFinite(current)))
      add(`current.${metric}`, `must be a finite number ≥ 0, got ${current}`);
    const history = input.history[metric];
    if (history === undefined)
      add(`history.${metric}`, 'missing: every forecast metric needs its history (cold start is decided from it)');
    else if (!(history instanceof Float32Array)) add(`history.${metric}`, 'expected a Float32Array');
  }
  const demandMetric = options.demand.demandMetric;
  if (demandMetric !== undefined && metrics.length > 0 && input.forecasts[demandMetric] === undefined) {
    add('options.demand.demandMetric', `'${demandMetric}' has no forecast (have ${metrics.join(', ')})`);
  }
  if (issues.length > 0) throw new ProvisioningError(issues);
}

function checkForecast(
  forecast: MetricForecast,
  path: string,
  stepsRequired: number,
  add: (path: string, message: string) => void,
): void {
  const { quantiles, levels } = forecast;
  if (!(quantiles instanceof Float32Array)) {
    add(`${path}.quantiles`, 'expected a Float32Array');
    return;
  }
  if (levels.length === 0) {
    add(`${path}.levels`, 'is empty; at least one quantile level is needed');
    return;
  }
  for (let k = 0; k < levels.length; k++) {
    if (!(levels[k] > 0 && levels[k] < 1)) {
      add(`${path}.levels`, `levels[${k}] = ${levels[k]} is outside (0, 1)`);
      return;
    }
    if (k > 0 && !(levels[k] > levels[k - 1])) {
      add(
        `${path}.levels`,
        `must be strictly increasing, but levels[${k - 1}] = ${levels[k - 1]} and levels[${k}] = ${levels[k]}`,
      );
      return;
    }
  }
  if (quantiles.length % levels.length !== 0) {
    add(
      `${path}.quantiles`,
      `${quantiles.length} values is not a whole number of rows of ${levels.length} levels (row-major [horizon × nLevels])`,
    );
    return;
  }
  const steps = quantiles.length / levels.length;
  if (forecast.targetShift !== undefined && !Number.isFinite(forecast.targetShift)) {
    add(`${path}.targetShift`, `must be a finite number, got ${forecast.targetShift}`);
    return;
  }
  if (forecast.horizon !== undefined && forecast.horizon !== steps) {
    add(`${path}.horizon`, `is ${forecast.horizon} but quantiles hold ${steps} rows of ${levels.length} levels`);
    return;
  }
  if (steps < stepsRequired) {
    add(
      `${path}.quantiles`,
      `covers ${steps} minutes but ${stepsRequired} are needed (longest horizon / demand.predictMinutes); shorten the horizons or forecast further`,
    );
    return;
  }
  // Only the rows we read must be finite; a NaN there would silently poison max() and the means.
  for (let i = 0; i < stepsRequired * levels.length; i++) {
    if (!Number.isFinite(quantiles[i])) {
      add(
        `${path}.quantiles`,
        `value at minute ${Math.floor(i / levels.length) + 1}, level ${levels[i % levels.length]} is ${quantiles[i]}; forecasts must be finite`,
      );
      return;
    }
  }
}
