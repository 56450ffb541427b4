/**
 * Harness defaults, chosen on TUNING tenants only: the request options the harness ships with
 * (validation windows, statistical members, top-m combination, calibration) are compared here on
 * a seeded subset of the tuning side of the split, never on the evaluation tenants M6–M9 report.
 * Every variant forecasts the same (tenant, origin) points at the tenant's tier α and is scored by
 * M6's rule; per tier, the per-minute under-provisioning rate is read against 1 − α.
 */
import { TIERS, type Tier } from '@tsfm/losses';
import { compare, meanLoss, methodPoints, percentiles } from './aggregate.js';
import { runOnSubset, type FleetExperimentOptions } from './fleet-experiment.js';
import {
  DEFAULT_HARNESS,
  HARNESS_CONCURRENCY,
  HARNESS_V1,
  describeHarness,
  validationLookback,
  type HarnessSettings,
} from './harness-settings.js';
import { emptyTally, mergeTally } from './point-score.js';
import { historyCap } from './protocol.js';
import { ci, fmt, modelBanner, pct, table, type ModelProvenance, type RunInfo } from './report.js';
import type { MethodSpec } from './runtime.js';
import { assertSide, hashUnit } from './split.js';

export interface HarnessVariant {
  readonly name: string;
  readonly settings: HarnessSettings;
}

/**
 * The candidates for the shipped defaults; the first is the reference every other is paired with.
 * 'v2' and its ablations follow the shipped defaults, whose validation placement has been
 * tail+same-time since it was chosen here (docs/results/harness-selection.md); 'v2 tail' is the
 * default before that, the reference of the placement tables there.
 */
export const HARNESS_VARIANTS: readonly HarnessVariant[] = [
  { name: 'v2', settings: DEFAULT_HARNESS },
  { name: 'v2 tail', settings: { ...DEFAULT_HARNESS, validationPlacement: 'tail' } },
  { name: 'v1', settings: HARNESS_V1 },
  { name: 'v2 no-calibration', settings: { ...DEFAULT_HARNESS, calibration: 'none' } },
  { name: 'v2 conformal-scaled', settings: { ...DEFAULT_HARNESS, calibration: 'conformal-scaled' } },
  { name: 'v2 1-window', settings: { ...DEFAULT_HARNESS, validationWindows: 1 } },
  { name: 'v2 4-windows', settings: { ...DEFAULT_HARNESS, validationWindows: 4 } },
  { name: 'v2 no-members', settings: { ...DEFAULT_HARNESS, members: [] } },
  // The shift guard (statistical-members.ts SHIFT_RUN) off: the harness before it.
  { name: 'v2 no-shift-guard', settings: { ...DEFAULT_HARNESS, shiftGuard: false } },
  { name: 'v2 top3-median', settings: { ...DEFAULT_HARNESS, combine: { top: 3, method: 'median' } } },
  { name: 'v2 top5-median', settings: { ...DEFAULT_HARNESS, combine: { top: 5, method: 'median' } } },
  { name: 'v2 top3-mean', settings: { ...DEFAULT_HARNESS, combine: { top: 3, method: 'mean' } } },
  // Validation windows at the forecast's time of day (validation-origins.ts): the tail windows of a
  // 09:00 request are the night before it (M6: b2b-saas morning ramps).
  {
    name: 'v2 same-time 1d+7d',
    settings: { ...DEFAULT_HARNESS, validationPlacement: 'same-time', sameTimeDays: [1, 7] },
  },
  {
    name: 'v2 same-time 1d',
    settings: { ...DEFAULT_HARNESS, validationPlacement: 'same-time', sameTimeDays: [1] },
  },
  {
    name: 'v2 same-time 7d',
    settings: { ...DEFAULT_HARNESS, validationPlacement: 'same-time', sameTimeDays: [7] },
  },
  {
    name: 'v2 same-time 1-8d',
    settings: { ...DEFAULT_HARNESS, validationPlacement: 'same-time', sameTimeDays: [1, 2, 3, 4, 5, 6, 7, 8] },
  },
  {
    name: 'v2 tail+1d+7d',
    settings: { ...DEFAULT_HARNESS, validationPlacement: 'tail+same-time', sameTimeDays: [1, 7] },
  },
  // Racing (racing.ts): every sampled model input on a few windows, the best few on the rest.
  { name: 'v2 racing 3w/4', settings: { ...DEFAULT_HARNESS, racing: { windows: 3, survivors: 4 } } },
  { name: 'v2 racing 3w/2', settings: { ...DEFAULT_HARNESS, racing: { windows: 3, survivors: 2 } } },
  { name: 'v2 racing 2w/4', settings: { ...DEFAULT_HARNESS, racing: { windows: 2, survivors: 4 } } },
  { name: 'v2 racing 5w/4', settings: { ...DEFAULT_HARNESS, racing: { windows: 5, survivors: 4 } } },
  {
    name: 'v2 tail6+1d+7d',
    settings: {
      ...DEFAULT_HARNESS,
      validationWindows: 6,
      validationPlacement: 'tail+same-time',
      sameTimeDays: [1, 7],
    },
  },
];

