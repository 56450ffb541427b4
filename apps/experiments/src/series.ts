/**
 * The headline comparison on real single-metric series: the NAB CloudWatch files, or any
 * `timestamp,value` CSV. Each file is a tenant with one metric; requests are made at origins
 * spread over its last days, horizon one hour in the file's own steps (12 on 5-minute data).
 *
 * The harness and the TSFM work in native steps (forecasters.ts): resolution r = r native steps,
 * restricted to buckets no longer than the horizon. The best fixed config for a file is chosen on
 * the OTHER files of the tuning pool (leave-one-out): a file never helps choose its own fixed
 * config. Baselines see the last `lookbackDays` days at the native step, period one day.
 *
 * One consequence of "native step = minute" checked here: the harness's internal validation
 * scale picks its seasonal lag in minutes (1440 "minutes" = 5 days on 5-minute data). With ONE
 * metric that scale is a constant factor on every config's validation loss, so it cannot change
 * the winner; the evaluation itself uses the right daily lag (288 steps, point-score.ts).
 *
 * Clusters for the bootstrap and the tenant-level Wilcoxon are files: with 8 NAB files the
 * intervals are wide and the tenant-level test has little power — read them as such.
 */
import { basename, resolve } from 'node:path';
import type { BaselineName } from '@tsfm/baselines';
import { compare, meanLoss, methodCounts, type Comparison, type MethodCounts } from './aggregate.js';
import type { TenantOutcome } from './evaluate-tenant.js';
import { resolutionsWithin } from './forecasters.js';
import { evenSubset, forecastOrigins } from './origins.js';
import { runTasks } from './pool.js';
import { fmt, modelBanner, pct, table, type ModelProvenance, type RunInfo, cpuSecondsSince } from './report.js';
import type { MethodSpec, RuntimeTask } from './runtime.js';
import { readSeriesTenant, type EvalTenant } from './tenant-data.js';
import { summariseGrid } from './tuning.js';
import { COMPARISON_HEADERS, comparisonRow, statsNote, REFERENCE } from './comparison-table.js';
import { DEFAULT_HARNESS, HARNESS_CONCURRENCY, describeHarness, type HarnessSettings } from './harness-settings.js';
import { extraModelsFor } from './forecasters.js';
import {
  calibratedSection,
  pairedTierMethods,
  pairedTierTable,
  pairedTierView,
  tenantTierRows,
  TIES_NOTE,
  type PairedTierView,
  type TierRow,
} from './paired-tiers.js';

export interface SeriesOptions {
  /** 'nab' or 'csv' (labels the report). */
  readonly dataset: string;
  /** Files evaluated. */
  readonly files: readonly string[];
  /** Pool the fixed config is tuned on, leave-one-out (default: `files`). */
  readonly tuningFiles?: readonly string[];
  readonly modelPath: string;
  readonly model: ModelProvenance;
  readonly workers: number;
  /** Pinball level (default 0.9, the premium tier). */
  readonly alpha?: number;
  /** Horizon in minutes (default 60), converted to native steps per file. */
  readonly horizonMinutes?: number;
  readonly originsPerFile?: number;
  /** Origins spread over the last this many days (default 5). */
  readonly spanDays?: number;
  /** No origin before this many days of history (default 2). */
  readonly minHistoryDays?: number;
  readonly harness?: HarnessSettings;
  readonly baselines?: {
    readonly light: readonly BaselineName[];
    readonly heavy: readonly BaselineName[];
    readonly heavyOrigins: number;
    readonly lookbackDays: number;
  };
  readonly seed: number;
  readonly run: Omit<RunInfo, 'wallSeconds'>;
  /**
   * M9's paired tier view on these files (default true): the harness at every tier's α and the
   * harness before v2 at the same α, on the same points — the under-provisioning target of issue 11
   * holds "on the fleet and on NAB", and this is the NAB half.
   */
  readonly tiers?: boolean;
}

export const DEFAULT_SERIES_BASELINES = Object.freeze({
  light: ['naive', 'snaive'] as BaselineName[],
  heavy: ['mstl-ets', 'arima', 'prophet'] as BaselineName[],
  heavyOrigins: 10,
  lookbackDays: 4,
});

