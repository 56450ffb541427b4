/**
 * How missing points (NaN) on a regular grid are filled after loading.
 * - `'nan'` (default): left missing. Filling invents data, so it must be asked for.
 * - `'ffill'`: the last observed value is carried forward — what a gauge scraped by Prometheus
 *   "is" between samples.
 * - `'linear'`: straight line between the observed neighbours.
 * - `'zero'`: 0 — right for counts of events (requests, bytes) where no sample means nothing
 *   happened.
 * `ffill` and `linear` never extrapolate: missing points before the first (and, for `linear`,
 * after the last) observation stay NaN, because there is nothing to carry or interpolate from.
 * The policy applies to every NaN, whether it came from a gap between samples or a NaN literal.
 */
export type FillPolicy = 'nan' | 'ffill' | 'linear' | 'zero';

export const FILL_POLICIES: readonly FillPolicy[] = ['nan', 'ffill', 'linear', 'zero'];

/** Fills NaN points of `values` in place; returns how many points were filled. */
export function fillGaps(values: Float32Array, policy: FillPolicy): number {
  switch (policy) {
    case 'nan':
      return 0;
    case 'zero':
      return fillWithZero(values);
    case 'ffill':
      return fillForward(values);
    case 'linear':
      return fillLinear(values);
  }
}

function fillWithZero(values: Float32Array): number {
  let filled = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) {
      values[i] = 0;
      filled++;
    }
  }
  return filled;
}

function fillForward(values: Float32Array): number {
  let filled = 0;
  let last = Number.NaN;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isNaN(values[i])) last = values[i];
    else if (!Number.isNaN(last)) {
      values[i] = last;
      filled++;
    }
  }
  return filled;
}

function fillLinear(values: Float32Array): number {
  let filled = 0;
  let left = -1; // index of the last observed point
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) continue;
    if (left >= 0 && i - left > 1) {
      const a = values[left];
      const slope = (values[i] - a) / (i - left);
      for (let j = left + 1; j < i; j++) values[j] = a + slope * (j - left);
      filled += i - left - 1;
    }
    left = i;
  }
  return filled;
}
