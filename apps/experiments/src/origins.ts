/**
 * Forecast origins: where in a tenant's history each evaluation request is made.
 *
 * Origins are stratified over the last `spanSteps` steps that still leave a full horizon of
 * actuals: the span is cut into `count` equal slices and each origin is a seeded uniform draw
 * inside its slice. Stratification spreads origins over the whole fortnight (all hours, weekdays
 * and weekends) instead of letting independent draws cluster; the draw inside each slice keeps
 * them off a fixed phase of the daily cycle. Seeded by (seed, tenant id): the same tenant gets
 * the same origins in every experiment and every run.
 */
import { Mulberry32, scrambleSeed } from '@tsfm/numerics';
import { stableHash } from './split.js';

export interface OriginOptions {
  /** Origins per tenant. */
  readonly count: number;
  /** Steps before the last possible origin over which origins are spread (e.g. 14 days). */
  readonly spanSteps: number;
  /** Forecast horizon (steps): origin + horizon ≤ length. */
  readonly horizon: number;
  /** Smallest allowed origin (history needed before it). */
  readonly minHistory: number;
  readonly seed: number;
}

/** Sorted, distinct origins; throws RangeError when the series cannot hold `count` of them. */
export function forecastOrigins(tenantId: string, length: number, options: OriginOptions): Int32Array {
  const { count, spanSteps, horizon, minHistory, seed } = options;
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`origin count must be a positive integer, got ${count}`);
  const hi = length - horizon;
  const lo = Math.max(minHistory, hi - spanSteps);
  const width = (hi - lo + 1) / count;
  if (!(width >= 1)) {
    throw new RangeError(
      `${tenantId}: ${count} distinct origins do not fit in steps ${lo}…${hi} (length ${length}, horizon ${horizon}, min history ${minHistory})`,
    );
  }
  const rng = new Mulberry32(scrambleSeed(stableHash(`${seed}:origins:${tenantId}`)));
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    // Slice i is [lo + i·w, lo + (i+1)·w); with w ≥ 1 the floors are strictly increasing.
    out[i] = lo + Math.floor(i * width + rng.next() * width);
  }
  return out;
}

/**
 * `n` of `count` origin indexes, evenly spaced (the middle of n equal blocks): the subset a slow
 * method runs on keeps the same spread over the fortnight as the full set.
 */
export function evenSubset(count: number, n: number): Int32Array {
  const k = Math.min(count, Math.max(0, Math.floor(n)));
  const out = new Int32Array(k);
  for (let i = 0; i < k; i++) out[i] = Math.floor(((i + 0.5) * count) / k);
  return out;
}
