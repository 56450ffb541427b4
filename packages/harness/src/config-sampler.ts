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
 *
 * That is the `per-grid` sampler, the default. Every draw above depends on the space's config
 * and family indexes, so two spaces built from overlapping grids (one experiment's context
 * lengths, another's resolutions) share few sampled configs even where their grids overlap, and a
 * comparison of the two carries the sampling noise of both. The opt-in `grid-stable` sampler
 * (`sampler: 'grid-stable'`, sampleGridStable below) draws with common random numbers across
 * grids: every random number is a hash of (seed, a name), never of an index — a config's name is
 * its model's name and its config key (`default/ctx512-r1-none-flip0-clamp1-fix1`), a family's is
 * its model's name and its model input — so a config in both grids gets the same key. Its
 * sequence keeps steps 1 and 2 (with name-keyed members and Efraimidis–Spirakis keys) and step
 * 3's rounds, every stratum once before any twice; within a stratum, families go in the order
 * of their keys and each family's members in the order of theirs. What it gives up: the
 * least-used context length, flip and post-processing variant within a round (they are balanced
 * only in expectation), because those choices depend on what the grid held before, which is
 * exactly what must not move the draw. What it guarantees (test/config-sampler.test.ts): for
 * two spaces whose allowed configs nest (B ⊂ A), no prior, the same default, seed and
 * configsPerModelRow, every config of B stands at the same or an earlier position in B's order
 * than in A's — so A's first k configs that lie in B are among B's first k, for every k. Their
 * relative order is kept within a stratum, and everywhere when B lacks only whole strata of A
 * (normalisations, models; a resolution's strata keep the fleet default's stand-in at that
 * resolution, which every space holds, so dropping a resolution moves that stand-in up); across
 * strata it cannot always be: stratum coverage before repeats depends on how many families each
 * stratum holds (A = {a1, a2 | b1, b2} in order a1 b1 a2 b2 leaves B = {a1, a2, b2} either out of
 * A's order or covering a's stratum twice before b's once). Why positions only move up: a
 * family's round in B is at most its round in A, and in every stratum the families ahead of a
 * given (round, key) can only thin out when families are removed.
 */
import { configKey } from '@tsfm/tsfm-client';
import type { ConfigSpace } from './config-space.js';
import { fnv1a32, Mulberry32, scrambleSeed } from '@tsfm/numerics';

/** Why a config was tried: the default, a free post-processing variant of it, the prior, or exploration. */
export type SampleSource = 'default' | 'default-variant' | 'model-default' | 'prior' | 'stratified';

/** `per-grid` (default): draws keyed by the space's indexes; `grid-stable`: by config names (module comment). */
export const CONFIG_SAMPLERS = ['per-grid', 'grid-stable'] as const;
export type ConfigSampler = (typeof CONFIG_SAMPLERS)[number];

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
  /** Default `per-grid`. */
  readonly sampler?: ConfigSampler;
}

export interface Sample {
  /** Config indexes in try order (prefixes are valid smaller samples). */
  readonly order: readonly number[];
  readonly sources: readonly SampleSource[];
}

export function sampleConfigs(input: SampleInput): Sample {
  return input.sampler === 'grid-stable' ? sampleGridStable(input) : samplePerGrid(input);
}

/**
 * Step 1 of both samplers: the default and `configsPerModelRow − 1` free siblings (as the
 * sampler picks siblings), then every other model's default with as many.
 */
function takeDefaults(
  input: SampleInput,
  taken: Uint8Array,
  full: () => boolean,
  take: (i: number, source: SampleSource) => void,
  takeSiblings: (f: number, count: number, source: SampleSource) => void,
): void {
  const { space, familyAllowed } = input;
  take(input.defaultIndex, 'default');
  takeSiblings(space.familyOf[input.defaultIndex], input.configsPerModelRow - 1, 'default-variant');
  for (const d of space.modelDefaults) {
    if (d < 0 || full() || taken[d] || !familyAllowed[space.familyOf[d]]) continue;
    take(d, 'model-default');
    takeSiblings(space.familyOf[d], input.configsPerModelRow - 1, 'model-default');
  }
}

function samplePerGrid(input: SampleInput): Sample {
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
    variantUse[space.variantOf[i]]++;
    const f = space.familyOf[i];
    if (!familyUsed[f]) {
      familyUsed[f] = 1;
      const fam = space.families[f];
      contextUse[fam.contextBucket]++;
      flipUse[fam.flip ? 1 : 0]++;
    }
  };
  /** Up to `count` untaken members of family f, least-used post-processing variant first. */
  const takeVariants = (f: number, count: number, source: SampleSource): void => {
    const members = rng.shuffle(space.families[f].members.filter((i) => !taken[i]));
    // A stable sort: ties keep the shuffle.
    members.sort((a, b) => variantUse[space.variantOf[a]] - variantUse[space.variantOf[b]]);
    for (let j = 0; j < members.length && j < count && order.length < k; j++) take(members[j], source);
  };

  takeDefaults(input, taken, () => order.length >= k, take, takeVariants);

  if (input.priorWeights !== null && order.length < k) {
    const keyed: { i: number; key: number }[] = [];
    const w = input.priorWeights;
    for (let i = 0; i < w.length; i++) {
      if (w[i] > 0 && !taken[i] && familyAllowed[space.familyOf[i]])
        keyed.push({ i, key: Math.log(1 - rng.next()) / w[i] });
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
    if (familyAllowed[f] && !familyUsed[f]) byStratum[space.families[f].stratum].push(f);
  }
  // The default already covered its stratum in the first round.
  const coveredFirstRound = new Set(order.map((i) => space.families[space.familyOf[i]].stratum));
  let round = 0;
  while (order.length < k) {
    const strata = rng.shuffle(byStratum.map((_, s) => s).filter((s) => byStratum[s].length > 0));
    if (strata.length === 0) break;
    for (const s of strata) {
      if (order.length >= k) break;
      if (round === 0 && coveredFirstRound.has(s)) continue;
      const list = byStratum[s];
      let best = 0;
      let bestUse = Number.POSITIVE_INFINITY;
      for (let j = 0; j < list.length; j++) {
        const fam = space.families[list[j]];
        const use = contextUse[fam.contextBucket] + flipUse[fam.flip ? 1 : 0];
        if (use < bestUse) {
          bestUse = use;
          best = j;
        }
      }
      const f = list.splice(best, 1)[0];
      takeVariants(f, perFamily, 'stratified');
    }
    round++;
  }
  // Families a prior touched may still hold free siblings; offer them only when the grid is
  // otherwise exhausted (K larger than what stratification could place).
  if (order.length < k) {
    for (let i = 0; i < space.configs.length && order.length < k; i++) {
      if (!taken[i] && familyAllowed[space.familyOf[i]]) take(i, 'stratified');
    }
  }
  return { order, sources };
}

/** The names the grid-stable sampler keys by, per space (built once: a space serves many requests). */
interface SpaceNames {
  readonly config: readonly string[];
  readonly family: readonly string[];
}
const namesOfSpace = new WeakMap<ConfigSpace, SpaceNames>();

function spaceNames(space: ConfigSpace): SpaceNames {
  let names = namesOfSpace.get(space);
  if (names === undefined) {
    // The primary model's keys are plain config keys; its name is prefixed here too, so a model
    // keys its configs alike whether it is the primary or not.
    const modelName = (j: number): string => space.models[j].name;
    names = {
      config: space.configs.map((c, i) => `${modelName(space.modelOf[i])}/${configKey(c)}`),
      family: space.families.map((f) => `family:${modelName(f.model)}/${configKey(f.rawConfig)}`),
    };
    namesOfSpace.set(space, names);
  }
  return names;
}

/** A uniform in (0, 1) from the seed and a name alone: the same name draws the same number in any grid. */
function nameUniform(seed: number, name: string): number {
  return (scrambleSeed(fnv1a32(name, scrambleSeed(seed))) + 0.5) / 2 ** 32;
}

/** Ascending by key, ties by name (never by index, which differs between grids). */
function byKey(keys: Float64Array, names: readonly string[]): (a: number, b: number) => number {
  return (a, b) => keys[a] - keys[b] || (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0);
}

/** The grid-stable sampler: common random numbers across grids (the module comment says what differs). */
function sampleGridStable(input: SampleInput): Sample {
  const { space, familyAllowed, k, seed } = input;
  const perFamily = input.configsPerModelRow;
  const names = spaceNames(space);
  const configKeys = Float64Array.from(names.config, (name) => nameUniform(seed, name));
  const familyKeys = Float64Array.from(names.family, (name) => nameUniform(seed, name));
  const memberOrder = byKey(configKeys, names.config);
  const taken = new Uint8Array(space.configs.length);
  const familyUsed = new Uint8Array(space.families.length);
  const order: number[] = [];
  const sources: SampleSource[] = [];

  const take = (i: number, source: SampleSource): void => {
    taken[i] = 1;
    familyUsed[space.familyOf[i]] = 1;
    order.push(i);
    sources.push(source);
  };
  /** Up to `count` untaken members of family f, in the order of their keys. */
  const takeMembers = (f: number, count: number, source: SampleSource): void => {
    const members = space.families[f].members.filter((i) => !taken[i]).sort(memberOrder);
    for (let j = 0; j < members.length && j < count && order.length < k; j++) take(members[j], source);
  };

  takeDefaults(input, taken, () => order.length >= k, take, takeMembers);

  if (input.priorWeights !== null && order.length < k) {
    // Efraimidis–Spirakis as in the per-grid sampler, with u from the config's name (its own
    // salt, so a prior draw is independent of the member order).
    const w = input.priorWeights;
    const priorKeys = new Float64Array(w.length);
    const candidates: number[] = [];
    for (let i = 0; i < w.length; i++) {
      if (w[i] > 0 && !taken[i] && familyAllowed[space.familyOf[i]]) {
        priorKeys[i] = -Math.log(nameUniform(seed, `prior:${names.config[i]}`)) / w[i];
        candidates.push(i);
      }
    }
    candidates.sort(byKey(priorKeys, names.config));
    for (const i of candidates) {
      if (order.length >= k) break;
      take(i, 'prior');
    }
  }

  // Rounds over the strata: a family's round is its rank by key among its stratum's unused
  // allowed families, one later in a stratum an earlier step already covered; within a round,
  // families go by key. So every stratum is covered before any repeats.
  const covered = new Uint8Array(space.strata);
  for (const i of order) covered[space.families[space.familyOf[i]].stratum] = 1;
  const familyOrder = byKey(familyKeys, names.family);
  const byStratum: number[][] = Array.from({ length: space.strata }, () => []);
  space.families.forEach((family, f) => {
    if (familyAllowed[f] && !familyUsed[f]) byStratum[family.stratum].push(f);
  });
  const round = new Int32Array(space.families.length);
  byStratum.forEach((list, s) => list.sort(familyOrder).forEach((f, rank) => (round[f] = rank + covered[s])));
  const explore = byStratum.flat().sort((a, b) => round[a] - round[b] || familyOrder(a, b));
  for (const f of explore) {
    if (order.length >= k) break;
    takeMembers(f, perFamily, 'stratified');
  }
  // As in the per-grid sampler: what is left (siblings beyond configsPerModelRow, families a
  // prior touched) only when the grid is otherwise exhausted — by key, not by index.
  if (order.length < k) {
    const rest: number[] = [];
    for (let i = 0; i < space.configs.length; i++) if (!taken[i] && familyAllowed[space.familyOf[i]]) rest.push(i);
    rest.sort(memberOrder);
    for (let j = 0; j < rest.length && order.length < k; j++) take(rest[j], 'stratified');
  }
  return { order, sources };
}
