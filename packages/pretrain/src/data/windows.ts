/**
 * Training windows cut from corpus series: a context of random effective length (the rest
 * left-padded with zeros and masked, exactly as tsfm-client pads short histories) and the
 * following `horizon` values as the target.
 */
import type { ModelConfig } from '../model/config.js';
import type { Rng } from '../rng.js';

/** (seed, index, length) → series; the contract of corpusSeries in @tsfm/workload-gen. */
export type SeriesSource = (seed: number, index: number, length: number) => Float32Array;

export interface WindowOptions {
  /** Shortest effective context. */
  minContext: number;
  /** Probability that a window uses the full context. */
  fullContextProb: number;
  /** Length of each generated series; must be ≥ context + horizon. */
  seriesLength: number;
  /** Windows cut from each generated series (amortises generation cost). */
  windowsPerSeries: number;
}

export const DEFAULT_WINDOWS: WindowOptions = {
  minContext: 32,
  fullContextProb: 0.5,
  seriesLength: 768,
  windowsPerSeries: 8,
};

export class WindowBatch {
  readonly context: Float32Array;
  readonly mask: Float32Array;
  readonly target: Float32Array;
  constructor(
    readonly config: ModelConfig,
    readonly rows: number,
  ) {
    this.context = new Float32Array(rows * config.context);
    this.mask = new Float32Array(rows * config.context);
    this.target = new Float32Array(rows * config.horizon);
  }
}

/**
 * Fills `batch` with windows from series `firstIndex, firstIndex + 1, …` of the source.
 * Effective context length: full with probability fullContextProb, else log-uniform in
 * [minContext, context], so short histories are trained as often as they occur in practice.
 */
export function fillWindows(
  source: SeriesSource,
  seed: number,
  firstIndex: number,
  batch: WindowBatch,
  rng: Rng,
  opts: WindowOptions,
): number {
  const { context: C, horizon: Hz } = batch.config;
  if (opts.seriesLength < C + Hz) throw new Error(`seriesLength ${opts.seriesLength} < context + horizon ${C + Hz}`);
  batch.context.fill(0);
  batch.mask.fill(0);
  let series: Float32Array = new Float32Array(0);
  let seriesUsed = 0;
  for (let r = 0; r < batch.rows; r++) {
    if (r % opts.windowsPerSeries === 0) {
      series = source(seed, firstIndex + seriesUsed, opts.seriesLength);
      seriesUsed++;
    }
    const n =
      rng.next() < opts.fullContextProb
        ? C
        : Math.round(Math.exp(Math.log(opts.minContext) + rng.next() * (Math.log(C) - Math.log(opts.minContext))));
    const end = rng.int(n, series.length - Hz);
    const co = r * C + (C - n);
    for (let i = 0; i < n; i++) {
      const v = series[end - n + i];
      // Generator gaps (NaN) become padded points, as the client would send them.
      if (Number.isFinite(v)) {
        batch.context[co + i] = v;
        batch.mask[co + i] = 1;
      }
    }
    batch.target.set(series.subarray(end, end + Hz), r * Hz);
  }
  return seriesUsed;
}
