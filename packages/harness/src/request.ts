/**
 * The request boundary: zod validates the shape, then cross-field checks (equal metric lengths,
 * a 1-minute grid, α xor tier) turn the input into a ParsedRequest the stages can trust. Every
 * failure is a HarnessError('bad-request') naming the field.
 */
import { TIERS, type Tier } from '@tsfm/losses';
import { MINUTE_MS } from '@tsfm/numerics';
import { z } from 'zod';
import type { TenantHistory } from './config-prior.js';
import { CALIBRATION_METHODS } from './calibration.js';
import { COMBINE_METHODS } from './combine.js';
import { CONFIG_SAMPLERS } from './config-sampler.js';
import { STATISTICAL_MEMBERS } from './statistical-members.js';
import { HarnessError } from './errors.js';
import { VALIDATION_PLACEMENTS } from './validation-origins.js';

/** Metric name given to a single Series request. */
export const SINGLE_SERIES_METRIC = 'value';

// z.custom rather than z.instanceof: instanceof narrows to Float32Array<ArrayBuffer>, which a
// caller's plain Float32Array (ArrayBufferLike, e.g. @tsfm/workload-gen's Tenant) does not satisfy.
const values = z.custom<Float32Array>((v) => v instanceof Float32Array, {
  error: 'expected a Float32Array (NaN = missing minute)',
});

const TenantInputSchema = z.object({
  id: z.string().min(1),
  start: z.number().finite().default(0),
  stepMs: z.number().positive().default(MINUTE_MS),
  metrics: z.record(z.string().min(1), values),
});

const SeriesInputSchema = z.object({
  id: z.string().min(1).default('series'),
  start: z.number().finite().default(0),
  stepMs: z.number().positive().default(MINUTE_MS),
  values,
});

export const SELECTION_MODES = ['per-tenant', 'per-metric'] as const;
export type SelectionMode = (typeof SELECTION_MODES)[number];

