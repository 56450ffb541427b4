/**
 * Report fixtures built by code: a 15-node research tree with every kind of node the workflow
 * writes (three seed baselines, kept and discarded proposals, a crash, a failed job, one running
 * and two queued), the workdir files around it, and seeded random trees for layout properties.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TreeNode } from '../src/report/tree-input.js';
import { mulberry32 } from '@tsfm/numerics';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const START = Date.parse('2025-03-01T08:00:00.000Z');
const iso = (minutes: number): string => new Date(START + minutes * 60_000).toISOString();

interface NodeSketch {
  readonly id: string;
  readonly parent: string | null;
  readonly name: string;
  readonly params: Record<string, unknown>;
  readonly status?: TreeNode['status'];
  readonly decision?: TreeNode['decision'];
  readonly metric?: number | null;
  readonly seed?: boolean;
  readonly seedKind?: string;
  /** Minutes after the start at which it finished; also fixes created/started times. */
  readonly at: number;
  readonly error?: string;
  readonly patch?: string;
}

export function node(sketch: NodeSketch): TreeNode {
  const status = sketch.status ?? 'completed';
  const finished = status === 'completed' || status === 'failed';
  const started = status !== 'queued';
  return {
    id: sketch.id,
    parent: sketch.parent,
    name: sketch.name,
    hypothesis: `If we try ${sketch.name.replace(/-/g, ' ')}, the α-loss drops because the forecaster sees the pattern better.`,
    params: sketch.params,
    patch: sketch.patch ?? null,
    status,
    decision: sketch.decision ?? null,
    metric: sketch.metric ?? null,
    latencyMsP99: finished && sketch.metric != null ? 40 + sketch.at : null,
    commit: started ? `c0ffee${sketch.id.replace(/\D/g, '').padStart(4, '0')}` : null,
    seed: sketch.seed ?? false,
    ...(sketch.seedKind === undefined ? {} : { seedKind: sketch.seedKind }),
    createdAt: iso(sketch.at - 30),
    startedAt: started ? iso(sketch.at - 20) : null,
    finishedAt: finished ? iso(sketch.at) : null,
    error: sketch.error ?? null,
  };
}

/**
 * The research tree every report test reads, shaped as the workflow writes it: e012 is the best
 * candidate; e003 (the oracle, lower) and e002 (the best fixed config) are reference seeds.
 */
export function fixtureTree(): TreeNode[] {
  return [
    node({
      id: 'e001',
      parent: null,
      name: 'seed-harness-default',
      params: {},
      decision: 'keep',
      metric: 0.5234,
      seed: true,
      seedKind: 'harness-default',
      at: 10,
    }),
    node({
      id: 'e002',
      parent: null,
      name: 'seed-best-fixed-config',
      params: { contextLength: 256 },
      decision: 'keep',
      metric: 0.487,
      seed: true,
      seedKind: 'best-fixed',
      at: 12,
    }),
    node({
      id: 'e003',
      parent: null,
      name: 'seed-oracle',
      params: {},
      decision: 'keep',
      metric: 0.38,
      seed: true,
      seedKind: 'oracle',
      at: 12,
    }),
    node({
      id: 'e004',
      parent: 'e002',
      name: 'context-512',
      params: { contextLength: 512 },
      decision: 'keep',
      metric: 0.471,
      at: 40,
    }),
    node({
      id: 'e005',
      parent: 'e002',
      name: 'log1p-normalisation',
      params: { normalisation: 'log1p' },
      decision: 'discard',
      metric: 0.495,
      at: 42,
    }),
    node({
      id: 'e006',
      parent: 'e002',
      name: 'resolution-15m',
      params: { resolution: 15 },
      status: 'failed',
      decision: 'crash',
      at: 45,
      error: 'job exceeded 3600 s and was stopped',
    }),
    node({
      id: 'e007',
      parent: 'e004',
      name: 'flip-invariance',
      params: { contextLength: 512, flip: true },
      decision: 'keep',
      metric: 0.4522,
      at: 70,
    }),
    node({
      id: 'e008',
      parent: 'e004',
      name: 'quantile-offset-plus-2',
      params: { contextLength: 512, quantileOffset: 0.02 },
      decision: 'discard',
      metric: 0.479,
      at: 71,
    }),
    node({
      id: 'e009',
      parent: 'e004',
      name: 'patch-mask-padding',
      params: { contextLength: 512 },
      decision: 'crash',
      at: 73,
      error: 'evaluator: NaN in forecasts',
      patch: '--- a/train.ts\n+++ b/train.ts\n@@ -1 +1 @@\n-const pad = 0;\n+const pad = NaN;\n',
    }),
    node({
      id: 'e010',
      parent: 'e007',
      name: 'context-1024',
      params: { contextLength: 1024, flip: true },
      decision: 'discard',
      metric: 0.4531,
      at: 100,
    }),
    node({
      id: 'e011',
      parent: 'e007',
      name: 'no-positivity-clamp',
      params: { contextLength: 512, flip: true, clamp: false },
      decision: 'discard',
      metric: 0.4601,
      at: 101,
    }),
    node({
      id: 'e012',
      parent: 'e007',
      name: 'resolution-5m',
      params: { contextLength: 512, flip: true, resolution: 5 },
      decision: 'keep',
      metric: 0.4415,
      at: 103,
    }),
    node({
      id: 'e013',
      parent: 'e012',
      name: 'ensemble-median',
      params: { ensemble: 'median' },
      status: 'running',
      at: 130,
    }),
    node({
      id: 'e014',
      parent: 'e012',
      name: 'context-768',
      params: { contextLength: 768 },
      status: 'queued',
      at: 131,
    }),
    node({
      id: 'e015',
      parent: 'e012',
      name: 'quantile-crossing-fix',
      params: { crossingFix: true },
      status: 'queued',
      at: 132,
    }),
  ];
}

