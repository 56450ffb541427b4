/**
 * Order statistics without a full sort. The harness reads 13 quantiles (or one conformal rank) off
 * samples of up to 1440 residuals many times per request, and V8's Float64Array.prototype.sort
 * took ~170 µs per 1440 values on the 2-core development machine — more than the statistical
 * members' fits themselves. A quickselect that stops once every wanted rank sits in place does
 * the same job in a fraction of that.
 *
 * Exactness: with no NaN and no −0 in the sample, equal values have equal bits, so the value at
 * each rank is the one a sort would put there, bit for bit; every caller's result is therefore
 * identical to sort-then-read (tested against it). Samples holding NaN or −0 take the sort.
 */
import { sortedQuantile } from './quantiles.js';

/** Below this many values a sort is as cheap as selecting. */
const SORT_BELOW = 32;

/** Whether sample[0, n) holds a NaN or a −0 (where selection and sorting could differ). */
function hasNaNOrNegativeZero(sample: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const x = sample[i];
    if (x !== x || (x === 0 && 1 / x < 0)) return true;
  }
  return false;
}

/**
 * Rearranges sample[lo, hi] so that sample[r] is the value a sort would put at r, for each rank
 * in ranks[rFrom, rTo) (ascending). Three-way partitions (long runs of equal residuals are
 * common: a flat series has all-zero differences) around a median-of-three pivot; a range that
 * is small, or that has been partitioned too often (an unlucky pivot sequence), is sorted.
 */
function selectRanks(
  a: Float64Array,
  lo: number,
  hi: number,
  ranks: readonly number[],
  rFrom: number,
  rTo: number,
  budget: number,
): void {
  while (rFrom < rTo) {
    if (hi - lo < SORT_BELOW || budget <= 0) {
      a.subarray(lo, hi + 1).sort();
      return;
    }
    budget--;
    const x = a[lo];
    const y = a[(lo + hi) >> 1];
    const z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    // [lo, lt) < pivot, [lt, gt] = pivot, (gt, hi] > pivot.
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const v = a[i];
      if (v < pivot) {
        a[i++] = a[lt];
        a[lt++] = v;
      } else if (v > pivot) {
        a[i] = a[gt];
        a[gt--] = v;
      } else {
        i++;
      }
    }
    let below = rFrom;
    while (below < rTo && ranks[below] < lt) below++;
    let above = below;
    while (above < rTo && ranks[above] <= gt) above++;
    selectRanks(a, lo, lt - 1, ranks, rFrom, below, budget);
    lo = gt + 1;
    rFrom = above;
  }
}

/**
 * The type-7 quantiles (sortedQuantile) of sample[0, n) at `levels` (each in [0, 1]) into `out`,
 * equal bit for bit to sorting sample[0, n) ascending and reading sortedQuantile — which is what
 * it does when the sample is small or holds a NaN or a −0. Reorders sample[0, n).
 */
export function sampleQuantiles(
  sample: Float64Array,
  n: number,
  levels: ArrayLike<number>,
  out: Float64Array = new Float64Array(levels.length),
): Float64Array {
  const view = sample.subarray(0, n);
  const ranks: number[] = [];
  let selectable = n >= SORT_BELOW && !hasNaNOrNegativeZero(sample, n);
  for (let j = 0; j < levels.length && selectable; j++) {
    // The two order statistics sortedQuantile reads (same arithmetic).
    const lo = Math.floor((n - 1) * levels[j]);
    const hi = Math.min(n - 1, lo + 1);
    if (!(lo >= 0 && hi < n)) selectable = false;
    ranks.push(lo, hi);
  }
  if (selectable) {
    ranks.sort((p, q) => p - q);
    let unique = 0;
    for (let i = 0; i < ranks.length; i++) if (i === 0 || ranks[i] !== ranks[i - 1]) ranks[unique++] = ranks[i];
    ranks.length = unique;
    selectRanks(sample, 0, n - 1, ranks, 0, unique, 2 * Math.ceil(Math.log2(n)) + 4);
  } else {
    view.sort();
  }
  for (let j = 0; j < levels.length; j++) out[j] = sortedQuantile(view, levels[j]);
  return out;
}

/**
 * The value a sort of sample[0, n) would put at `rank` (0-based, in [0, n)), for a sample with no
 * NaN; a −0 and a 0 may come back either way round (callers that care add 0). Reorders
 * sample[0, n).
 */
export function orderStatistic(sample: Float64Array, n: number, rank: number): number {
  if (!(Number.isInteger(rank) && rank >= 0 && rank < n)) {
    throw new RangeError(`orderStatistic: rank ${rank} is outside [0, ${n})`);
  }
  selectRanks(sample, 0, n - 1, [rank], 0, 1, 2 * Math.ceil(Math.log2(n)) + 4);
  return sample[rank];
}
