/**
 * Policy options of a recommender: what is provisioned per replica, how eagerly to act, how much
 * history is enough. Parsed once (createRecommender) so a simulator calling `recommend` every
 * five minutes never re-validates them. Every default is documented here and in the README.
 */
import { z } from 'zod';
import { ProvisioningError, issuePath } from './errors.js';

/** A probability strictly inside (0, 1). */
const level = z.number().gt(0).lt(1);

/** Per-metric numbers keyed by metric name (`cpu`, `mem`, ...). */
const perMetric = (value: z.ZodNumber) => z.record(z.string().min(1), value);

export const DemandOptionsSchema = z.strictObject({
  /** The "recent" window: the last N minutes of history. */
  recentMinutes: z.number().int().min(1).default(15),
  /**
   * The `mean` baseline (and the seasonal one's fallback under a day of history): up to N minutes
   * immediately before the recent window. Shorter histories use what there is. Also the window
   * cold start counts observed minutes in (with the recent one).
   */
  baselineMinutes: z.number().int().min(1).default(1440),
  /**
   * `seasonal` (default): the baseline is the same clock window at the same time of week (or of
   * day) — demand.ts; `mean`: the mean of the baselineMinutes before the recent window.
   */
  baseline: z.enum(['seasonal', 'mean']).default('seasonal'),
  /** The predicted rate is the median forecast's mean over the next N minutes. */
  predictMinutes: z.number().int().min(1).default(15),
  /** Metric the headline demand level is read from (default: `requests`, else `cpu`, else the first). */
  demandMetric: z.string().min(1).optional(),
  /** The metric that makes a tenant "cpu-bound" (throttle-background rule). */
  cpuMetric: z.string().min(1).default('cpu'),
  /** An optional error-count series in `history`; its surge is the "error signal". */
  errorMetric: z.string().min(1).default('errors'),
  /** cpu-bound: the cpu target reaches this fraction of the current cpu allocation. */
  cpuBoundUtilisation: z.number().gt(0).default(0.8),
  /** Collapse: recent demand ≤ this fraction of the baseline AND of the preceding window. */
  collapseRatio: z.number().gt(0).lt(1).default(0.2),
  /** The window just before the recent one that a collapse must be sudden against. */
  collapseLookbackMinutes: z.number().int().min(1).default(60),
  /** Error signal: recent error rate above this multiple of its baseline. */
  errorSurgeRatio: z.number().gt(1).default(2),
});

/** The reactive autoscaler beside this recommender, for adjust_thresholds (thresholds.ts). */
export const ReactiveOptionsSchema = z.strictObject({
  /** Its scale-up utilisation threshold (an HPA target utilisation), as a fraction. */
  scaleUpUtilisation: level.default(0.8),
  scaleDownUtilisation: level.default(0.3),
  /** adjust_thresholds instead of hold when the target is this far from current (relative) inside the dead band. */
  moderateChange: z.number().gt(0).default(0.05),
});

const quantityUnit = z.enum(['cores', 'millicores', 'bytes', 'KiB', 'MiB', 'GiB']);

/**
 * The Kubernetes view (kubernetes.ts): which metric is the container's cpu and which its memory,
 * in which unit. Absent: no Kubernetes view (the metrics' units are not known otherwise).
 */
export const KubernetesOptionsSchema = z.strictObject({
  containerName: z.string().min(1).max(253).default('app'),
  cpu: z.strictObject({ metric: z.string().min(1), unit: z.enum(['cores', 'millicores']).default('cores') }).optional(),
  memory: z
    .strictObject({ metric: z.string().min(1), unit: quantityUnit.exclude(['cores', 'millicores']).default('bytes') })
    .optional(),
});

