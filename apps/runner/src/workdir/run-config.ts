/**
 * `<workdir>/config.json`: how a run was started, written on the first run so that
 * `run.ts <workdir>` alone resumes it the same way. Flags given on a resume override the stored
 * values and every override is appended to `overrides`, so the file says what a run really ran with.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { z } from 'zod';
import type { JsonValue } from '../core/work-spec.js';
import { writeJsonAtomic } from './atomic-file.js';
import { readJsonFile } from './file-errors.js';
import type { WorkdirPaths } from './paths.js';

export const PLANNERS = ['claude', 'offline'] as const;
/** Who writes runs/<id>/analysis.md: the runner alone (offline), or the runner and then Claude. */
export const ANALYSES = ['offline', 'claude'] as const;

/** The knobs a flag can set; each one is a key of config.json. */
export const RunSettingsSchema = z.strictObject({
  /** program.md (how the planner should work), relative to the workdir when inside it. */
  program: z.string().min(1).nullable(),
  planner: z.enum(PLANNERS),
  /** `claude`: Claude also analyses each finished experiment; its analysis is fed to the next plan. */
  analysis: z.enum(ANALYSES),
  /** Planner model name; null lets the planner pick its default. */
  model: z.string().min(1).nullable(),
  maxExperiments: z.number().int().positive(),
  maxHours: z.number().positive(),
  maxDollars: z.number().nonnegative(),
  /** Planning rounds without improvement before the stop rule may fire. */
  patience: z.number().int().positive(),
  concurrency: z.number().int().positive(),
  /** `local`, `slurm`, or a command template for the launcher. */
  launch: z.string().min(1),
  jobTimeoutS: z.number().positive(),
});

export type RunSettings = z.infer<typeof RunSettingsSchema>;

export const DEFAULT_SETTINGS: RunSettings = {
  program: null,
  planner: 'offline',
  analysis: 'offline',
  model: null,
  maxExperiments: 30,
  maxHours: 8,
  maxDollars: 5,
  patience: 3,
  concurrency: 1,
  launch: 'local',
  jobTimeoutS: 3600,
};

const OverrideSchema = z.strictObject({
  at: z.string(),
  changes: z.record(z.string(), z.strictObject({ from: z.json(), to: z.json() })),
});

export const RunConfigSchema = RunSettingsSchema.extend({
  /** Absent in config.json files written before `--analysis` existed: those ran offline. */
  analysis: z.enum(ANALYSES).default('offline'),
  version: z.literal(1),
  createdAt: z.string(),
  /**
   * A module exporting `createAdapter` to use instead of the workflow: set only through the
   * TSFM_RUNNER_ADAPTER_MODULE environment variable (engine tests and demos), and recorded so a
   * resume keeps driving the same kind of jobs.
   */
  adapterModule: z.string().min(1).nullable(),
  overrides: z.array(OverrideSchema),
});

export type RunConfig = z.infer<typeof RunConfigSchema>;

export async function loadRunConfig(paths: WorkdirPaths): Promise<RunConfig | undefined> {
  return readJsonFile(
    paths.config,
    RunConfigSchema,
    'config.json',
    'config.json was left as it is; fix that field and run again.',
  );
}

/** The config for this invocation and whether config.json must be (re)written; nothing is written. */
export interface PlannedRunConfig {
  readonly config: RunConfig;
  readonly created: boolean;
  readonly changed: string[];
  /** Writes config.json when it is new or changed; a no-op otherwise. */
  write(): Promise<void>;
}

/**
 * The config for this invocation: created from defaults and flags on a first run, or the stored
 * one with the given flags applied (and recorded) on a resume. Nothing is written until `write()`
 * — the engine calls it only once the checkpoint has validated and the settings can run.
 */
export async function planRunConfig(
  paths: WorkdirPaths,
  flags: Partial<RunSettings>,
  adapterModule: string | null,
): Promise<PlannedRunConfig> {
  const stored = await loadRunConfig(paths);
  const given = normaliseProgramPath(paths, flags);
  const writing = (config: RunConfig) => () => writeJsonAtomic(paths.config, config);
  if (!stored) {
    const program = given.program ?? (existsSync(resolve(paths.root, 'program.md')) ? 'program.md' : null);
    const config: RunConfig = RunConfigSchema.parse({
      version: 1,
      createdAt: new Date().toISOString(),
      ...DEFAULT_SETTINGS,
      ...given,
      program,
      adapterModule,
      overrides: [],
    });
    return { config, created: true, changed: [], write: writing(config) };
  }
  const changes: Record<string, { from: JsonValue; to: JsonValue }> = {};
  const next: Record<string, unknown> = { ...stored };
  for (const [key, value] of Object.entries(given) as [keyof RunSettings, RunSettings[keyof RunSettings]][]) {
    if (value === undefined || stored[key] === value) continue;
    changes[key] = { from: stored[key], to: value };
    next[key] = value;
  }
  if (adapterModule !== null && adapterModule !== stored.adapterModule) {
    changes['adapterModule'] = { from: stored.adapterModule, to: adapterModule };
    next['adapterModule'] = adapterModule;
  }
  const changed = Object.keys(changes);
  if (changed.length === 0) return { config: stored, created: false, changed, write: async () => {} };
  const config = RunConfigSchema.parse({
    ...next,
    overrides: [...stored.overrides, { at: new Date().toISOString(), changes }],
  });
  return { config, created: false, changed, write: writing(config) };
}

/** planRunConfig, written at once: for callers with nothing to check in between. */
export async function resolveRunConfig(
  paths: WorkdirPaths,
  flags: Partial<RunSettings>,
  adapterModule: string | null,
): Promise<{ config: RunConfig; created: boolean; changed: string[] }> {
  const { write, ...planned } = await planRunConfig(paths, flags, adapterModule);
  await write();
  return planned;
}

/** A program path typed relative to the shell's cwd, stored relative to the workdir when inside it. */
function normaliseProgramPath(paths: WorkdirPaths, flags: Partial<RunSettings>): Partial<RunSettings> {
  if (flags.program === undefined || flags.program === null) return flags;
  const absolute = resolve(flags.program);
  if (!existsSync(absolute)) throw new Error(`--program ${flags.program}: no such file`);
  const inside = relative(paths.root, absolute);
  return { ...flags, program: inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : absolute };
}
