/**
 * M6 — the headline: on EVALUATION tenants only, the harness vs the best fixed config (chosen on
 * tuning tenants), the best fixed config per tier, the fleet default config and the statistical
 * baselines, each scored by the same rule (point-score.ts) at the same (tenant, origin) points.
 *
 * Baselines that are too slow for every point run on a stated subset (evenly spaced origins, and
 * for the slowest a seeded share of tenants); every comparison is paired over the points both
 * methods have, and the table prints how many.
 */
import type { BaselineName } from '@tsfm/baselines';
import { extraModelsFor } from './forecasters.js';
import {
  DEFAULT_HARNESS,
  HARNESS_CONCURRENCY,
  HARNESS_V1,
  describeHarness,
  type HarnessSettings,
} from './harness-settings.js';

import type { Tier } from '@tsfm/losses';
import { TIERS } from '@tsfm/losses';
import { compare, meanLoss, methodCounts, percentiles, type Comparison, type MethodCounts } from './aggregate.js';
import type { MethodSchedule, TenantOutcome } from './evaluate-tenant.js';
import { evenSubset } from './origins.js';
import { mergeTally, emptyTally, type ProvisioningTally } from './point-score.js';
import { runEvaluations } from './evaluation-run.js';
import { harnessHistoryCap, type FleetExperimentOptions } from './fleet-experiment.js';
import { originsOf, type Protocol } from './protocol.js';
import { COMPARISON_HEADERS, comparisonRow, REFERENCE, statsNote } from './comparison-table.js';
import { fmt, modelBanner, pct, table, type ModelProvenance, type RunInfo } from './report.js';
import type { MethodSpec, RuntimeTask } from './runtime.js';
import { assertDisjoint, assertSide, hashUnit } from './split.js';
import { readFleetTenants } from './tenant-data.js';
import type { TuningResult } from './tuning.js';

export interface BaselinePlan {
  /** Cheap baselines, run on `lightOrigins` evenly spaced origins of every evaluation tenant. */
  readonly light: readonly BaselineName[];
  readonly lightOrigins: number;
  /** Slow baselines, run on `heavyOrigins` origins of a seeded `heavyTenantShare` of tenants. */
  readonly heavy: readonly BaselineName[];
  readonly heavyOrigins: number;
  readonly heavyTenantShare: number;
  /** History the baselines see (days before the origin) and its aggregation (steps). */
  readonly lookbackDays: number;
  readonly aggregateSteps: number;
  /** Seasonal period in aggregated steps; null = one day. */
  readonly period: number | null;
}

export const DEFAULT_BASELINES: BaselinePlan = Object.freeze({
  light: ['naive', 'snaive'] as BaselineName[],
  lightOrigins: 5,
  heavy: ['mstl-ets', 'arima', 'prophet'] as BaselineName[],
  heavyOrigins: 1,
  heavyTenantShare: 0.05,
  lookbackDays: 2,
  aggregateSteps: 5,
  period: null,
});

export interface M6Options extends FleetExperimentOptions {
  readonly tuning: TuningResult;
  readonly workers: number;
  readonly harness?: HarnessSettings;
  readonly baselines?: BaselinePlan;
  /** Also run the harness with the archetype prior (the tuning store set). */
  readonly withPrior?: boolean;
  /** Evaluate at most this many evaluation tenants (reduced runs; the first in manifest order). */
  readonly maxTenants?: number;
}

export interface MethodRow extends MethodCounts {
  readonly description: string;
}

export interface LatencySummary {
  readonly requests: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly meanKUsed: number;
  readonly kLowered: number;
  readonly overBudget: number;
  /** Requests won by a statistical member / by a model other than the primary (absent in older outputs). */
  readonly statisticalWins?: number;
  readonly otherModelWins?: number;
  /** Statistical members that could not run, summed over requests (too little history). */
  readonly membersSkipped?: number;
}

export interface GroupLosses {
  readonly group: string;
  readonly tenants: number;
  readonly means: Readonly<Record<string, { mean: number; points: number }>>;
  /** Scheduled points without a loss, per method, in this group. */
  readonly dropped: Readonly<Record<string, number>>;
  readonly comparisons: readonly Comparison[];
}

