/**
 * M7 — latency and loss against K: the same protocol on a subset of evaluation tenants, the
 * harness at each K ∈ {1, 2, 4, …, 64}, single thread, warm, in the harness's 'measure' budget
 * mode so every request really tries K configs (the point is to measure what K costs, not what
 * the budget cuts it to). At each point the K values run in a rotated order, so drifting machine load
 * does not fall on one K. Reports p50/p95/p99 latency and mean loss per K, and the largest K
 * whose p99 fits the 200 ms budget, plus a loss-vs-latency chart.
 */
import type { Comparison } from './aggregate.js';
import { compare, meanLoss, percentiles } from './aggregate.js';
import { evenSubset } from './origins.js';
import { runEvaluations } from './evaluation-run.js';
import {
  evaluationSubset,
  inProcessResultHead,
  type SubsetExperimentOptions,
  type SubsetResultHead,
} from './fleet-experiment.js';
import { originsOf } from './protocol.js';
import { fmt, fmtP, modelBanner, pct, table, ci } from './report.js';
import type { MethodSpec, RuntimeTask } from './runtime.js';
import { readFleetTenants } from './tenant-data.js';
import { DEFAULT_HARNESS } from './harness-settings.js';
import { extraModelsFor } from './forecasters.js';

export const DEFAULT_KS: readonly number[] = [1, 2, 4, 8, 16, 32, 64];

export interface M7Options extends SubsetExperimentOptions {
  readonly ks?: readonly number[];
  readonly budgetMs?: number;
}

export interface KRow {
  readonly k: number;
  readonly requests: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly meanKUsed: number;
  readonly meanModelRows: number;
  readonly meanLoss: number;
  /** Paired vs K = 1 (the default config alone). */
  readonly vsK1: Comparison | null;
}

export interface M7Result extends SubsetResultHead {
  readonly experiment: 'm7';
  readonly budgetMs: number;
  readonly rows: readonly KRow[];
  /** Largest K with p99 ≤ budget (null if none). */
  readonly largestKWithinBudget: number | null;
  readonly chart: string | null;
}

export async function runM7(options: M7Options): Promise<M7Result> {
  const ks = options.ks ?? DEFAULT_KS;
  const protocol = options.protocol;
  const harness = options.harness ?? DEFAULT_HARNESS;
  const budgetMs = options.budgetMs ?? 200;
  const { ids, perTenant, cap } = evaluationSubset(options, 'm7', harness, { tenants: 100, originsPerTenant: 10 });
  const name = (k: number): string => `K=${k}`;
  // The harness runs in its 'measure' budget mode (runtime.ts): K is never lowered, each request is
  // timed against the budget. configsPerModelRow as in M6, so K here is M6's K.
  const specs: MethodSpec[] = ks.map((k) => ({
    kind: 'harness',
    ...harness,
    name: name(k),
    k,
    budgetMs,
    historySteps: cap,
  }));
  const subset = evenSubset(protocol.originsPerTenant, perTenant);
  const wanted = new Set(ids);
  // Each task is one tenant × one origin so that the K order can rotate per point.
  async function* tasks(): AsyncGenerator<RuntimeTask> {
    let p = 0;
    for await (const tenant of readFleetTenants(options.fleetDir, wanted)) {
      const length = tenant.metrics[tenant.metricNames[0]].length;
      const all = originsOf(protocol, tenant.id, length);
      for (const i of subset) {
        const order = ks.map((_, j) => ks[(j + p) % ks.length]);
        p++;
        yield {
          kind: 'evaluate',
          task: {
            tenant,
            origins: Int32Array.of(all[i]),
            horizon: protocol.horizon,
            stepsPerDay: protocol.stepsPerDay,
            methods: order.map((k) => ({ name: name(k), subset: null })),
            seed: protocol.seed,
          },
        };
      }
    }
  }
  let done = 0;
  // Single thread: latency on one core, nothing else of ours competing.
  const { outcomes, wallSeconds, cpuSeconds } = await runEvaluations(
    'M7',
    {
      modelPath: options.modelPath,
      extraModels: await extraModelsFor(options.modelPath),
      resolutions: null,
      methods: specs,
    },
    tasks(),
    {
      workers: 0,
      onResult: () => options.onProgress?.(++done, ids.length * perTenant),
    },
  );
  const rows: KRow[] = ks.map((k) => {
    const lat: number[] = [];
    let kUsed = 0;
    let rowsSum = 0;
    for (const o of outcomes) {
      const h = o.methods.find((m) => m.name === name(k))?.harness;
      if (!h) continue;
      for (let i = 0; i < h.latencyMs.length; i++) {
        if (!Number.isFinite(h.latencyMs[i])) continue;
        lat.push(h.latencyMs[i]);
        kUsed += h.kUsed[i];
        rowsSum += h.modelRows[i];
      }
    }
    const [p50, p95, p99] = percentiles(lat, [0.5, 0.95, 0.99]);
    return {
      k,
      requests: lat.length,
      p50: p50,
      p95: p95,
      p99: p99,
      meanKUsed: kUsed / lat.length,
      meanModelRows: rowsSum / lat.length,
      meanLoss: meanLoss(outcomes, name(k)).mean,
      vsK1: k === ks[0] ? null : compare(outcomes, name(k), name(ks[0]), 'all', undefined, { seed: protocol.seed }),
    };
  });
  const within = rows.filter((r) => r.p99 <= budgetMs).map((r) => r.k);
  return {
    experiment: 'm7',
    ...inProcessResultHead(options, { ids, perTenant }, { wallSeconds, cpuSeconds }),
    budgetMs,
    rows,
    largestKWithinBudget: within.length === 0 ? null : Math.max(...within),
    chart: null,
  };
}