const TIER_ORDER: readonly Tier[] = ['premium', 'standard', 'basic'];

export interface VariantRow {
  readonly name: string;
  readonly description: string;
  readonly points: number;
  readonly meanLoss: number;
  /** Per tier: share of observed (minute, metric) cells with actual > forecast. */
  readonly under: Readonly<Record<string, number>>;
  /** Paired with the first variant: relative improvement of this one (> 0: lower loss) and its CI. */
  readonly vsReference: { readonly rel: number; readonly lo: number; readonly hi: number } | null;
  readonly p99Ms: number;
}

/** One variant against the reference within one archetype (paired points, CI over its tenants). */
export interface ArchetypeRow {
  readonly archetype: string;
  readonly tenants: number;
  readonly byVariant: Readonly<
    Record<string, { readonly rel: number; readonly lo: number; readonly hi: number } | null>
  >;
}

export interface HarnessSelectionResult {
  readonly experiment: 'harness-selection';
  readonly model: ModelProvenance;
  readonly run: RunInfo;
  readonly tenants: number;
  readonly originsPerTenant: number;
  /** Tenants of the seeded order passed over before the subset (0: the first `tenants`). */
  readonly skippedTenants: number;
  readonly rows: readonly VariantRow[];
  readonly byArchetype: readonly ArchetypeRow[];
}

export interface HarnessSelectionOptions extends FleetExperimentOptions {
  readonly workers: number;
  readonly tenants?: number;
  /**
   * Pass over the first `skipTenants` of the seeded tuning order: a confirmation run on tenants
   * disjoint from an earlier run's (which chose among the variants) is `--select-skip` = its size.
   */
  readonly skipTenants?: number;
  readonly originsPerTenant?: number;
  readonly variants?: readonly HarnessVariant[];
}

