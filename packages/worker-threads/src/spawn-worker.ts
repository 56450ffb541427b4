/**
 * Start a worker thread on `entry`, a .js module or a .ts one. A worker thread does not inherit
 * the TypeScript loader of its parent — not tsx's `--import` hook (Node 20 ignores it in worker
 * execArgv) nor vitest's in-process transform — so a .ts entry starts with a three-line ESM
 * bootstrap that registers tsx's loader (tsx/esm/api) and then imports the real entry. A failure
 * to load the entry reaches the parent as the worker's 'error' event.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function spawnTypeScriptWorker(entry: URL, options: WorkerOptions = {}): Worker {
  if (!entry.href.endsWith('.ts')) return new Worker(entry, options);
  const bootstrap =
    `const api = await import(${JSON.stringify(tsxApiUrl())});\n` +
    `api.register();\n` +
    `await import(${JSON.stringify(entry.href)});\n`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), options);
}

/**
 * The entry beside `moduleUrl` named `stem`: stem.ts when the caller runs from source (its own
 * URL ends in .ts), stem.js when it runs compiled.
 */
export function siblingEntry(moduleUrl: string, stem: string): URL {
  return new URL(`./${stem}${moduleUrl.endsWith('.ts') ? '.ts' : '.js'}`, moduleUrl);
}

let cachedTsxApiUrl: string | null = null;

/**
 * tsx's ESM API module, resolved by hand: vitest's module runner has no import.meta.resolve, and
 * the CommonJS twin that require.resolve finds cannot be imported as ESM.
 */
function tsxApiUrl(): string {
  if (cachedTsxApiUrl) return cachedTsxApiUrl;
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  const mjs = cjs.replace(/\.cjs$/, '.mjs');
  if (!existsSync(mjs))
    throw new Error(`cannot start TypeScript worker threads: ${mjs} not found (is tsx 4 installed?)`);
  cachedTsxApiUrl = pathToFileURL(mjs).href;
  return cachedTsxApiUrl;
}