export interface SeriesFileRow {
  readonly id: string;
  readonly steps: number;
  readonly stepMinutes: number;
  readonly horizonSteps: number;
  readonly fixedConfig: string | null;
  readonly means: Readonly<Record<string, { mean: number; points: number }>>;
  /** The harness at each tier's α on this file's points (absent without the tier view). */
  readonly tiers?: readonly TierRow[];
}

export interface SeriesResult {
  readonly experiment: 'series';
  readonly dataset: string;
  readonly model: ModelProvenance;
  readonly run: RunInfo;
  readonly alpha: number;
  readonly horizonMinutes: number;
  readonly originsPerFile: number;
  readonly resolutions: readonly number[];
  readonly methods: readonly (MethodCounts & { description: string })[];
  readonly headline: readonly Comparison[];
  readonly files: readonly SeriesFileRow[];
  /** M9's views 2 and 3 on these files (absent when `tiers: false` or in older outputs). */
  readonly tiers?: PairedTierView & { readonly validationWindows: number };
}

export async function runSeries(options: SeriesOptions): Promise<SeriesResult> {
  const alpha = options.alpha ?? 0.9;
  const horizonMinutes = options.horizonMinutes ?? 60;
  const count = options.originsPerFile ?? 50;
  const harness = options.harness ?? DEFAULT_HARNESS;
  const bl = options.baselines ?? DEFAULT_SERIES_BASELINES;
  const evalPaths = options.files.map((f) => resolve(f));
  const tunePaths = (options.tuningFiles ?? options.files).map((f) => resolve(f));
  const allPaths = [...new Set([...evalPaths, ...tunePaths])];
  const tenants = new Map<string, EvalTenant>();
  for (const p of allPaths) tenants.set(p, await readSeriesTenant(p, alpha));
  const tenantOf = (path: string): EvalTenant => {
    const tenant = tenants.get(path);
    if (tenant === undefined) throw new Error(`${path} was not read (every evaluation and tuning file is)`);
    return tenant;
  };
  const ids = new Set<string>();
  for (const t of tenants.values()) {
    if (ids.has(t.id)) throw new Error(`two files are named ${t.id}: file names identify series`);
    ids.add(t.id);
  }
  const horizonOf = (t: EvalTenant): number => Math.max(1, Math.round((horizonMinutes * 60_000) / t.stepMs));
  const dayOf = (t: EvalTenant): number => Math.max(1, Math.round(86_400_000 / t.stepMs));
  const originsFor = (t: EvalTenant): Int32Array =>
    forecastOrigins(t.id, t.metrics[t.metricNames[0]].length, {
      count,
      spanSteps: Math.round((options.spanDays ?? 5) * dayOf(t)),
      horizon: horizonOf(t),
      minHistory: Math.round((options.minHistoryDays ?? 2) * dayOf(t)),
      seed: options.seed,
    });
  const resolutions = resolutionsWithin(Math.min(...[...tenants.values()].map(horizonOf)));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();

  // 1. Grid on the tuning pool (every file's origins), then leave-one-out best config per file.
  const gridResults = await runTasks(
    { modelPath: options.modelPath, resolutions, methods: [] },
    tunePaths.map((p): RuntimeTask => {
      const t = tenantOf(p);
      return {
        kind: 'grid',
        task: { tenant: t, origins: originsFor(t), horizon: horizonOf(t), stepsPerDay: dayOf(t) },
      };
    }),
    { workers: Math.min(options.workers, tunePaths.length) },
  );
  const grids = gridResults.map((r) => {
    if (r.kind !== 'grid') throw new Error('expected grid results');
    return r.outcome;
  });
  const fixedByTenant: Record<string, string> = {};
  for (const p of evalPaths) {
    const id = tenantOf(p).id;
    const others = grids.filter((g) => g.tenantId !== id);
    if (others.length > 0) fixedByTenant[id] = summariseGrid(others).best.key;
  }

  // 2. Every method on every evaluated file.
  const specs: MethodSpec[] = [
    {
      kind: 'harness',
      name: REFERENCE,
      ...harness,
      historySteps: Number.MAX_SAFE_INTEGER,
      concurrency: HARNESS_CONCURRENCY,
    },
    { kind: 'fixed', name: 'fixed-best-loo', config: { byTenant: fixedByTenant } },
    { kind: 'fixed', name: 'default', config: grids[0]?.defaultKey ?? 'ctx512-r1-none-flip0-clamp1-fix1' },
  ];
  for (const b of [...bl.light, ...bl.heavy])
    specs.push({
      kind: 'baseline',
      name: b,
      baseline: b,
      lookbackDays: bl.lookbackDays,
      aggregateSteps: 1,
      period: null,
    });
  const descriptions: Record<string, string> = {
    [REFERENCE]: `per-request search: ${describeHarness(harness)}; resolutions ${resolutions.join('/')} native steps`,
    'fixed-best-loo': 'best grid config on the OTHER files of the tuning pool (leave-one-out)',
    default: `fleet default config \`${specs[2].kind === 'fixed' ? (specs[2] as { config: string }).config : ''}\``,
  };
  for (const b of bl.light) descriptions[b] = `last ${bl.lookbackDays} days, native step, period one day; every origin`;
  for (const b of bl.heavy)
    descriptions[b] =
      `last ${bl.lookbackDays} days, native step, period one day; ${bl.heavyOrigins} evenly spaced origins per file`;
  const tierSpecs = options.tiers === false ? [] : pairedTierMethods(harness, Number.MAX_SAFE_INTEGER);
  for (const s of tierSpecs)
    descriptions[s.name] =
      `M9's tier view: ${s.name.startsWith('harness-v1@') ? 'the harness before v2' : 'the harness'} at the tier's α`;
  const evalResults = await runTasks(
    {
      modelPath: options.modelPath,
      extraModels: await extraModelsFor(options.modelPath),
      microBatch: true,
      resolutions,
      methods: [...specs, ...tierSpecs],
    },
    evalPaths.map((p): RuntimeTask => {
      const t = tenantOf(p);
      return {
        kind: 'evaluate',
        task: {
          tenant: t,
          origins: originsFor(t),
          horizon: horizonOf(t),
          stepsPerDay: dayOf(t),
          seed: options.seed,
          methods: [...specs, ...tierSpecs].map((s) => ({
            name: s.name,
            subset:
              s.kind === 'baseline' && bl.heavy.includes(s.baseline)
                ? evenSubset(count, bl.heavyOrigins)
                : s.name === 'fixed-best-loo' && fixedByTenant[t.id] === undefined
                  ? new Int32Array(0)
                  : null,
          })),
        },
      };
    }),
    { workers: Math.min(options.workers, evalPaths.length) },
  );
  const outcomes: TenantOutcome[] = evalResults.map((r) => {
    if (r.kind !== 'evaluate') throw new Error('expected evaluation results');
    return r.outcome;
  });
  const names = specs.map((s) => s.name);
  const tiers =
    tierSpecs.length === 0
      ? {}
      : { tiers: { ...pairedTierView(outcomes, options.seed), validationWindows: harness.validationWindows } };
  return {
    ...tiers,
    experiment: 'series',
    dataset: options.dataset,
    model: options.model,
    run: { ...options.run, wallSeconds: (performance.now() - t0) / 1000, cpuSeconds: cpuSecondsSince(cpu0) },
    alpha,
    horizonMinutes,
    originsPerFile: count,
    resolutions,
    methods: [...names, ...tierSpecs.map((s) => s.name)].map((n) => ({
      ...methodCounts(outcomes, n),
      description: descriptions[n] ?? '',
    })),
    headline: names
      .filter((n) => n !== REFERENCE)
      .map((n) => compare(outcomes, REFERENCE, n, 'all', undefined, { seed: options.seed })),
    files: evalPaths.map((p, i) => {
      const t = tenantOf(p);
      const o = outcomes[i];
      return {
        id: t.id,
        steps: t.metrics[t.metricNames[0]].length,
        stepMinutes: t.stepMs / 60_000,
        horizonSteps: horizonOf(t),
        fixedConfig: fixedByTenant[t.id] ?? null,
        means: Object.fromEntries(names.map((n) => [n, meanLoss([o], n)])),
        ...(tierSpecs.length === 0 ? {} : { tiers: tenantTierRows(o) }),
      };
    }),
  };
}

