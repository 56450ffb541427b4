/**
 * Which K configs to try, in which order — without replacement, deterministic for a seed.
 *
 * The order matters: the latency budget lowers K by truncating it, so every prefix must be a
 * sensible sample on its own. The sequence is:
 *  1. the fleet default (always tried: it is the tie-breaker and the baseline the thesis must
 *     beat), followed by its free post-processing siblings; then the default config of every
 *     other model of the space (the model dimension), with as many siblings;
 *  2. with an archetype prior, configs drawn proportionally to the prior, without replacement
 *     (Efraimidis–Spirakis: key = ln(u) / w, largest first — one pass, exact for weighted
 *     sampling without replacement);
 *  3. stratified exploration: rounds over the (model × resolution × normalisation) strata in a seeded
 *     order, one family (model input) per stratum per round, so every stratum is covered before
 *     any repeats; within a stratum the family whose context length and flip have been used
 *     least so far is taken (seeded tie-break), then `configsPerModelRow` of its post-processing
 *     variants, least-used variant first. Extra variants share the family's model rows, so they
 *     widen the search at no model cost.
 */
import type { ConfigSpace } from './config-space.js';
import { Mulberry32, scrambleSeed } from '@tsfm/numerics';

/** Why a config was tried: the default, a free post-processing variant of it, the prior, or exploration. */
export type SampleSource = 'default' | 'default-variant' | 'model-default' | 'prior' | 'stratified';

export interface SampleInput {
  readonly space: ConfigSpace;
  /** Per family: may the sampler use it for this request. */
  readonly familyAllowed: Uint8Array;
  /** Config index of the (effective) default; must belong to an allowed family. */
  readonly defaultIndex: number;
  /** Prior weight per config index (0 = none), or null without a prior. */
  readonly priorWeights: Float64Array | null;
  readonly k: number;
  readonly configsPerModelRow: number;
  readonly seed: number;
}

export interface Sample {
  /** Config indexes in try order (prefixes are valid smaller samples). */
  readonly order: readonly number[];
  readonly sources: readonly SampleSource[];
}

export function sampleConfigs(input: SampleInput): Sample {
  const { space, familyAllowed, k, seed } = input;
  const perFamily = input.configsPerModelRow;
  const rng = new Mulberry32(scrambleSeed(seed));
  const taken = new Uint8Array(space.configs.length);
  const order: number[] = [];
  const sources: SampleSource[] = [];
  const contextUse = new Int32Array(space.families.length + 1);
  const flipUse = new Int32Array(2);
  const variantUse = new Int32Array(4);
  const familyUsed = new Uint8Array(space.families.length);

  const take = (i: number, source: SampleSource): void => {
    taken[i] = 1;
    order.push(i);
    sources.push(source);
    variantUse[space.variantOf[i]!]!++;
    const f = space.familyOf[i]!;
    if (!familyUsed[f]) {
      familyUsed[f] = 1;
      const fam = space.families[f]!;
      contextUse[fam.contextBucket]!++;
      flipUse[fam.flip ? 1 : 0]!++;
    }
  };
  /** Up to `count` untaken members of family f, least-used post-processing variant first. */
  const takeVariants = (f: number, count: number, source: SampleSource): void => {
    const members = rng.shuffle(space.families[f]!.members.filter((i) => !taken[i]));
    members.sort((a, b) => variantUse[space.variantOf[a]!]! - variantUse[space.variantOf[b]!]!); // stable: ties keep the shuffle
    for (let j = 0; j < members.length && j < count && order.length < k; j++) take(members[j]!, source);
  };

  take(input.defaultIndex, 'default');
  takeVariants(space.familyOf[input.defaultIndex]!, perFamily - 1, 'default-variant');
  for (const d of space.modelDefaults) {
    if (d < 0 || order.length >= k || taken[d] || !familyAllowed[space.familyOf[d]!]) continue;
    take(d, 'model-default');
    takeVariants(space.familyOf[d]!, perFamily - 1, 'model-default');
  }

  if (input.priorWeights !== null && order.length < k) {
    const keyed: { i: number; key: number }[] = [];
    const w = input.priorWeights;
    for (let i = 0; i < w.length; i++) {
      if (w[i]! > 0 && !taken[i] && familyAllowed[space.familyOf[i]!])
        keyed.push({ i, key: Math.log(1 - rng.next()) / w[i]! });
    }
    keyed.sort((a, b) => b.key - a.key || a.i - b.i);
    for (const { i } of keyed) {
      if (order.length >= k) break;
      take(i, 'prior');
    }
  }

  // Families per stratum that still have untaken members, each list in seeded order.
  const byStratum: number[][] = Array.from({ length: space.strata }, () => []);
  for (const f of rng.shuffle(space.families.map((_, f) => f))) {
    if (familyAllowed[f] && !familyUsed[f]) byStratum[space.families[f]!.stratum]!.push(f);
  }
  // The default already covered its stratum in the first round.
  const coveredFirstRound = new Set(order.map((i) => space.families[space.familyOf[i]!]!.stratum));
  let round = 0;
  while (order.length < k) {
    const strata = rng.shuffle(byStratum.map((_, s) => s).filter((s) => byStratum[s]!.length > 0));
    if (strata.length === 0) break;
    for (const s of strata) {
      if (order.length >= k) break;
      if (round === 0 && coveredFirstRound.has(s)) continue;
      const list = byStratum[s]!;
      let best = 0;
      let bestUse = Number.POSITIVE_INFINITY;
      for (let j = 0; j < list.length; j++) {
        const fam = space.families[list[j]!]!;
        const use = contextUse[fam.contextBucket]! + flipUse[fam.flip ? 1 : 0]!;
        if (use < bestUse) {
          bestUse = use;
          best = j;
        }
      }
      const f = list.splice(best, 1)[0]!;
      takeVariants(f, perFamily, 'stratified');
    }
    round++;
  }
  // Families a prior touched may still hold free siblings; offer them only when the grid is
  // otherwise exhausted (K larger than what stratification could place).
  if (order.length < k) {
    for (let i = 0; i < space.configs.length && order.length < k; i++) {
      if (!taken[i] && familyAllowed[space.familyOf[i]!]) take(i, 'stratified');
    }
  }
  return { order, sources };
}