export interface M6Result {
  readonly experiment: 'm6';
  readonly model: ModelProvenance;
  readonly run: RunInfo;
  readonly protocol: Protocol & { readonly historyCapSteps: number };
  readonly harness: HarnessSettings;
  readonly baselines: BaselinePlan;
  readonly split: {
    readonly seed: number;
    readonly tuningShare: number;
    readonly tuning: number;
    readonly evaluation: number;
    readonly evaluated: number;
  };
  readonly tuning: Pick<
    TuningResult,
    'tenants' | 'points' | 'best' | 'bestByTier' | 'defaultConfig' | 'ranking' | 'infeasibleConfigs'
  >;
  readonly methods: readonly MethodRow[];
  readonly headline: readonly Comparison[];
  readonly byTier: readonly GroupLosses[];
  readonly byArchetype: readonly GroupLosses[];
  readonly latency: Readonly<Record<string, LatencySummary>>;
  /** Per method and tier: provisioning tallies (M9 reads these). */
  readonly provisioning: Readonly<Record<string, Readonly<Record<string, ProvisioningTally>>>>;
}

/** The v1 harness, for the v2-vs-v1 comparison, on a subset of origins (its cost would double M6's). */
export const V1 = 'harness-v1';
const V1_ORIGINS = 10;

export async function runM6(options: M6Options): Promise<{ result: M6Result; outcomes: TenantOutcome[] }> {
  const { split, protocol, tuning } = options;
  assertDisjoint(split);
  const harness = options.harness ?? DEFAULT_HARNESS;
  const baselines = options.baselines ?? DEFAULT_BASELINES;
  const evaluation = split.evaluation.slice(0, options.maxTenants ?? split.evaluation.length);
  assertSide(split, evaluation, 'evaluation');
  // The tuning tenants chose the fixed configs and fill the store: none may be evaluated.
  const tuned = new Set(options.tuning.tuningTenantIds);
  const leaked = evaluation.filter((id) => tuned.has(id));
  if (leaked.length > 0) throw new Error(`evaluation tenants were used for tuning: ${leaked.slice(0, 5).join(', ')}`);

  const cap = harnessHistoryCap(options.contextLength, harness, protocol);
  const { specs, descriptions } = m6Methods(tuning, harness, baselines, cap, options.withPrior === true);
  const schedule = (tenantId: string): MethodSchedule[] =>
    specs.map((s) => {
      if (s.name === V1) return { name: s.name, subset: evenSubset(protocol.originsPerTenant, V1_ORIGINS) };
      if (s.kind !== 'baseline') return { name: s.name, subset: null };
      if (baselines.light.includes(s.baseline))
        return { name: s.name, subset: evenSubset(protocol.originsPerTenant, baselines.lightOrigins) };
      const chosen = hashUnit(protocol.seed, `heavy:${tenantId}`) < baselines.heavyTenantShare;
      return {
        name: s.name,
        subset: chosen ? evenSubset(protocol.originsPerTenant, baselines.heavyOrigins) : new Int32Array(0),
      };
    });
  const ids = new Set(evaluation);
  async function* tasks(): AsyncGenerator<RuntimeTask> {
    for await (const tenant of readFleetTenants(options.fleetDir, ids)) {
      const length = tenant.metrics[tenant.metricNames[0]].length;
      yield {
        kind: 'evaluate',
        task: {
          tenant,
          origins: originsOf(protocol, tenant.id, length),
          horizon: protocol.horizon,
          stepsPerDay: protocol.stepsPerDay,
          methods: schedule(tenant.id),
          seed: protocol.seed,
        },
      };
    }
  }
  let done = 0;
  // With the prior, in-process: its faiss index cannot be opened from a worker thread (runtime.ts).
  const workers = specs.some((s) => s.kind === 'harness' && s.prior) ? 0 : options.workers;
  const { outcomes, wallSeconds, cpuSeconds } = await runEvaluations(
    'M6',
    {
      modelPath: options.modelPath,
      extraModels: await extraModelsFor(options.modelPath),
      microBatch: true,
      resolutions: null,
      methods: specs,
    },
    tasks(),
    {
      workers,
      onResult: () => options.onProgress?.(++done, evaluation.length),
    },
  );
  assertSide(
    split,
    outcomes.map((o) => o.tenantId),
    'evaluation',
  );
  const names = specs.map((s) => s.name);
  const result = summariseM6(outcomes, names, descriptions, {
    ...options,
    harness,
    baselines,
    cap,
    run: { ...options.run, workers, wallSeconds, cpuSeconds },
  });
  return { result, outcomes };
}

