/**
 * Parallel fleet generation on worker threads, yielding tenants in index order.
 *
 * Tenant i goes to worker i mod k; at most k·depth requests are in flight, and results that
 * arrive early wait in a map until their turn, so memory is bounded by k·depth tenants and
 * the output order (hence the file's bytes) never depends on thread timing.
 */
import type { Worker } from 'node:worker_threads';
import { siblingEntry, spawnTypeScriptWorker } from '@tsfm/worker-threads';
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
  let failure: Error | null = null;
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
  return spawnTypeScriptWorker(siblingEntry(import.meta.url, 'fleet-worker'), { workerData: fleet });
}
