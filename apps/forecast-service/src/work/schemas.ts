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

/**
 * An object keyed by the caller. zod skips a `__proto__` key of a record without a word (assigning
 * it would replace the output's prototype), so `options: {"__proto__": {…}}` was accepted and
 * ignored, like the typos that strict options refuse: a `__proto__` key at any depth is refused
 * here, before the record, with its path.
 */
const callerKeyed = <T extends z.ZodType>(record: T, reserved: string) =>
  z
    .unknown()
    .superRefine((value, ctx) => {
      const path = protoKeyPath(value, []);
      if (path !== null) ctx.addIssue({ code: 'custom', path, message: reserved });
    })
    .pipe(record);

/** Where `value` (parsed JSON) has an own `__proto__` key, or null. Depth-first, objects only. */
function protoKeyPath(value: unknown, at: string[]): string[] | null {
  if (typeof value !== 'object' || value === null || at.length > 8) return null;
  if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) return at;
  for (const [key, child] of Object.entries(value)) {
    const found = protoKeyPath(child, [...at, key]);
    if (found !== null) return found;
  }
  return null;
}

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

/** Minutes ahead, from 1 to the model's reach. */
function horizonField(limits: RequestLimits) {
  return integer('horizon')
    .min(1, 'must be at least 1 minute')
    .max(limits.maxHorizon, `must be at most ${limits.maxHorizon} minutes (the model's reach)`);
}

export function forecastBodySchema(limits: RequestLimits) {
  return z
    .object({
      ...forecastFields(limits),
      horizon: horizonField(limits),
    })
    .strict()
    .superRefine(refineSources);
}

export function recommendBodySchema(limits: RequestLimits) {
  return z
    .object({
      ...forecastFields(limits),
      /** Default: what the recommender reads (its longest horizon or predicted-rate window). */
      horizon: horizonField(limits).optional(),
      current: callerKeyed(
        z
          .record(metricName(limits), finite('current').min(0, 'must be ≥ 0'), {
            error: (i) => `must be an object of metric → current allocation, got ${describe(i.input)}`,
          })
          .refine((c) => Object.keys(c).length <= limits.maxSeries, {
            message: `must name at most ${limits.maxSeries} metrics`,
          }),
        'the metric name "__proto__" is reserved',
      ),
      /** Recommender options; validated by @tsfm/provisioning (errors name `options.*`). */
      options: callerKeyed(
        z.record(z.string(), z.unknown(), {
          error: (i) => `must be an object of recommender options, got ${describe(i.input)}`,
        }),
        'unknown option __proto__',
      ).optional(),
    })
    .strict()
    .superRefine(refineSources);
}

export type ForecastBody = z.output<ReturnType<typeof forecastBodySchema>>;
export type RecommendBody = z.output<ReturnType<typeof recommendBodySchema>>;
