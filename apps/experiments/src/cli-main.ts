/**
 * The experiments command line (src/cli/experiments.ts is its two-line entry): option parsing,
 * the tuning cache, and writing each experiment's JSON + markdown (+ chart) into --out.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BaselineName } from '@tsfm/baselines';
import { readManifest } from '@tsfm/tsfm-client';
import type { TenantOutcome } from './evaluate-tenant.js';
import {
  DEFAULT_BASELINES,
  DEFAULT_HARNESS,
  m6Markdown,
  runM6,
  type BaselinePlan,
  type HarnessSettings,
  type M6Result,
} from './m6.js';
import { DEFAULT_KS, m7ChartSpec, m7Markdown, runM7 } from './m7.js';
import { DEFAULT_COLD_MINUTES, m8Markdown, runM8 } from './m8.js';
import { m9Markdown, runM9 } from './m9.js';
import {
  HARNESS_VARIANTS,
  harnessSelectionMarkdown,
  runHarnessSelection,
  type HarnessVariant,
} from './harness-selection.js';
import { FLEET_PROTOCOL, type Protocol } from './protocol.js';
import { CLI_COMMAND, modelProvenance, runInfo } from './provenance.js';
import { writeResultsDoc } from './results-doc.js';
import { DEFAULT_SERIES_BASELINES, runSeries, seriesMarkdown } from './series.js';
import { splitTenants, type TenantSplit } from './split.js';
import { fleetInfo } from './tenant-data.js';
import { runTuning, writeJson, type TuningResult } from './tuning.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const COMMANDS = ['tune', 'select-harness', 'm6', 'm7', 'm8', 'm9', 'nab', 'csv', 'all', 'doc'] as const;
type Command = (typeof COMMANDS)[number];

const USAGE = `usage: ${CLI_COMMAND} <${COMMANDS.join('|')}> [options] [file.csv …]

data and model
  --fleet DIR            fleet written by workload-gen (default workdirs/demo/fleet)
  --model PATH           model.json (default packages/pretrain/model/model.json)
  --random-model         no trained model yet: write a random-weight model of the default shape
                         (every output is labelled NOT A RESULT)
  --out DIR              outputs (default out/experiments)
  --doc PATH             results page for 'doc'/'all' (default docs/results.md)
  --scope TEXT           the scope line of docs/results.md (full size or what was reduced)
  --notes-file PATH      markdown placed under "Reading" in docs/results.md
  --provisioning-dir DIR the replay simulator's --out, embedded as "Provisioning replay" (default
                         out/simulate; without its summary.md the page's section is kept as is)
  --provisioning-notes-file PATH  hand-written markdown for that section (default
                         <provisioning-dir>/notes.md when it exists); the line
                         <!-- provisioning-replay-report --> in it marks where the report goes
protocol
  --seed N (42)  --tuning-share X (0.3)  --origins N (50)  --tuning-origins N (10)  --horizon MIN (60)
  --max-tenants N        evaluate at most N evaluation tenants (reduced run)
  --max-tuning-tenants N tune on at most N tuning tenants (reduced run)
  --workers N (2)        worker threads (0 = in-process)
harness
  --k N (32)  --budget-ms MS (200)  --validation-windows N (8)  --configs-per-model-row N (2)  --with-prior
  (the model dimension: every other model version in packages/pretrain/models/ joins the search)
select-harness (the harness's request defaults, on TUNING tenants)
  --select-tenants N (60)  --select-origins N (5)  --select-variants 'v2,v1,…' (all; the first is the reference)
  --select-skip N (0)    pass over the first N tuning tenants of the seeded order (a confirmation run
                         on tenants disjoint from an earlier run's)
baselines (M6)
  --light LIST (naive,snaive)  --light-origins N (5)  --heavy LIST (mstl-ets,arima,prophet)
  --heavy-origins N (1)  --heavy-share X (0.2)  --no-baselines
M7 / M8 / M9
  --ks LIST (1,2,4,8,16,32,64)  --m7-tenants N (100)  --m7-origins N (10)
  --cold LIST (30,60,120,240,480)  --m8-tenants N (200)  --m8-origins N (5)
  --m9-tenants N (100)  --m9-origins N (10)
series (nab / csv)
  --nab-dir DIR (../shared/data/nab)  --alpha X (0.9)  --series-origins N (50)  --series-heavy-origins N (10)`;

interface Context {
  readonly argv: readonly string[];
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: readonly string[];
  readonly out: string;
  readonly workers: number;
  readonly command: string;
}

/** A command line the CLI cannot run: the entry point prints the message and the usage, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export { USAGE };

export async function runExperimentsCli(argv: readonly string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArguments(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const command = positionals[0] as Command | undefined;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command === undefined) throw new UsageError('a command is required');
  if (!COMMANDS.includes(command)) throw new UsageError(`unknown command '${command}'`);
  const ctx: Context = {
    argv,
    values,
    positionals: positionals.slice(1),
    out: resolve(str(values.out) ?? join(REPO, 'out', 'experiments')),
    workers: int(values, 'workers', 2),
    command: `${CLI_COMMAND} ${argv.map(shellQuote).join(' ')}`,
  };
  await runCommand(command, ctx);
}

function parseArguments(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      help: { type: 'boolean' },
      fleet: { type: 'string' },
      model: { type: 'string' },
      'random-model': { type: 'boolean' },
      out: { type: 'string' },
      doc: { type: 'string' },
      scope: { type: 'string' },
      'notes-file': { type: 'string' },
      'provisioning-dir': { type: 'string' },
      'provisioning-notes-file': { type: 'string' },
      seed: { type: 'string' },
      'tuning-share': { type: 'string' },
      origins: { type: 'string' },
      'tuning-origins': { type: 'string' },
      horizon: { type: 'string' },
      'max-tenants': { type: 'string' },
      'max-tuning-tenants': { type: 'string' },
      workers: { type: 'string' },
      k: { type: 'string' },
      'budget-ms': { type: 'string' },
      'validation-windows': { type: 'string' },
      'configs-per-model-row': { type: 'string' },
      'with-prior': { type: 'boolean' },
      light: { type: 'string' },
      'light-origins': { type: 'string' },
      heavy: { type: 'string' },
      'heavy-origins': { type: 'string' },
      'heavy-share': { type: 'string' },
      'no-baselines': { type: 'boolean' },
      ks: { type: 'string' },
      'm7-tenants': { type: 'string' },
      'm7-origins': { type: 'string' },
      cold: { type: 'string' },
      'm8-tenants': { type: 'string' },
      'm8-origins': { type: 'string' },
      'm9-tenants': { type: 'string' },
      'select-tenants': { type: 'string' },
      'select-skip': { type: 'string' },
      'select-origins': { type: 'string' },
      'select-variants': { type: 'string' },
      'm9-origins': { type: 'string' },
      'nab-dir': { type: 'string' },
      alpha: { type: 'string' },
      'series-origins': { type: 'string' },
      'series-heavy-origins': { type: 'string' },
    },
  });
}

async function runCommand(command: Command, ctx: Context): Promise<void> {
  switch (command) {
    case 'tune':
      await tuning(ctx, true);
      return;
    case 'select-harness':
      await selectHarness(ctx);
      return;
    case 'm6':
      await m6(ctx);
      return;
    case 'm7':
      await m7(ctx);
      return;
    case 'm8':
      await m8(ctx);
      return;
    case 'm9':
      await m9(ctx, null);
      return;
    case 'nab':
      await series(ctx, 'nab');
      return;
    case 'csv':
      await series(ctx, 'csv');
      return;
    case 'doc':
      doc(ctx);
      return;
    case 'all': {
      const r6 = await m6(ctx);
      await m9(ctx, r6.result);
      await m7(ctx);
      await m8(ctx);
      await series(ctx, 'nab');
      doc(ctx);
      return;
    }
  }
}

/** Quotes an argument for a POSIX shell when it needs it, so printed commands can be pasted back. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function str(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

type Values = Context['values'];

function int(values: Values, flag: string, fallback: number): number {
  const v = values[flag];
  if (typeof v !== 'string') return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n)) throw new UsageError(`--${flag}: expected an integer, got '${v}'`);
  return n;
}

function num(values: Values, flag: string, fallback: number): number {
  const v = values[flag];
  if (typeof v !== 'string') return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag}: expected a number, got '${v}'`);
  return n;
}

function list(v: string | boolean | undefined, fallback: readonly string[]): string[] {
  return typeof v === 'string'
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
    : [...fallback];
}

function log(message: string): void {
  process.stderr.write(`[experiments ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function progress(label: string): (done: number, total: number) => void {
  const t0 = performance.now();
  let last = 0;
  return (done, total) => {
    const now = performance.now();
    if (done === total || now - last > 10_000) {
      last = now;
      log(`${label}: ${done}/${total} (${((now - t0) / 1000).toFixed(0)} s)`);
    }
  };
}

const modelPaths = new Map<Context, string>();

/** The model of this invocation — one per command line, so every experiment of 'all' uses the same weights. */
async function modelPath(ctx: Context): Promise<string> {
  const cached = modelPaths.get(ctx);
  if (cached !== undefined) return cached;
  const path = await resolveModelPath(ctx);
  modelPaths.set(ctx, path);
  return path;
}

