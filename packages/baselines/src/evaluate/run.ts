/**
 * Running one model over every task, in this thread or split over worker threads.
 *
 * Determinism: every task is forecast independently from its own history, the models contain no
 * randomness, and shards are contiguous and reassembled in order, so the numbers do not depend on
 * the worker count — only the wall-clock time does.
 */
import { spawnTypeScriptWorker } from '@tsfm/worker-threads';
import { seasonalNaiveForecaster } from '../models/naive.js';
import { isBaselineName } from '../registry.js';
import { forecastAll, type ForecastInput, type Forecaster, type QuantileForecast } from '../types.js';
import type { EvalTask } from './dataset.js';

export interface ModelRun {
  readonly forecasts: QuantileForecast[];
  /** Sum of per-window (or per-batch, for batching models) compute seconds. */
  readonly seconds: number;
  readonly failures: readonly { id: string; error: string }[];
}

export function taskInput(task: EvalTask, levels: readonly number[]): ForecastInput {
  const { history, period, start, stepMs } = task;
  return { history, horizon: task.actual.length, period, levels, start, stepMs };
}

/**
 * Forecasts every task with `model` in this thread. A window the model throws on is forecast by
 * seasonal naive instead and recorded as a failure (the table shows the count), so one bad series
 * neither aborts a 414-series run nor silently vanishes from the average.
 */
export async function runModelHere(
  model: Forecaster,
  tasks: readonly EvalTask[],
  levels: readonly number[],
): Promise<ModelRun> {
  const inputs = tasks.map((t) => taskInput(t, levels));
  const fallback = seasonalNaiveForecaster();
  const failures: { id: string; error: string }[] = [];
  if (model.forecastMany) {
    const t0 = performance.now();
    const forecasts = await forecastAll(model, inputs);
    return { forecasts, seconds: (performance.now() - t0) / 1000, failures };
  }
  const forecasts: QuantileForecast[] = [];
  let seconds = 0;
  for (let i = 0; i < inputs.length; i++) {
    const t0 = performance.now();
    try {
      forecasts.push(await model.forecast(inputs[i]));
      seconds += (performance.now() - t0) / 1000;
    } catch (error) {
      seconds += (performance.now() - t0) / 1000;
      failures.push({ id: tasks[i].id, error: error instanceof Error ? error.message : String(error) });
      forecasts.push(await fallback.forecast(inputs[i]));
    }
  }
  return { forecasts, seconds, failures };
}

export interface WorkerRequest {
  readonly model: string;
  readonly tasks: readonly EvalTask[];
  readonly levels: readonly number[];
}

export type WorkerReply =
  | { readonly ok: true; readonly run: ModelRun }
  | { readonly ok: false; readonly error: string };

/**
 * Splits the tasks into `workers` contiguous shards, one worker thread each. Only baselines can
 * go to workers (they are rebuilt from their name there); anything else runs here.
 */
export async function runModel(
  model: Forecaster,
  tasks: readonly EvalTask[],
  levels: readonly number[],
  workers: number,
): Promise<ModelRun> {
  if (workers <= 1 || !isBaselineName(model.name) || tasks.length < 2 * workers) {
    return runModelHere(model, tasks, levels);
  }
  const size = Math.ceil(tasks.length / workers);
  const shards = Array.from({ length: workers }, (_, w) => tasks.slice(w * size, (w + 1) * size)).filter(
    (s) => s.length > 0,
  );
  const runs = await Promise.all(shards.map((shard) => runInWorker({ model: model.name, tasks: shard, levels })));
  return {
    forecasts: runs.flatMap((r) => r.forecasts),
    seconds: runs.reduce((s, r) => s + r.seconds, 0),
    failures: runs.flatMap((r) => r.failures),
  };
}

/**
 * One model run on its own worker thread. The worker module is TypeScript, and tsx's loader hooks
 * do not reach worker threads by themselves (the symptom: ERR_UNKNOWN_FILE_EXTENSION for
 * worker.ts): @tsfm/worker-threads registers tsx inside the worker first.
 */
function runInWorker(request: WorkerRequest): Promise<ModelRun> {
  return new Promise((resolve, reject) => {
    const worker = spawnTypeScriptWorker(new URL('./worker.ts', import.meta.url), { workerData: request });
    worker.once('message', (reply: WorkerReply) => {
      if (reply.ok) resolve(reply.run);
      else reject(new Error(`worker (${request.model}): ${reply.error}`));
      void worker.terminate();
    });
    worker.once('error', (error) => reject(new Error(`worker (${request.model}): ${error.stack ?? String(error)}`)));
  });
}
