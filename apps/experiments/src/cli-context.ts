/**
 * What every experiments command shares: the parsed command line (Context) and its option
 * readers, the model and fleet a run uses, the tuning cache, the harness and baseline settings
 * the options select.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BaselineName } from '@tsfm/baselines';
import { parseRacing, RequestOptionsSchema, VALIDATION_PLACEMENTS, type ValidationPlacement } from '@tsfm/harness';
import { readManifest } from '@tsfm/tsfm-client';
import { DEFAULT_HARNESS, type HarnessSettings } from './harness-settings.js';
import { DEFAULT_BASELINES, type BaselinePlan } from './m6.js';
import { FLEET_PROTOCOL, type Protocol } from './protocol.js';
import { modelProvenance } from './provenance.js';
import { splitTenants, type TenantSplit } from './split.js';
import { fleetInfo } from './tenant-data.js';
import { runTuning, writeJson, type TuningResult } from './tuning.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface Context {
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

/** Quotes an argument for a POSIX shell when it needs it, so printed commands can be pasted back. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function str(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export type Values = Context['values'];

export function int(values: Values, flag: string, fallback: number): number {
  const v = values[flag];
  if (typeof v !== 'string') return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n)) throw new UsageError(`--${flag}: expected an integer, got '${v}'`);
  return n;
}

export function num(values: Values, flag: string, fallback: number): number {
  const v = values[flag];
  if (typeof v !== 'string') return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag}: expected a number, got '${v}'`);
  return n;
}

export function list(v: string | boolean | undefined, fallback: readonly string[]): string[] {
  return typeof v === 'string'
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
    : [...fallback];
}

export function log(message: string): void {
  process.stderr.write(`[experiments ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export function progress(label: string): (done: number, total: number) => void {
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

/** Writes an experiment's result as `<name>.json` and its report as `<name>.md` in the output folder. */
export function writeResult<T>(ctx: Context, name: string, result: T, markdown: (result: T) => string): void {
  writeJson(ctx.out, `${name}.json`, result);
  writeFileSync(join(ctx.out, `${name}.md`), markdown(result));
}

export const modelPaths = new Map<Context, string>();

/** The model of this invocation — one per command line, so every experiment of 'all' uses the same weights. */
export async function modelPath(ctx: Context): Promise<string> {
  const cached = modelPaths.get(ctx);
  if (cached !== undefined) return cached;
  const path = await resolveModelPath(ctx);
  modelPaths.set(ctx, path);
  return path;
}

export async function resolveModelPath(ctx: Context): Promise<string> {
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
export function snapshotModel(manifestPath: string, dir: string): string {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { file?: string };
  if (typeof manifest.file !== 'string') return manifestPath;
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(dirname(manifestPath), manifest.file), join(dir, basename(manifest.file)));
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...manifest, file: basename(manifest.file) }, null, 2));
  log(`model ${manifestPath} snapshotted to ${dir}`);
  return join(dir, 'model.json');
}

export function protocolOf(ctx: Context): Protocol {
  return {
    ...FLEET_PROTOCOL,
    seed: int(ctx.values, 'seed', FLEET_PROTOCOL.seed),
    horizon: int(ctx.values, 'horizon', FLEET_PROTOCOL.horizon),
    originsPerTenant: int(ctx.values, 'origins', FLEET_PROTOCOL.originsPerTenant),
    tuningOrigins: int(ctx.values, 'tuning-origins', FLEET_PROTOCOL.tuningOrigins),
  };
}

export function harnessOf(ctx: Context): HarnessSettings {
  return {
    ...DEFAULT_HARNESS,
    k: int(ctx.values, 'k', DEFAULT_HARNESS.k),
    budgetMs: num(ctx.values, 'budget-ms', DEFAULT_HARNESS.budgetMs),
    validationWindows: int(ctx.values, 'validation-windows', DEFAULT_HARNESS.validationWindows),
    configsPerModelRow: int(ctx.values, 'configs-per-model-row', DEFAULT_HARNESS.configsPerModelRow),
    ...placementOf(ctx.values),
    ...racingOf(ctx.values),
    ...(ctx.values['no-shift-guard'] === true ? { shiftGuard: false } : {}),
  };
}

/** --racing W,S|off: the harness's options.racing (absent or off: the harness default, off). */
export function racingOf(values: Values): Pick<HarnessSettings, 'racing'> {
  const raw = values.racing;
  if (typeof raw !== 'string') return {};
  let racing;
  try {
    racing = parseRacing(raw);
  } catch (error) {
    throw new UsageError(`--racing ${(error as Error).message}`);
  }
  return racing === null ? {} : { racing };
}

/** --validation-placement / --same-time-days: absent flags leave the harness's own defaults. */
export function placementOf(values: Values): Pick<HarnessSettings, 'validationPlacement' | 'sameTimeDays'> {
  const placement = values['validation-placement'];
  const days = values['same-time-days'];
  const out: { validationPlacement?: ValidationPlacement; sameTimeDays?: readonly number[] } = {};
  if (typeof placement === 'string') {
    const known = VALIDATION_PLACEMENTS.find((p) => p === placement);
    if (known === undefined)
      throw new UsageError(`--validation-placement: one of ${VALIDATION_PLACEMENTS.join(', ')}, got '${placement}'`);
    out.validationPlacement = known;
  }
  if (typeof days === 'string') {
    const parsed = RequestOptionsSchema.shape.sameTimeDays.safeParse(list(days, []).map(Number));
    if (!parsed.success)
      throw new UsageError(`--same-time-days: distinct whole days 1–56, comma-separated, got '${days}'`);
    out.sameTimeDays = parsed.data;
  }
  return out;
}

export interface FleetSetup {
  readonly fleetDir: string;
  readonly split: TenantSplit;
  readonly protocol: Protocol;
  readonly modelPath: string;
  readonly contextLength: number;
}

export const setups = new Map<Context, FleetSetup>();

export async function fleet(ctx: Context): Promise<FleetSetup> {
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

export interface TuningFile {
  readonly key: string;
  readonly result: TuningResult;
}

export async function tuning(ctx: Context, force: boolean): Promise<TuningResult> {
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

export function baselinesOf(ctx: Context): BaselinePlan {
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
