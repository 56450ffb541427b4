/**
 * An exact percentile over a sliding window: the window's values kept sorted in one buffer.
 * A step in and a step out are a binary search plus one `copyWithin` each — a memmove of at most
 * the window (7 days of minutes = 10 080 values, a few microseconds), against re-sorting the
 * window at every decision. NaN (missing) values are never stored, so removing one is a no-op:
 * the caller must add and remove the same values.
 */
export class SortedWindow {
  #data: Float64Array;
  #size = 0;

  constructor(capacity = 1024) {
    this.#data = new Float64Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.#size;
  }

  add(value: number): void {
    if (Number.isNaN(value)) return;
    if (this.#size === this.#data.length) {
      const grown = new Float64Array(this.#data.length * 2);
      grown.set(this.#data);
      this.#data = grown;
    }
    const i = this.#lowerBound(value);
    this.#data.copyWithin(i + 1, i, this.#size);
    this.#data[i] = value;
    this.#size++;
  }

  /** Remove one occurrence of `value`; returns false when it is not in the window. */
  remove(value: number): boolean {
    if (Number.isNaN(value)) return false;
    const i = this.#lowerBound(value);
    if (i >= this.#size || this.#data[i] !== value) return false;
    this.#data.copyWithin(i, i + 1, this.#size);
    this.#size--;
    return true;
  }

  /** Nearest-rank p-quantile (the ⌈p·n⌉-th smallest); NaN when empty. */
  percentile(p: number): number {
    if (this.#size === 0) return Number.NaN;
    const rank = Math.min(this.#size, Math.max(1, Math.ceil(p * this.#size)));
    return this.#data[rank - 1];
  }

  /** First index whose value is ≥ `value`. */
  #lowerBound(value: number): number {
    let lo = 0;
    let hi = this.#size;
    const data = this.#data;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (data[mid] < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
