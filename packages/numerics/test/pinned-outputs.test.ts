/**
 * Bit-identity of every seeded stream and grid output this package took over (issue 14 §3): the
 * hashes were computed from the copies it replaced (the trainer's and the fleet's sfc32, the
 * harness's, the planner's and the test fixtures' mulberry32, the planner's FNV-1a, the normal
 * quantile of @tsfm/baselines and @tsfm/pretrain, the sorted quantile of @tsfm/losses and the
 * experiments, the crossing fix of @tsfm/baselines and @tsfm/tsfm-client) before they were
 * deleted. A changed hash means an existing seed now gives other numbers: a model trained, a
 * fleet generated or a planner run replayed from its seed would no longer reproduce.
 */
import { describe, expect, it } from 'vitest';
import { draw, pinnedHash as hash } from '../../../test-fixtures/pinned-hash.js';
import {
  fixCrossing,
  fnv1a32,
  hashWords,
  mix32,
  Mulberry32,
  mulberry32,
  normalQuantile,
  scrambleSeed,
  Sfc32,
  sortedQuantile,
  splitmix32State,
} from '../src/index.js';

/** The fleet generator's seeding (@tsfm/workload-gen's Rng), on the bare generator. */
function fleetSfc32(domain: number, seed: number, index: number, stream: number): Sfc32 {
  const split = (n: number): [number, number] => [n % 4294967296 >>> 0, Math.floor(n / 4294967296) >>> 0];
  const key = hashWords(domain, ...split(seed), ...split(index), stream);
  return new Sfc32(mix32(key ^ 0x243f6a88), mix32(key ^ 0x85a308d3), mix32(key ^ 0x13198a2e), 1, 15);
}

describe('pinned outputs (computed before the copies were merged)', () => {
  it('sfc32 seeded as the fleet generator seeds it', () => {
    const cases: [number[], string][] = [
      [[1, 0, 0, 0], 'b204bed7d6e9d916'],
      [[7, 42, 3, 2], '6a9aaf8c2cda037f'],
      [[0x41524348, 2 ** 40 + 5, 2 ** 33, 9], 'c09ef1bef5ef2684'],
    ];
    for (const [[d, s, i, st], expected] of cases) {
      const rng = fleetSfc32(d, s, i, st);
      expect(hash(draw(2000, () => rng.nextU32())), `${d},${s},${i},${st}`).toBe(expected);
    }
  });

  it('sfc32 seeded as the trainer seeds it', () => {
    const cases: [number, number, string][] = [
      [0, 0, '1eae7880dce8dd1d'],
      [1, 0, '06f950e2de89991e'],
      [1, 3, 'd7c163cbf75c3dfd'],
      [123456789, 7, 'b99329749ae014bf'],
    ];
    for (const [seed, stream, expected] of cases) {
      const [a, b, c, d] = splitmix32State(seed, stream);
      const rng = new Sfc32(a, b, c, d, 12);
      expect(hash(draw(2000, () => rng.nextU32())), `${seed},${stream}`).toBe(expected);
    }
  });

  it('mulberry32: raw seeds, scrambled seeds, the function form, and FNV-1a', () => {
    const expected: Record<
      number,
      { harness: string; shuffle: string; planner: string; fixture: string; fnv: string }
    > = {
      0: {
        harness: '7ab876a9cbbd3c51',
        shuffle: 'aab9df983e4132f4',
        planner: 'e71810482530f852',
        fixture: '79a4a93467987cf4',
        fnv: 'e1cb9e0377e3cb2d',
      },
      1: {
        harness: '933f6733e413c11a',
        shuffle: '076ec1eb5b87f718',
        planner: 'ad9ebe5cd8eb54ee',
        fixture: 'c2ac5bbc975f1ca6',
        fnv: '4ba1941c55148265',
      },
      42: {
        harness: 'ac6e9cd95e749145',
        shuffle: '544bf9da21687733',
        planner: '2c6a207669fcd860',
        fixture: 'aff5d6f23f120330',
        fnv: '12750028b5f784d0',
      },
      4294967295: {
        harness: '239ceb0cfd048130',
        shuffle: '81e0fd49df3e3c41',
        planner: '6609974c26fde59e',
        fixture: '97551ca160393f8b',
        fnv: '5c6cafec55e1d211',
      },
      [-7]: {
        harness: '81dc0f41fe4a7826',
        shuffle: '86e0b8c1d1b12ecb',
        planner: '5effde7115aede98',
        fixture: 'af13c740414066da',
        fnv: '42d83c12a34e58fb',
      },
    };
    const texts = ['', 'a', 'offline-planner', 'ü∂ long text '.repeat(9)];
    for (const [key, want] of Object.entries(expected)) {
      const seed = Number(key);
      let harness = new Mulberry32(scrambleSeed(seed));
      expect(hash(draw(2000, (j) => (j % 2 ? harness.next() : harness.int(100)))), `harness ${seed}`).toBe(
        want.harness,
      );
      harness = new Mulberry32(scrambleSeed(seed));
      expect(hash(harness.shuffle(draw(300, (j) => j))), `shuffle ${seed}`).toBe(want.shuffle);
      const planner = new Mulberry32(seed);
      const plannerDraws = draw(2000, (j) =>
        j % 3 === 0 ? planner.next() : j % 3 === 1 ? planner.int(10) : planner.pick([5, 6, 7]),
      );
      expect(hash(plannerDraws), `planner ${seed}`).toBe(want.planner);
      const fixture = mulberry32(seed);
      expect(hash(draw(2000, () => fixture())), `fixture ${seed}`).toBe(want.fixture);
      expect(hash(texts.map((t) => fnv1a32(t, seed))), `fnv ${seed}`).toBe(want.fnv);
    }
  });

  it('normalQuantile over a grid of 100 001 levels and the edges', () => {
    const grid = [
      ...draw(100001, (i) => i / 100000),
      1e-300,
      1e-12,
      0.02425,
      1 - 0.02425,
      0.97575,
      0.975749999,
      0.9757500001,
      1 - 1e-12,
      -0.1,
      1.1,
      Number.NaN,
    ];
    expect(hash(grid.map(normalQuantile))).toBe('c4ab55d8656f83c7');
  });

  it('sortedQuantile and fixCrossing on seeded samples', () => {
    const rng = fleetSfc32(3, 3, 3, 3);
    // Box–Muller from the bare generator (not the fleet's ziggurat): data hashed through every old
    // copy (they all agreed on it) before they were deleted.
    const normal = (): number => Math.sqrt(-2 * Math.log(1 - rng.uniform())) * Math.cos(2 * Math.PI * rng.uniform());
    const samples: number[][] = [
      [],
      [4],
      [1, 2],
      ...draw(200, (i) => draw(1 + (i % 37), normal).sort((x, y) => x - y)),
    ];
    const levels = draw(41, (i) => i / 40);
    expect(hash(samples.flatMap((s) => levels.map((l) => sortedQuantile(s, l))))).toBe('c6138438f0a56de9');
    const m = new Float32Array(4500);
    for (let i = 0; i < m.length; i++) m[i] = Math.floor(i / 9) % 3 === 0 ? normal() : (i % 9) + rng.uniform() * 0.1;
    fixCrossing(m, 500, 9);
    expect(hash(m)).toBe('2752084c5af67057');
  });
});
