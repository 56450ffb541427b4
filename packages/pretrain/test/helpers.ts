import { QUANTILE_LEVELS, type ModelConfig } from '../src/model/config.js';
import { Rng } from '../src/rng.js';

/** A model small enough for float64 gradient checks and sub-second ORT round trips. */
export const TINY: ModelConfig = {
  context: 64,
  horizon: 8,
  levels: QUANTILE_LEVELS,
  hidden: 16,
  blocks: 2,
  maskPool: 8,
};

/**
 * Rows of raw inputs: each row gets a random observed length (some fully observed, some very
 * short, one constant), left-padded with zeros and masked — what tsfm-client sends.
 */
export function randomBatch(
  config: ModelConfig,
  rows: number,
  seed: number,
  level = 0,
  spread = 1,
): { context: Float32Array; mask: Float32Array } {
  const rng = new Rng(seed, 3);
  const C = config.context;
  const context = new Float32Array(rows * C);
  const mask = new Float32Array(rows * C);
  for (let r = 0; r < rows; r++) {
    const observed = r === 0 ? C : r === 1 ? 1 : rng.int(2, C);
    const constant = r === 2;
    for (let i = C - observed; i < C; i++) {
      context[r * C + i] = constant ? level + 0.5 : level + spread * (Math.sin(i / 3) + 0.5 * rng.normal());
      mask[r * C + i] = 1;
    }
  }
  return { context, mask };
}

/**
 * Stand-in corpus: a few sinusoids with random periods, trend, noise and occasional level shifts.
 * Only for tests; the real training run uses corpusSeries from @tsfm/workload-gen.
 */
export function standInSeries(seed: number, index: number, length: number): Float32Array {
  const rng = new Rng(seed, 1000 + index);
  const out = new Float32Array(length);
  const periods = [12, 24, 48, 7, 60];
  const p1 = periods[rng.int(0, periods.length - 1)];
  const a1 = rng.next() * 2,
    trend = (rng.next() - 0.5) * 0.01,
    noise = rng.next() * 0.5;
  const level = 10 * rng.normal();
  for (let t = 0; t < length; t++)
    out[t] = level + a1 * Math.sin((2 * Math.PI * t) / p1) + trend * t + noise * rng.normal();
  return out;
}