function m6Methods(
  tuning: TuningResult,
  harness: HarnessSettings,
  baselines: BaselinePlan,
  cap: number,
  withPrior: boolean,
): { specs: MethodSpec[]; descriptions: Record<string, string> } {
  const specs: MethodSpec[] = [
    { kind: 'harness', name: REFERENCE, ...harness, historySteps: cap, concurrency: HARNESS_CONCURRENCY },
    { kind: 'harness', name: V1, ...HARNESS_V1, historySteps: cap, concurrency: HARNESS_CONCURRENCY },
  ];
  const descriptions: Record<string, string> = {
    [REFERENCE]: `per-request search (v2): ${describeHarness(harness)}, no prior`,
    [V1]: `the harness before v2: ${describeHarness(HARNESS_V1)}; ${V1_ORIGINS} origins per tenant`,
  };
  if (withPrior && tuning.storeSetDir !== null) {
    specs.push({
      kind: 'harness',
      name: 'harness+prior',
      ...harness,
      historySteps: cap,
      prior: { storeSetDir: tuning.storeSetDir, windowMinutes: null },
    });
    descriptions['harness+prior'] = 'the harness with the archetype prior (store of tuning tenants)';
  }
  const perTier = Object.fromEntries(
    (Object.keys(TIERS) as Tier[]).map((t) => [t, tuning.bestByTier[t].key]),
  ) as Record<Tier, string>;
  specs.push(
    { kind: 'fixed', name: 'fixed-best', config: tuning.best.key },
    { kind: 'fixed', name: 'fixed-best-per-tier', config: { byTier: perTier } },
    { kind: 'fixed', name: 'default', config: tuning.defaultConfig.key },
  );
  descriptions['fixed-best'] = `best single config on tuning tenants: \`${tuning.best.key}\``;
  descriptions['fixed-best-per-tier'] = `best config per tier on tuning tenants: ${Object.entries(perTier)
    .map(([t, k]) => `${t} \`${k}\``)
    .join(', ')}`;
  descriptions.default = `fleet default config \`${tuning.defaultConfig.key}\``;
  const window = `last ${baselines.lookbackDays} days as ${baselines.aggregateSteps}-min means, period ${baselines.period ?? 'one day'}`;
  const baselineSpec = (b: BaselineName): MethodSpec => ({
    kind: 'baseline',
    name: b,
    baseline: b,
    lookbackDays: baselines.lookbackDays,
    aggregateSteps: baselines.aggregateSteps,
    period: baselines.period,
  });
  for (const b of baselines.light) {
    specs.push(baselineSpec(b));
    descriptions[b] = `${window}; ${baselines.lightOrigins} origins per tenant`;
  }
  for (const b of baselines.heavy) {
    specs.push(baselineSpec(b));
    descriptions[b] =
      `${window}; ${baselines.heavyOrigins} origin(s) on a seeded ${pct(baselines.heavyTenantShare, 0)} of tenants`;
  }
  return { specs, descriptions };
}

interface SummaryContext extends Omit<M6Options, 'run' | 'harness' | 'baselines'> {
  readonly harness: HarnessSettings;
  readonly baselines: BaselinePlan;
  readonly cap: number;
  readonly run: RunInfo;
}

