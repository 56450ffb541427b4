/**
 * Per-batch cache of resolution aggregates. A harness request sends K configs × 2 origins for
 * the same series, so most rows share (series, end, resolution) and differ only in context
 * length or normalisation; aggregating once per distinct key (for the longest context any row
 * asks of it) removes most of the client's per-row cost at r = 15 / 60, where one row reads up
 * to 512 × 60 minutes. Rows then read the tail of their key's buffer.
 *
 * Usage per batch: reset → plan every row → fill → locate every row.
 */
import { aggregateTrailing } from './resolution.js';

interface Entry {
  values: Float32Array;
  end: number;
  r: number;
  n: number;
  slot: number;
}

export class AggregationCache {
  readonly #width: number;
  #data = new Float64Array(0);
  readonly #byArray = new Map<Float32Array, Entry[]>();
  #entries: Entry[] = [];
  #planned: Entry[] = [];

  /** `width`: the most buckets any row can ask for (the model's context length). */
  constructor(width: number) {
    this.#width = width;
  }

  get data(): Float64Array {
    return this.#data;
  }

  reset(): void {
    this.#byArray.clear();
    this.#entries = [];
    this.#planned.length = 0;
  }

  /** Record that row `i` needs the last `n` buckets of values[0, end) at resolution r. */
  plan(i: number, values: Float32Array, end: number, r: number, n: number): void {
    let list = this.#byArray.get(values);
    if (list === undefined) {
      list = [];
      this.#byArray.set(values, list);
    }
    let entry = list.find((e) => e.end === end && e.r === r);
    if (entry === undefined) {
      entry = { values, end, r, n, slot: this.#entries.length };
      list.push(entry);
      this.#entries.push(entry);
    } else if (n > entry.n) {
      entry.n = n;
    }
    this.#planned[i] = entry;
  }

  /** Aggregate every planned key once. */
  fill(): void {
    const need = this.#entries.length * this.#width;
    if (this.#data.length < need) this.#data = new Float64Array(Math.max(need, 2 * this.#data.length));
    for (const e of this.#entries) aggregateTrailing(e.values, e.end, e.r, e.n, this.#data, e.slot * this.#width);
  }

  /** Id of row i's (series, end, resolution) key, dense from 0 within a batch. */
  slotOf(i: number): number {
    return this.#planned[i].slot;
  }

  /** Start index in `data` of row i's last n buckets. */
  offsetOf(i: number, n: number): number {
    const e = this.#planned[i];
    return e.slot * this.#width + (e.n - n);
  }
}
