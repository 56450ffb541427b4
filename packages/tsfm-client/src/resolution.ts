/**
 * Resolution: forecast on r-minute means, then map back to 1-minute steps.
 *
 * Buckets are aligned to the END of the history (the last bucket is always the last r minutes),
 * so the first forecast bucket starts at the forecast origin; a leading partial bucket is dropped
 * rather than averaged over fewer minutes, which would make its variance differ from the rest.
 *
 * Map-back repeats each coarse value r times. The coarse forecast is a forecast of the mean rate
 * over its r minutes, and for capacity planning the provisioned level for each minute of that
 * window is that rate (the α-quantile of the window mean, held flat); interpolating between
 * bucket centres would invent within-bucket structure the model never forecast.
 */

/** Coarse steps needed to cover `horizonMinutes` at resolution r. */
export function coarseSteps(horizonMinutes: number, r: number): number {
  return Math.ceil(horizonMinutes / r);
}

/**
 * Mean of each of the last `nBuckets` r-minute buckets of values[0, end), oldest first, into
 * out[outOffset, outOffset + nBuckets). NaN minutes are skipped; a bucket with no observed
 * minute is NaN. Requires nBuckets · r ≤ end.
 */
export function aggregateTrailing(
  values: Float32Array,
  end: number,
  r: number,
  nBuckets: number,
  out: Float64Array,
  outOffset = 0,
): void {
  let t = end - nBuckets * r;
  if (r === 1) {
    for (let b = 0; b < nBuckets; b++) out[outOffset + b] = values[t + b];
    return;
  }
  for (let b = 0; b < nBuckets; b++) {
    let sum = 0;
    let n = 0;
    for (let i = 0; i < r; i++, t++) {
      const v = values[t];
      // v === v is false only for NaN; cheaper than Number.isNaN in this inner loop.
      if (v === v) {
        sum += v;
        n++;
      }
    }
    out[outOffset + b] = n > 0 ? sum / n : Number.NaN;
  }
}

/**
 * Repeat each coarse row (nLevels values) r times into out[h × nLevels]; minute i takes coarse
 * step floor(i / r). The coarse matrix must hold at least ceil(h / r) rows.
 */
export function repeatCoarse(
  coarse: Float64Array | Float32Array | readonly number[],
  nLevels: number,
  r: number,
  h: number,
  out: Float32Array,
): void {
  for (let i = 0; i < h; i++) {
    const src = ((i / r) | 0) * nLevels;
    const dst = i * nLevels;
    for (let k = 0; k < nLevels; k++) out[dst + k] = coarse[src + k];
  }
}
