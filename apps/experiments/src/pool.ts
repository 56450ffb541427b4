/**
 * Runs experiment tasks on worker threads (one ExperimentRuntime each), or in-process when
 * workers = 0 (tests, single-thread latency runs).
 *
 * Dispatch is dynamic — a task goes to whichever worker has room — so a slow tenant does not
 * stall a fixed partition; results are stored by task index and returned in task order, so the
 * output never depends on thread timing (each task is itself deterministic given its seed, except
 * for what the latency budget does on a loaded machine, which the results report). Tasks are
 * pulled from the source only when a worker has room: memory holds workers × depth tenants, not
 * the fleet.
 *
 * Workers start through @tsfm/worker-threads, which gives them tsx's loader when running from source.
 */
import type { Worker } from 'node:worker_threads';
import { siblingEntry, spawnTypeScriptWorker } from '@tsfm/worker-threads';
import { ExperimentRuntime, type RuntimeResult, type RuntimeSpec, type RuntimeTask } from './runtime.js';
import type { WorkerMessage } from './worker.js';

export interface PoolOptions {
  /** Worker threads; 0 = run in this thread. */
  readonly workers: number;
  /** Tasks queued per worker (default 2: one running, one waiting). */
  readonly depth?: number;
  /** Called as each result arrives (any order), e.g. for progress. */
  readonly onResult?: (index: number, result: RuntimeResult) => void;
}

export async function runTasks(
  spec: RuntimeSpec,
  tasks: Iterable<RuntimeTask> | AsyncIterable<RuntimeTask>,
  options: PoolOptions,
): Promise<RuntimeResult[]> {
  if (options.workers <= 0) return runInProcess(spec, tasks, options);
  const depth = options.depth ?? 2;
  const workers = await Promise.all(Array.from({ length: options.workers }, () => startWorker(spec)));
  const results: RuntimeResult[] = [];
  const inFlight = new Array<number>(workers.length).fill(0);
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  workers.forEach((w, i) => {
    w.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'result') {
        results[msg.index] = msg.result as RuntimeResult;
        inFlight[i]!--;
        options.onResult?.(msg.index, msg.result as RuntimeResult);
      } else if (msg.type === 'error') {
        failure ??= new Error(`experiment worker ${i} failed on task ${msg.index}: ${msg.error}`);
      }
      notify();
    });
    w.on('error', (e) => {
      failure ??= e;
      notify();
    });
    w.on('exit', (code) => {
      if (inFlight[i]! > 0)
        failure ??= new Error(`experiment worker ${i} exited (code ${code}) with ${inFlight[i]} task(s) unfinished`);
      notify();
    });
  });
  const waitForEvent = (): Promise<void> => new Promise<void>((resolve) => (wake = resolve));
  try {
    let index = 0;
    for await (const task of tasks) {
      for (;;) {
        if (failure) throw failure;
        const free = freest(inFlight);
        if (inFlight[free]! < depth) {
          workers[free]!.postMessage({ index, task });
          inFlight[free]!++;
          index++;
          break;
        }
        await waitForEvent();
      }
    }
    while (inFlight.some((n) => n > 0)) {
      if (failure) throw failure;
      await waitForEvent();
    }
    if (failure) throw failure;
    return results;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

async function runInProcess(
  spec: RuntimeSpec,
  tasks: Iterable<RuntimeTask> | AsyncIterable<RuntimeTask>,
  options: PoolOptions,
): Promise<RuntimeResult[]> {
  const runtime = await ExperimentRuntime.create(spec);
  try {
    const results: RuntimeResult[] = [];
    for await (const task of tasks) {
      const result = await runtime.handle(task);
      options.onResult?.(results.length, result);
      results.push(result);
    }
    return results;
  } finally {
    await runtime.release();
  }
}

function freest(inFlight: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < inFlight.length; i++) if (inFlight[i]! < inFlight[best]!) best = i;
  return best;
}

/** Spawns a worker and resolves once its runtime is built (model loaded, harness calibrated). */
function startWorker(spec: RuntimeSpec): Promise<Worker> {
  const worker = spawn(spec);
  return new Promise((resolve, reject) => {
    const onMessage = (msg: WorkerMessage): void => {
      worker.off('message', onMessage);
      if (msg.type === 'ready') resolve(worker);
      else {
        void worker.terminate();
        reject(new Error(msg.type === 'error' ? msg.error : 'experiment worker sent a result before it was ready'));
      }
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

function spawn(spec: RuntimeSpec): Worker {
  return spawnTypeScriptWorker(siblingEntry(import.meta.url, 'worker'), { workerData: spec });
}