/** Vega-Lite: mean loss against p50 latency, one labelled point per K. */
export function m7ChartSpec(r: M7Result): Record<string, unknown> {
  const data = r.rows.map((x) => ({ k: `K=${x.k}`, p50: x.p50, p99: x.p99, loss: x.meanLoss }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'M7: harness loss vs latency',
      subtitle: [
        `${r.tenants} tenants × ${r.originsPerTenant} origins, one thread${r.model.untrained ? ' — RANDOM-WEIGHT MODEL' : ''}`,
        'line: p50 per K; triangles: p99; dashed: the 200 ms budget',
      ],
    },
    width: 480,
    height: 300,
    data: { values: data },
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'p50', type: 'quantitative', title: 'p50 latency per request (ms)', scale: { type: 'log' } },
          y: { field: 'loss', type: 'quantitative', title: 'mean scale-free α-loss', scale: { zero: false } },
        },
      },
      { mark: { type: 'rule', strokeDash: [4, 4], color: 'firebrick' }, encoding: { x: { datum: r.budgetMs } } },
      {
        mark: { type: 'text', dy: -10, fontSize: 11 },
        encoding: {
          x: { field: 'p50', type: 'quantitative' },
          y: { field: 'loss', type: 'quantitative' },
          text: { field: 'k' },
        },
      },
      {
        mark: { type: 'point', shape: 'triangle-up', color: 'gray' },
        encoding: { x: { field: 'p99', type: 'quantitative' }, y: { field: 'loss', type: 'quantitative' } },
      },
    ],
  };
}

export function m7Markdown(r: M7Result): string {
  const out: string[] = [`## M7 — latency and loss vs K`, '', modelBanner(r.model), ''];
  out.push(
    `${r.tenants} evaluation tenants (seeded subset) × ${r.originsPerTenant} origins (evenly spaced among M6's), h = ${r.protocol.horizon} min; ` +
      `one thread, warm (model loaded, cost model fitted), budget switched off so each request tries K configs; K order rotated per point. ` +
      `Latency = wall time of \`harness.forecast\` as a caller sees it. Wall ${fmt(r.run.wallSeconds, 3)} s; load average before the run ` +
      `${r.run.loadAverage.map((x) => x.toFixed(1)).join(' / ')} on a shared machine (tails are pessimistic).`,
    '',
    table(
      [
        'K',
        'requests',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'model rows',
        'mean loss',
        'vs K=1: rel. improvement [95% CI]',
        'win rate vs K=1',
        'p (tenants)',
      ],
      r.rows.map((x) => {
        const s = x.vsK1?.summary ?? null;
        return [
          x.k,
          x.requests,
          fmt(x.p50, 3),
          fmt(x.p95, 3),
          fmt(x.p99, 3),
          fmt(x.meanModelRows, 3),
          fmt(x.meanLoss),
          s ? `${pct(s.relativeImprovement)} ${ci(s.relativeImprovementCI.lo, s.relativeImprovementCI.hi)}` : '—',
          s ? pct(s.winRate) : '—',
          s ? fmtP(s.wilcoxonClusters.p) : '—',
        ];
      }),
    ),
    '',
    `**Largest K with p99 ≤ ${r.budgetMs} ms: ${r.largestKWithinBudget ?? 'none'}.**`,
    '',
  );
  if (r.chart) out.push(`![M7 loss vs latency](${r.chart})`, '');
  return out.join('\n');
}