export function summariseM6(
  outcomes: readonly TenantOutcome[],
  names: readonly string[],
  descriptions: Readonly<Record<string, string>>,
  ctx: SummaryContext,
): M6Result {
  const others = names.filter((n) => n !== REFERENCE);
  const seed = ctx.protocol.seed;
  const headline = others.map((n) => compare(outcomes, REFERENCE, n, 'all', undefined, { seed }));
  const groupBy = (label: (o: TenantOutcome) => string | null): GroupLosses[] => {
    const groups = [...new Set(outcomes.map(label).filter((g): g is string => g !== null))].sort();
    return groups.map((g) => {
      const keep = (o: TenantOutcome): boolean => label(o) === g;
      return {
        group: g,
        tenants: outcomes.filter(keep).length,
        means: Object.fromEntries(names.map((n) => [n, meanLoss(outcomes, n, keep)])),
        dropped: Object.fromEntries(names.map((n) => [n, methodCounts(outcomes.filter(keep), n).dropped])),
        comparisons: others.map((n) => compare(outcomes, REFERENCE, n, g, keep, { seed })),
      };
    });
  };
  const latency: Record<string, LatencySummary> = {};
  for (const n of names) {
    const lat: number[] = [];
    let k = 0;
    let kLowered = 0;
    let overBudget = 0;
    let statisticalWins = 0;
    let otherModelWins = 0;
    let membersSkipped = 0;
    for (const o of outcomes) {
      const h = o.methods.find((m) => m.name === n)?.harness;
      if (!h) continue;
      for (let i = 0; i < h.latencyMs.length; i++) {
        if (Number.isFinite(h.latencyMs[i])) {
          lat.push(h.latencyMs[i]);
          k += h.kUsed[i];
          // Keys: 'stat-…' for a statistical member, '<model>/…' for a model other than the primary.
          if (h.winners[i].startsWith('stat-')) statisticalWins++;
          else if (h.winners[i].includes('/')) otherModelWins++;
        }
      }
      kLowered += h.kLowered;
      overBudget += h.overBudget;
      membersSkipped += h.membersSkipped;
    }
    if (lat.length === 0) continue;
    const [p50, p95, p99, max] = percentiles(lat, [0.5, 0.95, 0.99, 1]);
    latency[n] = {
      requests: lat.length,
      p50: p50,
      p95: p95,
      p99: p99,
      max: max,
      meanKUsed: k / lat.length,
      kLowered,
      overBudget,
      statisticalWins,
      otherModelWins,
      membersSkipped,
    };
  }
  const provisioning: Record<string, Record<string, ProvisioningTally>> = {};
  for (const n of names) {
    const byTier: Record<string, ProvisioningTally> = {};
    for (const o of outcomes) {
      const m = o.methods.find((x) => x.name === n);
      if (!m || o.tier === null) continue;
      mergeTally((byTier[o.tier] ??= emptyTally()), m.tally);
    }
    provisioning[n] = byTier;
  }
  return {
    experiment: 'm6',
    model: ctx.model,
    run: ctx.run,
    protocol: { ...ctx.protocol, historyCapSteps: ctx.cap },
    harness: ctx.harness,
    baselines: ctx.baselines,
    split: {
      seed: ctx.split.seed,
      tuningShare: ctx.split.tuningShare,
      tuning: ctx.split.tuning.length,
      evaluation: ctx.split.evaluation.length,
      evaluated: outcomes.length,
    },
    tuning: {
      tenants: ctx.tuning.tenants,
      points: ctx.tuning.points,
      best: ctx.tuning.best,
      bestByTier: ctx.tuning.bestByTier,
      defaultConfig: ctx.tuning.defaultConfig,
      ranking: ctx.tuning.ranking.slice(0, 10),
      infeasibleConfigs: ctx.tuning.infeasibleConfigs,
    },
    methods: names.map((n) => ({ ...methodCounts(outcomes, n), description: descriptions[n] ?? '' })),
    headline,
    byTier: groupBy((o) => o.tier),
    byArchetype: groupBy((o) => o.archetype),
    latency,
    provisioning,
  };
}

export const FLEET_LOSS =
  "mean scale-free α-loss (pinball at the tenant's tier α of the α-quantile forecast over the next h minutes, per metric ÷ the " +
  'robust seasonal scale of the 8 days of history before the origin, averaged over the 4 metrics)';