async function resolveModelPath(ctx: Context): Promise<string> {
  const given = str(ctx.values.model);
  if (ctx.values['random-model']) {
    // The random-weight stand-in of the default architecture (random-model.ts), written to a
    // temporary folder; its manifest says "random weights", and every report says so. Imported
    // lazily so a run with a trained model never loads the ONNX writer.
    const { writeRandomModel } = await import('./random-model.js');
    const path = writeRandomModel();
    log(`RANDOM-WEIGHT model written to ${path} (outputs are labelled NOT A RESULT)`);
    return path;
  }
  const path = resolve(given ?? join(REPO, 'packages', 'pretrain', 'model', 'model.json'));
  if (!existsSync(path))
    throw new Error(
      `no model at ${path}: pass --model PATH, or --random-model to exercise the pipeline with random weights`,
    );
  return snapshotModel(path, join(ctx.out, 'model'));
}

/**
 * Copies model.json and its ONNX file into the output folder and returns the copy: a long run
 * (`all`) starts new worker threads for each experiment, and a model retrained in place in the
 * meantime would otherwise give different experiments different weights. Every JSON records the
 * sha256 of the copy.
 */
function snapshotModel(manifestPath: string, dir: string): string {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { file?: string };
  if (typeof manifest.file !== 'string') return manifestPath;
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(dirname(manifestPath), manifest.file), join(dir, basename(manifest.file)));
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...manifest, file: basename(manifest.file) }, null, 2));
  log(`model ${manifestPath} snapshotted to ${dir}`);
  return join(dir, 'model.json');
}

