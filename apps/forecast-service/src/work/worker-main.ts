/**
 * A forecast worker thread: one model (ONNX session + micro-batcher + harness), any number of
 * jobs at once. Jobs interleave on this thread — each parses and validates, then waits for the
 * model — so the rows of every job that reached the model call in one window go through one
 * onnxruntime run (tsfm-client's MicroBatcher).
 *
 * A job starts on the next turn of the event loop after its message, not in the message handler:
 * a cancel that was already queued behind it (the client hung up while the thread was busy) is
 * then seen first, and the job is dropped without spending model time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openModel } from '../model.js';
import { ForecastJobs, type Job, type JobOutcome } from './forecast-job.js';
import type { FromWorker, ToWorker, WireOutcome, WorkerSpec } from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('worker-main.ts runs as a worker thread (see worker-pool.ts)');
const spec = workerData as WorkerSpec;
const send = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const encoder = new TextEncoder();

try {
  const model = await openModel(spec.model, { random: spec.random, batch: spec.batch });
  // The horizon limit is the model's, known only once it is loaded.
  const limits = { ...spec.settings.limits, maxHorizon: model.harness.space.maxHorizonMinutes };
  const jobs = new ForecastJobs(model.harness, { ...spec.settings, limits });
  const queued = new Map<number, Job>();
  const running = new Set<Promise<void>>();

  const finish = (id: number, outcome: JobOutcome | null) => {
    if (outcome === null) {
      send({ type: 'done', id, outcome: null, batch: model.batcher.stats });
      return;
    }
    const body = typeof outcome.body === 'string' ? encoder.encode(outcome.body) : outcome.body;
    const wire: WireOutcome = { ...outcome, body };
    send({ type: 'done', id, outcome: wire, batch: model.batcher.stats }, [body.buffer as ArrayBuffer]);
  };

  const start = (id: number) => {
    const job = queued.get(id);
    if (job === undefined) return; // cancelled meanwhile
    queued.delete(id);
    const work = jobs.run(job).then((outcome) => finish(id, outcome));
    running.add(work);
    void work.finally(() => running.delete(work));
  };

  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'job':
        queued.set(message.id, message.job);
        setImmediate(start, message.id);
        break;
      case 'cancel':
        if (queued.delete(message.id)) finish(message.id, null);
        break;
      case 'close':
        void (async () => {
          while (running.size > 0) await Promise.all(running);
          await model.client.release();
          send({ type: 'closed' });
        })();
        break;
    }
  });
  send({ type: 'ready', info: model.info });
} catch (error) {
  send({ type: 'start-failed', error: error instanceof Error ? error.message : String(error) });
}