export function seriesMarkdown(r: SeriesResult): string {
  const title = r.dataset === 'nab' ? 'NAB realAWSCloudwatch' : `CSV: ${r.files.map((f) => f.id).join(', ')}`;
  const out: string[] = [`## Headline on real series — ${title}`, '', modelBanner(r.model), ''];
  out.push(
    `${r.files.length} file(s), each a single-metric tenant; ${r.originsPerFile} origins per file spread over its last days (seeded, stratified); ` +
      `horizon ${r.horizonMinutes} min (${r.files.map((f) => f.horizonSteps).join('/')} native steps); α = ${r.alpha}. ` +
      `The TSFM sees the native step as its base resolution; resolutions restricted to ${r.resolutions.join(', ')} native steps (bucket ≤ horizon). ` +
      `Scale: robust seasonal scale of the 8 days before the origin, lag one day. Wall ${fmt(r.run.wallSeconds, 3)} s.`,
    '',
    table(
      ['method', 'what', 'scheduled', 'scored', 'failed', 'dropped', 'method s'],
      r.methods.map((m) => [m.name, m.description, m.scheduled, m.scored, m.failed, m.dropped, fmt(m.seconds, 3)]),
      ['l', 'l', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    `**Points dropped: ${r.methods.reduce((s, m) => s + m.dropped, 0)}.**`,
    '',
  );
  const failing = r.methods.filter((m) => m.failed > 0);
  for (const m of failing)
    for (const [reason, n] of Object.entries(m.reasons)) out.push(`- ${m.name}: ${n} × ${reason}`);
  if (failing.length > 0) out.push('');
  out.push(
    table(
      COMPARISON_HEADERS.map((h) =>
        h === 'tenants' ? 'files' : h === 'Wilcoxon p (tenants)' ? 'Wilcoxon p (files)' : h,
      ),
      r.headline.map((c) => comparisonRow(c)),
    ),
    '',
  );
  out.push(
    statsNote(
      'files',
      `mean scale-free α-loss (pinball at α = ${r.alpha} of the α-quantile forecast over the next ${r.horizonMinutes} min ÷ the robust seasonal scale of the 8 days before the origin)`,
    ),
    '',
  );
  const names = Object.keys(r.files[0]?.means ?? {});
  out.push(
    table(
      ['file', 'fixed config (LOO)', ...names],
      r.files.map((f) => [
        f.id,
        f.fixedConfig === null ? '—' : `\`${f.fixedConfig}\``,
        ...names.map((n) => (f.means[n].points === 0 ? '—' : fmt(f.means[n].mean))),
      ]),
    ),
    '',
    "Per-file mean loss over each method's own points (heavy baselines: a subset of origins).",
    '',
  );
  if (r.tiers !== undefined)
    out.push(
      `### SLA tiers on these files (M9's paired view)`,
      '',
      `Every point above forecast again at each tier's α (premium 0.90, standard 0.75, basic 0.65; winner re-selected per α), ` +
        `by the harness and by the harness before v2. Points dropped: ${r.tiers.paired.dropped}. Under-provisioned = share of observed ` +
        `steps in the forecast hour with actual > α-quantile forecast; a calibrated α-quantile gives 1 − α. The level column is a mean of ` +
        `per-point ratios, which a series with a median forecast near zero inflates: read the uplift column. ${TIES_NOTE}`,
      '',
      ...pairedTierTable(r.tiers.paired),
      ...perFileTiers(r.files),
      ...calibratedSection(
        { method: 'conformal', validationWindows: r.tiers.validationWindows, ...r.tiers.calibrated },
        r.horizonMinutes,
      ),
    );
  return out.join('\n');
}

/** Per file: the harness's under-provisioning at each tier's α, strict and with ties (outputs that have it). */
function perFileTiers(files: readonly SeriesFileRow[]): string[] {
  const rows = files.filter((f) => f.tiers !== undefined);
  if (rows.length === 0) return [];
  const tiers = rows[0].tiers ?? [];
  const cell = (t: TierRow): string =>
    Number.isNaN(t.atOrAboveRate) ? pct(t.underRate, 1) : `${pct(t.underRate, 1)} / ${pct(t.atOrAboveRate, 1)}`;
  return [
    table(
      ['file', ...tiers.map((t) => `${t.tier}: actual > q_α / ≥ q_α (target ${pct(t.target, 0)})`)],
      rows.map((f) => [f.id, ...(f.tiers ?? []).map(cell)]),
    ),
    '',
    'Per file, on its own points: a file whose target lies between its two rates is consistent with a calibrated α-quantile.',
    '',
  ];
}

export function nabFiles(dir: string, names: readonly string[]): string[] {
  return names
    .filter((n) => n.toLowerCase().endsWith('.csv'))
    .map((n) => resolve(dir, basename(n)))
    .sort();
}
