/**
 * mulberry32 (Tommy Ettinger's 32-bit-state generator): tiny and fast, for choices that must
 * replay from a seed on every platform (the harness's config sampling, the offline planner, test
 * fixtures). 2^32 states is plenty for shuffling a few hundred configs; not for long simulations
 * (use Sfc32) nor anything security-related.
 */

const TWO_POW_32 = 4294967296;

export class Mulberry32 {
  #state: number;

  /** The seed is the raw state (taken mod 2^32); see `scrambleSeed` for seeds 0, 1, 2 … that must not start alike. */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / TWO_POW_32;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** One of the items, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(items.length)] as T;
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }
}

/** A mulberry32 stream as a bare function, for fixtures that only need uniforms. */
export function mulberry32(seed: number): () => number {
  const generator = new Mulberry32(seed);
  return () => generator.next();
}

/**
 * The seed through a splitmix-style finaliser, so that consecutive seeds (0, 1, 2 …) do not start
 * mulberry32 in correlated states. A bijection on uint32.
 */
export function scrambleSeed(seed: number): number {
  let z = (seed ^ 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}
