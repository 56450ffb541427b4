/**
 * Where a domain plugs into the runner. run.ts never names a domain: it loads a module that
 * exports `createAdapter` (the contract is core/adapter.ts) — the workflow
 * (src/workflow/create-adapter.ts) by default, or the module recorded in config.json's
 * `adapterModule` (engine tests and demos) — and hands the adapter to the scheduler.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RunConfig } from '../workdir/run-config.js';
import type { RunAdapterModule } from '../workdir/run-context.js';

export const ADAPTER_MODULE_ENV = 'TSFM_RUNNER_ADAPTER_MODULE';

/** The adapter module named by the environment, as an absolute path, or null. */
export function adapterModuleFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  const value = env[ADAPTER_MODULE_ENV];
  if (!value) return null;
  return isAbsolute(value) ? value : resolve(value);
}

export async function loadAdapterModule(config: RunConfig): Promise<RunAdapterModule> {
  const loaded: Partial<RunAdapterModule> = config.adapterModule
    ? ((await import(pathToFileURL(config.adapterModule).href)) as Partial<RunAdapterModule>)
    : await import('../workflow/create-adapter.js');
  if (typeof loaded.createAdapter !== 'function') {
    throw new Error(
      `${config.adapterModule ?? 'src/workflow/create-adapter.ts'} does not export a createAdapter function`,
    );
  }
  return loaded as RunAdapterModule;
}
