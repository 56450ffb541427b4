/**
 * Quantiles without sorting: Hoare/Wirth selection in place on a scratch buffer, O(n) on
 * average. Feature extraction runs on every tenant and on many windows per tenant, so a full
 * sort per quantile (three per metric) would dominate its cost.
 */

/**
 * Rearranges `a[0..n)` so that `a[k]` holds the k-th smallest value (0-based), everything left
 * of it ≤ it and everything right of it ≥ it, and returns it. `a` must hold no NaN.
 */
export function selectKth(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    // Median of three as the pivot keeps sorted and reverse-sorted input (ramps) linear.
    const pivot = medianOf3(a[lo], a[k], a[hi]);
    let i = lo;
    let j = hi;
    do {
      while (a[i] < pivot) i++;
      while (pivot < a[j]) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) lo = i;
    if (k < i) hi = j;
  }
  return a[k];
}

/**
 * The q-quantile of `a[0..n)` with linear interpolation between order statistics (Hyndman & Fan
 * type 7, numpy's default), so hand-computed expectations in tests match numpy. Reorders `a`.
 * NaN when n is 0.
 */
export function quantileInPlace(a: Float64Array, n: number, q: number): number {
  if (n === 0) return NaN;
  const position = q * (n - 1);
  const k = Math.floor(position);
  const low = selectKth(a, n, k);
  const fraction = position - k;
  if (fraction === 0 || k + 1 >= n) return low;
  // After selection everything right of k is ≥ a[k]; the next order statistic is their minimum.
  let next = a[k + 1];
  for (let i = k + 2; i < n; i++) if (a[i] < next) next = a[i];
  return low + fraction * (next - low);
}

function medianOf3(x: number, y: number, z: number): number {
  if (x < y) return y < z ? y : x < z ? z : x;
  return x < z ? x : y < z ? z : y;
}