function protocolOf(ctx: Context): Protocol {
  return {
    ...FLEET_PROTOCOL,
    seed: int(ctx.values, 'seed', FLEET_PROTOCOL.seed),
    horizon: int(ctx.values, 'horizon', FLEET_PROTOCOL.horizon),
    originsPerTenant: int(ctx.values, 'origins', FLEET_PROTOCOL.originsPerTenant),
    tuningOrigins: int(ctx.values, 'tuning-origins', FLEET_PROTOCOL.tuningOrigins),
  };
}

function harnessOf(ctx: Context): HarnessSettings {
  return {
    ...DEFAULT_HARNESS,
    k: int(ctx.values, 'k', DEFAULT_HARNESS.k),
    budgetMs: num(ctx.values, 'budget-ms', DEFAULT_HARNESS.budgetMs),
    validationWindows: int(ctx.values, 'validation-windows', DEFAULT_HARNESS.validationWindows),
    configsPerModelRow: int(ctx.values, 'configs-per-model-row', DEFAULT_HARNESS.configsPerModelRow),
  };
}

interface FleetSetup {
  readonly fleetDir: string;
  readonly split: TenantSplit;
  readonly protocol: Protocol;
  readonly modelPath: string;
  readonly contextLength: number;
}

const setups = new Map<Context, FleetSetup>();

async function fleet(ctx: Context): Promise<FleetSetup> {
  const cached = setups.get(ctx);
  if (cached) return cached;
  const fleetDir = resolve(str(ctx.values.fleet) ?? join(REPO, 'workdirs', 'demo', 'fleet'));
  const info = await fleetInfo(fleetDir);
  const protocol = protocolOf(ctx);
  const split = splitTenants(info.ids, { tuningShare: num(ctx.values, 'tuning-share', 0.3), seed: protocol.seed });
  const path = await modelPath(ctx);
  const { contract } = await readManifest(path);
  const setup = { fleetDir, split, protocol, modelPath: path, contextLength: contract.contextLength };
  setups.set(ctx, setup);
  log(
    `fleet ${fleetDir}: ${info.tenantCount} tenants × ${info.length} steps; split ${split.tuning.length} tuning / ${split.evaluation.length} evaluation`,
  );
  return setup;
}

interface TuningFile {
  readonly key: string;
  readonly result: TuningResult;
}

