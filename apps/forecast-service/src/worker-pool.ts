/**
 * Forecast jobs on worker threads, one model per worker: the HTTP thread admits, reads bytes,
 * hands them to the least busy worker and writes the bytes that come back, so /health and 429s
 * stay fast however much forecasting is going on, and every core forecasts.
 *
 * A worker that dies (a native crash in onnxruntime, an out-of-memory) fails only the jobs it
 * held — each gets a 503 — and is replaced, with a growing delay if replacements keep dying.
 */
import { EventEmitter } from 'node:events';
import type { Worker } from 'node:worker_threads';
import type { MicroBatchStats } from '@tsfm/tsfm-client';
import { spawnTypeScriptWorker } from '@tsfm/worker-threads';
import type { JobRunner } from './job-runner.js';
import type { ModelInfo } from './model.js';
import { errorOutcome, type Job, type JobOutcome } from './work/forecast-job.js';
import { ApiError } from './api-error.js';
import type { FromWorker, ToWorker, WorkerSpec } from './work/worker-protocol.js';

export interface WorkerPoolOptions {
  readonly workers: number;
  readonly spec: WorkerSpec;
  /** Where the pool says what happened to its workers (main.ts: the service log). */
  readonly log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

interface PendingJob {
  readonly resolve: (outcome: JobOutcome | null) => void;
}

interface Slot {
  readonly index: number;
  worker: Worker | null;
  ready: boolean;
  readonly pending: Map<number, PendingJob>;
  batch: MicroBatchStats;
  restartDelayMs: number;
}

const NO_BATCHES: MicroBatchStats = { calls: 0, batches: 0, rows: 0, largestBatchCalls: 0 };
const WORKER_ENTRY = new URL(
  import.meta.url.endsWith('.ts') ? './work/worker-main.ts' : './work/worker-main.js',
  import.meta.url,
);

/** Events: `worker-lost` (index, reason) when a worker exits unasked; `worker-restarted` (index). */
export class WorkerPool extends EventEmitter implements JobRunner {
  readonly #options: WorkerPoolOptions;
  readonly #slots: Slot[];
  #model: ModelInfo | null = null;
  #nextId = 1;
  #closing = false;

