/**
 * evaluate — score forecasters on M4-Hourly, the NAB CloudWatch traces or any timestamp,value CSV.
 *
 *   npx tsx packages/baselines/src/cli/evaluate.ts --dataset m4-hourly --horizon 48 \
 *     --models naive,snaive,naive2,mstl-ets,arima,prophet,tsfm,tsfm-icc,tsfm-harness,tsfm-harness-a90 \
 *     [--max-series N] [--json out.json] [--harness-k 32]
 *   npx tsx packages/baselines/src/cli/evaluate.ts --dataset csv:<file or folder> [--duplicates mean]
 *
 * Prints the protocol and a markdown table (model, sMAPE, MASE, OWA on M4, the geometric mean over series
 * of the MASE ratio to seasonal naive and to naive, scaled CRPS, scaled
 * pinball@0.9, 80% coverage, seconds, failed windows). See docs/model-card.md § Baselines.
 */
import { existsSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { otherModelVersions, parseConfigKey, type TsfmClient } from '@tsfm/tsfm-client';
import { z } from 'zod';
import { createBaseline, isBaselineName, MODEL_NAMES, type ModelName } from '../registry.js';
import type { HarnessResult } from '@tsfm/harness';
import { loadTsfmForecaster } from '../models/tsfm.js';
import { loadTsfmHarnessForecaster } from '../models/tsfm-harness.js';
import { csvFilesIn, loadM4Hourly, loadTimestampValueFiles, type EvalDataset } from '../evaluate/dataset.js';
import { runModel, type ModelRun } from '../evaluate/run.js';
import {
  formatTable,
  geometricMeanMaseRatio,
  scoreTask,
  summarise,
  type ModelSummary,
  type TaskScore,
} from '../evaluate/score.js';
import { clampForecast, looksNonNegative } from '../non-negative.js';
import { DEFAULT_LEVELS, type Forecaster } from '../types.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const DEFAULT_DATA_DIR = resolve(REPO_ROOT, '../shared/data');
const DEFAULT_TSFM_MANIFEST = resolve(REPO_ROOT, 'packages/pretrain/model/model.json');
const MODEL_VERSIONS_DIR = resolve(REPO_ROOT, 'packages/pretrain/models');

const USAGE = `Usage: npx tsx packages/baselines/src/cli/evaluate.ts --dataset <m4-hourly|nab|csv:PATH> [options]

  --dataset D          m4-hourly (official split), nab (every CSV in <data-dir>/nab), or
                       csv:PATH, a timestamp,value CSV or a folder of them (each file keeps its step)
  --horizon H          steps ahead (default 48 on m4-hourly, else 12)
  --models LIST        comma-separated, from ${MODEL_NAMES.join(', ')}
                       (default: all; tsfm models are skipped when no model is shipped)
  --origins N          rolling origins per series, CSV datasets (default 10)
  --stride S           steps between origins (default: one day of steps)
  --period M           seasonal period in steps for every series (default: one day of steps per file)
  --duplicates P       rows repeating a timestamp: mean | first | last | error (default mean, with a
                       warning naming the file and the count, as at a daylight-saving change)
  --max-series N       evaluate the first N series only
  --workers W          worker threads for the baselines, 1–16 (default 1)
  --clamp C            auto | off: clamp forecasts of never-negative series at 0 (default auto)
  --data-dir DIR       where m4/ and nab/ live (default ../shared/data)
  --tsfm-model PATH    model.json (default packages/pretrain/model/model.json)
  --tsfm-config KEY    the tsfm model's config key
  --harness-k K        the harness's candidate count (default 32)
  --json PATH          also write the per-window report as JSON
  --help               this text`;

const ArgsSchema = z
  .object({
    dataset: z.union(
      [z.literal('m4-hourly'), z.literal('nab'), z.string().regex(/^csv:.+/, 'expected m4-hourly, nab or csv:<path>')],
      { error: (issue) => (issue.input === undefined ? 'required (m4-hourly, nab or csv:<path>)' : undefined) },
    ),
    horizon: z.coerce.number().int().min(1).optional(),
    models: z
      .string()
      .default(MODEL_NAMES.join(','))
      .transform((s) =>
        s
          .split(',')
          .map((m) => m.trim())
          .filter((m) => m.length > 0),
      )
      .pipe(z.array(z.enum(MODEL_NAMES)).min(1)),
    'max-series': z.coerce.number().int().min(1).optional(),
    json: z.string().optional(),
    workers: z.coerce.number().int().min(1).max(16).default(1),
    origins: z.coerce.number().int().min(1).default(10),
    stride: z.coerce.number().int().min(1).optional(),
    period: z.coerce.number().int().min(1).optional(),
    'data-dir': z.string().default(DEFAULT_DATA_DIR),
    'tsfm-model': z.string().optional(),
    'tsfm-config': z.string().optional(),
    'harness-k': z.coerce.number().int().min(1).max(4096).default(32),
    clamp: z.enum(['auto', 'off']).default('auto'),
    duplicates: z.enum(['mean', 'first', 'last', 'error']).default('mean'),
  })
  .strict();

type Args = z.infer<typeof ArgsSchema>;

function parseCli(argv: string[]): Args | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        help: { type: 'boolean' },
        ...Object.fromEntries(
          [
            'dataset',
            'horizon',
            'models',
            'max-series',
            'json',
            'workers',
            'origins',
            'stride',
            'period',
            'data-dir',
            'tsfm-model',
            'tsfm-config',
            'harness-k',
            'clamp',
            'duplicates',
          ].map((name) => [name, { type: 'string' as const }]),
        ),
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help === true) return 'help';
  delete values.help;
  const parsed = ArgsSchema.safeParse(values);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `--${i.path.join('.') || '(args)'}: ${i.message}`).join('\n  ');
    throw new UsageError(`invalid arguments:\n  ${detail}`);
  }
  return parsed.data;
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

