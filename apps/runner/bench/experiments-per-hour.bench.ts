/**
 * Experiments per hour through the real CLI (goal: ≥ 60/h with the default experiment): per
 * template a fresh workdir, the offline planner, N experiments, default poll interval and
 * outputs. Throughput is counted from the first experiment's start to the last one's end
 * (anchoring is reported apart: it happens once per workdir), and each experiment's wall time is
 * split, from file times, into
 *   prepare   start → launch marker   (worktree, params, patch, commit, type-check, launch)
 *   evaluate  launch marker → exit file (the frozen evaluator itself)
 *   record    exit file → finished     (poll latency, analysis, ledgers, tree)
 * Writes the `## runner` section of docs/benchmarks.md.
 *
 *   npm run bench -w @tsfm/runner -- [--templates autoresearch,tiny] [--experiments 12] [--concurrency 1]
 *
 * The autoresearch template needs the default model (packages/pretrain/model/model.json) or
 * TSFM_MODEL_MANIFEST pointing at another one; without either it is reported as not measured.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TreeSchema } from '../src/workflow/state/tree-schema.js';
import { BENCHMARKS_DOC, writeBenchmarkSection } from '../../../tools/bench/benchmarks-doc.js';

const RUNNER = fileURLToPath(new URL('..', import.meta.url));
const REPO = join(RUNNER, '..', '..');
const GOAL_PER_HOUR = 60;

const { values } = parseArgs({
  options: {
    templates: { type: 'string', default: 'autoresearch,tiny' },
    experiments: { type: 'string', default: '12' },
    concurrency: { type: 'string', default: '1' },
    keep: { type: 'boolean' },
  },
});
const templates = values.templates.split(',');
const experiments = Number(values.experiments);
const concurrency = Number(values.concurrency);

interface Split {
  readonly prepare: number;
  readonly evaluate: number;
  readonly record: number;
  readonly total: number;
}

interface Measured {
  readonly template: string;
  readonly model: string;
  readonly experiments: number;
  readonly crashed: number;
  readonly spanS: number;
  readonly perHour: number;
  readonly anchorS: number;
  readonly wallS: number;
  readonly splits: readonly Split[];
}

const loadBefore = loadavg();
const measured: Measured[] = [];
const skipped: string[] = [];
for (const template of templates) {
  const result = measure(template);
  if (typeof result === 'string') skipped.push(`${template}: ${result}`);
  else measured.push(result);
}
const loadAfter = loadavg();

function measure(template: string): Measured | string {
  const workdir = mkdtempSync(join(tmpdir(), 'runner-bench-'));
  writeFileSync(join(workdir, 'workflow.json'), JSON.stringify({ template }));
  const started = Date.now();
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/run.ts',
      workdir,
      '--planner',
      'offline',
      '--max-experiments',
      String(experiments),
      '--concurrency',
      String(concurrency),
    ],
    {
      cwd: RUNNER,
      encoding: 'utf8',
      env: { ...process.env, TSFM_RUNNER_ADAPTER_MODULE: '' },
    },
  );
  const wallS = (Date.now() - started) / 1000;
  try {
    if (run.status !== 0)
      return (
        run.stderr.split('\n').find((line) => line.includes('cannot be anchored')) ??
        run.stderr.trim().split('\n').at(-1) ??
        `exit ${run.status}`
      ).trim();
    const tree = TreeSchema.parse(JSON.parse(readFileSync(join(workdir, 'engine', 'tree.json'), 'utf8')));
    const finished = tree.flatMap(({ startedAt, finishedAt, id }) =>
      startedAt !== null && finishedAt !== null ? [{ id, startedAt, finishedAt }] : [],
    );
    const first = Math.min(...finished.map((node) => Date.parse(node.startedAt)));
    const last = Math.max(...finished.map((node) => Date.parse(node.finishedAt)));
    const splits: Split[] = [];
    for (const node of finished) {
      const dir = join(workdir, 'runs', node.id);
      const names = existsSync(dir) ? readdirSync(dir) : [];
      const marker = names.find((name) => name.startsWith('launch-'));
      const exit = names.find((name) => name.startsWith('exit-'));
      if (!marker || !exit) continue;
      const s = Date.parse(node.startedAt);
      const launched = statSync(join(dir, marker)).mtimeMs;
      const exited = statSync(join(dir, exit)).mtimeMs;
      const f = Date.parse(node.finishedAt);
      splits.push({
        prepare: (launched - s) / 1000,
        evaluate: (exited - launched) / 1000,
        record: (f - exited) / 1000,
        total: (f - s) / 1000,
      });
    }
    const modelLine = readFileSync(join(workdir, 'runs', finished[0].id, 'log'), 'utf8')
      .split('\n')
      .find((line) => line.startsWith('model_sha256:'));
    const standIn = process.env['TSFM_MODEL_MANIFEST'];
    const model = modelLine
      ? `${standIn ? `stand-in ${standIn}` : 'default model'} (sha256 ${modelLine.split(/\s+/)[1].slice(0, 12)})`
      : 'parametric stand-in';
    return {
      template,
      model,
      experiments: finished.length,
      crashed: tree.filter((node) => node.decision === 'crash').length,
      spanS: (last - first) / 1000,
      perHour: finished.length / ((last - first) / 3_600_000),
      anchorS: (first - Date.parse(JSON.parse(readFileSync(join(workdir, 'config.json'), 'utf8')).createdAt)) / 1000,
      wallS,
      splits,
    };
  } finally {
    if (!values.keep) rmSync(workdir, { recursive: true, force: true });
    else console.log(`workdir kept: ${workdir}`);
  }
}

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length === 0
    ? NaN
    : (sorted[Math.floor((sorted.length - 1) / 2)] + sorted[Math.ceil((sorted.length - 1) / 2)]) / 2;
};
const stage = (m: Measured, pick: (s: Split) => number) =>
  `${median(m.splits.map(pick)).toFixed(2)} / ${Math.max(...m.splits.map(pick)).toFixed(2)}`;
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).stdout.trim();
const headline = measured.find((m) => m.template === templates[0]) ?? measured[0];

const section = [
  '## runner',
  '',
  `Experiments per hour through the real CLI: \`npm run bench -w @tsfm/runner\` (apps/runner/bench/experiments-per-hour.bench.ts) runs \`run.ts <fresh workdir> --planner offline --max-experiments ${experiments} --concurrency ${concurrency}\` per template, with the workflow's defaults (poll every 1 s, outputs rewritten after every completion). Throughput counts from the first experiment's start to the last one's end; anchoring (template copy, git, data preparation, type-check) happens once per workdir and is listed apart.`,
  '',
  ...(headline
    ? [
        `- **${headline.perHour.toFixed(0)} experiments/hour** with the ${headline.template} template → ${headline.perHour >= GOAL_PER_HOUR ? 'meets' : 'MISSES'} the goal of ≥ ${GOAL_PER_HOUR}/h.`,
      ]
    : [`- No template could be measured.`]),
  ...skipped.map((line) => `- Not measured: ${line}`),
  ...(process.env['TSFM_MODEL_MANIFEST']
    ? [
        `- TSFM_MODEL_MANIFEST was set: the autoresearch numbers use that model, not packages/pretrain/model/model.json; a random-weight stand-in (\`npx tsx apps/runner/bench/stand-in-model.ts\`: the default architecture and contract) costs the same time per call as the trained model, but its metrics mean nothing.`,
      ]
    : []),
  "- The tiny template is the fast stand-in evaluator (a parametric forecaster on 16 synthetic tenants): its row is the runner's own cost per experiment.",
  '',
  '| template | model | experiments (crashed) | first start → last finish (s) | experiments/h | anchoring (s) | whole command (s) |',
  '|---|---|---:|---:|---:|---:|---:|',
  ...measured.map(
    (m) =>
      `| ${m.template} | ${m.model} | ${m.experiments} (${m.crashed}) | ${m.spanS.toFixed(1)} | ${m.perHour.toFixed(0)} | ${m.anchorS.toFixed(1)} | ${m.wallS.toFixed(1)} |`,
  ),
  '',
  'Per experiment, median / max seconds, from tree.json times and the launch-marker and exit-file mtimes: prepare = worktree, params, patch, commit, type-check, launch; evaluate = the frozen evaluator incl. Node + tsx start-up (and the model load); record = poll latency, analysis, ledgers, tree.',
  '',
  '| template | prepare | evaluate | record | total |',
  '|---|---:|---:|---:|---:|',
  ...measured.map(
    (m) =>
      `| ${m.template} | ${stage(m, (s) => s.prepare)} | ${stage(m, (s) => s.evaluate)} | ${stage(m, (s) => s.record)} | ${stage(m, (s) => s.total)} |`,
  ),
  '',
  `Machine: ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${availableParallelism()} cores, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}; commit ${commit} (plus uncommitted work).`,
  `Load average (1 min) ${loadBefore[0].toFixed(2)} before, ${loadAfter[0].toFixed(2)} after — a shared machine, so these are pessimistic.`,
  '',
].join('\n');

console.log(section);
writeBenchmarkSection('## runner', section);
console.log(`wrote the ## runner section of ${BENCHMARKS_DOC}`);
