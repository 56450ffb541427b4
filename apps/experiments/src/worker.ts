/**
 * Worker-thread entry of the experiment pool (pool.ts): builds one ExperimentRuntime from
 * workerData, says 'ready', then handles tasks ONE AT A TIME in arrival order. Tasks queue in
 * the inbox (the pool keeps a second one there so the worker never waits for the main thread),
 * but never overlap: two requests sharing the thread would distort each other's latency.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ExperimentRuntime, type RuntimeSpec, type RuntimeTask } from './runtime.js';

export interface WorkerRequest {
  readonly index: number;
  readonly task: RuntimeTask;
}

export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly index: number; readonly result: unknown }
  | { readonly type: 'error'; readonly index: number; readonly error: string };

const port = parentPort;
if (port === null) throw new Error('worker.ts runs only as a worker thread (started by pool.ts)');
try {
  const runtime = await ExperimentRuntime.create(workerData as RuntimeSpec);
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (request: WorkerRequest) => {
    chain = chain.then(async () => {
      try {
        port.postMessage({
          type: 'result',
          index: request.index,
          result: await runtime.handle(request.task),
        } satisfies WorkerMessage);
      } catch (error) {
        port.postMessage({
          type: 'error',
          index: request.index,
          error: String((error as Error)?.stack ?? error),
        } satisfies WorkerMessage);
      }
    });
  });
  port.postMessage({ type: 'ready' } satisfies WorkerMessage);
} catch (error) {
  port.postMessage({
    type: 'error',
    index: -1,
    error: `runtime init failed: ${String((error as Error)?.stack ?? error)}`,
  } satisfies WorkerMessage);
}
