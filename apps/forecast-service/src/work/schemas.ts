/**
 * Request bodies (zod). Numbers arrive as JSON, so NaN and Infinity cannot be sent as numbers:
 * a string "NaN", 1e999 (parsed as Infinity) or a wrong type is a 400 naming the field. History
 * values are checked by series-input.ts (one message per series, not one per bad element).
 */
import { TIERS } from '@tsfm/losses';
import { z } from 'zod';
import type { RequestLimits } from './request-limits.js';

const TIER_NAMES = Object.keys(TIERS) as [keyof typeof TIERS, ...(keyof typeof TIERS)[]];

const finite = (what: string) =>
  z.number({
    error: (i) => (i.input === undefined ? `${what} is required` : `must be a finite number, got ${describe(i.input)}`),
  });
const integer = (what: string) => finite(what).int({ error: (i) => `must be an integer, got ${describe(i.input)}` });

export function describe(value: unknown): string {
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return String(value);
  return typeof value;
}

/** A metric name in `metrics` or `current` (series-input.ts checks the names in the history). */
const metricName = (limits: RequestLimits) =>
  z
    .string()
    .min(1, 'a metric name is empty')
    .max(limits.maxNameLength, `a metric name may have at most ${limits.maxNameLength} characters`);

/** The fields /forecast and /recommend share: where the history comes from and how to forecast it. */
function forecastFields(limits: RequestLimits) {
  return {
    tenantId: z.string().min(1).max(200).optional(),
    /** Checked by series-input.ts: one precise message per series instead of a union's "invalid input". */
    history: z.unknown().optional(),
    prometheus: z.unknown().optional(),
    /** history: its grid step (default 60000); prometheus: the query's step (default: inferred from the samples). */
    stepMs: finite('stepMs').positive('must be > 0').optional(),
    tier: z
      .enum(TIER_NAMES, { error: (i) => `must be one of ${TIER_NAMES.join(', ')}, got ${describe(i.input)}` })
      .optional(),
    alpha: finite('alpha')
      .gt(0, 'must be strictly between 0 and 1 (the pinball level)')
      .lt(1, 'must be strictly between 0 and 1 (the pinball level)')
      .optional(),
    k: integer('k')
      .min(1, 'must be at least 1')
      .max(limits.maxK, `must be at most ${limits.maxK} (the service limit)`)
      .optional(),
    budgetMs: finite('budgetMs')
      .positive('must be > 0')
      .max(limits.maxBudgetMs, `must be at most ${limits.maxBudgetMs} ms`)
      .optional(),
    seed: integer('seed').optional(),
    metrics: z
      .array(metricName(limits))
      .min(1)
      .max(limits.maxSeries, `must list at most ${limits.maxSeries} metrics`)
      .optional(),
  };
}

type Refinable = { history?: unknown; prometheus?: unknown; tier?: unknown; alpha?: unknown };

function refineSources(body: Refinable, ctx: z.RefinementCtx): void {
  if ((body.history === undefined) === (body.prometheus === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['history'],
      message: 'give exactly one of history (JSON arrays) or prometheus (a query_range response)',
    });
  }
  if ((body.tier === undefined) === (body.alpha === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['alpha'],
      message: `give exactly one of tier (${TIER_NAMES.join(', ')}) or alpha (0 < α < 1)`,
    });
  }
}

export function forecastBodySchema(limits: RequestLimits) {
  return z
    .object({
      ...forecastFields(limits),
      horizon: integer('horizon')
        .min(1, 'must be at least 1 minute')
        .max(limits.maxHorizon, `must be at most ${limits.maxHorizon} minutes (the model's reach)`),
    })
    .strict()
    .superRefine(refineSources);
}

export function recommendBodySchema(limits: RequestLimits) {
  return z
    .object({
      ...forecastFields(limits),
      /** Default: what the recommender reads (its longest horizon or predicted-rate window). */
      horizon: integer('horizon')
        .min(1, 'must be at least 1 minute')
        .max(limits.maxHorizon, `must be at most ${limits.maxHorizon} minutes (the model's reach)`)
        .optional(),
      current: z
        .record(metricName(limits), finite('current').min(0, 'must be ≥ 0'), {
          error: (i) => `must be an object of metric → current allocation, got ${describe(i.input)}`,
        })
        .refine((c) => Object.keys(c).length <= limits.maxSeries, {
          message: `must name at most ${limits.maxSeries} metrics`,
        }),
      /** Recommender options; validated by @tsfm/provisioning (errors name `options.*`). */
      options: z
        .record(z.string(), z.unknown(), {
          error: (i) => `must be an object of recommender options, got ${describe(i.input)}`,
        })
        .optional(),
    })
    .strict()
    .superRefine(refineSources);
}

export type ForecastBody = z.output<ReturnType<typeof forecastBodySchema>>;
export type RecommendBody = z.output<ReturnType<typeof recommendBodySchema>>;