export async function runHarnessSelection(options: HarnessSelectionOptions): Promise<HarnessSelectionResult> {
  const { split, protocol } = options;
  const variants = options.variants ?? HARNESS_VARIANTS;
  const ids = [...split.tuning]
    .sort((a, b) => hashUnit(protocol.seed, `select:${a}`) - hashUnit(protocol.seed, `select:${b}`))
    .slice(options.skipTenants ?? 0, (options.skipTenants ?? 0) + (options.tenants ?? 60));
  assertSide(split, ids, 'tuning');
  const perTenant = options.originsPerTenant ?? 5;
  const lookback = Math.max(
    ...variants.map((v) => validationLookback(v.settings, protocol.horizon, protocol.stepsPerDay)),
  );
  const cap = historyCap(options.contextLength, 60, lookback, protocol.stepsPerDay);
  const specs: MethodSpec[] = variants.map((v) => ({
    kind: 'harness',
    ...v.settings,
    name: v.name,
    historySteps: cap,
    concurrency: HARNESS_CONCURRENCY,
  }));
  const { outcomes, wallSeconds, cpuSeconds } = await runOnSubset(
    'harness selection',
    options,
    { ids, perTenant },
    specs,
    { workers: options.workers, microBatch: true },
  );
  const reference = variants[0].name;
  const rows = variants.map((v): VariantRow => {
    const under: Record<string, number> = {};
    for (const tier of TIER_ORDER) {
      const t = emptyTally();
      for (const o of outcomes) if (o.tier === tier) mergeTally(t, methodPoints(o, v.name).tally);
      under[tier] = t.under / t.observed;
    }
    const latencies: number[] = [];
    for (const o of outcomes) {
      const h = methodPoints(o, v.name).harness;
      if (h) for (const x of h.latencyMs) if (Number.isFinite(x)) latencies.push(x);
    }
    const { mean, points } = meanLoss(outcomes, v.name);
    const c =
      v.name === reference
        ? null
        : compare(outcomes, v.name, reference, 'all', undefined, { seed: protocol.seed }).summary;
    return {
      name: v.name,
      description: describeHarness(v.settings),
      points,
      meanLoss: mean,
      under,
      vsReference: c
        ? { rel: c.relativeImprovement, lo: c.relativeImprovementCI.lo, hi: c.relativeImprovementCI.hi }
        : null,
      p99Ms: latencies.length === 0 ? Number.NaN : percentiles(latencies, [0.99])[0],
    };
  });
  const archetypes = [...new Set(outcomes.map((o) => o.archetype ?? 'unknown'))].sort();
  const byArchetype = archetypes.map((archetype): ArchetypeRow => {
    const keep = (o: (typeof outcomes)[number]): boolean => (o.archetype ?? 'unknown') === archetype;
    const byVariant: Record<string, { rel: number; lo: number; hi: number } | null> = {};
    for (const v of variants.slice(1)) {
      const c = compare(outcomes, v.name, reference, archetype, keep, { seed: protocol.seed }).summary;
      byVariant[v.name] = c
        ? { rel: c.relativeImprovement, lo: c.relativeImprovementCI.lo, hi: c.relativeImprovementCI.hi }
        : null;
    }
    return { archetype, tenants: new Set(outcomes.filter(keep).map((o) => o.tenantId)).size, byVariant };
  });
  return {
    experiment: 'harness-selection',
    model: options.model,
    run: { ...options.run, wallSeconds, cpuSeconds },
    tenants: ids.length,
    originsPerTenant: perTenant,
    skippedTenants: options.skipTenants ?? 0,
    rows,
    byArchetype,
  };
}

export function harnessSelectionMarkdown(r: HarnessSelectionResult): string {
  const reference = r.rows[0].name;
  return [
    '## Harness defaults — chosen on tuning tenants',
    '',
    modelBanner(r.model),
    '',
    `${r.tenants} TUNING tenants (seeded subset${r.skippedTenants > 0 ? `, after the first ${r.skippedTenants} of the seeded order` : ''}; none is an evaluation tenant — asserted in code) × ${r.originsPerTenant} origins, ` +
      `each tenant at its tier's α, every variant on the same points; scored by M6's rule. Wall ${r.run.wallSeconds.toFixed(0)} s on ` +
      `${r.run.workers} worker(s), load average before ${r.run.loadAverage.map((x) => x.toFixed(1)).join(' / ')}.`,
    '',
    table(
      [
        'variant',
        'points',
        'α-loss',
        `vs ${reference}: rel. improvement [95% CI]`,
        ...TIER_ORDER.map((t) => `under-provisioned ${t} (target ${pct(1 - TIERS[t], 0)})`),
        'p99 ms',
      ],
      r.rows.map((x) => [
        x.name,
        x.points,
        fmt(x.meanLoss),
        x.vsReference === null ? '—' : `${pct(x.vsReference.rel, 1)} ${ci(x.vsReference.lo, x.vsReference.hi)}`,
        ...TIER_ORDER.map((t) => pct(x.under[t] ?? Number.NaN, 1)),
        fmt(x.p99Ms, 3),
      ]),
    ),
    '',
    ...r.rows.map((x) => `- **${x.name}**: ${x.description}`),
    '',
    ...(r.rows.length > 1 && r.byArchetype.length > 0
      ? [
          `Per archetype: rel. improvement of each variant over ${reference} on the same points [95% CI, cluster bootstrap over the archetype's tenants].`,
          '',
          table(
            ['archetype', 'tenants', ...r.rows.slice(1).map((x) => x.name)],
            r.byArchetype.map((a) => [
              a.archetype,
              a.tenants,
              ...r.rows.slice(1).map((x) => {
                const c = a.byVariant[x.name];
                return c === null || c === undefined ? '—' : `${pct(c.rel, 1)} ${ci(c.lo, c.hi)}`;
              }),
            ]),
          ),
          '',
        ]
      : []),
  ].join('\n');
}
