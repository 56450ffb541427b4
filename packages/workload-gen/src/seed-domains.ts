/**
 * Fleet (evaluation) seeds and corpus (pretraining) seeds live in disjoint ranges AND hash under
 * different domain tags, so a pretraining series can never replay an evaluation tenant's
 * randomness: a model pretrained on the corpus stays zero-shot on every generated fleet.
 */

/** Domain tags mixed into every PRNG stream ('FLET', 'CORP'). */
export const FLEET_DOMAIN = 0x464c4554;
export const CORPUS_DOMAIN = 0x434f5250;

/** Fleet seeds are integers in [0, CORPUS_SEED_BASE); corpus seeds in [CORPUS_SEED_BASE, 2^32). */
export const CORPUS_SEED_BASE: number = 0x80000000;
export const MAX_CORPUS_SEED = 0xffffffff;

export class SeedDomainError extends RangeError {
  override name = 'SeedDomainError';
}

export function assertFleetSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed >= CORPUS_SEED_BASE) {
    throw new SeedDomainError(
      `fleet seed must be an integer in [0, ${CORPUS_SEED_BASE}) (seeds from ${CORPUS_SEED_BASE} up are ` +
        `reserved for the pretraining corpus); got ${seed}`,
    );
  }
}

export function assertCorpusSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < CORPUS_SEED_BASE || seed > MAX_CORPUS_SEED) {
    throw new SeedDomainError(
      `corpus seed must be an integer in [CORPUS_SEED_BASE=${CORPUS_SEED_BASE}, ${MAX_CORPUS_SEED}] ` +
        `(e.g. CORPUS_SEED_BASE + k) so it can never coincide with a fleet seed; got ${seed}`,
    );
  }
}