async function loadDataset(args: Args): Promise<EvalDataset> {
  if (args.dataset === 'm4-hourly') return loadM4Hourly(args['data-dir'], args.horizon ?? 48, args['max-series']);
  const rolling = {
    horizon: args.horizon ?? 12,
    origins: args.origins,
    ...(args.stride !== undefined ? { stride: args.stride } : {}),
    ...(args['max-series'] !== undefined ? { maxSeries: args['max-series'] } : {}),
    ...(args.period !== undefined ? { period: args.period } : {}),
  };
  const options = { ...rolling, duplicates: args.duplicates };
  if (args.dataset === 'nab')
    return loadTimestampValueFiles('nab', await csvFilesIn(resolve(args['data-dir'], 'nab')), options);
  const path = resolve(args.dataset.slice('csv:'.length));
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new UsageError(`--dataset: no file or folder at ${path}`);
  const files = info.isDirectory() ? await csvFilesIn(path) : [path];
  if (files.length === 0) throw new UsageError(`--dataset: no .csv file in ${path}`);
  return loadTimestampValueFiles(`csv:${path}`, files, options);
}

/** Per-series harness outcomes of one tsfm-harness model, for the summary lines and the JSON. */
interface HarnessLog {
  readonly results: {
    id: string;
    path: string;
    winner: string;
    defaultKey: string;
    kUsed: number;
    tieToDefault: boolean;
    /** The request's time (the harness's own clock) and whether it broke the 200 ms budget. */
    latencyMs: number;
    overBudget: boolean;
    /** Statistical members that could not run on this series (too little history). */
    membersSkipped: number;
  }[];
}

async function buildModel(
  name: ModelName,
  args: Args,
  clients: TsfmClient[],
  harnessLogs: Map<string, HarnessLog>,
): Promise<Forecaster> {
  if (isBaselineName(name)) return createBaseline(name);
  const manifest = resolve(args['tsfm-model'] ?? DEFAULT_TSFM_MANIFEST);
  if (!existsSync(manifest)) {
    throw new UsageError(`${name}: no model manifest at ${manifest} (pass --tsfm-model, or run the pretraining first)`);
  }
  if (name === 'tsfm-harness' || name === 'tsfm-harness-a90') {
    // The harness searches its own config space from the fleet default; --tsfm-config does not apply.
    const log: HarnessLog = { results: [] };
    harnessLogs.set(name, log);
    // The harness's model dimension: the other model versions kept beside the default.
    const extraModels = await otherModelVersions(manifest, MODEL_VERSIONS_DIR);
    if (extraModels.length > 0)
      console.log(`# ${name}: model dimension + ${extraModels.map((m) => m.name).join(', ')}`);
    const { forecaster, clients: loaded } = await loadTsfmHarnessForecaster(manifest, {
      name,
      alpha: name === 'tsfm-harness' ? 0.5 : 0.9,
      k: args['harness-k'],
      extraModels,
      onResult: (id: string, r: HarnessResult) => {
        const w = Object.values(r.winner)[0];
        log.results.push({
          id,
          path: r.path,
          winner: w?.key ?? '',
          defaultKey: r.defaultKey,
          kUsed: r.kUsed,
          tieToDefault: w?.tieToDefault ?? false,
          latencyMs: r.timings.total,
          overBudget: r.budget.overBudget,
          membersSkipped: r.membersSkipped.length,
        });
      },
    });
    clients.push(...loaded);
    return forecaster;
  }
  const { forecaster, client } = await loadTsfmForecaster(manifest, {
    ...(args['tsfm-config'] !== undefined ? { config: parseConfigKey(args['tsfm-config']) } : {}),
    // tsfm-icc: the same fixed config, each side of the fan scaled by backtests on the series' own history.
    ...(name === 'tsfm-icc' ? { calibration: 'in-context' as const, name } : {}),
  });
  clients.push(client);
  return forecaster;
}

