/**
 * Pretraining loop: data-parallel shards (worker threads sharing one parameter buffer, or inline
 * when workers = 0) → summed gradients → AdamW on the main thread. The schedule is defined in
 * steps, not wall time, so a seed reproduces the same model on any machine; `maxMinutes` is only a
 * safety cap and the result says when it cut a run short.
 */
import { spawnTypeScriptWorker } from '@tsfm/worker-threads';
import type { ModelConfig } from './model/config.js';
import { AdamW, DEFAULT_ADAMW, type AdamWOptions } from './model/adamw.js';
import { forward, pinballLossAndGrad, Workspace } from './model/forward.js';
import { initParams, paramLayout, viewParams } from './model/params.js';
import { Rng } from './rng.js';
import { resolveCorpus, type CorpusName } from './data/corpus.js';
import { DEFAULT_WINDOWS, fillWindows, WindowBatch, type SeriesSource, type WindowOptions } from './data/windows.js';
import { ShardComputer, type ShardSpec } from './shard.js';

/** Held-out series indices start here, far past any index a training run reaches. */
export const HELD_OUT_INDEX_BASE = 1_000_000_000;

export interface TrainOptions {
  config: ModelConfig;
  seed: number;
  corpus: CorpusName;
  steps: number;
  /** Rows per step, split evenly over shards. */
  batch: number;
  /** Data-parallel shards; each runs in its own worker thread unless workers is 0. */
  shards: number;
  workers: boolean;
  lr: number;
  warmupSteps: number;
  /** Final learning rate as a fraction of lr (cosine decay). */
  minLrFraction: number;
  adamw: AdamWOptions;
  windows: WindowOptions;
  evalEvery: number;
  heldOutRows: number;
  maxMinutes: number;
  /** Start from these parameters instead of a seeded init (fine-tuning a checkpoint). */
  initialParams?: Float32Array;
  onEval?: (point: CurvePoint) => void;
  /** Called after each eval with the current parameters (e.g. to checkpoint). */
  onCheckpoint?: (params: Float32Array, step: number) => void;
}

export const DEFAULT_TRAIN: Omit<TrainOptions, 'config' | 'seed' | 'corpus' | 'steps'> = {
  batch: 128,
  shards: 2,
  workers: true,
  lr: 1e-3,
  warmupSteps: 300,
  minLrFraction: 0.05,
  adamw: DEFAULT_ADAMW,
  windows: DEFAULT_WINDOWS,
  evalEvery: 250,
  heldOutRows: 512,
  maxMinutes: 60,
};

export interface CurvePoint {
  step: number;
  /** Mean training loss over the steps since the previous point. */
  trainLoss: number;
  heldOutLoss: number;
  lr: number;
  elapsedS: number;
}

export interface TrainResult {
  params: Float32Array;
  curve: CurvePoint[];
  stepsDone: number;
  samples: number;
  seriesGenerated: number;
  wallS: number;
  stoppedByTimeCap: boolean;
  corpusSeed: number;
}

export function learningRate(
  o: Pick<TrainOptions, 'lr' | 'warmupSteps' | 'minLrFraction' | 'steps'>,
  step: number,
): number {
  if (step < o.warmupSteps) return (o.lr * (step + 1)) / o.warmupSteps;
  const f = Math.min(1, (step - o.warmupSteps) / Math.max(1, o.steps - o.warmupSteps));
  return o.lr * (o.minLrFraction + (1 - o.minLrFraction) * 0.5 * (1 + Math.cos(Math.PI * f)));
}

/** Fixed held-out windows (disjoint series indices) and a function scoring params on them. */
function heldOutEvaluator(
  config: ModelConfig,
  source: SeriesSource,
  corpusSeed: number,
  seed: number,
  rows: number,
  windows: WindowOptions,
) {
  const chunk = 64;
  const batches: WindowBatch[] = [];
  const rng = new Rng(seed, 0x5eed);
  for (let r = 0, i = 0; r < rows; r += chunk, i++) {
    const b = new WindowBatch(config, Math.min(chunk, rows - r));
    fillWindows(source, corpusSeed, HELD_OUT_INDEX_BASE + i * chunk, b, rng, windows);
    batches.push(b);
  }
  const ws = new Workspace(config, chunk, Float32Array);
  return (params: Float32Array): number => {
    const p = viewParams(config, params);
    let total = 0,
      n = 0;
    for (const b of batches) {
      forward(config, p, b.context, b.mask, b.rows, ws);
      total += pinballLossAndGrad(config, b.target, b.rows, ws) * b.rows;
      n += b.rows;
    }
    return total / n;
  };
}

interface ShardRunner {
  run(step: number): Promise<number>;
  close(): Promise<void>;
}

