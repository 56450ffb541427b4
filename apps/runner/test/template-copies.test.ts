/**
 * The tiny template keeps self-contained copies of two @tsfm/numerics basics (its code is frozen
 * into every experiment anchored from it; see the comments there). They must stay the same
 * functions: the same stream for every seed, the same quantile at every level.
 */
import { Mulberry32, normalQuantile } from '@tsfm/numerics';
import { describe, expect, it } from 'vitest';
import { Rng } from '../templates/tiny/contract.js';
import { inverseNormal } from '../templates/tiny/prepare.js';

describe('the tiny template’s copies of @tsfm/numerics', () => {
  it('Rng is mulberry32', () => {
    for (const seed of [0, 1, 42, 0xffffffff, 123456789]) {
      const copy = new Rng(seed);
      const shared = new Mulberry32(seed);
      for (let i = 0; i < 1000; i++) expect(copy.next()).toBe(shared.next());
    }
  });

  it('inverseNormal is normalQuantile on (0, 1)', () => {
    for (let i = 1; i < 10000; i++) expect(inverseNormal(i / 10000)).toBe(normalQuantile(i / 10000));
    for (const p of [1e-300, 1e-12, 0.02425, 0.97575, 1 - 1e-12]) expect(inverseNormal(p)).toBe(normalQuantile(p));
  });
});
