/**
 * The methods an experiment compares, behind one small interface: given a tenant and the points
 * (forecast origins) it should run on, return per point the α-quantile path of every metric (and
 * the median path, for the level-vs-median measures of M9), or a failure with its reason. Methods
 * never score themselves: evaluate-tenant.ts scores every method with the same rule.
 *
 *  - harness:  Harness.forecast on the history before the origin (per request, as deployed);
 *  - fixed:    one config (or one per tier) of the same model, every point;
 *  - baseline: a @tsfm/baselines forecaster on a look-back window of the history.
 */
import { MINUTE_MS } from '@tsfm/numerics';
import type { Forecaster } from '@tsfm/baselines';
import type { Tier } from '@tsfm/losses';
import { interpolateQuantileRow } from '@tsfm/losses';
import {
  aggregateTrailing,
  parseConfigKey,
  type ForecastConfig,
  type ForecastRow,
  type TsfmClient,
} from '@tsfm/tsfm-client';
import {
  type CalibrationMethod,
  type CombineMethod,
  type Harness,
  type HarnessResult,
  type RacingOptions,
  type StatisticalMember,
  type ValidationPlacement,
} from '@tsfm/harness';
import type { EvalTenant } from './tenant-data.js';

export interface PointRequest {
  readonly origin: number;
  /** Seed of the harness's config sampling for this request. */
  readonly seed: number;
}

export interface HarnessPointInfo {
  /** Wall time of the `await harness.forecast(…)` call, as a caller sees it. */
  readonly latencyMs: number;
  /** The harness's own stage clock (`timings.total`). */
  readonly harnessMs: number;
  readonly kUsed: number;
  readonly kLowered: boolean;
  readonly overBudget: boolean;
  readonly path: string;
  readonly winner: string;
  /** The archetype the prior source voted for (null without a prior). */
  readonly priorArchetype: string | null;
  readonly modelRows: number;
  /** Statistical members that could not run on this request. */
  readonly membersSkipped: number;
}

export interface MethodForecast {
  /** α-quantile path per metric (tenant.metricNames order), length h. */
  readonly paths: Float32Array[];
  /** Median path per metric, when the method has a distribution. */
  readonly medians: Float32Array[] | null;
  readonly harness?: HarnessPointInfo;
}

export interface MethodFailure {
  readonly failure: string;
}

export type MethodOutcome = MethodForecast | MethodFailure;

export function isFailure(o: MethodOutcome): o is MethodFailure {
  return (o as MethodFailure).failure !== undefined;
}

export interface Method {
  readonly name: string;
  /** The α this method forecasts at, when it overrides the tenant's tier α (M9's paired run). */
  readonly alpha: number | null;
  forecast(tenant: EvalTenant, points: readonly PointRequest[], horizon: number): Promise<MethodOutcome[]>;
}

function messageOf(error: unknown): string {
  const e = error as { code?: string; message?: string };
  const text = e?.message ?? String(error);
  return (e?.code ? `${e.code}: ${text}` : text).split('\n')[0].slice(0, 300);
}

/** One config for everyone, or one per tier / per tenant (leave-one-out tuning on files). */
export type FixedConfigChoice =
  | string
  | { readonly byTier?: Readonly<Partial<Record<Tier, string>>>; readonly byTenant?: Readonly<Record<string, string>> };

export interface HarnessMethodOptions {
  readonly name: string;
  readonly k: number;
  readonly budgetMs: number;
  readonly validationWindows: number;
  readonly configsPerModelRow: number;
  /** Steps of history the request gets (the rest is cut off); the protocol's cap by default. */
  readonly historySteps: number;
  /** Forecast at this α instead of the tenant's. */
  readonly alpha?: number | null;
  /** The request's `options.calibration`; absent: the harness default. */
  readonly calibration?: CalibrationMethod;
  /** The request's `options.members`; absent: the harness default (every member). */
  readonly members?: readonly StatisticalMember[];
  /** The request's `options.combine`; absent: the harness default. */
  readonly combine?: { readonly top: number; readonly method: CombineMethod };
  /** The request's `options.validationPlacement`; absent: the harness default. */
  readonly validationPlacement?: ValidationPlacement;
  /** The request's `options.sameTimeDays`; absent: the harness default. */
  readonly sameTimeDays?: readonly number[];
  /** The request's `options.racing`; absent: the harness default (off). */
  readonly racing?: RacingOptions;
  /** The request's `options.shiftGuard`; absent: the harness default (on). */
  readonly shiftGuard?: boolean;
  /**
   * Requests of one tenant in flight at once (default 1: one after the other). With a harness on
   * a micro-batching forecaster, concurrent requests share model calls; forecasts are identical,
   * each request's latency then includes the shared calls.
   */
  readonly concurrency?: number;
}

