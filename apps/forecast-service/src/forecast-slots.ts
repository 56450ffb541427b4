/**
 * At most N jobs run at once; the rest wait here, in arrival order (LocalJobRunner).
 *
 * Why not let every request call the harness at once: on one thread the model runs one call at a
 * time, so 200 concurrent requests would wait inside the harness, whose cost model would learn
 * those waits as model latency and lower K for every request. Waiting here instead keeps the
 * harness's timings its own, and lets a request whose client has gone leave the queue without
 * using the model.
 */
export class ForecastSlots {
  readonly concurrency: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(concurrency: number) {
    if (!(Number.isInteger(concurrency) && concurrency >= 1))
      throw new RangeError(`concurrency must be an integer ≥ 1, got ${concurrency}`);
    this.concurrency = concurrency;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  get running(): number {
    return this.#running;
  }

  /** Wait for a slot, then run `work` unless `stillWanted()` has turned false meanwhile (→ null). */
  async run<T>(work: () => Promise<T>, stillWanted: () => boolean): Promise<T | null> {
    if (this.#running < this.concurrency) this.#running++;
    // The releaser hands its slot over directly (running stays the same), so no late arrival can
    // overtake a waiter.
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      if (!stillWanted()) return null;
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
