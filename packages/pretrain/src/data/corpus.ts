/**
 * Resolves the training corpus. `workload-gen` is the real pretraining corpus
 * (`corpusSeries` from @tsfm/workload-gen); `standin` is this package's seasonal generator alone
 * (tests, quick experiments); `mixed` (the default model's corpus) interleaves the two 50/50.
 * Corpus seeds live in their own domain in workload-gen (≥ CORPUS_SEED_BASE) so pretraining can
 * never replay an evaluation fleet's randomness; the CLI's small seed is offset into that domain.
 */
import { CORPUS_SEED_BASE, corpusSeries } from '@tsfm/workload-gen';
import type { SeriesSource } from './windows.js';
import { seasonalCorpusSeries } from './seasonal-corpus.js';

export type CorpusName = 'workload-gen' | 'standin' | 'mixed';

export const CORPUS_NAMES: readonly CorpusName[] = ['workload-gen', 'standin', 'mixed'];

/** Share of series drawn from seasonalCorpusSeries in the `mixed` corpus. */
export const MIXED_SEASONAL_FRACTION = 0.5;

export interface ResolvedCorpus {
  name: CorpusName;
  source: SeriesSource;
  /** The seed passed to the source for a given training seed. */
  corpusSeed(seed: number): number;
}

export function resolveCorpus(name: CorpusName): ResolvedCorpus {
  if (name === 'standin') return { name, source: seasonalCorpusSeries, corpusSeed: (s) => s };
  if (name === 'workload-gen') return { name, source: corpusSeries, corpusSeed: (s) => CORPUS_SEED_BASE + s };
  return { name, source: mixedSource, corpusSeed: (s) => CORPUS_SEED_BASE + s };
}

/** Series `index` comes from one generator or the other by a hash of the index (deterministic, interleaved). */
function mixedSource(seed: number, index: number, length: number): Float32Array {
  const u = (Math.imul(index ^ (index >>> 16), 0x45d9f3b) >>> 0) / 4294967296;
  return u < MIXED_SEASONAL_FRACTION ? seasonalCorpusSeries(seed, index, length) : corpusSeries(seed, index, length);
}