/**
 * Harness.forecast per point. The history is a view (subarray) of the last `historySteps` steps
 * before the origin — no copy. The request is on the series' native step ("one minute" to the
 * harness, see forecasters.ts); `start` is the true time of the first step, for priors whose
 * features look at the time of day.
 */
export function harnessMethod(harness: Harness, options: HarnessMethodOptions): Method {
  const alphaOverride = options.alpha ?? null;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const requestOptions = {
    validationWindows: options.validationWindows,
    configsPerModelRow: options.configsPerModelRow,
    ...(options.calibration === undefined ? {} : { calibration: options.calibration }),
    ...(options.members === undefined ? {} : { members: [...options.members] }),
    ...(options.combine === undefined ? {} : { combine: options.combine }),
    ...(options.validationPlacement === undefined ? {} : { validationPlacement: options.validationPlacement }),
    ...(options.sameTimeDays === undefined ? {} : { sameTimeDays: [...options.sameTimeDays] }),
    ...(options.racing === undefined ? {} : { racing: { ...options.racing } }),
    ...(options.shiftGuard === undefined ? {} : { shiftGuard: options.shiftGuard }),
  };
  return {
    name: options.name,
    alpha: alphaOverride,
    async forecast(tenant, points, horizon) {
      // The harness counts in grid steps: its daily members need the tenant's steps per day.
      const stepsPerDay = Math.max(1, Math.round(86_400_000 / tenant.stepMs));
      const one = async (p: PointRequest): Promise<MethodOutcome> => {
        const from = Math.max(0, p.origin - options.historySteps);
        const metrics: Record<string, Float32Array> = {};
        for (const m of tenant.metricNames) metrics[m] = tenant.metrics[m].subarray(from, p.origin);
        try {
          const t0 = performance.now();
          const r = await harness.forecast({
            history: { id: tenant.id, start: tenant.start + from * tenant.stepMs, stepMs: MINUTE_MS, metrics },
            horizon,
            alpha: alphaOverride ?? tenant.alpha,
            k: options.k,
            budgetMs: options.budgetMs,
            seed: p.seed,
            metrics: [...tenant.metricNames],
            options: { ...requestOptions, stepsPerDay },
          });
          return forecastOf(tenant, r, performance.now() - t0);
        } catch (error) {
          return { failure: messageOf(error) };
        }
      };
      const out: MethodOutcome[] = [];
      for (let i = 0; i < points.length; i += concurrency) {
        out.push(...(await Promise.all(points.slice(i, i + concurrency).map(one))));
      }
      return out;
    },
  };
}

function forecastOf(tenant: EvalTenant, r: HarnessResult, wallMs: number): MethodForecast {
  return {
    paths: tenant.metricNames.map((m) => r.forecast[m]),
    medians: tenant.metricNames.map((m) => r.quantiles[m].quantileAt(0.5)),
    harness: {
      latencyMs: wallMs,
      harnessMs: r.timings.total,
      kUsed: r.kUsed,
      kLowered: r.kLowered,
      overBudget: r.budget.overBudget,
      path: r.path,
      winner: r.tenantWinner ?? r.winner[tenant.metricNames[0]].key,
      priorArchetype: r.prior.archetype,
      modelRows: r.modelRows,
      membersSkipped: r.membersSkipped.length,
    },
  };
}

/**
 * One config of the model for every point (per tier when `configs` is a map). All points and
 * metrics go into ONE forecastBatch call; if the batch is refused (a row the config cannot
 * serve), points are retried one by one so the failure is pinned to the points it belongs to.
 */
