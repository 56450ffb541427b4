/**
 * Seeded, platform-independent PRNG (@tsfm/numerics' sfc32, seeded through splitmix32). Training
 * never touches Math.random: the same seed gives the same initial weights, the same windows and
 * the same model.
 */
import { Sfc32, splitmix32State } from '@tsfm/numerics';

export class Rng extends Sfc32 {
  private spare = NaN;

  constructor(seed: number, stream = 0) {
    const [a, b, c, d] = splitmix32State(seed, stream);
    super(a, b, c, d, 12);
  }

  uint32(): number {
    return this.nextU32();
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uniform();
  }

  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** Standard normal by Box–Muller, the second draw of each pair kept for the next call. */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = NaN;
      return s;
    }
    let u = this.next();
    while (u <= 1e-12) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}
