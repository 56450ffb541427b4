/**
 * Combination (request option `combine`): forecast with the quantile-wise median — or mean — of
 * the top-m candidates by the selection's own validation score, instead of the winner alone.
 * Averaging forecasts of different configs and models cancels part of their independent errors
 * (the forecast-combination puzzle: simple averages of a few good forecasts are hard to beat),
 * and the median ignores one wild member. m = 1 is the winner alone.
 *
 * Both are monotone per level: if every member's row is non-decreasing in the level, so is their
 * element-wise median or mean — combined quantiles never cross.
 */
export const COMBINE_METHODS = ['median', 'mean'] as const;
export type CombineMethod = (typeof COMBINE_METHODS)[number];

/**
 * The positions to combine: `first` (the selection's winner, which already carries its tie rule),
 * then the other eligible candidates (finite score) by ascending score, ties in position order,
 * up to m in all.
 */
export function topPositions(first: number, score: (c: number) => number, count: number, m: number): number[] {
  const out = [first];
  if (m <= 1) return out;
  const rest: number[] = [];
  for (let c = 0; c < count; c++) {
    const s = score(c);
    if (c !== first && s === s) rest.push(c);
  }
  rest.sort((a, b) => score(a) - score(b) || a - b);
  for (const c of rest) {
    if (out.length >= m) break;
    out.push(c);
  }
  return out;
}

/** Quantile-wise median or mean of equally shaped matrices, into `out`. */
export function combineMatrices(
  matrices: readonly Float32Array[],
  method: CombineMethod,
  out: Float32Array,
): Float32Array {
  const n = matrices.length;
  if (n === 1) {
    out.set(matrices[0]);
    return out;
  }
  const column = new Float64Array(n);
  for (let i = 0; i < out.length; i++) {
    if (method === 'mean') {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += matrices[j][i];
      out[i] = sum / n;
      continue;
    }
    for (let j = 0; j < n; j++) column[j] = matrices[j][i];
    column.sort();
    const mid = n >> 1;
    out[i] = n % 2 === 1 ? column[mid] : (column[mid - 1] + column[mid]) / 2;
  }
  return out;
}
