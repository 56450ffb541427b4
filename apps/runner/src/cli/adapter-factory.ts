/**
 * Where a domain plugs into the runner. run.ts never names a domain: it loads a module that
 * exports `createAdapter` — the workflow (src/workflow/create-adapter.ts) by default, or the module
 * recorded in config.json's `adapterModule` (engine tests and demos) — and hands the adapter to
 * the scheduler.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { WorkAdapter } from '../core/adapter.js';
import type { WorkdirPaths } from '../workdir/paths.js';
import type { RunConfig } from './run-config.js';

export interface AdapterContext {
  readonly paths: WorkdirPaths;
  readonly config: RunConfig;
  /** When this invocation started; caps measured over the whole run are the adapter's to keep. */
  readonly sessionStartedAt: Date;
  readonly log: (line: string) => void;
}

export type AdapterFactory = (ctx: AdapterContext) => Promise<WorkAdapter<unknown>>;

/** Writes `report.md` (and whatever else the domain reports) from durable workdir state. */
export type ReportWriter = (ctx: AdapterContext) => Promise<string>;

export interface AdapterModule {
  readonly createAdapter: AdapterFactory;
  /** Optional; without it `run.ts report` writes the engine's own, domain-free report. */
  readonly writeReport?: ReportWriter | undefined;
}

export const ADAPTER_MODULE_ENV = 'TSFM_RUNNER_ADAPTER_MODULE';

/** The adapter module named by the environment, as an absolute path, or null. */
export function adapterModuleFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  const value = env[ADAPTER_MODULE_ENV];
  if (!value) return null;
  return isAbsolute(value) ? value : resolve(value);
}

export async function loadAdapterModule(config: RunConfig): Promise<AdapterModule> {
  const loaded: Partial<AdapterModule> = config.adapterModule
    ? ((await import(pathToFileURL(config.adapterModule).href)) as Partial<AdapterModule>)
    : await import('../workflow/create-adapter.js');
  if (typeof loaded.createAdapter !== 'function') {
    throw new Error(
      `${config.adapterModule ?? 'src/workflow/create-adapter.ts'} does not export a createAdapter function`,
    );
  }
  return loaded as AdapterModule;
}
