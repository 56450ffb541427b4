/**
 * Bit-identity of the trainer's random streams across the move of sfc32 and the normal quantile
 * to @tsfm/numerics (issue 14 §3): the hashes were computed before the move. A changed hash means
 * an existing training seed now starts from other weights or draws other windows.
 */
import { describe, expect, it } from 'vitest';
import { draw, pinnedHash as hash } from '../../../test-fixtures/pinned-hash.js';
import { seasonalCorpusSeries } from '../src/data/seasonal-corpus.js';
import { DEFAULT_CONFIG, initParams, Rng } from '../src/index.js';

describe('pinned training streams (computed before sfc32 moved to @tsfm/numerics)', () => {
  it('uint32, next, int and normal of Rng for several seeds and streams', () => {
    const cases: [number, number, string, string][] = [
      [0, 0, '1eae7880dce8dd1d', 'c73d8938e4d5945a'],
      [1, 0, '06f950e2de89991e', '8cb0aa46742abc84'],
      [1, 3, 'd7c163cbf75c3dfd', 'da72b57707b2e92c'],
      [123456789, 7, 'b99329749ae014bf', '345edb5c11d842b4'],
    ];
    for (const [seed, stream, uint32, mixed] of cases) {
      let rng = new Rng(seed, stream);
      expect(hash(draw(2000, () => rng.uint32())), `${seed},${stream}`).toBe(uint32);
      rng = new Rng(seed, stream);
      // Each step draws next, int and normal in turn and keeps one (as the pin was made).
      const draws = draw(3000, (j) => [rng.next(), rng.int(-5, 9), rng.normal()][j % 3]);
      expect(hash(draws), `${seed},${stream}`).toBe(mixed);
    }
  });

  it('initial weights and a seasonal corpus series', () => {
    expect(hash(initParams(DEFAULT_CONFIG, 3))).toBe('1d283d5809b2f638');
    expect(hash(seasonalCorpusSeries(2147483653, 11, 2048))).toBe('58d70bbf737790a1');
  });
});
