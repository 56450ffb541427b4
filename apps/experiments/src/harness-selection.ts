/**
 * Harness defaults, chosen on TUNING tenants only: the request options the harness ships with
 * (validation windows, statistical members, top-m combination, calibration) are compared here on
 * a seeded subset of the tuning side of the split, never on the evaluation tenants M6–M9 report.
 * Every variant forecasts the same (tenant, origin) points at the tenant's tier α and is scored by
 * M6's rule; per tier, the per-minute under-provisioning rate is read against 1 − α.
 */
import { TIERS, type Tier } from '@tsfm/losses';
import { compare, meanLoss, methodPoints, percentiles } from './aggregate.js';
import { subsetOriginTasks, runEvaluations } from './evaluation-run.js';
import { extraModelsFor } from './forecasters.js';
import { DEFAULT_HARNESS, HARNESS_CONCURRENCY, HARNESS_V1, describeHarness, type HarnessSettings } from './m6.js';
import { evenSubset } from './origins.js';
import { emptyTally, mergeTally } from './point-score.js';
import { historyCap, type Protocol } from './protocol.js';
import { ci, fmt, modelBanner, pct, table, type ModelProvenance, type RunInfo } from './report.js';
import type { MethodSpec } from './runtime.js';
import { assertSide, hashUnit, type TenantSplit } from './split.js';

export interface HarnessVariant {
  readonly name: string;
  readonly settings: HarnessSettings;
}

/** The candidates for the shipped defaults; the first is the reference every other is paired with. */
export const HARNESS_VARIANTS: readonly HarnessVariant[] = [
  { name: 'v2', settings: DEFAULT_HARNESS },
  { name: 'v1', settings: HARNESS_V1 },
  { name: 'v2 no-calibration', settings: { ...DEFAULT_HARNESS, calibration: 'none' } },
  { name: 'v2 conformal-scaled', settings: { ...DEFAULT_HARNESS, calibration: 'conformal-scaled' } },
  { name: 'v2 1-window', settings: { ...DEFAULT_HARNESS, validationWindows: 1 } },
  { name: 'v2 4-windows', settings: { ...DEFAULT_HARNESS, validationWindows: 4 } },
  { name: 'v2 no-members', settings: { ...DEFAULT_HARNESS, members: [] } },
  { name: 'v2 top3-median', settings: { ...DEFAULT_HARNESS, combine: { top: 3, method: 'median' } } },
  { name: 'v2 top5-median', settings: { ...DEFAULT_HARNESS, combine: { top: 5, method: 'median' } } },
  { name: 'v2 top3-mean', settings: { ...DEFAULT_HARNESS, combine: { top: 3, method: 'mean' } } },
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

export interface HarnessSelectionResult {
  readonly experiment: 'harness-selection';
  readonly model: ModelProvenance;
  readonly run: RunInfo;
  readonly tenants: number;
  readonly originsPerTenant: number;
  readonly rows: readonly VariantRow[];
}

export interface HarnessSelectionOptions {
  readonly fleetDir: string;
  readonly modelPath: string;
  readonly model: ModelProvenance;
  readonly contextLength: number;
  readonly split: TenantSplit;
  readonly protocol: Protocol;
  readonly workers: number;
  readonly tenants?: number;
  readonly originsPerTenant?: number;
  readonly variants?: readonly HarnessVariant[];
  readonly run: Omit<RunInfo, 'wallSeconds'>;
  readonly onProgress?: (done: number, total: number) => void;
}

export async function runHarnessSelection(options: HarnessSelectionOptions): Promise<HarnessSelectionResult> {
  const { split, protocol } = options;
  const variants = options.variants ?? HARNESS_VARIANTS;
  const ids = [...split.tuning]
    .sort((a, b) => hashUnit(protocol.seed, `select:${a}`) - hashUnit(protocol.seed, `select:${b}`))
    .slice(0, options.tenants ?? 60);
  assertSide(split, ids, 'tuning');
  const perTenant = options.originsPerTenant ?? 5;
  const windows = Math.max(...variants.map((v) => v.settings.validationWindows));
  const cap = historyCap(options.contextLength, 60, windows, protocol.horizon, protocol.stepsPerDay);
  const specs: MethodSpec[] = variants.map((v) => ({
    kind: 'harness',
    ...v.settings,
    name: v.name,
    historySteps: cap,
    concurrency: HARNESS_CONCURRENCY,
  }));
  let done = 0;
  const { outcomes, wallSeconds, cpuSeconds } = await runEvaluations(
    'harness selection',
    {
      modelPath: options.modelPath,
      extraModels: await extraModelsFor(options.modelPath),
      microBatch: true,
      resolutions: null,
      methods: specs,
    },
    subsetOriginTasks(
      options.fleetDir,
      new Set(ids),
      protocol,
      evenSubset(protocol.originsPerTenant, perTenant),
      specs.map((s) => s.name),
    ),
    { workers: options.workers, onResult: () => options.onProgress?.(++done, ids.length) },
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
  return {
    experiment: 'harness-selection',
    model: options.model,
    run: { ...options.run, wallSeconds, cpuSeconds },
    tenants: ids.length,
    originsPerTenant: perTenant,
    rows,
  };
}

export function harnessSelectionMarkdown(r: HarnessSelectionResult): string {
  const reference = r.rows[0].name;
  return [
    '## Harness defaults — chosen on tuning tenants',
    '',
    modelBanner(r.model),
    '',
    `${r.tenants} TUNING tenants (seeded subset; none is an evaluation tenant — asserted in code) × ${r.originsPerTenant} origins, ` +
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
  ].join('\n');
}