async function startShards(
  opts: TrainOptions,
  spec: Omit<ShardSpec, 'shard'>,
  params: Float32Array,
  gradBuffers: Float32Array[],
  source: SeriesSource,
): Promise<ShardRunner[]> {
  if (!opts.workers) {
    return gradBuffers.map((g, shard) => {
      const c = new ShardComputer({ ...spec, shard }, source, params, g);
      return { run: async (step) => c.run(step), close: async () => {} };
    });
  }
  return Promise.all(
    gradBuffers.map(async (g, shard) => {
      // A TypeScript entry: @tsfm/worker-threads registers tsx inside the worker first.
      const worker = spawnTypeScriptWorker(new URL('./train-worker.ts', import.meta.url), {
        workerData: { spec: { ...spec, shard }, corpus: opts.corpus, params: params.buffer, grads: g.buffer },
      });
      await new Promise<void>((resolve, reject) => {
        worker.once('message', (m) =>
          m === 'ready' ? resolve() : reject(new Error(`unexpected worker message ${String(m)}`)),
        );
        worker.once('error', reject);
      });
      return {
        run: (step: number) =>
          new Promise<number>((resolve, reject) => {
            const onError = (e: Error): void => reject(e);
            worker.once('error', onError);
            worker.once('message', (m: { loss: number }) => {
              worker.off('error', onError);
              resolve(m.loss);
            });
            worker.postMessage({ step });
          }),
        close: async () => {
          await worker.terminate();
        },
      };
    }),
  );
}

export async function train(opts: TrainOptions): Promise<TrainResult> {
  const { config } = opts;
  const corpus = resolveCorpus(opts.corpus);
  const corpusSeed = corpus.corpusSeed(opts.seed);
  const { blocks, size } = paramLayout(config);
  if (opts.batch % opts.shards !== 0) throw new Error(`batch ${opts.batch} is not divisible by shards ${opts.shards}`);
  const rowsPerShard = opts.batch / opts.shards;
  // Shared memory lets workers read the latest weights without copying 4 MB per step.
  const params = new Float32Array(opts.workers ? new SharedArrayBuffer(size * 4) : new ArrayBuffer(size * 4));
  params.set(opts.initialParams ?? initParams(config, opts.seed));
  const gradBuffers = Array.from(
    { length: opts.shards },
    () => new Float32Array(opts.workers ? new SharedArrayBuffer(size * 4) : new ArrayBuffer(size * 4)),
  );
  const grads = new Float32Array(size);
  const optimiser = new AdamW(size, blocks, opts.adamw);
  const evaluate = heldOutEvaluator(config, corpus.source, corpusSeed, opts.seed, opts.heldOutRows, opts.windows);
  const spec = { config, seed: opts.seed, corpusSeed, shards: opts.shards, rows: rowsPerShard, windows: opts.windows };
  const runners = await startShards(opts, spec, params, gradBuffers, corpus.source);

  const curve: CurvePoint[] = [];
  const t0 = performance.now();
  let lossSum = 0,
    lossCount = 0,
    step = 0,
    stoppedByTimeCap = false;
  const record = (): void => {
    const point: CurvePoint = {
      step,
      trainLoss: lossCount > 0 ? lossSum / lossCount : NaN,
      heldOutLoss: evaluate(params),
      lr: learningRate(opts, Math.max(0, step - 1)),
      elapsedS: (performance.now() - t0) / 1000,
    };
    curve.push(point);
    lossSum = 0;
    lossCount = 0;
    opts.onEval?.(point);
    opts.onCheckpoint?.(params, step);
  };
  try {
    record();
    for (; step < opts.steps; ) {
      const losses = await Promise.all(runners.map((r) => r.run(step)));
      // Fixed summation order (shard 0, 1, …) keeps the update bit-identical across runs.
      grads.set(gradBuffers[0]);
      for (let s = 1; s < opts.shards; s++) {
        const g = gradBuffers[s];
        for (let i = 0; i < size; i++) grads[i] += g[i];
      }
      if (opts.shards > 1) for (let i = 0; i < size; i++) grads[i] /= opts.shards;
      optimiser.step(params, grads, learningRate(opts, step));
      for (const l of losses) {
        lossSum += l;
        lossCount++;
      }
      step++;
      if (step % opts.evalEvery === 0 || step === opts.steps) record();
      else if ((performance.now() - t0) / 60_000 > opts.maxMinutes) {
        stoppedByTimeCap = true;
        record();
        break;
      }
    }
  } finally {
    await Promise.all(runners.map((r) => r.close()));
  }
  const seriesPerShard = Math.ceil(rowsPerShard / opts.windows.windowsPerSeries);
  return {
    params: Float32Array.from(params),
    curve,
    stepsDone: step,
    samples: step * opts.batch,
    seriesGenerated: step * opts.shards * seriesPerShard,
    wallS: (performance.now() - t0) / 1000,
    stoppedByTimeCap,
    corpusSeed,
  };
}