export async function main(argv: string[]): Promise<void> {
  const args = parseCli(argv);
  if (args === 'help') {
    console.log(USAGE);
    return;
  }
  const modelsGiven = argv.some((a) => a === '--models' || a.startsWith('--models='));
  const dataset = await loadDataset(args);
  for (const warning of dataset.warnings) console.error(`evaluate: warning: ${warning}`);
  const levels = DEFAULT_LEVELS;
  const command = `npx tsx packages/baselines/src/cli/evaluate.ts ${argv.join(' ')}`;
  console.log(`# ${command}`);
  console.log(
    `# ${dataset.protocol}; forecasts of never-negative series clamped at 0: ${args.clamp === 'auto' ? 'yes' : 'no'}`,
  );

  const clients: TsfmClient[] = [];
  const results: { name: string; run: ModelRun; scores: TaskScore[] }[] = [];
  const harnessLogs = new Map<string, HarnessLog>();
  try {
    // Naive2 is the OWA reference; seasonal naive and naive are the references of the
    // geometric-mean MASE ratios. All are computed even when not asked for, reported only if asked.
    const references: ModelName[] = [...(dataset.owa ? (['naive2'] as const) : []), 'snaive', 'naive'];
    const names: ModelName[] = [...references.filter((r) => !args.models.includes(r)), ...args.models];
    for (const name of names) {
      if (!isBaselineName(name) && !modelsGiven && !existsSync(resolve(args['tsfm-model'] ?? DEFAULT_TSFM_MANIFEST))) {
        // The default list names every model; without a shipped model say so rather than fail.
        console.log(`# ${name} skipped: no model manifest at ${resolve(args['tsfm-model'] ?? DEFAULT_TSFM_MANIFEST)}`);
        continue;
      }
      const model = await buildModel(name, args, clients, harnessLogs);
      const wall0 = performance.now();
      const raw = await runModel(model, dataset.tasks, levels, args.workers);
      // --clamp auto: every model's forecast of a never-negative series is clamped at 0 (the
      // TSFM's default config does the same inside the client; see non-negative.ts).
      const run =
        args.clamp === 'auto'
          ? {
              ...raw,
              forecasts: raw.forecasts.map((f, i) =>
                looksNonNegative(dataset.tasks[i].history) ? clampForecast(f) : f,
              ),
            }
          : raw;
      const scores = dataset.tasks.map((task, i) => scoreTask(task, run.forecasts[i]));
      results.push({ name, run, scores });
      console.error(
        `  ${name}: ${dataset.tasks.length} windows, ${((performance.now() - wall0) / 1000).toFixed(1)} s wall, ${run.failures.length} failed`,
      );
    }
  } finally {
    for (const client of clients) await client.release();
  }

  const naive2 = results.find((r) => r.name === 'naive2');
  const reference =
    dataset.owa && naive2
      ? summarise('naive2', naive2.scores, naive2.run.seconds, naive2.run.failures.length)
      : undefined;
  const taskIds = dataset.tasks.map((t) => t.id);
  const scoresOf = (name: string): TaskScore[] => {
    const result = results.find((r) => r.name === name);
    if (result === undefined) throw new Error(`no results for model ${name}`);
    return result.scores;
  };
  const summaries: ModelSummary[] = results
    .filter((r) => args.models.includes(r.name as ModelName))
    .map((r) =>
      summarise(r.name, r.scores, r.run.seconds, r.run.failures.length, reference, {
        snaive: geometricMeanMaseRatio(taskIds, r.scores, scoresOf('snaive')),
        naive: geometricMeanMaseRatio(taskIds, r.scores, scoresOf('naive')),
      }),
    );
  console.log('');
  console.log(formatTable(summaries, dataset.owa));
  for (const s of summaries) {
    if (s.nonFinite > 0)
      console.log(`\n${s.model}: ${s.nonFinite} windows had a non-finite metric and were left out of its mean`);
  }
  for (const [name, log] of harnessLogs) console.log(`\n${harnessSummary(name, log)}`);
  for (const r of results) {
    for (const f of r.run.failures.slice(0, 5)) console.log(`${r.name} failed on ${f.id}: ${f.error}`);
  }
  const failedModels = failureLines(summaries);
  if (failedModels.lines.length > 0) console.log(`\n${failedModels.lines.join('\n')}`);
  if (failedModels.whole.length > 0) process.exitCode = 1;

  if (args.json) {
    const out = resolve(args.json);
    await mkdir(dirname(out), { recursive: true });
    const report = {
      command,
      dataset: dataset.name,
      protocol: dataset.protocol,
      ...(dataset.period !== undefined ? { period: dataset.period } : {}),
      warnings: dataset.warnings,
      horizon: dataset.horizon,
      levels,
      summaries,
      windows: results.map((r) => ({
        model: r.name,
        failures: r.run.failures,
        ...harnessWindowsOf(harnessLogs.get(r.name)),
        scores: dataset.tasks.map((t, i) => ({
          id: t.id,
          ...(dataset.period === undefined ? { period: t.period } : {}),
          ...r.scores[i],
        })),
      })),
    };
    await writeFile(out, `${JSON.stringify(report, null, 1)}\n`);
    console.log(`\nwrote ${out}`);
  }
}

