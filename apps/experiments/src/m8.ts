/**
 * M8 — cold start: what the harness does with only the last L minutes of a tenant's history
 * (L ∈ {30, 60, 120, 240, 480}), with and without the archetype prior, against the same tenant
 * with its full history.
 *
 *  - retrieval accuracy: the archetype store (built on TUNING tenants; for a history of L minutes
 *    the store of L-minute windows, see @tsfm/archetypes' ArchetypeStoreSet) votes an archetype
 *    for the query; correct = the tenant's true archetype;
 *  - cold loss without prior (`cold_default`): L < h + 60 goes down the harness's cold-start path
 *    to the fleet default; longer L searches K configs on the short history;
 *  - cold loss with prior (`cold_prior`): the prior's top config on the cold-start path, prior-led
 *    sampling when searching;
 *  - full: the harness on the full history (no prior);
 *  - gap closed = (cold_default − cold_prior) / (cold_default − full), with a cluster-bootstrap CI.
 * Every method is scored with the full-history scale (the scale is the ruler, not an input).
 */
import { meanLoss, methodCounts, methodPoints, pairedPoints } from './aggregate.js';
import type { TenantOutcome } from './evaluate-tenant.js';
import {
  evaluationSubset,
  inProcessResultHead,
  runOnSubset,
  type SubsetExperimentOptions,
  type SubsetResultHead,
} from './fleet-experiment.js';
import { ci, fmt, modelBanner, pct, table } from './report.js';
import type { MethodSpec } from './runtime.js';
import { clusterBootstrap, pairedSummary } from './stats.js';
import { DEFAULT_HARNESS } from './harness-settings.js';

export const DEFAULT_COLD_MINUTES: readonly number[] = [30, 60, 120, 240, 480];

export interface M8Options extends SubsetExperimentOptions {
  /** ArchetypeStoreSet built on tuning tenants with winners recorded (tuning.ts). */
  readonly storeSetDir: string;
  /** Ignored: M8 runs in-process (faiss-node aborts in worker threads, see runtime.ts). */
  readonly workers: number;
  readonly lengths?: readonly number[];
}

export interface ColdRow {
  readonly minutes: number;
  readonly points: number;
  readonly retrievalAccuracy: number;
  readonly retrievalQueries: number;
  /** Share of requests on each harness path, without / with prior. */
  readonly pathsDefault: Readonly<Record<string, number>>;
  readonly pathsPrior: Readonly<Record<string, number>>;
  readonly coldDefault: number;
  readonly coldPrior: number;
  readonly full: number;
  readonly gapClosed: number;
  readonly gapClosedCI: { readonly lo: number; readonly hi: number };
  /** Paired: prior vs no prior (rel. improvement of cold_prior over cold_default, win rate). */
  readonly priorVsDefault: {
    readonly relativeImprovement: number;
    readonly winRate: number;
    readonly winRateCI: { lo: number; hi: number };
    readonly p: number;
  };
}

export interface M8Result extends SubsetResultHead {
  readonly experiment: 'm8';
  readonly rows: readonly ColdRow[];
  readonly fullHistory: { readonly loss: number; readonly points: number };
  readonly dropped: number;
}

export async function runM8(options: M8Options): Promise<M8Result> {
  const protocol = options.protocol;
  const lengths = options.lengths ?? DEFAULT_COLD_MINUTES;
  const harness = options.harness ?? DEFAULT_HARNESS;
  const { ids, perTenant, cap } = evaluationSubset(options, 'm8', harness, { tenants: 200, originsPerTenant: 5 });
  const base = { kind: 'harness' as const, ...harness };
  const specs: MethodSpec[] = [{ ...base, name: 'full', historySteps: cap }];
  for (const L of lengths) {
    specs.push({ ...base, name: `cold${L}`, historySteps: L });
    specs.push({
      ...base,
      name: `cold${L}+prior`,
      historySteps: L,
      prior: { storeSetDir: options.storeSetDir, windowMinutes: L },
    });
  }
  // In-process: the prior's faiss index cannot be opened from a worker thread (runtime.ts).
  const { outcomes, wallSeconds, cpuSeconds } = await runOnSubset('M8', options, { ids, perTenant }, specs, {
    workers: 0,
    microBatch: false,
  });
  const rows = lengths.map((L) => coldRow(outcomes, L, protocol.seed));
  return {
    experiment: 'm8',
    ...inProcessResultHead(options, { ids, perTenant }, { wallSeconds, cpuSeconds }),
    rows,
    fullHistory: (({ mean, points }) => ({ loss: mean, points }))(meanLoss(outcomes, 'full')),
    dropped: specs.reduce((s, x) => s + methodCounts(outcomes, x.name).dropped, 0),
  };
}

function pathShares(outcomes: readonly TenantOutcome[], name: string): Record<string, number> {
  const counts: Record<string, number> = {};
  let n = 0;
  for (const o of outcomes) {
    const h = o.methods.find((m) => m.name === name)?.harness;
    if (!h) continue;
    for (const p of h.paths) {
      if (p === '') continue;
      counts[p] = (counts[p] ?? 0) + 1;
      n++;
    }
  }
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / n]));
}

