/**
 * The tuning / evaluation split of a fleet (or of a file set): tenants whose data chose the best
 * fixed config and built the archetype store never appear among the tenants it is scored on.
 *
 * The split is a pure function of (tenant id, seed): a tenant's side does not depend on which
 * other tenants exist or their order, so a fleet read in a different order, or a subset of it,
 * splits the same way. Disjointness is asserted in code (`assertDisjoint`, `assertSide`): a leak
 * throws, it does not print a warning.
 */
import { fnv1a32 } from '@tsfm/numerics';

/** FNV-1a (32-bit) of a string, then a murmur3 finaliser so nearby ids spread over [0, 2^32). */
export function stableHash(text: string): number {
  let h = fnv1a32(text);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) determined by (seed, key). */
export function hashUnit(seed: number, key: string): number {
  return stableHash(`${seed}:${key}`) / 4294967296;
}

export class SplitLeakError extends Error {
  override readonly name = 'SplitLeakError';
}

export interface TenantSplit {
  readonly seed: number;
  /** Share of tenants that go to tuning (the rest are evaluated). */
  readonly tuningShare: number;
  /** In input order. */
  readonly tuning: readonly string[];
  readonly evaluation: readonly string[];
}

export interface SplitOptions {
  /** Default 0.3. */
  readonly tuningShare?: number;
  /** Default 0. */
  readonly seed?: number;
}

export type SplitSide = 'tuning' | 'evaluation';

export function sideOf(id: string, tuningShare: number, seed: number): SplitSide {
  return hashUnit(seed, `split:${id}`) < tuningShare ? 'tuning' : 'evaluation';
}

export function splitTenants(ids: readonly string[], options: SplitOptions = {}): TenantSplit {
  const tuningShare = options.tuningShare ?? 0.3;
  const seed = options.seed ?? 0;
  if (!(tuningShare > 0 && tuningShare < 1)) throw new RangeError(`tuningShare must be in (0, 1), got ${tuningShare}`);
  if (new Set(ids).size !== ids.length)
    throw new SplitLeakError('tenant ids are not unique: a duplicated id could land on both sides of the split');
  const tuning: string[] = [];
  const evaluation: string[] = [];
  for (const id of ids) (sideOf(id, tuningShare, seed) === 'tuning' ? tuning : evaluation).push(id);
  const split = { seed, tuningShare, tuning, evaluation };
  assertDisjoint(split);
  return split;
}

/** Throws SplitLeakError when a tenant is on both sides (or a side lists a tenant twice). */
export function assertDisjoint(split: Pick<TenantSplit, 'tuning' | 'evaluation'>): void {
  const tuning = new Set(split.tuning);
  if (tuning.size !== split.tuning.length) throw new SplitLeakError('the tuning side lists a tenant twice');
  const evaluation = new Set(split.evaluation);
  if (evaluation.size !== split.evaluation.length) throw new SplitLeakError('the evaluation side lists a tenant twice');
  const leaked = split.evaluation.filter((id) => tuning.has(id));
  if (leaked.length > 0) {
    throw new SplitLeakError(
      `${leaked.length} tenant(s) are both tuning and evaluation tenants: ${leaked.slice(0, 5).join(', ')}${leaked.length > 5 ? ', …' : ''}`,
    );
  }
}

/** Throws SplitLeakError unless every id is on `side` of the split. */
export function assertSide(split: TenantSplit, ids: Iterable<string>, side: SplitSide): void {
  const allowed = new Set(side === 'tuning' ? split.tuning : split.evaluation);
  for (const id of ids) {
    if (!allowed.has(id))
      throw new SplitLeakError(`tenant ${id} is used as a ${side} tenant but is not on the ${side} side of the split`);
  }
}

/** The evaluation tenants of a seeded subset, in a fixed hashed order. */
export function subsetOf(split: TenantSplit, n: number, seed: number, label: string): string[] {
  return [...split.evaluation]
    .sort((a, b) => hashUnit(seed, `${label}:${a}`) - hashUnit(seed, `${label}:${b}`))
    .slice(0, n);
}
