/**
 * Bit-identity of the fleet's random streams across the move of sfc32 to @tsfm/numerics (issue 14
 * §3): the hashes were computed before the move, from the generator as it was. A changed hash
 * means an existing fleet seed now generates other tenants.
 */
import { describe, expect, it } from 'vitest';
import { draw, pinnedHash as hash, pinnedTextHash } from '../../../test-fixtures/pinned-hash.js';
import { corpusSeries, fleetOptions, generateFleet, Rng } from '../src/index.js';

describe('pinned fleet streams (computed before sfc32 moved to @tsfm/numerics)', () => {
  const cases: [number[], { mixed: string; normal: string }][] = [
    [[1, 0, 0, 0], { mixed: 'dbe190b0e0c820fc', normal: '30e4e432de5bb3a8' }],
    [[7, 42, 3, 2], { mixed: 'ff1a1216a3fc92cf', normal: 'a90e26f61c8fa46e' }],
    [[0x41524348, 2 ** 40 + 5, 2 ** 33, 9], { mixed: 'c66561cd30fe9c2c', normal: '4ef5c012e88ba280' }],
  ];

  it('every distribution of Rng, and normal() and fillNormal() alike', () => {
    for (const [[d, s, i, st], want] of cases) {
      const key = `${d},${s},${i},${st}`;
      let rng = new Rng(d, s, i, st);
      // Each step draws from all eight distributions in turn and keeps one (as the pin was made).
      const mixed = draw(2000, (j) => {
        const all = [
          rng.uniform(),
          rng.uniformPositive(),
          rng.between(-3, 5),
          rng.exponential(2),
          rng.normal(),
          rng.poisson(4),
          rng.int(17),
          rng.pick([1, 2, 3]),
        ];
        return all[j % 8];
      });
      expect(hash(mixed), key).toBe(want.mixed);
      rng = new Rng(d, s, i, st);
      expect(hash(draw(50000, () => rng.normal())), key).toBe(want.normal);
      rng = new Rng(d, s, i, st);
      const filled = new Float64Array(50000);
      rng.fillNormal(filled, filled.length);
      expect(hash(filled), key).toBe(want.normal);
    }
  });

  it('a seeded fleet and a corpus series', () => {
    const fleet = [...generateFleet(fleetOptions({ seed: 7, tenants: 6, days: 2 }))];
    const summary = fleet.map((t) => ({
      id: t.id,
      p: t.params,
      s: t.spikeCount,
      m: Object.fromEntries(Object.entries(t.metrics).map(([k, v]) => [k, hash(v)])),
    }));
    expect(pinnedTextHash(JSON.stringify(summary))).toBe('ccaa65008281f930');
    expect(hash(corpusSeries(2147483653, 11, 2048))).toBe('a288159a0fdfd7a2');
  });
});
