/**
 * One data-parallel shard of a training step: cut windows, forward, pinball loss, backward into
 * this shard's gradient buffer. Runs in a worker thread (train-worker.ts) or inline (workers = 0).
 * Every random choice is keyed by (seed, step, shard), so a run is reproducible for a given
 * shard count regardless of thread timing.
 */
import type { ModelConfig } from './model/config.js';
import { backward, forward, pinballLossAndGrad, Workspace } from './model/forward.js';
import { viewParams, type ParamViews } from './model/params.js';
import { Rng } from './rng.js';
import { fillWindows, WindowBatch, type SeriesSource, type WindowOptions } from './data/windows.js';

export interface ShardSpec {
  config: ModelConfig;
  seed: number;
  corpusSeed: number;
  shard: number;
  shards: number;
  rows: number;
  windows: WindowOptions;
}

export class ShardComputer {
  private readonly ws: Workspace<Float32Array>;
  private readonly batch: WindowBatch;
  private readonly p: ParamViews<Float32Array>;
  private readonly g: ParamViews<Float32Array>;
  private readonly seriesPerShard: number;

  constructor(
    readonly spec: ShardSpec,
    private readonly source: SeriesSource,
    readonly params: Float32Array,
    readonly grads: Float32Array,
  ) {
    this.ws = new Workspace(spec.config, spec.rows, Float32Array);
    this.batch = new WindowBatch(spec.config, spec.rows);
    this.p = viewParams(spec.config, params);
    this.g = viewParams(spec.config, grads);
    this.seriesPerShard = Math.ceil(spec.rows / spec.windows.windowsPerSeries);
  }

  /** Computes this shard's gradient for `step` into grads (overwritten); returns the shard loss. */
  run(step: number): number {
    const { spec } = this;
    const stream = step * spec.shards + spec.shard;
    const rng = new Rng(spec.seed, 1 + stream);
    fillWindows(this.source, spec.corpusSeed, stream * this.seriesPerShard, this.batch, rng, spec.windows);
    forward(spec.config, this.p, this.batch.context, this.batch.mask, spec.rows, this.ws);
    const loss = pinballLossAndGrad(spec.config, this.batch.target, spec.rows, this.ws);
    this.grads.fill(0);
    backward(spec.config, this.p, this.g, spec.rows, this.ws);
    return loss;
  }
}
