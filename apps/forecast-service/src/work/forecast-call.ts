/**
 * One harness forecast from a validated body, and its JSON view. Shared by /forecast, /recommend
 * and the controller, so all read history the same way and report the same winner and timings.
 */
import { MINUTE_MS } from '@tsfm/numerics';
import type { Harness, HarnessResult, RacingOptions } from '@tsfm/harness';
import { ApiError } from '../api-error.js';
import type { RequestLimits } from './request-limits.js';
import type { ForecastBody } from './schemas.js';
import { historyToMetrics, prometheusToMetrics, type MetricSeries } from './series-input.js';

export interface ForecastDefaults {
  readonly k: number;
  readonly budgetMs: number;
  /** The harness's options.racing for every request (--racing); null = off, the harness default. */
  readonly racing: RacingOptions | null;
}

export type ForecastInput = Omit<ForecastBody, 'horizon'> & { readonly horizon: number };

export function readSeries(
  body: Pick<ForecastBody, 'history' | 'prometheus' | 'stepMs'>,
  limits: RequestLimits,
): MetricSeries {
  if (body.prometheus !== undefined) return prometheusToMetrics(body.prometheus, limits, body.stepMs);
  return historyToMetrics(body.history, body.stepMs ?? MINUTE_MS, limits);
}

/** The names of `wanted` that the history does not have (Map lookups: no prototype members). */
export function missingMetrics(series: MetricSeries, wanted: readonly string[]): string[] {
  return wanted.filter((m) => !series.metrics.has(m));
}

export function metricList(series: MetricSeries): string {
  return [...series.metrics.keys()].map((m) => m.slice(0, 40)).join(', ');
}

export async function runForecast(
  harness: Harness,
  body: ForecastInput,
  series: MetricSeries,
  defaults: ForecastDefaults,
): Promise<HarnessResult> {
  if (body.metrics) {
    const missing = missingMetrics(series, body.metrics);
    if (missing.length > 0) {
      throw ApiError.badRequest([
        {
          field: 'metrics',
          message: `${missing.map((m) => m.slice(0, 40)).join(', ')} not in the history (has ${metricList(series)})`,
        },
      ]);
    }
  }
  return harness.forecast({
    // Object.fromEntries defines own properties (series-input.ts refuses "__proto__").
    history: { id: body.tenantId ?? 'request', metrics: Object.fromEntries(series.metrics) },
    horizon: body.horizon,
    ...(body.alpha !== undefined ? { alpha: body.alpha } : { tier: body.tier }),
    k: body.k ?? defaults.k,
    budgetMs: body.budgetMs ?? defaults.budgetMs,
    seed: body.seed ?? 0,
    ...(body.metrics ? { metrics: body.metrics } : {}),
    ...(defaults.racing === null ? {} : { options: { racing: { ...defaults.racing } } }),
  });
}

/** Float32 → shortest decimal that round-trips the float32 (7 significant digits), NaN → null. */
const num = (v: number): number | null => (Number.isFinite(v) ? Number(v.toPrecision(7)) : null);

/** The /forecast answer, without `latencyMs` (forecast-job.ts appends it after serialising). */
export function forecastJson(r: HarnessResult, queueMs: number) {
  const forecast: Record<string, Array<number | null>> = {};
  const quantiles: Record<string, Array<Array<number | null>>> = {};
  const winner: Record<string, { key: string; score: number | null; chosenBy: string; tieToDefault: boolean }> = {};
  for (const metric of r.metrics) {
    forecast[metric] = Array.from(r.forecast[metric], num);
    const q = r.quantiles[metric];
    const rows: Array<Array<number | null>> = [];
    const L = q.levels.length;
    for (let t = 0; t < q.horizon; t++) rows.push(Array.from(q.quantiles.subarray(t * L, (t + 1) * L), num));
    quantiles[metric] = rows;
    const w = r.winner[metric];
    winner[metric] = { key: w.key, score: w.score, chosenBy: w.chosenBy, tieToDefault: w.tieToDefault };
  }
  return {
    tenantId: r.tenantId,
    alpha: r.alpha,
    tier: r.tier,
    horizon: r.horizon,
    stepMs: 60_000,
    path: r.path,
    coldStartReason: r.coldStartReason,
    metrics: r.metrics,
    levels: r.levels,
    forecast,
    quantiles,
    winner,
    tenantWinner: r.tenantWinner,
    defaultKey: r.defaultKey,
    kRequested: r.kRequested,
    kUsed: r.kUsed,
    kLowered: r.kLowered,
    budget: r.budget,
    modelRows: r.modelRows,
    racing: r.racing,
    timings: r.timings,
    notes: r.notes,
    queueMs,
  };
}