export const RequestOptionsSchema = z.object({
  /**
   * Rolling-origin validation windows of h minutes each, counted back from the end of the
   * history (window 1 = the last h minutes), at most: a history shorter than
   * validationWindows·h + minContextPoints gets as many as it holds (result.validationWindows).
   * More windows: a steadier choice and honest (cross-fitted) calibration residuals, more model
   * rows. Default 8, chosen on tuning tenants (`experiments.ts select-harness`, docs/results.md):
   * against 4 windows, 5% lower α-loss and per-tier under-provisioning closer to 1 − α; one window
   * of 60 residuals calibrates worse than none (M9).
   */
  validationWindows: z.number().int().min(1).max(32).default(8),
  /**
   * Where the validation windows sit (validation-origins.ts). `tail`: validationWindows windows
   * back to back at the end of the history. `same-time`: one window at the forecast's own time of
   * day on each of `sameTimeDays` days earlier — a 09:00 request is validated on yesterday's 09:00
   * hour, not on the night before it. `tail+same-time` (default): both. Same-time days the history
   * (or a horizon longer than d days) does not allow are dropped, and with none left the request
   * falls back to the tail windows; `result.validationPlacement` and `notes` say so. With the
   * defaults (days 1 and 7, minContextPoints 60, 1-minute grid) a history shorter than 1 day + 60
   * minutes uses the tail windows alone, and one shorter than 7 days + 60 minutes the tail and
   * yesterday's.
   * Default `tail+same-time`, days 1 and 7, chosen on TUNING tenants (`experiments.ts
   * select-harness`, docs/results/harness-selection.md): against the tail windows alone, 2.2 %
   * [0.5, 5.0] lower α-loss on 60 tuning tenants and 16.3 % [0.9, 33.0] on 60 further tuning
   * tenants (b2b-saas morning ramps), per-tier under-provisioning as close to 1 − α. Evaluated
   * once afterwards on evaluation tenants (M6, 200 tenants × 50 origins): 5.8 % [3.5, 8.3] lower
   * α-loss than the tail-window harness, 3.4 % [2.4, 4.5] below the best fixed config. Cost: up to
   * 10 validation windows instead of 8.
   */
  validationPlacement: z.enum(VALIDATION_PLACEMENTS).default('tail+same-time'),
  /** Days back of the same-time validation windows (`stepsPerDay` steps each). Default yesterday and a week ago. */
  sameTimeDays: z
    .array(z.number().int().min(1).max(56))
    .min(1)
    .max(32)
    .default([1, 7])
    .refine((d) => new Set(d).size === d.length, { error: 'lists a day twice' }),
  /**
   * Minutes of history required BEFORE the earliest validation origin. Search needs history
   * length ≥ h + minContextPoints (one window); shorter histories take the cold-start path.
   * Default 60: scoring a forecast made from less than an hour of context measures the config's
   * behaviour on noise, not on the tenant.
   */
  minContextPoints: z.number().int().min(1).default(60),
  /**
   * `per-tenant` (default): one config for all metrics, chosen by the mean scale-free loss across
   * metrics. `per-metric`: each metric takes the config with its own lowest loss. Per-tenant is
   * the default because each per-metric decision rests on h·W points (60 by default) and picking
   * the best of 32 on 60 points overfits (winner's curse); pooling 4 metrics quarters that noise,
   * and the archetype prior records one winning config per tenant. Both use the same model rows.
   */
  selection: z.enum(SELECTION_MODES).default('per-tenant'),
  /**
   * Sampled configs per distinct model input (1–4). Post-processing knobs (positivity clamp,
   * crossing fix) do not change the model's input, so extra variants of a sampled model input
   * cost no model rows; 2 halves the batch of a K-config request at the price of exploring half
   * as many model inputs. 1 = every config a different model input.
   */
  configsPerModelRow: z.number().int().min(1).max(4).default(2),
  /**
   * How the K configs are drawn (config-sampler.ts). `per-grid` (default): seeded draws over the
   * space's indexes. `grid-stable`: common random numbers across grids — each config's and
   * family's random key is a hash of (seed, its name), so two harnesses over nested grids sample
   * nested configs (a config both grids hold keeps its place or moves up), and comparing two
   * grids is not swamped by each drawing a different sample. It balances context length, flip
   * and post-processing variant within a round only in expectation. Opt-in so that every
   * existing result stays as it was.
   */
  sampler: z.enum(CONFIG_SAMPLERS).default('per-grid'),
  /**
   * `conformal` (default): the α-quantile path and the peak over the decision horizon are shifted
   * by split-conformal quantiles of cross-fitted validation residuals (calibration.ts) — same
   * model call; `result.calibration` says by how much per metric. `none`: the chosen forecast as is.
   */
  calibration: z.enum(CALIBRATION_METHODS).default('conformal'),
  /**
   * Forecast with the quantile-wise `method` of the `top` candidates by validation score (the
   * winner first; combine.ts). top 1 (default) = the winner alone.
   */
  combine: z
    .object({
      top: z.number().int().min(1).max(8).default(1),
      method: z.enum(COMBINE_METHODS).default('median'),
    })
    .prefault({}),
  /**
   * Racing (racing.ts), opt-in: every sampled model input is scored on `windows` validation
   * windows first (spread evenly, the latest and the earliest included), and only the default's
   * and the `survivors` best go on to the other windows and a final forecast — two model calls,
   * about half the rows of a K = 32 request. null (default): every sampled config on every
   * window, one model call. Opt-in until its α-loss is measured against the default's on tuning
   * tenants and the experiments are rerun with it.
   */
  racing: z
    .object({
      windows: z.number().int().min(1).max(64),
      survivors: z.number().int().min(1).max(64),
    })
    .strict()
    .nullable()
    .default(null),
  /**
   * The shift guard (statistical-members.ts, SHIFT_RUN): a statistical member that won selection
   * is refused for the final forecast when the last observations all lie outside its own outermost
   * quantiles forecast a few steps earlier, on one side (a shift inside the last validation window,
   * which selection cannot see); the next config by validation score is used. false: off.
   */
  shiftGuard: z.boolean().default(true),
  /**
   * Statistical members tried beside the sampled model configs (statistical-members.ts); they
   * cost no model row and are skipped, with the reason, when the history is too short for them.
   * [] turns them off.
   */
  members: z
    .array(z.enum(STATISTICAL_MEMBERS))
    .default([...STATISTICAL_MEMBERS])
    .refine((m) => new Set(m).size === m.length, { error: 'lists a member twice' }),
  /**
   * Steps of the request's grid per day: the daily and weekly statistical members' periods.
   * 1440 on a 1-minute grid; an adapter that passes another grid's step as "the minute" gives its
   * own (24 for hourly data, 288 for 5-minute data).
   */
  stepsPerDay: z.number().int().min(1).default(1440),
  /**
   * The decision horizon (steps ≤ horizon) whose peak `result.peak` reports and calibrates:
   * what a capacity decision must cover until the next one. Default: the whole horizon.
   */
  peakHorizon: z.number().int().min(1).optional(),
});

export const HarnessRequestSchema = z
  .object({
    /** A multi-metric tenant ({ id, metrics }) or one series ({ values }); 1-minute grid. */
    history: z.union([TenantInputSchema, SeriesInputSchema]),
    /** Forecast horizon in minutes (= 1-minute steps). */
    horizon: z.number().int().min(1),
    /** The pinball level; give this or `tier`. */
    alpha: z.number().gt(0).lt(1).optional(),
    tier: z.enum(Object.keys(TIERS) as [Tier, ...Tier[]]).optional(),
    /** Configs to try (before the latency budget lowers it). */
    k: z.number().int().min(1).max(4096).default(32),
    /** Wall-clock budget for the whole request, in ms (design: 200 ms per request). */
    budgetMs: z.number().positive().default(200),
    seed: z.number().int().default(0),
    /** Metrics to forecast (default: all of the tenant's, in key order). */
    metrics: z.array(z.string().min(1)).min(1).optional(),
    options: RequestOptionsSchema.prefault({}),
  })
  .refine((r) => (r.alpha === undefined) !== (r.tier === undefined), {
    error: 'give exactly one of alpha or tier',
    path: ['alpha'],
  });