/**
 * A window a model throws on is scored with seasonal naive's forecast (run.ts), so a row with
 * failures is not that model's alone: say so loudly, and name the models that failed EVERY window
 * (their row is seasonal naive under another name; the command then exits 1).
 */
function failureLines(summaries: readonly ModelSummary[]): { lines: string[]; whole: string[] } {
  const lines: string[] = [];
  const whole: string[] = [];
  for (const s of summaries) {
    if (s.failed === 0) continue;
    if (s.failed === s.windows) whole.push(s.model);
    lines.push(
      `⚠ ${s.failed === s.windows ? 'FAILED: ' : ''}${s.model} failed ${s.failed}/${s.windows} windows; seasonal naive's forecast stands in for them in its row`,
    );
  }
  return { lines, whole };
}

/** Which configs won: search vs cold start, how often the default kept its place, top winners. */
function harnessSummary(name: string, log: HarnessLog): string {
  const n = log.results.length;
  const searched = log.results.filter((r) => r.path === 'search');
  const defaultWon = searched.filter((r) => r.winner === r.defaultKey).length;
  const statistical = searched.filter((r) => r.winner.startsWith('stat-')).length;
  const otherModel = searched.filter((r) => r.winner.includes('/')).length;
  const skipped = log.results.reduce((s, r) => s + r.membersSkipped, 0);
  const counts = new Map<string, number>();
  for (const r of searched) counts.set(r.winner, (counts.get(r.winner) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5);
  const kUsed = searched.length > 0 ? Math.min(...searched.map((r) => r.kUsed)) : 0;
  const latencies = log.results.map((r) => r.latencyMs).sort((a, b) => a - b);
  const p99 =
    latencies.length > 0 ? latencies[Math.min(latencies.length - 1, Math.ceil(0.99 * latencies.length) - 1)] : NaN;
  const overBudget = log.results.filter((r) => r.overBudget).length;
  return (
    `${name}: latency p99 ${p99.toFixed(1)} ms, over the 200 ms budget ${overBudget}/${n} (K fixed, budget measured); ` +
    `${searched.length}/${n} series searched (K used ≥ ${kUsed}), ${n - searched.length} cold start; ` +
    `the default (${searched[0]?.defaultKey ?? '-'}) won ${defaultWon}/${searched.length}, a statistical member ${statistical}, ` +
    `another model ${otherModel}; statistical members skipped ${skipped} times (too little history); ` +
    `most frequent winners: ${top.map(([k, c]) => `${k} ×${c}`).join(', ')}`
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // A usage error repeats the usage; anything else (an unreadable or malformed file, a missing
  // model) is one line: the loaders' messages name the file, line and what to pass instead.
  const message = error instanceof Error ? error.message : String(error);
  console.error(error instanceof UsageError ? `evaluate: ${message}\n\n${USAGE}` : `evaluate: ${message}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});

/** The harness's per-window log for a results file, for the models that ran through it. */
function harnessWindowsOf(log: HarnessLog | undefined): { harness?: HarnessLog['results'] } {
  return log === undefined ? {} : { harness: log.results };
}