  private constructor(options: WorkerPoolOptions) {
    super();
    if (!(Number.isInteger(options.workers) && options.workers >= 1))
      throw new RangeError(`workers must be an integer ≥ 1, got ${options.workers}`);
    this.#options = options;
    this.#slots = Array.from({ length: options.workers }, (_, index) => ({
      index,
      worker: null,
      ready: false,
      pending: new Map(),
      batch: NO_BATCHES,
      restartDelayMs: 1000,
    }));
  }

  /** Start every worker and wait until each has loaded its model; fails with the first worker's error. */
  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    const started = await Promise.allSettled(pool.#slots.map((slot) => pool.#spawn(slot)));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      pool.#closing = true;
      await Promise.all(pool.#slots.map((s) => s.worker?.terminate()));
      throw failed.reason;
    }
    return pool;
  }

  /** The model every worker loaded (from the first one to be ready). */
  get model(): ModelInfo {
    if (this.#model === null) throw new Error('the worker pool has not started');
    return this.#model;
  }

  get parallelism(): number {
    return this.#slots.length;
  }

  get ready(): number {
    return this.#slots.filter((s) => s.ready).length;
  }

  batchStats(): MicroBatchStats {
    return this.#slots.reduce(
      (sum, s) => ({
        calls: sum.calls + s.batch.calls,
        batches: sum.batches + s.batch.batches,
        rows: sum.rows + s.batch.rows,
        largestBatchCalls: Math.max(sum.largestBatchCalls, s.batch.largestBatchCalls),
      }),
      NO_BATCHES,
    );
  }

  run(job: Job, signal: AbortSignal): Promise<JobOutcome | null> {
    if (signal.aborted) return Promise.resolve(null);
    const slot = this.#leastBusy();
    const worker = slot?.worker;
    if (slot === null || worker == null) {
      return Promise.resolve(
        errorOutcome(new ApiError(503, 'unavailable', 'no forecast worker is running; retry shortly'), 0),
      );
    }
    const id = this.#nextId++;
    return new Promise<JobOutcome | null>((resolve) => {
      const cancel = () => worker.postMessage({ type: 'cancel', id } satisfies ToWorker);
      signal.addEventListener('abort', cancel, { once: true });
      slot.pending.set(id, {
        resolve: (outcome) => {
          signal.removeEventListener('abort', cancel);
          resolve(outcome);
        },
      });
      worker.postMessage({ type: 'job', id, job } satisfies ToWorker, [job.body.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(
      this.#slots.map(async (slot) => {
        const worker = slot.worker;
        if (worker === null) return;
        slot.ready = false;
        await new Promise<void>((resolve) => {
          worker.on('message', (m: FromWorker) => m.type === 'closed' && resolve());
          worker.once('exit', () => resolve());
          worker.postMessage({ type: 'close' } satisfies ToWorker);
        });
        await worker.terminate();
      }),
    );
  }

  #leastBusy(): Slot | null {
    let best: Slot | null = null;
    for (const slot of this.#slots) {
      if (!slot.ready) continue;
      if (best === null || slot.pending.size < best.pending.size) best = slot;
    }
    return best;
  }

  /** Start the worker of `slot`; resolves with its model once it is ready. */
  #spawn(slot: Slot): Promise<ModelInfo> {
    const worker = spawnTypeScriptWorker(WORKER_ENTRY, { workerData: this.#options.spec });
    slot.worker = worker;
    return new Promise<ModelInfo>((resolve, reject) => {
      let started = false;
      worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'ready':
            started = true;
            slot.ready = true;
            this.#model ??= message.info;
            resolve(message.info);
            break;
          case 'start-failed':
            reject(new Error(message.error));
            void worker.terminate();
            break;
          case 'done': {
            slot.batch = message.batch;
            const job = slot.pending.get(message.id);
            if (job === undefined) break;
            slot.pending.delete(message.id);
            const o = message.outcome;
            // Wrap the transferred bytes; no copy.
            job.resolve(
              o === null ? null : { ...o, body: Buffer.from(o.body.buffer, o.body.byteOffset, o.body.byteLength) },
            );
            break;
          }
          case 'closed':
            break;
        }
      });
      worker.on('error', (error) => {
        if (!started) reject(error);
        else this.#options.log?.('error', `forecast worker ${slot.index}: ${error.stack ?? error.message}`);
      });
      worker.on('exit', (code) => {
        if (!started) reject(new Error(`the forecast worker exited with code ${code} before its model was ready`));
        else if (slot.worker === worker) this.#lost(slot, `exit code ${code}`);
      });
    });
  }

  /** A worker exited: fail what it held, and start a replacement unless the pool is closing. */
  #lost(slot: Slot, reason: string): void {
    slot.ready = false;
    slot.worker = null;
    const lost = [...slot.pending.values()];
    slot.pending.clear();
    for (const job of lost) {
      job.resolve(errorOutcome(new ApiError(503, 'worker-failed', `the forecast worker failed (${reason}); retry`), 0));
    }
    if (this.#closing) return;
    this.emit('worker-lost', slot.index, reason);
    const delay = slot.restartDelayMs;
    slot.restartDelayMs = Math.min(delay * 2, 30_000);
    this.#options.log?.(
      'error',
      `forecast worker ${slot.index} stopped (${reason}); ${lost.length} requests failed; restarting in ${delay} ms`,
    );
    setTimeout(() => {
      if (this.#closing) return;
      this.#spawn(slot).then(
        () => {
          slot.restartDelayMs = 1000;
          this.#options.log?.('info', `forecast worker ${slot.index} restarted`);
          this.emit('worker-restarted', slot.index);
        },
        (error: unknown) => {
          this.#options.log?.('error', `forecast worker ${slot.index} failed to restart: ${String(error)}`);
          this.#lost(slot, 'restart failed');
        },
      );
    }, delay).unref();
  }

  /** Test hook: end worker `index` abruptly, as a native crash would. */
  async crashWorker(index: number): Promise<void> {
    await this.#slots[index]?.worker?.terminate();
  }
}