async function tuning(ctx: Context, force: boolean): Promise<TuningResult> {
  const setup = await fleet(ctx);
  const maxTenants =
    ctx.values['max-tuning-tenants'] === undefined ? undefined : int(ctx.values, 'max-tuning-tenants', 0);
  const model = modelProvenance(setup.modelPath);
  const key = JSON.stringify({
    fleet: setup.fleetDir,
    model: model.sha256,
    seed: setup.split.seed,
    share: setup.split.tuningShare,
    protocol: setup.protocol,
    maxTenants: maxTenants ?? null,
  });
  const file = join(ctx.out, 'tuning.json');
  if (!force && existsSync(file)) {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as TuningFile;
    if (cached.key === key && cached.result.storeSetDir !== null && existsSync(cached.result.storeSetDir)) {
      log(`tuning: reusing ${file}`);
      return cached.result;
    }
  }
  log(
    `tuning: grid search on ${maxTenants ?? setup.split.tuning.length} tuning tenants × ${setup.protocol.tuningOrigins} origins`,
  );
  const result = await runTuning({
    fleetDir: setup.fleetDir,
    modelPath: setup.modelPath,
    split: setup.split,
    protocol: setup.protocol,
    workers: ctx.workers,
    storeSetDir: join(ctx.out, 'store-set'),
    ...(maxTenants === undefined ? {} : { maxTenants }),
    onProgress: progress('tuning'),
  });
  writeJson(ctx.out, 'tuning.json', { key, command: ctx.command, model, result } satisfies TuningFile & {
    command: string;
    model: unknown;
  });
  log(
    `tuning: best fixed config ${result.best.key} (${result.best.meanLoss.toFixed(4)}), grid ${result.wallSeconds.grid.toFixed(0)} s, store ${result.wallSeconds.store.toFixed(0)} s`,
  );
  return result;
}

function baselinesOf(ctx: Context): BaselinePlan {
  if (ctx.values['no-baselines']) return { ...DEFAULT_BASELINES, light: [], heavy: [] };
  return {
    ...DEFAULT_BASELINES,
    light: list(ctx.values.light, DEFAULT_BASELINES.light) as BaselineName[],
    heavy: list(ctx.values.heavy, DEFAULT_BASELINES.heavy) as BaselineName[],
    lightOrigins: int(ctx.values, 'light-origins', DEFAULT_BASELINES.lightOrigins),
    heavyOrigins: int(ctx.values, 'heavy-origins', DEFAULT_BASELINES.heavyOrigins),
    heavyTenantShare: num(ctx.values, 'heavy-share', DEFAULT_BASELINES.heavyTenantShare),
  };
}

async function m6(ctx: Context): Promise<{ result: M6Result; outcomes: TenantOutcome[] }> {
  const setup = await fleet(ctx);
  const tuned = await tuning(ctx, false);
  const maxTenants = ctx.values['max-tenants'] === undefined ? undefined : int(ctx.values, 'max-tenants', 0);
  log(
    `m6: ${maxTenants ?? setup.split.evaluation.length} evaluation tenants × ${setup.protocol.originsPerTenant} origins on ${ctx.workers} workers`,
  );
  const r = await runM6({
    ...setup,
    model: modelProvenance(setup.modelPath),
    tuning: tuned,
    workers: ctx.workers,
    harness: harnessOf(ctx),
    baselines: baselinesOf(ctx),
    withPrior: ctx.values['with-prior'] === true,
    ...(maxTenants === undefined ? {} : { maxTenants }),
    run: runInfo(ctx.command, ctx.workers),
    onProgress: progress('m6'),
  });
  writeJson(ctx.out, 'm6.json', r.result);
  writeFileSync(join(ctx.out, 'm6.md'), m6Markdown(r.result));
  writeFileSync(join(ctx.out, 'm6-points.csv'), pointsCsv(r.outcomes));
  log(
    `m6: wall ${r.result.run.wallSeconds.toFixed(1)} s; dropped ${r.result.methods.reduce((s, m) => s + m.dropped, 0)}; wrote ${join(ctx.out, 'm6.md')}`,
  );
  return r;
}

