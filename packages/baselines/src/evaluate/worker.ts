/** Worker-thread entry: rebuild the named baseline and forecast a shard of tasks. */
import { parentPort, workerData } from 'node:worker_threads';
import { createBaseline, isBaselineName } from '../registry.js';
import { runModelHere, type WorkerReply, type WorkerRequest } from './run.js';

const request = workerData as WorkerRequest;

async function main(): Promise<WorkerReply> {
  if (!isBaselineName(request.model)) return { ok: false, error: `not a baseline: ${request.model}` };
  const run = await runModelHere(createBaseline(request.model), request.tasks, request.levels);
  return { ok: true, run };
}

main().then(
  (reply) => parentPort?.postMessage(reply),
  (error: unknown) =>
    parentPort?.postMessage({
      ok: false,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    }),
);