/** The nodes of fixtureTree() without a metric (crashed, failed, running, queued): last in every order, by id. */
export const FIXTURE_UNMEASURED: readonly string[] = ['e006', 'e009', 'e013', 'e014', 'e015'];

/** The report's ranking of fixtureTree(): completed nodes by metric (seeds among them), then the unmeasured. */
export const FIXTURE_RANKING: readonly string[] = [
  'e003',
  'e012',
  'e007',
  'e010',
  'e011',
  'e004',
  'e008',
  'e002',
  'e005',
  'e001',
  ...FIXTURE_UNMEASURED,
];

export interface FixtureWorkdirOptions {
  readonly nodes?: readonly TreeNode[];
  /** Leave engine/tree.json out (a workdir from before the workflow wrote one). */
  readonly withoutTree?: boolean;
  /** Leave runs/e012/fan.json out (an evaluator that writes no forecast samples). */
  readonly withoutFan?: boolean;
}

/** A workdir on disk with tree.json, config.json, the checkpoint, both ledgers and some analyses. */
export function fixtureWorkdir(options: FixtureWorkdirOptions = {}): string {
  const root = tempDir('runner-report-');
  const nodes = options.nodes ?? fixtureTree();
  mkdirSync(join(root, 'engine'), { recursive: true });
  mkdirSync(join(root, 'logs'), { recursive: true });
  writeFileSync(
    join(root, 'program.md'),
    '# Which forecaster config minimises the α-loss on the web fleet?\n\nSearch context length, resolution and normalisation.\n',
  );
  writeFileSync(
    join(root, 'config.json'),
    JSON.stringify(
      {
        version: 1,
        createdAt: iso(0),
        program: 'program.md',
        planner: 'offline',
        model: null,
        maxExperiments: 30,
        maxHours: 8,
        maxDollars: 5,
        patience: 3,
        concurrency: 2,
        launch: 'local',
        jobTimeoutS: 3600,
        adapterModule: null,
        overrides: [],
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(root, 'engine', 'checkpoint.json'),
    JSON.stringify({
      version: 1,
      status: 'stopped',
      stopReason: 'plateau',
      queue: [],
      running: [],
      done: [],
      counter: 15,
      settledEdits: [],
      updatedAt: iso(140),
    }),
  );
  writeFileSync(
    join(root, 'engine', 'engine_state.json'),
    JSON.stringify({
      plannerDollars: 0.0123,
      rounds: [{ round: 1 }, { round: 2 }],
      stopReason: 'plateau',
      stop: {
        reason: 'plateau',
        detail: 'best metric 0.4415 has not improved by more than 0.1% over the last 3 planning round(s)',
      },
    }),
  );
  if (!options.withoutTree) writeFileSync(join(root, 'engine', 'tree.json'), JSON.stringify(nodes, null, 2));
  const finished = nodes.filter((n) => n.status === 'completed' || n.status === 'failed');
  const results = finished.map((n) =>
    [n.commit ?? '', n.metric ?? '', n.latencyMsP99 ?? '', n.decision ?? 'crash', n.name].join('\t'),
  );
  writeFileSync(
    join(root, 'results.tsv'),
    ['commit\tmetric\tlatency\tstatus\tdescription', ...results].join('\n') + '\n',
  );
  writeFileSync(join(root, 'master_table.tsv'), masterTableText(finished));
  writeFileSync(join(root, 'logs', 'runner.log'), 'started\n');
  for (const id of ['e004', 'e007', 'e012']) {
    mkdirSync(join(root, 'runs', id), { recursive: true });
    writeFileSync(
      join(root, 'runs', id, 'analysis.md'),
      `# Analysis of ${id}\n\nThe change helped on the diurnal tenants.\n\n## Per archetype\n\n- news-publisher: better\n`,
    );
  }
  if (!options.withoutFan) writeFileSync(join(root, 'runs', 'e012', 'fan.json'), JSON.stringify(fixtureFan()));
  return root;
}

/** master_table.tsv as workflow/state/ledgers.ts writes it: one row per finished node. */
export function masterTableText(nodes: readonly TreeNode[]): string {
  const header = 'id\tparent\tname\tstatus\tdecision\tmetric\tlatency\tparams\tcommit\tstarted\tfinished\thypothesis';
  const rows = nodes.map((n) =>
    [
      n.id,
      n.parent ?? '',
      n.name,
      n.status,
      n.decision ?? '',
      n.decision === 'crash' || n.metric === null ? '' : n.metric,
      n.latencyMsP99 ?? '',
      JSON.stringify(n.params),
      n.commit ?? '',
      n.startedAt ?? '',
      n.finishedAt ?? '',
      n.hypothesis,
    ].join('\t'),
  );
  return [header, ...rows].join('\n') + '\n';
}

export const FAN_FIXTURE_LEVELS = ['0.01', '0.1', '0.25', '0.5', '0.75', '0.9', '0.99'] as const;
/** Standard-normal quantiles of FAN_FIXTURE_LEVELS, so the bands are those of a Gaussian forecast. */
const Z = [-2.3263, -1.2816, -0.6745, 0, 0.6745, 1.2816, 2.3263];

/**
 * runs/e012/fan.json as an evaluator would write it for the best experiment: three tenants with
 * a daily shape (3 h of 1-minute history, a 60-minute horizon), a spread that widens with the
 * step, and what actually happened. Seeded, so every call gives the same file.
 */
export function fixtureFan(): Array<{
  tenant: string;
  metric: string;
  history: number[];
  quantiles: Record<string, number[]>;
  actual: number[];
  alpha: number;
  stepMinutes: number;
}> {
  const random = mulberry32(77);
  const shapes = [
    { tenant: 't0008', metric: 'cpu', level: 40, swing: 12, noise: 1.5, alpha: 0.75 },
    { tenant: 't0009', metric: 'mem', level: 62, swing: 4, noise: 0.6, alpha: 0.9 },
    { tenant: 't0010', metric: 'net', level: 120, swing: 45, noise: 8, alpha: 0.75 },
  ];
  const round = (value: number): number => Math.round(value * 1000) / 1000;
  return shapes.map(({ tenant, metric, level, swing, noise, alpha }) => {
    const at = (t: number): number => level + swing * Math.sin((2 * Math.PI * (t + 300)) / 1440);
    const history = Array.from({ length: 180 }, (_, i) => round(at(i - 180) + noise * (random() * 2 - 1)));
    const actual = Array.from({ length: 60 }, (_, i) => round(at(i + 1) + 1.4 * noise * (random() * 2 - 1)));
    const quantiles = Object.fromEntries(
      FAN_FIXTURE_LEVELS.map((key, k) => [
        key,
        Array.from({ length: 60 }, (_, i) => round(at(i + 1) + (Z[k] ?? 0) * noise * Math.sqrt(Math.min(i + 1, 16)))),
      ]),
    );
    return { tenant, metric, history, quantiles, actual, alpha, stepMinutes: 1 };
  });
}

/**
 * A seeded random research tree: a few seed roots, then nodes that mostly extend the current
 * best (as a planner does), sometimes an older node; about one in eight crashes.
 */
export function randomTree(count: number, seed: number): TreeNode[] {
  const random = mulberry32(seed);
  const nodes: TreeNode[] = [];
  const roots = Math.min(count, 1 + Math.floor(random() * 3));
  for (let i = 0; i < count; i++) {
    const id = `n${String(i).padStart(3, '0')}`;
    const isRoot = i < roots;
    const completed = nodes.filter((n) => n.metric !== null);
    const incumbent = completed.reduce<TreeNode | undefined>(
      (best, n) => (!best || (n.metric ?? 1) < (best.metric ?? 1) ? n : best),
      undefined,
    );
    const parent = isRoot
      ? null
      : random() < 0.6 && incumbent
        ? incumbent.id
        : (nodes[Math.floor(random() * nodes.length)]?.id ?? null);
    const crashed = !isRoot && random() < 0.125;
    const metric = crashed ? null : Math.round((0.3 + random() * 0.4) * 1e4) / 1e4;
    nodes.push(
      node({
        id,
        parent,
        name: `${isRoot ? 'seed' : 'try'}-${i}`,
        params: { knob: i },
        seed: isRoot,
        decision: crashed
          ? 'crash'
          : metric !== null && incumbent && metric < (incumbent.metric ?? 1)
            ? 'keep'
            : 'discard',
        metric,
        status: crashed ? 'failed' : 'completed',
        at: 10 + i,
      }),
    );
  }
  return nodes;
}

/** A single chain: each node the child of the one before (a greedy climb that always improves). */
export function chainTree(count: number): TreeNode[] {
  return Array.from({ length: count }, (_, i) =>
    node({
      id: `c${String(i).padStart(3, '0')}`,
      parent: i === 0 ? null : `c${String(i - 1).padStart(3, '0')}`,
      name: `step-${i}`,
      params: {},
      seed: i === 0,
      decision: 'keep',
      metric: 0.6 - i * 0.004,
      at: 10 + i,
    }),
  );
}
