/**
 * Classical decomposition (R's `decompose`), the seasonal adjustment behind M4's Naive2.
 */

export type DecompositionType = 'multiplicative' | 'additive';

/**
 * Seasonal figure of length m, phase-aligned with index 0 of `y`: figure[i mod m] is the seasonal
 * index of y[i]. As in R: a centred moving average of order m (2×m for even m) estimates the
 * trend; the detrended ratios (or differences) are averaged per phase over every cycle where the
 * trend is defined; the figure is normalised to mean 1 (or 0).
 */
export function seasonalFigure(y: ArrayLike<number>, m: number, type: DecompositionType): Float64Array {
  const n = y.length;
  const half = Math.floor(m / 2);
  const even = m % 2 === 0;
  const sums = new Float64Array(m);
  const counts = new Float64Array(m);
  // A running window sum keeps the moving average O(n) rather than O(n·m) for m = 288 or 1440.
  // window = y[i−half] + … + y[i−half+m−1] (m terms) at every i below.
  let window = 0;
  for (let j = 0; j < m && j < n; j++) window += y[j];
  for (let i = half; i + half < n; i++) {
    // Even m: weights ½, 1, …, 1, ½ over y[i−half … i+half] (R's 2×m MA); odd m: the plain window.
    const trend = even ? (window + 0.5 * (y[i + half] - y[i - half])) / m : window / m;
    const s = type === 'multiplicative' ? y[i] / trend : y[i] - trend;
    if (Number.isFinite(s)) {
      sums[i % m] += s;
      counts[i % m] += 1;
    }
    if (i - half + m < n) window += y[i - half + m] - y[i - half];
  }
  const figure = new Float64Array(m);
  let mean = 0;
  for (let p = 0; p < m; p++) {
    figure[p] = counts[p] > 0 ? sums[p] / counts[p] : type === 'multiplicative' ? 1 : 0;
    mean += figure[p];
  }
  mean /= m;
  for (let p = 0; p < m; p++) figure[p] = type === 'multiplicative' ? figure[p] / mean : figure[p] - mean;
  return figure;
}