export function fixedConfigMethod(client: TsfmClient, name: string, configs: FixedConfigChoice): Method {
  const parse = (m: Readonly<Record<string, string>> | undefined): Map<string, ForecastConfig> =>
    new Map(Object.entries(m ?? {}).map(([k, key]) => [k, parseConfigKey(key)]));
  const single = typeof configs === 'string' ? parseConfigKey(configs) : null;
  const byTier = typeof configs === 'string' ? new Map<string, ForecastConfig>() : parse(configs.byTier);
  const byTenant = typeof configs === 'string' ? new Map<string, ForecastConfig>() : parse(configs.byTenant);
  const configFor = (tenant: EvalTenant): ForecastConfig => {
    if (single !== null) return single;
    const c = byTenant.get(tenant.id) ?? (tenant.tier === null ? undefined : byTier.get(tenant.tier));
    if (c === undefined) throw new Error(`no fixed config for tenant ${tenant.id} (tier ${tenant.tier})`);
    return c;
  };
  const levels = client.levels;
  const decode = (q: { quantiles: Float32Array; horizon: number }, alpha: number): Float32Array =>
    interpolateQuantileRow(levels, q.quantiles, levels.length, q.horizon, alpha);
  return {
    name,
    alpha: null,
    async forecast(tenant, points, horizon) {
      let config: ForecastConfig;
      try {
        config = configFor(tenant);
      } catch (error) {
        return points.map(() => ({ failure: messageOf(error) }));
      }
      const series = tenant.metricNames.map((m) => tenant.metrics[m]);
      const M = series.length;
      const rowsFor = (p: PointRequest): ForecastRow[] =>
        series.map((values) => ({ values, end: p.origin, horizon, config }));
      const assemble = (
        forecasts: readonly { quantiles: Float32Array; horizon: number }[],
        offset: number,
      ): MethodForecast => ({
        paths: series.map((_, m) => decode(forecasts[offset + m], tenant.alpha)),
        medians: series.map((_, m) => decode(forecasts[offset + m], 0.5)),
      });
      try {
        const forecasts = await client.forecastBatch(points.flatMap(rowsFor));
        return points.map((_, i) => assemble(forecasts, i * M));
      } catch {
        const out: MethodOutcome[] = [];
        for (const p of points) {
          try {
            out.push(assemble(await client.forecastBatch(rowsFor(p)), 0));
          } catch (error) {
            out.push({ failure: messageOf(error) });
          }
        }
        return out;
      }
    },
  };
}

export interface BaselineMethodOptions {
  readonly name: string;
  readonly forecaster: Forecaster;
  /** Days of history before the origin the baseline sees (converted with the tenant's step). */
  readonly lookbackDays: number;
  /** Aggregate this many native steps into one before fitting (1 = none). */
  readonly aggregateSteps: number;
  /** Seasonal period in AGGREGATED steps; null = one day (288 for 5-minute means). */
  readonly period: number | null;
}

/**
 * A statistical baseline at the tenant's α. With aggregation, the history's last
 * `lookbackDays` are averaged into buckets of `aggregateSteps` aligned to the origin (as the
 * TSFM's resolution knob does), the baseline forecasts ⌈h / a⌉ buckets, and each bucket's
 * quantile is held for its a steps. Forecasts of never-negative histories are clamped at 0, as
 * the TSFM's default config does and as @tsfm/baselines' own evaluation does.
 */
export function baselineMethod(options: BaselineMethodOptions): Method {
  const a = options.aggregateSteps;
  return {
    name: options.name,
    alpha: null,
    async forecast(tenant, points, horizon) {
      const out: MethodOutcome[] = [];
      const levels = [0.5, tenant.alpha].sort((x, y) => x - y);
      const alphaColumn = levels.indexOf(tenant.alpha);
      const medianColumn = levels.indexOf(0.5);
      const steps = Math.ceil(horizon / a);
      const stepsPerDay = Math.max(1, Math.round(86_400_000 / tenant.stepMs));
      const period = options.period ?? Math.max(1, Math.round(stepsPerDay / a));
      const lookbackSteps = Math.round(options.lookbackDays * stepsPerDay);
      for (const p of points) {
        try {
          const paths: Float32Array[] = [];
          const medians: Float32Array[] = [];
          for (const m of tenant.metricNames) {
            const history = aggregateBefore(tenant.metrics[m], p.origin, lookbackSteps, a);
            const f = await options.forecaster.forecast({ history, horizon: steps, period, levels });
            const clamp = nonNegative(history);
            const path = new Float32Array(horizon);
            const median = new Float32Array(horizon);
            for (let t = 0; t < horizon; t++) {
              const row = Math.floor(t / a) * levels.length;
              const q = f.quantiles[row + alphaColumn];
              const q50 = f.quantiles[row + medianColumn];
              path[t] = clamp ? Math.max(0, q) : q;
              median[t] = clamp ? Math.max(0, q50) : q50;
            }
            paths.push(path);
            medians.push(median);
          }
          out.push({ paths, medians });
        } catch (error) {
          out.push({ failure: messageOf(error) });
        }
      }
      return out;
    },
  };
}

/**
 * Mean of each `a`-step bucket of values[origin − lookback, origin), buckets aligned to the origin
 * (tsfm-client's aggregateTrailing, the model's own bucketing, rounded to float32).
 */
export function aggregateBefore(values: Float32Array, origin: number, lookbackSteps: number, a: number): Float32Array {
  const buckets = Math.floor(Math.min(origin, lookbackSteps) / a);
  const means = new Float64Array(buckets);
  aggregateTrailing(values, origin, a, buckets, means);
  return Float32Array.from(means);
}

function nonNegative(history: Float32Array): boolean {
  for (let i = 0; i < history.length; i++) if (history[i] < 0) return false;
  return true;
}