// Strict: an unknown option is a typo (`maxReplica`), and dropping it silently would change the
// recommendation without telling anyone.
export const RecommendOptionsSchema = z
  .strictObject({
    /** Forecast horizons in minutes; every one gets its own bounds and action. */
    horizons: z.array(z.number().int().min(1)).min(1).default([5, 15, 30]),
    /**
     * The horizon whose action is the headline one (the lead time a scaling action needs).
     * Default: 15 when it is among the horizons, else the shortest horizon.
     */
    decisionHorizon: z.number().int().min(1).optional(),
    /** Capacity one replica provides, per metric; metrics without one do not drive replicas. */
    perReplicaCapacity: perMetric(z.number().positive()).default({}),
    minReplicas: z.number().int().min(0).default(1),
    maxReplicas: z.number().int().min(1).optional(),
    /** VPA resourcePolicy minAllowed / maxAllowed: caps applied to target and bounds. */
    minAllowed: perMetric(z.number().min(0)).default({}),
    maxAllowed: perMetric(z.number().positive()).default({}),
    /** Below this confidence a metric holds whatever its target says. */
    confidenceFloor: z.number().min(0).max(1).default(0.25),
    /** Base dead band for a standard-tier tenant at full confidence (see thresholds.ts). */
    upThreshold: z.number().min(0).default(0.1),
    downThreshold: z.number().min(0).lt(1).default(0.2),
    /** The interval whose relative width measures confidence. */
    confidenceInterval: z.tuple([level, level]).default([0.1, 0.9]),
    /** Quantile level of lowerBound (used as min(lowerLevel, α)) and upperBound (max(upperLevel, α)). */
    lowerLevel: level.default(0.5),
    upperLevel: level.default(0.99),
    /** Observed minutes of history needed before anything is recommended (cold start). */
    minHistoryMinutes: z.number().int().min(1).default(60),
    demand: DemandOptionsSchema.prefault({}),
    reactive: ReactiveOptionsSchema.prefault({}),
    kubernetes: KubernetesOptionsSchema.optional(),
  })
  .superRefine((o, ctx) => {
    const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (o.decisionHorizon !== undefined && !o.horizons.includes(o.decisionHorizon)) {
      issue(['decisionHorizon'], `${o.decisionHorizon} is not one of horizons [${o.horizons.join(', ')}]`);
    }
    if (o.maxReplicas !== undefined && o.maxReplicas < o.minReplicas) {
      issue(['maxReplicas'], `${o.maxReplicas} is below minReplicas ${o.minReplicas}`);
    }
    for (const [metric, min] of Object.entries(o.minAllowed)) {
      const max = o.maxAllowed[metric];
      if (max !== undefined && max < min) issue(['maxAllowed', metric], `${max} is below minAllowed.${metric} ${min}`);
    }
    const [lo, hi] = o.confidenceInterval;
    if (!(lo < 0.5 && hi > 0.5)) {
      issue(['confidenceInterval'], `must bracket the median (lo < 0.5 < hi), got [${lo}, ${hi}]`);
    }
    // The demand report splits the counted window into recent + baseline; a minimum that fits in
    // the recent window alone would let a tenant be "warm" with an empty baseline.
    const { recentMinutes, baselineMinutes } = o.demand;
    if (o.minHistoryMinutes <= recentMinutes) {
      issue(
        ['minHistoryMinutes'],
        `${o.minHistoryMinutes} must exceed demand.recentMinutes ${recentMinutes} so the baseline has data`,
      );
    }
    if (o.minHistoryMinutes > recentMinutes + baselineMinutes) {
      issue(
        ['minHistoryMinutes'],
        `${o.minHistoryMinutes} exceeds demand.recentMinutes + demand.baselineMinutes = ${recentMinutes + baselineMinutes}, the history that is looked at`,
      );
    }
  })
  .transform((o) => {
    const horizons = [...new Set(o.horizons)].sort((a, b) => a - b);
    const decisionHorizon = o.decisionHorizon ?? (horizons.includes(15) ? 15 : horizons[0]);
    return { ...o, horizons: horizons, decisionHorizon };
  });

export type RecommendOptionsInput = z.input<typeof RecommendOptionsSchema>;
export type RecommendOptions = z.output<typeof RecommendOptionsSchema>;
export type DemandOptions = z.output<typeof DemandOptionsSchema>;
export type KubernetesOptions = z.output<typeof KubernetesOptionsSchema>;

/** Options parsed and defaulted; throws ProvisioningError with `options.*` paths. */
export function parseRecommendOptions(options: unknown = {}): RecommendOptions {
  const parsed = RecommendOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ProvisioningError(parsed.error.issues.map((i) => optionIssue(i, 'options')));
  }
  return parsed.data;
}

/** A zod issue about options as a ProvisioningIssue; unknown keys are named with a hint. */
export function optionIssue(issue: z.core.$ZodIssue, prefix: string): { path: string; message: string } {
  const path = issuePath(issue.path, prefix);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => k.slice(0, 60)).join(', ');
    return {
      path,
      message: `unknown option${issue.keys.length > 1 ? 's' : ''} ${keys} (check the spelling; packages/provisioning/README.md lists the options)`,
    };
  }
  return { path, message: issue.message };
}

/** Forecast steps a recommender reads: the longest horizon or the predicted-rate window. */
export function stepsNeeded(options: RecommendOptions): number {
  return Math.max(options.horizons[options.horizons.length - 1], options.demand.predictMinutes);
}
