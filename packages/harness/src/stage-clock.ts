/** Wall-clock laps for the per-stage timings every result reports (result.timings). */
export class StageClock {
  readonly start = performance.now();
  #last = this.start;

  /** Milliseconds since the previous lap (or the start). */
  lap(): number {
    const now = performance.now();
    const d = now - this.#last;
    this.#last = now;
    return d;
  }

  /** Milliseconds since the start. */
  elapsed(): number {
    return performance.now() - this.start;
  }
}