/** Every scored point of every method: tenant, tier, archetype, origin, then one column per method. */
export function pointsCsv(outcomes: readonly TenantOutcome[]): string {
  const names = outcomes[0]?.methods.map((m) => m.name) ?? [];
  const lines = [['tenant', 'tier', 'archetype', 'origin', ...names].join(',')];
  for (const o of outcomes) {
    for (let i = 0; i < o.origins.length; i++) {
      lines.push(
        [
          o.tenantId,
          o.tier ?? '',
          o.archetype ?? '',
          o.origins[i],
          ...o.methods.map((m) => (Number.isFinite(m.loss[i]) ? m.loss[i].toPrecision(6) : '')),
        ].join(','),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

async function m7(ctx: Context): Promise<void> {
  const setup = await fleet(ctx);
  log('m7: latency vs K (single thread)');
  const r = await runM7({
    ...setup,
    model: modelProvenance(setup.modelPath),
    ks: list(ctx.values.ks, DEFAULT_KS.map(String)).map(Number),
    tenants: int(ctx.values, 'm7-tenants', 100),
    originsPerTenant: int(ctx.values, 'm7-origins', 10),
    budgetMs: num(ctx.values, 'budget-ms', 200),
    harness: harnessOf(ctx),
    run: runInfo(ctx.command, 0),
    onProgress: progress('m7'),
  });
  const chart = 'm7-loss-latency.png';
  const spec = m7ChartSpec(r);
  writeJson(ctx.out, 'm7-chart.vl.json', spec);
  const { renderPng } = await import('@tsfm/charts');
  await renderPng(spec as unknown as Parameters<typeof renderPng>[0], join(ctx.out, chart));
  const result = { ...r, chart };
  writeJson(ctx.out, 'm7.json', result);
  writeFileSync(join(ctx.out, 'm7.md'), m7Markdown(result));
  log(`m7: largest K within budget ${r.largestKWithinBudget}; wall ${r.run.wallSeconds.toFixed(1)} s`);
}

async function m8(ctx: Context): Promise<void> {
  const setup = await fleet(ctx);
  const tuned = await tuning(ctx, false);
  if (tuned.storeSetDir === null) throw new Error('M8 needs the archetype store set built by tuning');
  log('m8: cold start');
  const r = await runM8({
    ...setup,
    model: modelProvenance(setup.modelPath),
    storeSetDir: tuned.storeSetDir,
    workers: ctx.workers,
    lengths: list(ctx.values.cold, DEFAULT_COLD_MINUTES.map(String)).map(Number),
    tenants: int(ctx.values, 'm8-tenants', 200),
    originsPerTenant: int(ctx.values, 'm8-origins', 5),
    harness: harnessOf(ctx),
    run: runInfo(ctx.command, ctx.workers),
    onProgress: progress('m8'),
  });
  writeJson(ctx.out, 'm8.json', r);
  writeFileSync(join(ctx.out, 'm8.md'), m8Markdown(r));
  log(`m8: wall ${r.run.wallSeconds.toFixed(1)} s; dropped ${r.dropped}`);
}

/** --select-variants: a subset of HARNESS_VARIANTS by name (the first listed is the reference). */
function selectedVariants(ctx: Context): readonly HarnessVariant[] {
  const names = list(
    ctx.values['select-variants'],
    HARNESS_VARIANTS.map((v) => v.name),
  );
  return names.map((n) => {
    const v = HARNESS_VARIANTS.find((x) => x.name === n);
    if (v === undefined)
      throw new Error(`--select-variants: unknown '${n}' (have: ${HARNESS_VARIANTS.map((x) => x.name).join('; ')})`);
    return v;
  });
}

/** The harness's request defaults compared on tuning tenants (harness-selection.ts). */
async function selectHarness(ctx: Context): Promise<void> {
  const setup = await fleet(ctx);
  log('select-harness: harness defaults on tuning tenants');
  const r = await runHarnessSelection({
    ...setup,
    model: modelProvenance(setup.modelPath),
    workers: ctx.workers,
    tenants: int(ctx.values, 'select-tenants', 60),
    skipTenants: int(ctx.values, 'select-skip', 0),
    variants: selectedVariants(ctx),
    originsPerTenant: int(ctx.values, 'select-origins', 5),
    run: runInfo(ctx.command, ctx.workers),
    onProgress: progress('select-harness'),
  });
  writeJson(ctx.out, 'harness-selection.json', r);
  writeFileSync(join(ctx.out, 'harness-selection.md'), harnessSelectionMarkdown(r));
  log(`select-harness: wall ${r.run.wallSeconds.toFixed(1)} s`);
}

async function m9(ctx: Context, fromRun: M6Result | null): Promise<void> {
  const setup = await fleet(ctx);
  let m6Result = fromRun;
  if (m6Result === null) {
    const file = join(ctx.out, 'm6.json');
    if (!existsSync(file)) throw new Error(`M9 reads M6's provisioning tallies from ${file}: run 'm6' first`);
    m6Result = JSON.parse(readFileSync(file, 'utf8')) as M6Result;
  }
  log('m9: SLA tiers');
  const r = await runM9({
    ...setup,
    model: modelProvenance(setup.modelPath),
    m6: m6Result,
    workers: ctx.workers,
    tenants: int(ctx.values, 'm9-tenants', 100),
    originsPerTenant: int(ctx.values, 'm9-origins', 10),
    harness: harnessOf(ctx),
    run: runInfo(ctx.command, ctx.workers),
    onProgress: progress('m9'),
  });
  writeJson(ctx.out, 'm9.json', r);
  writeFileSync(join(ctx.out, 'm9.md'), m9Markdown(r));
  log(`m9: wall ${r.run.wallSeconds.toFixed(1)} s`);
}

async function series(ctx: Context, dataset: 'nab' | 'csv'): Promise<void> {
  const nabDir = resolve(str(ctx.values['nab-dir']) ?? join(REPO, '..', 'shared', 'data', 'nab'));
  const nab = existsSync(nabDir)
    ? readdirSync(nabDir)
        .filter((f) => f.toLowerCase().endsWith('.csv'))
        .sort()
        .map((f) => join(nabDir, f))
    : [];
  const files = dataset === 'nab' ? nab : ctx.positionals.map((f) => resolve(f));
  if (files.length === 0)
    throw new Error(
      dataset === 'nab'
        ? `no NAB CSV files in ${nabDir} (pass --nab-dir)`
        : "csv: give one or more 'timestamp,value' CSV files",
    );
  // A user CSV's fixed config is tuned on the NAB files (and any other given CSV), never on itself.
  const tuningFiles = dataset === 'nab' ? nab : [...new Set([...nab, ...files])];
  const path = await modelPath(ctx);
  log(`${dataset}: ${files.length} file(s), tuning pool ${tuningFiles.length} file(s)`);
  const r = await runSeries({
    dataset,
    files,
    tuningFiles,
    modelPath: path,
    model: modelProvenance(path),
    workers: ctx.workers,
    alpha: num(ctx.values, 'alpha', 0.9),
    horizonMinutes: int(ctx.values, 'horizon', 60),
    originsPerFile: int(ctx.values, 'series-origins', 50),
    harness: harnessOf(ctx),
    baselines: ctx.values['no-baselines']
      ? { ...DEFAULT_SERIES_BASELINES, light: [], heavy: [] }
      : {
          ...DEFAULT_SERIES_BASELINES,
          light: list(ctx.values.light, DEFAULT_SERIES_BASELINES.light) as BaselineName[],
          heavy: list(ctx.values.heavy, DEFAULT_SERIES_BASELINES.heavy) as BaselineName[],
          heavyOrigins: int(ctx.values, 'series-heavy-origins', DEFAULT_SERIES_BASELINES.heavyOrigins),
        },
    seed: int(ctx.values, 'seed', FLEET_PROTOCOL.seed),
    run: runInfo(ctx.command, ctx.workers),
  });
  writeJson(ctx.out, `${dataset}.json`, r);
  writeFileSync(join(ctx.out, `${dataset}.md`), seriesMarkdown(r));
  log(`${dataset}: wall ${r.run.wallSeconds.toFixed(1)} s; dropped ${r.methods.reduce((s, m) => s + m.dropped, 0)}`);
}

function doc(ctx: Context): void {
  const docPath = resolve(str(ctx.values.doc) ?? join(REPO, 'docs', 'results.md'));
  const provisioningDir = resolve(str(ctx.values['provisioning-dir']) ?? join(REPO, 'out', 'simulate'));
  // The replay's prose defaults to the notes beside its report, so a plain `doc` keeps it too.
  const besideReport = join(provisioningDir, 'notes.md');
  const provisioningNotes =
    str(ctx.values['provisioning-notes-file']) ?? (existsSync(besideReport) ? besideReport : undefined);
  const notesFile = str(ctx.values['notes-file']);
  writeResultsDoc({
    outDir: ctx.out,
    docPath,
    repoRoot: REPO,
    scope: str(ctx.values.scope) ?? 'see each section for the tenants, origins and subsets it used.',
    ...(notesFile ? { notes: readFileSync(resolve(notesFile), 'utf8') } : {}),
    provisioningDir,
    ...(provisioningNotes === undefined ? {} : { provisioningNotes: readFileSync(provisioningNotes, 'utf8') }),
  });
  log(`doc: wrote ${docPath}`);
}