export type HarnessRequest = z.input<typeof HarnessRequestSchema>;
export type RequestOptions = z.output<typeof RequestOptionsSchema>;
/** Racing's settings (racing.ts), when it is on. */
export type RacingOptions = NonNullable<RequestOptions['racing']>;

export interface ParsedRequest {
  readonly tenant: TenantHistory;
  /** Metric names in forecast order. */
  readonly metricNames: readonly string[];
  /** Values per metric, aligned with metricNames; all of length n. */
  readonly series: readonly Float32Array[];
  readonly n: number;
  readonly horizon: number;
  readonly alpha: number;
  readonly tier: Tier | null;
  readonly k: number;
  readonly budgetMs: number;
  readonly seed: number;
  readonly options: RequestOptions;
}

/**
 * zod reports a failed union as one "Invalid input"; re-check against the branch the caller
 * evidently meant (a Series has `values`) so the message names the field at fault.
 */
function historyIssues(history: unknown): string[] {
  const isSeries = typeof history === 'object' && history !== null && 'values' in history;
  const result = (isSeries ? SeriesInputSchema : TenantInputSchema).safeParse(history);
  if (result.success) return ['history: not a tenant ({ id, metrics }) or a series ({ values })'];
  return result.error.issues.map((i) => `history.${i.path.join('.')}: ${i.message}`);
}

export function parseRequest(input: unknown): ParsedRequest {
  const parsed = HarnessRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((i) =>
      i.code === 'invalid_union' && i.path.length === 1 && i.path[0] === 'history'
        ? historyIssues((input as { history: unknown }).history)
        : [`${i.path.join('.') || '(request)'}: ${i.message}`],
    );
    throw new HarnessError('bad-request', issues.join('; '), { issues });
  }
  const r = parsed.data;
  const h = r.history;
  const tenant: TenantHistory =
    'values' in h
      ? { id: h.id, start: h.start, stepMs: h.stepMs, metrics: { [SINGLE_SERIES_METRIC]: h.values } }
      : { id: h.id, start: h.start, stepMs: h.stepMs, metrics: h.metrics };
  if (tenant.stepMs !== MINUTE_MS) {
    throw new HarnessError(
      'bad-request',
      `history.stepMs is ${tenant.stepMs}; the harness needs a 1-minute grid (${MINUTE_MS} ms) — resample first`,
      {
        field: 'history.stepMs',
      },
    );
  }
  const available = Object.keys(tenant.metrics);
  const metricNames = r.metrics ?? available;
  if (metricNames.length === 0)
    throw new HarnessError('bad-request', 'history has no metrics', { field: 'history.metrics' });
  if (new Set(metricNames).size !== metricNames.length) {
    throw new HarnessError('bad-request', `metrics lists a name twice: ${metricNames.join(', ')}`, {
      field: 'metrics',
    });
  }
  const series: Float32Array[] = [];
  for (const name of metricNames) {
    const v = tenant.metrics[name];
    if (v === undefined) {
      throw new HarnessError(
        'bad-request',
        `tenant ${tenant.id} has no metric '${name}' (has ${available.join(', ')})`,
        { field: 'metrics', metric: name },
      );
    }
    series.push(v);
  }
  const n = series[0].length;
  for (let i = 1; i < series.length; i++) {
    if (series[i].length !== n) {
      throw new HarnessError(
        'bad-request',
        `metrics must share one grid: '${metricNames[0]}' has ${n} points but '${metricNames[i]}' has ${series[i].length}`,
        { field: 'history.metrics', metric: metricNames[i] },
      );
    }
  }
  if (n === 0) throw new HarnessError('bad-request', 'history is empty (0 points)', { field: 'history' });
  if (r.options.peakHorizon !== undefined && r.options.peakHorizon > r.horizon) {
    throw new HarnessError(
      'bad-request',
      `options.peakHorizon ${r.options.peakHorizon} is longer than the horizon ${r.horizon}`,
      { field: 'options.peakHorizon' },
    );
  }
  // The schema's refine lets exactly one of alpha and tier through.
  const alpha = r.tier === undefined ? r.alpha : TIERS[r.tier];
  if (alpha === undefined) throw new Error('parseRequest: the schema let a request without alpha or tier through');
  return {
    tenant,
    metricNames,
    series,
    n,
    horizon: r.horizon,
    alpha,
    tier: r.tier ?? null,
    k: r.k,
    budgetMs: r.budgetMs,
    seed: r.seed,
    options: r.options,
  };
}