function coldRow(outcomes: readonly TenantOutcome[], L: number, seed: number): ColdRow {
  const d = `cold${L}`;
  const p = `cold${L}+prior`;
  // Three-way paired points: cold default, cold prior, full — all finite.
  const cd: number[] = [];
  const cp: number[] = [];
  const full: number[] = [];
  const cluster: number[] = [];
  let correct = 0;
  let queries = 0;
  outcomes.forEach((o, t) => {
    const md = methodPoints(o, d);
    const mp = methodPoints(o, p);
    const mf = methodPoints(o, 'full');
    for (let i = 0; i < md.loss.length; i++) {
      if (Number.isFinite(md.loss[i]) && Number.isFinite(mp.loss[i]) && Number.isFinite(mf.loss[i])) {
        cd.push(md.loss[i]);
        cp.push(mp.loss[i]);
        full.push(mf.loss[i]);
        cluster.push(t);
      }
      const vote = mp.harness?.priorArchetypes[i] ?? null;
      if (mp.harness && mp.harness.paths[i] !== '') {
        queries++;
        if (vote !== null && vote === o.archetype) correct++;
      }
    }
  });
  const gap = (means: readonly number[]): number => (means[0] - means[1]) / (means[0] - means[2]);
  const boot = clusterBootstrap([cd, cp, full], cluster, gap, { seed });
  const paired = pairedPoints(outcomes, p, d);
  const s = paired.a.length > 0 ? pairedSummary(paired.a, paired.b, paired.cluster, { seed }) : null;
  const m = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    minutes: L,
    points: cd.length,
    retrievalAccuracy: queries === 0 ? Number.NaN : correct / queries,
    retrievalQueries: queries,
    pathsDefault: pathShares(outcomes, d),
    pathsPrior: pathShares(outcomes, p),
    coldDefault: m(cd),
    coldPrior: m(cp),
    full: m(full),
    gapClosed: gap([m(cd), m(cp), m(full)]),
    gapClosedCI: boot,
    priorVsDefault: s
      ? {
          relativeImprovement: s.relativeImprovement,
          winRate: s.winRate,
          winRateCI: s.winRateCI,
          p: s.wilcoxonClusters.p,
        }
      : {
          relativeImprovement: Number.NaN,
          winRate: Number.NaN,
          winRateCI: { lo: Number.NaN, hi: Number.NaN },
          p: Number.NaN,
        },
  };
}

export function m8Markdown(r: M8Result): string {
  const out: string[] = [`## M8 — cold start`, '', modelBanner(r.model), ''];
  out.push(
    `${r.tenants} evaluation tenants (seeded subset) × ${r.originsPerTenant} origins; each request sees only the last L minutes before the origin. ` +
      `Archetype store: ArchetypeStoreSet built on the tuning tenants (full histories + 16 random windows per tenant per length), winners = each tuning tenant's ` +
      `best grid config over its tuning origins. Retrieval accuracy = the vote of the L-minute window store (k = 10) names the true archetype. ` +
      `Losses are scored with the full-history scale. Full-history harness: ${fmt(r.fullHistory.loss)} over ${r.fullHistory.points} points. ` +
      `Points dropped: ${r.dropped}. Wall ${fmt(r.run.wallSeconds, 3)} s.`,
    '',
    table(
      [
        'history',
        'points',
        'retrieval accuracy',
        'cold (default) loss',
        'cold (prior) loss',
        'full-history loss',
        'gap closed [95% CI]',
        'prior vs default: rel. impr. / win rate / p (tenants)',
        'paths without prior',
        'paths with prior',
      ],
      r.rows.map((x) => [
        `${x.minutes} min`,
        x.points,
        `${pct(x.retrievalAccuracy)} (${x.retrievalQueries})`,
        fmt(x.coldDefault),
        fmt(x.coldPrior),
        fmt(x.full),
        `${pct(x.gapClosed)} ${ci(x.gapClosedCI.lo, x.gapClosedCI.hi)}`,
        `${pct(x.priorVsDefault.relativeImprovement)} / ${pct(x.priorVsDefault.winRate)} / ${fmt(x.priorVsDefault.p, 3)}`,
        shares(x.pathsDefault),
        shares(x.pathsPrior),
      ]),
    ),
    '',
    'Gap closed = (cold_default − cold_prior) / (cold_default − full): 100% = the prior brings a cold tenant to its full-history loss; ' +
      'negative = the prior hurts. It is unstable when cold_default ≈ full (a small denominator), which the CI shows.',
    '',
  );
  return out.join('\n');
}

function shares(s: Readonly<Record<string, number>>): string {
  return Object.entries(s)
    .map(([k, v]) => `${k.replace('cold-start-', 'cs-')} ${pct(v, 0)}`)
    .join(', ');
}
