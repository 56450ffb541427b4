/**
 * The pretraining corpus (design.md §3): `corpusSeries(seed, index, length)` is a pure,
 * deterministic function — series `index` of corpus `seed` — so a trainer can draw any slice
 * of an unbounded corpus in any order, on any machine, and get the same floats.
 *
 * Mix (fractions of series):
 *   44% KernelSynth-style compositions of 1–5 kernels (periodic, RBF, rational quadratic,
 *       linear, white noise, constant) combined by + and ×;
 *   20% workload-archetype samples aggregated to 5/15/60 minutes;
 *    8% random walks, 7% level shifts, 7% piecewise trends, 7% spiky series, 7% intermittent.
 * Corpus seeds must be ≥ CORPUS_SEED_BASE and hash under their own domain tag, so no corpus
 * series reuses the randomness of an evaluation fleet.
 */
import { Rng } from '../prng.js';
import { assertCorpusSeed, CORPUS_DOMAIN } from '../seed-domains.js';
import { archetypeSample } from './archetype-samples.js';
import { intermittent, levelShifts, piecewiseTrend, randomWalk, spikes } from './families.js';
import { kernelComposition } from './kernel-composition.js';

export { CORPUS_SEED_BASE } from '../seed-domains.js';

export const CORPUS_FAMILIES = [
  'kernel-composition',
  'archetype',
  'random-walk',
  'level-shifts',
  'piecewise-trend',
  'spikes',
  'intermittent',
] as const;
export type CorpusFamily = (typeof CORPUS_FAMILIES)[number];

const FAMILY_WEIGHT: Readonly<Record<CorpusFamily, number>> = {
  'kernel-composition': 0.44,
  archetype: 0.2,
  'random-walk': 0.08,
  'level-shifts': 0.07,
  'piecewise-trend': 0.07,
  spikes: 0.07,
  intermittent: 0.07,
};

/** The largest magnitude a corpus value may take (products of kernels can explode). */
const VALUE_LIMIT = 1e30;

let work = new Float64Array(0);
let scratchA = new Float64Array(0);

/** Which family series `index` of corpus `seed` belongs to (cheap: no series is generated). */
export function corpusFamily(seed: number, index: number): CorpusFamily {
  assertCorpusArgs(seed, index, 1);
  return pickFamily(new Rng(CORPUS_DOMAIN, seed, index, 0));
}

/** Series `index` of corpus `seed`, `length` points. Deterministic and platform-independent. */
export function corpusSeries(seed: number, index: number, length: number): Float32Array {
  assertCorpusArgs(seed, index, length);
  if (work.length < length) {
    work = new Float64Array(length);
    scratchA = new Float64Array(length);
  }
  const rng = new Rng(CORPUS_DOMAIN, seed, index, 0);
  const family = pickFamily(rng);
  switch (family) {
    case 'kernel-composition':
      kernelComposition(work, length, rng, scratchA);
      break;
    case 'archetype':
      archetypeSample(work, length, rng, seed, index);
      break;
    case 'random-walk':
      randomWalk(work, length, rng);
      break;
    case 'level-shifts':
      levelShifts(work, length, rng, scratchA);
      break;
    case 'piecewise-trend':
      piecewiseTrend(work, length, rng, scratchA);
      break;
    case 'spikes':
      spikes(work, length, rng, scratchA);
      break;
    case 'intermittent':
      intermittent(work, length, rng);
      break;
  }
  const out = new Float32Array(length);
  for (let t = 0; t < length; t++) {
    const v = work[t];
    out[t] = v !== v ? 0 : v > VALUE_LIMIT ? VALUE_LIMIT : v < -VALUE_LIMIT ? -VALUE_LIMIT : v;
  }
  return out;
}

function pickFamily(rng: Rng): CorpusFamily {
  const u = rng.uniform();
  let cumulative = 0;
  for (const f of CORPUS_FAMILIES) {
    cumulative += FAMILY_WEIGHT[f];
    if (u < cumulative) return f;
  }
  return CORPUS_FAMILIES[0];
}

function assertCorpusArgs(seed: number, index: number, length: number): void {
  assertCorpusSeed(seed);
  if (!Number.isSafeInteger(index) || index < 0)
    throw new RangeError(`corpus index must be a non-negative integer, got ${index}`);
  if (!Number.isInteger(length) || length < 1 || length > 1 << 24) {
    throw new RangeError(`corpus series length must be an integer in [1, 2^24], got ${length}`);
  }
}
