/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Chaotic PRNG: 128-bit state, passes PractRand) and the
 * splitmix32 mixers that seed it. Only Math.imul, shifts and `| 0` / `>>> 0` touch the bits, so a
 * seed gives the same stream on every engine and CPU. The generators built on it (the fleet's
 * `Rng` in @tsfm/workload-gen, the trainer's `Rng` in @tsfm/pretrain) differ only in how they
 * seed it and which distributions they draw; pinned hashes of their streams live in their tests.
 */

const TWO_POW_32 = 4294967296;
const GOLDEN_GAMMA = 0x9e3779b9;

/** splitmix32 finaliser (the 32-bit variant of splitmix64's mixer) after a golden-ratio step; a bijection on uint32. */
export function mix32(x: number): number {
  x = (x + GOLDEN_GAMMA) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Hash a tuple of uint32 words into one uint32 (order-sensitive). */
export function hashWords(...words: number[]): number {
  let h = 0x6a09e667;
  for (const w of words) h = mix32(h ^ mix32(w >>> 0));
  return h;
}

/**
 * Four state words from (seed, stream) by a splitmix32 sequence: the seeding of the trainer's
 * generator, where each stream of one seed is an unrelated generator.
 */
export function splitmix32State(seed: number, stream = 0): [number, number, number, number] {
  let s = (seed ^ Math.imul(stream + 1, GOLDEN_GAMMA)) >>> 0;
  const next = (): number => {
    const word = mix32(s);
    s = (s + GOLDEN_GAMMA) >>> 0;
    return word;
  };
  return [next(), next(), next(), next()];
}

/**
 * The bare generator: four int32 state words and one step. Subclasses read and write the state
 * words directly in their hot loops (V8 keeps int32 fields unboxed), so they are protected, not
 * private.
 */
export class Sfc32 {
  protected a: number;
  protected b: number;
  protected c: number;
  protected d: number;

  /** Start from four state words, then drop `discard` outputs to decorrelate the state (its authors advise 12+). */
  constructor(a: number, b: number, c: number, d: number, discard: number) {
    this.a = a | 0;
    this.b = b | 0;
    this.c = c | 0;
    this.d = d | 0;
    for (let i = 0; i < discard; i++) this.nextU32();
  }

  /** Uniform uint32. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextU32() / TWO_POW_32;
  }
}