export function m6Markdown(r: M6Result): string {
  const out: string[] = [];
  out.push(`## M6 — harness vs best fixed config vs baselines (fleet)`, '', modelBanner(r.model), '');
  out.push(
    `Fleet: ${r.split.tuning + r.split.evaluation} tenants split by hashed tenant id (seed ${r.split.seed}) into ` +
      `${r.split.tuning} tuning and ${r.split.evaluation} evaluation tenants (disjoint, asserted in code); ` +
      `${r.split.evaluated} evaluation tenants evaluated × ${r.protocol.originsPerTenant} origins spread over the last ` +
      `${r.protocol.spanSteps / r.protocol.stepsPerDay} days (seeded, stratified), horizon h = ${r.protocol.horizon} min, history = everything ` +
      `before the origin up to ${r.protocol.historyCapSteps} min (all any config can see).`,
    '',
    `Run time: **${fmt(r.run.wallSeconds, 3)} s wall** on ${r.run.workers} worker thread(s), ${fmt(r.run.cpuSeconds ?? Number.NaN, 3)} CPU-seconds over all threads ` +
      `(ORT included); target ≤ 300 s wall on 2 cores → **${r.run.wallSeconds <= 300 ? 'MET' : 'MISSED'}**. Machine: ${r.run.machine}; load average before the run ` +
      `${r.run.loadAverage.map((x) => x.toFixed(1)).join(' / ')} (1/5/15 min) — other jobs shared the cores, so wall time is pessimistic; CPU-seconds / 2 estimates the wall time on two idle cores.`,
    '',
  );
  out.push('### Points per method', '');
  out.push(
    table(
      ['method', 'what', 'scheduled', 'scored', 'failed', 'unscorable', 'dropped', 'method s'],
      r.methods.map((m) => [
        m.name,
        m.description,
        m.scheduled,
        m.scored,
        m.failed,
        m.unscorable,
        m.dropped,
        fmt(m.seconds, 3),
      ]),
      ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
  );
  const failures = r.methods.filter((m) => m.failed > 0);
  if (failures.length > 0) {
    out.push('Failure reasons:', '');
    for (const m of failures)
      for (const [reason, n] of Object.entries(m.reasons)) out.push(`- ${m.name}: ${n} × ${reason}`);
    out.push('');
  }
  out.push(
    `**Points dropped: ${r.methods.reduce((s, m) => s + m.dropped, 0)}** (scheduled points without a loss, all methods).`,
    '',
  );
  out.push(
    '### Headline (all evaluation tenants)',
    '',
    table(
      COMPARISON_HEADERS,
      r.headline.map((c) => comparisonRow(c)),
    ),
    '',
    statsNote('tenants', FLEET_LOSS),
    '',
  );
  const groupTable = (groups: readonly GroupLosses[], title: string): void => {
    out.push(`### ${title}`, '');
    const rows: (string | number)[][] = [];
    for (const g of groups)
      for (const c of g.comparisons) rows.push(comparisonRow(c, `${g.group} (${g.tenants} tenants) vs ${c.other}`));
    out.push(table(COMPARISON_HEADERS, rows), '');
    const names = Object.keys(groups[0]?.means ?? {});
    out.push(
      table(
        ['group', ...names],
        groups.map((g) => [
          g.group,
          ...names.map((n) =>
            g.means[n].points === 0 ? '—' : `${fmt(g.means[n].mean)} (${g.means[n].points} / ${g.dropped[n] ?? 0})`,
          ),
        ]),
      ),
      '',
      'Mean loss per method over ITS scored points (in brackets: points scored / points dropped); baselines run on subsets, so compare them through the paired rows above.',
      '',
    );
  };
  groupTable(r.byTier, 'Per tier');
  groupTable(r.byArchetype, 'Per archetype');
  out.push('### Harness requests', '');
  out.push(
    table(
      [
        'method',
        'requests',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'max ms',
        'mean K used',
        'K lowered',
        'over budget',
        'won by a statistical member',
        'won by another model',
        'members skipped',
      ],
      Object.entries(r.latency).map(([n, l]) => [
        n,
        l.requests,
        fmt(l.p50, 3),
        fmt(l.p95, 3),
        fmt(l.p99, 3),
        fmt(l.max, 3),
        fmt(l.meanKUsed, 3),
        l.kLowered,
        l.overBudget,
        l.statisticalWins ?? '—',
        l.otherModelWins ?? '—',
        l.membersSkipped ?? '—',
      ]),
    ),
    '',
    `Latency is wall time per request inside a worker (one ORT thread), with ${r.run.workers} workers sharing the machine (load average before the run ${r.run.loadAverage.map((x) => x.toFixed(1)).join(' / ')}); ` +
      `each harness method keeps ${HARNESS_CONCURRENCY} requests of a tenant in flight, whose model rows share calls (micro-batching), so a request's latency includes the calls it shares. ` +
      "The budget is measured, not enforced ('measure' mode: K is never lowered by load); 'over budget' counts the requests that took longer.",
    '',
  );
  out.push('### Tuning (tuning tenants only)', '');
  out.push(
    `${r.tuning.tenants} tuning tenants × their origins = ${r.tuning.points} points; every config of the grid scored with the same rule. ` +
      `${r.tuning.infeasibleConfigs} configs could not serve every tuning point and were not eligible.`,
    '',
    table(
      ['config', 'mean loss on tuning points'],
      [
        ...r.tuning.ranking.slice(0, 5).map((c, i) => [`${i === 0 ? '**best** ' : ''}\`${c.key}\``, fmt(c.meanLoss)]),
        [`default \`${r.tuning.defaultConfig.key}\``, fmt(r.tuning.defaultConfig.meanLoss)],
        ...(Object.entries(r.tuning.bestByTier) as [string, { key: string; meanLoss: number }][]).map(([t, c]) => [
          `best for ${t}: \`${c.key}\``,
          fmt(c.meanLoss),
        ]),
      ],
    ),
    '',
  );
  return out.join('\n');
}
