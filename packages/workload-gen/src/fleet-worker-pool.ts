/**
 * Parallel fleet generation on worker threads, yielding tenants in index order.
 *
 * Tenant i goes to worker i mod k; at most k·depth requests are in flight, and results that
 * arrive early wait in a map until their turn, so memory is bounded by k·depth tenants and
 * the output order (hence the file's bytes) never depends on thread timing.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { fleetTenantParams, validateFleetOptions, type FleetOptions } from './fleet.js';
import type { WorkerReply } from './fleet-worker.js';
import type { GeneratedTenant } from './tenant-generator.js';

export interface WorkerPoolOptions {
  readonly workers: number;
  /** Requests in flight per worker (default 2). */
  readonly depth?: number;
}

export async function* generateFleetInWorkers(
  fleet: FleetOptions,
  options: WorkerPoolOptions,
): AsyncGenerator<GeneratedTenant> {
  validateFleetOptions(fleet);
  const k = Math.max(1, Math.floor(options.workers));
  const depth = options.depth ?? 2;
  const params = fleetTenantParams(fleet);
  const workers = Array.from({ length: Math.min(k, Math.max(1, fleet.tenants)) }, () => spawnWorker(fleet));
  const arrived = new Map<number, WorkerReply>();
  // `as`: only the worker callbacks assign it, which TypeScript's narrowing cannot see (it would
  // type it null below, and `throw failure` as throwing never).
  let failure = null as Error | null;
  let finished = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  for (const w of workers) {
    w.on('message', (reply: WorkerReply) => {
      arrived.set(reply.index, reply);
      notify();
    });
    w.on('error', (e) => {
      failure = e;
      notify();
    });
    w.on('exit', (code) => {
      // Any exit before the fleet is done is a failure, or we would wait forever for its tenants.
      if (!finished && !failure) failure = new Error(`fleet worker exited early (code ${code})`);
      notify();
    });
  }
  let next = 0; // the index to yield next
  let requested = 0;
  const request = () => {
    while (requested < fleet.tenants && requested < next + workers.length * depth) {
      workers[requested % workers.length].postMessage({ index: requested });
      requested++;
    }
  };
  try {
    request();
    while (next < fleet.tenants) {
      const reply = arrived.get(next);
      if (!reply) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      arrived.delete(next);
      const p = params[next];
      next++;
      request();
      yield {
        id: p.id,
        start: fleet.start,
        stepMs: fleet.stepMs,
        metrics: { cpu: reply.cpu, mem: reply.mem, net: reply.net, disk: reply.disk },
        params: p,
        spikeCount: reply.spikeCount,
      };
    }
  } finally {
    finished = true;
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Start a worker on fleet-worker.js (compiled) or fleet-worker.ts (running from source). */
function spawnWorker(fleet: FleetOptions): Worker {
  const entry = import.meta.url.endsWith('.ts') ? './fleet-worker.ts' : './fleet-worker.js';
  return spawnTypeScriptWorker(new URL(entry, import.meta.url), { workerData: fleet });
}

/**
 * Start a worker thread on `entry`, a .js module or a .ts one. A worker thread does not inherit
 * the TypeScript loader of its parent — not tsx's `--import` hook (Node 20 ignores it in worker
 * execArgv) nor vitest's in-process transform — so a .ts entry starts with a two-line ESM
 * bootstrap that registers tsx's loader (tsx/esm/api) and then imports the real entry.
 * Exported for the forecast service's worker pool (issue 14 §3 gives it a shared home).
 */
export function spawnTypeScriptWorker(entry: URL, options: WorkerOptions = {}): Worker {
  if (!entry.href.endsWith('.ts')) return new Worker(entry, options);
  const bootstrap =
    `const api = await import(${JSON.stringify(tsxApiUrl())});\n` +
    `api.register();\n` +
    `await import(${JSON.stringify(entry.href)});\n`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), options);
}

let cachedTsxApiUrl: string | null = null;

/** tsx's ESM API module. Its CJS twin (what require.resolve finds) cannot be imported as ESM. */
function tsxApiUrl(): string {
  if (cachedTsxApiUrl) return cachedTsxApiUrl;
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  const mjs = cjs.replace(/\.cjs$/, '.mjs');
  if (!existsSync(mjs))
    throw new Error(`cannot start TypeScript worker threads: ${mjs} not found (is tsx 4 installed?)`);
  cachedTsxApiUrl = pathToFileURL(mjs).href;
  return cachedTsxApiUrl;
}
