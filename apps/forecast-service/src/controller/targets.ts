/**
 * The controller's targets file (`--controller FILE`, JSON): where Prometheus is, how often to
 * loop, and per target the PromQL of each resource, its current allocation and the recommender's
 * options. Validated once at start; every error names the file and the field.
 *
 *   {
 *     "prometheus": { "url": "http://prometheus:9090", "historyMinutes": 1440, "stepSeconds": 60 },
 *     "intervalSeconds": 60,
 *     "targets": [{
 *       "name": "web", "tier": "premium",
 *       "resources": {
 *         "cpu": { "query": "sum(rate(container_cpu_usage_seconds_total{pod=~\"web-.*\"}[1m]))", "current": 4 },
 *         "requests": { "query": "sum(rate(http_requests_total{job=\"web\"}[1m]))", "current": 1200 }
 *       },
 *       "options": { "perReplicaCapacity": { "cpu": 1 }, "maxReplicas": 20 }
 *     }]
 *   }
 */
import { readFileSync } from 'node:fs';
import { TIERS } from '@tsfm/losses';
import { parseRecommendOptions, ProvisioningError, type RecommendOptions } from '@tsfm/provisioning';
import { z } from 'zod';

const TIER_NAMES = Object.keys(TIERS) as [keyof typeof TIERS, ...(keyof typeof TIERS)[]];

/** A Prometheus label value and a metric name: what a target and a resource become in /metrics. */
const labelSafe = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_.:-]{0,99}$/,
    'must be 1–100 characters: letters, digits, _ . : - (it becomes a label value)',
  );

const ResourceSchema = z.strictObject({
  /** PromQL returning ONE series (aggregate with sum() / max()). */
  query: z.string().min(1).max(4000),
  /** What is allocated now: a number in the query's unit, or an instant PromQL query for it. */
  current: z.union([z.number().min(0), z.strictObject({ query: z.string().min(1).max(4000) })]),
});

const TargetSchema = z
  .strictObject({
    name: labelSafe,
    tier: z.enum(TIER_NAMES).optional(),
    alpha: z.number().gt(0).lt(1).optional(),
    resources: z
      .record(labelSafe, ResourceSchema)
      .refine((r) => Object.keys(r).length >= 1 && Object.keys(r).length <= 16, {
        message: 'must name 1–16 resources',
      }),
    /** Recommender options (packages/provisioning), validated here. */
    options: z.record(z.string(), z.unknown()).default({}),
    k: z.number().int().min(1).max(256).optional(),
    budgetMs: z.number().positive().max(60_000).optional(),
  })
  .refine((t) => (t.tier === undefined) !== (t.alpha === undefined), {
    message: 'give exactly one of tier or alpha',
    path: ['tier'],
  });

export const TargetsFileSchema = z.strictObject({
  prometheus: z.strictObject({
    url: z.url({ protocol: /^https?$/ }),
    /** Per query (default 10 s). */
    timeoutSeconds: z.number().positive().max(300).default(10),
    /**
     * History read per query (default 1 day; the harness searches with ≥ h + 60 minutes, weekly
     * seasons need 7 days).
     */
    historyMinutes: z.number().int().min(1).max(43_200).default(1440),
    /** query_range step: a divisor of a minute (the harness works on 1-minute grids). */
    stepSeconds: z
      .number()
      .int()
      .min(1)
      .max(60)
      .refine((s) => 60 % s === 0, 'must divide 60')
      .default(60),
  }),
  intervalSeconds: z.number().min(0.05).max(86_400).default(60),
  targets: z
    .array(TargetSchema)
    .min(1)
    .max(1000)
    .refine((ts) => new Set(ts.map((t) => t.name)).size === ts.length, { message: 'target names must be unique' }),
});

export type TargetsFile = z.output<typeof TargetsFileSchema>;
export type Target = TargetsFile['targets'][number] & { readonly parsedOptions: RecommendOptions };
export interface ControllerConfig extends Omit<TargetsFile, 'targets'> {
  readonly targets: readonly Target[];
}

export class TargetsFileError extends Error {
  override readonly name = 'TargetsFileError';
}

/** Parse a targets file's JSON value; `source` names it in errors. */
export function parseTargets(value: unknown, source: string): ControllerConfig {
  const parsed = TargetsFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '');
    throw new TargetsFileError(`${source}: ${field || '(root)'}: ${issue.message}`);
  }
  const targets = parsed.data.targets.map((t, i) => {
    try {
      return { ...t, parsedOptions: parseRecommendOptions(t.options) };
    } catch (error) {
      if (!(error instanceof ProvisioningError)) throw error;
      const first = error.issues[0];
      throw new TargetsFileError(`${source}: targets[${i}].${first.path}: ${first.message}`);
    }
  });
  return { ...parsed.data, targets };
}

export function loadTargets(path: string): ControllerConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TargetsFileError(
      `cannot read the controller targets file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TargetsFileError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  return parseTargets(value, path);
}
