import { fnv1a32 } from '@tsfm/numerics';
import {
  configGrid,
  configKey,
  DEFAULT_CONFIG,
  NORMALISATIONS,
  RESOLUTIONS,
  type ForecastConfig,
} from '@tsfm/tsfm-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigSpace, sampleConfigs, type HarnessModel, type Sample, type SampleInput } from '../src/index.js';
import { FakeForecaster, naive } from './helpers/fake-forecaster.js';

const space = new ConfigSpace([{ name: 'default', forecaster: new FakeForecaster(naive) }]);
const allFamilies = new Uint8Array(space.families.length).fill(1);
const defaultIndex = space.defaultByResolution[0];

function sample(over: Partial<SampleInput> = {}) {
  return sampleConfigs({
    space,
    familyAllowed: allFamilies,
    defaultIndex,
    priorWeights: null,
    k: 32,
    configsPerModelRow: 2,
    seed: 7,
    ...over,
  });
}

describe('config space', () => {
  it('holds the full grid (512 configs in 128 model-input families), default first at each resolution', () => {
    expect(space.configs.length).toBe(512);
    expect(space.families.length).toBe(128);
    expect(space.keys[defaultIndex]).toBe(configKey(DEFAULT_CONFIG));
    expect(space.defaultByResolution.map((i) => space.configs[i].resolutionMinutes)).toEqual([1, 5, 15, 60]);
  });
});

describe('sampleConfigs', () => {
  it('samples without replacement, the default first', () => {
    const s = sample({ k: 200 });
    expect(s.order.length).toBe(200);
    expect(new Set(s.order).size).toBe(200);
    expect(s.order[0]).toBe(defaultIndex);
    expect(s.sources[0]).toBe('default');
  });

  it('covers every (resolution × normalisation) stratum before repeating one', () => {
    const s = sample({ k: 32, configsPerModelRow: 2 });
    const families = [...new Set(s.order.map((i) => space.familyOf[i]))];
    expect(families.length).toBe(16);
    const strata = new Set(families.map((f) => space.families[f].stratum));
    expect(strata.size).toBe(RESOLUTIONS.length * NORMALISATIONS.length);
  });

  it('balances context length and flip across the first round', () => {
    const s = sample({ k: 32, configsPerModelRow: 2 });
    const families = [...new Set(s.order.map((i) => space.familyOf[i]))].map((f) => space.families[f]);
    const flips = families.filter((f) => f.flip).length;
    expect(flips).toBe(8);
    const perContext = new Map<number, number>();
    for (const f of families) perContext.set(f.contextLength, (perContext.get(f.contextLength) ?? 0) + 1);
    expect([...perContext.values()].every((n) => n === 4)).toBe(true);
  });

  it('configsPerModelRow = c groups c post-processing variants per model input (free configs)', () => {
    for (const c of [1, 2, 4]) {
      const s = sample({ k: 32, configsPerModelRow: c });
      expect(new Set(s.order.map((i) => space.familyOf[i])).size).toBe(32 / c);
    }
  });

  it('is deterministic for a seed and differs across seeds', () => {
    expect(sample({ seed: 3 }).order).toEqual(sample({ seed: 3 }).order);
    const orders = new Set([1, 2, 3, 4, 5].map((seed) => sample({ seed }).order.join(',')));
    expect(orders.size).toBe(5);
  });

  it('never uses a family that is not allowed', () => {
    const allowed = Uint8Array.from(space.families, (f) => (f.resolutionMinutes === 60 ? 0 : 1));
    const s = sample({ familyAllowed: allowed, k: 400 });
    expect(s.order.every((i) => space.configs[i].resolutionMinutes !== 60)).toBe(true);
    expect(s.order.length).toBe(384); // every config of the allowed families, then no more
  });

  it.each(['per-grid', 'grid-stable'] as const)(
    'with a prior, draws proportionally to it (weighted sampling without replacement): %s',
    (sampler) => {
      const a = space.indexOf('ctx64-r5-mean-std-flip0-clamp1-fix1')!;
      const b = space.indexOf('ctx128-r15-log1p-flip1-clamp0-fix0')!;
      const weights = new Float64Array(space.configs.length);
      weights[a] = 0.8;
      weights[b] = 0.2;
      let aFirst = 0;
      const trials = 2000;
      for (let seed = 0; seed < trials; seed++) {
        // k = 3: the default, its free variant, then exactly one prior draw.
        const s = sample({ priorWeights: weights, k: 3, seed, sampler });
        expect(s.sources[2]).toBe('prior');
        if (s.order[2] === a) aFirst++;
      }
      // Binomial(2000, 0.8): sd ≈ 18; allow ±4 sd.
      expect(Math.abs(aFirst - 0.8 * trials)).toBeLessThan(72);
    },
  );

  it('prior configs come before exploration, and exploration fills the rest', () => {
    const weights = new Float64Array(space.configs.length);
    const keys = [
      'ctx64-r5-mean-std-flip0-clamp1-fix1',
      'ctx256-r60-none-flip1-clamp1-fix0',
      'ctx128-r1-log1p-flip0-clamp0-fix1',
    ];
    for (const k of keys) weights[space.indexOf(k)!] = 1;
    const s = sample({ priorWeights: weights, k: 10 });
    expect(s.sources.slice(0, 2)).toEqual(['default', 'default-variant']);
    expect(new Set(s.order.slice(2, 5).map((i) => space.keys[i]))).toEqual(new Set(keys));
    expect(s.sources.slice(5).every((x) => x === 'stratified')).toBe(true);
  });
});

describe('the per-grid sampler (the default) is unchanged', () => {
  it('draws what it drew before the grid-stable sampler existed (fingerprints from main at c3d0d2d)', () => {
    const weights = new Float64Array(space.configs.length);
    for (let i = 0; i < weights.length; i += 7) weights[i] = 1 + (i % 5);
    const fingerprint = (s: Sample) => fnv1a32(s.order.map((i) => space.keys[i]).join(',') + '|' + s.sources.join(','));
    expect(fingerprint(sample({ seed: 7, k: 32, configsPerModelRow: 2 }))).toBe(3602525019);
    expect(fingerprint(sample({ seed: 1, k: 600, configsPerModelRow: 1 }))).toBe(4079684793);
    expect(fingerprint(sample({ seed: 3, k: 64, configsPerModelRow: 3, priorWeights: weights }))).toBe(3013346141);
    // Named explicitly, it is the same sampler.
    expect(sample({ seed: 7, sampler: 'per-grid' })).toEqual(sample({ seed: 7 }));
  });
});

/**
 * The grid-stable sampler over harnesses built from different grids, as the runner's experiments
 * build them: the spaces' indexes differ, so every comparison goes by config key.
 */
describe("sampleConfigs({ sampler: 'grid-stable' })", () => {
  const UNIVERSE = configGrid();
  const dims = (c: ForecastConfig) => ({
    context: c.contextLength,
    resolution: c.resolutionMinutes,
    normalisation: c.normalisation,
    flip: c.flip,
    variant: `${c.clampNonNegative}|${c.fixCrossing}`,
  });
  type Dims = ReturnType<typeof dims>;
  const VALUES: { [K in keyof Dims]: Dims[K][] } = {
    context: [64, 128, 256, 512],
    resolution: [...RESOLUTIONS],
    normalisation: [...NORMALISATIONS],
    flip: [false, true],
    variant: ['true|true', 'true|false', 'false|true', 'false|false'],
  };
  /** Nonempty subsets of each knob's values, as an experiment's grid knobs choose them. */
  const knobs = () =>
    fc.record(
      Object.fromEntries(
        (Object.keys(VALUES) as (keyof Dims)[]).map((d) => [d, fc.subarray(VALUES[d] as unknown[], { minLength: 1 })]),
      ) as { [K in keyof Dims]: fc.Arbitrary<unknown[]> },
    );
  type Knobs = { [K in keyof Dims]: unknown[] };
  const inKnobs = (c: ForecastConfig, k: Knobs) =>
    (Object.keys(VALUES) as (keyof Dims)[]).every((d) => k[d].includes(dims(c)[d]));

  interface Grid {
    readonly configs: readonly ForecastConfig[];
    /** A second model, `other` (context ≤ 256), beside the primary. */
    readonly other: boolean;
  }
  function build(grid: Grid): ConfigSpace {
    const models: HarnessModel[] = [{ name: 'default', forecaster: new FakeForecaster(naive), grid: grid.configs }];
    if (grid.other)
      models.push({
        name: 'other',
        forecaster: new FakeForecaster(naive, { contextLength: 256 }),
        grid: grid.configs.filter((c) => c.contextLength <= 256),
      });
    return new ConfigSpace(models);
  }
  function draw(s: ConfigSpace, over: Partial<SampleInput> = {}): { keys: string[]; sample: Sample } {
    const sample = sampleConfigs({
      space: s,
      familyAllowed: new Uint8Array(s.families.length).fill(1),
      defaultIndex: s.defaultByResolution[0],
      priorWeights: null,
      k: 4096,
      configsPerModelRow: 2,
      seed: 0,
      sampler: 'grid-stable',
      ...over,
    });
    return { keys: sample.order.map((i) => s.keys[i]), sample };
  }

  /** Grid A (knob subsets, some configs dropped, shuffled) and B ⊂ A (the same again, on A). */
  const nestedGrids = (bKnobs: ReturnType<typeof knobs>) =>
    fc
      .record({
        a: knobs(),
        b: bKnobs,
        aDrop: fc.array(fc.boolean(), { minLength: UNIVERSE.length, maxLength: UNIVERSE.length }),
        bDrop: fc.array(fc.boolean(), { minLength: UNIVERSE.length, maxLength: UNIVERSE.length }),
        dropSome: fc.boolean(),
        aOther: fc.boolean(),
        bOther: fc.boolean(),
        aOrder: fc.nat(),
        bOrder: fc.nat(),
      })
      .map((g) => {
        const a = UNIVERSE.filter((c, i) => inKnobs(c, g.a) && !(g.dropSome && g.aDrop[i]));
        const b = a.filter((c) => inKnobs(c, g.b) && !(g.dropSome && g.bDrop[UNIVERSE.indexOf(c)]));
        return {
          a: { configs: shuffled(a, g.aOrder), other: g.aOther },
          b: { configs: shuffled(b, g.bOrder), other: g.aOther && g.bOther },
        };
      });
  const run = { k: fc.integer({ min: 1, max: 80 }), perRow: fc.integer({ min: 1, max: 4 }), seed: fc.integer() };

  it('(a) B ⊂ A: every config of B is at the same or an earlier place in B’s order than in A’s, so A’s first k in B are among B’s first k', () => {
    fc.assert(
      fc.property(nestedGrids(knobs()), fc.record(run), ({ a, b }, { k, perRow, seed }) => {
        const inA = draw(build(a), { seed, configsPerModelRow: perRow }).keys;
        const inB = draw(build(b), { seed, configsPerModelRow: perRow }).keys;
        const placeInA = new Map(inA.map((key, p) => [key, p]));
        inB.forEach((key, p) => expect(p).toBeLessThanOrEqual(placeInA.get(key) ?? -1));
        const firstB = new Set(inB.slice(0, k));
        for (const key of inA.slice(0, k)) if (inB.includes(key)) expect(firstB.has(key)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('(a) B lacks only whole strata of A (normalisations per resolution, the second model): A’s order restricted to B is B’s order', () => {
    // Strata that hold a fleet default (its normalisation, at any resolution) are in every space,
    // so a grid never removes them whole; the others go whole or stay.
    const removable = RESOLUTIONS.flatMap((r) =>
      NORMALISATIONS.filter((n) => n !== DEFAULT_CONFIG.normalisation).map((n) => `${r}|${n}`),
    );
    fc.assert(
      fc.property(
        nestedGrids(knobs()),
        fc.subarray(removable),
        fc.boolean(),
        fc.record(run),
        ({ a }, removed, dropOther, { perRow, seed }) => {
          const kept = a.configs.filter((c) => !removed.includes(`${c.resolutionMinutes}|${c.normalisation}`));
          const bSpace = build({ configs: kept, other: a.other && !dropOther });
          const inA = draw(build(a), { seed, configsPerModelRow: perRow }).keys;
          const inB = draw(bSpace, { seed, configsPerModelRow: perRow }).keys;
          const names = new Set(bSpace.keys);
          expect(inB).toEqual(inA.filter((key) => names.has(key)));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('(a) within a stratum the relative order of B’s families is A’s, whatever B lacks', () => {
    const familyOf = (key: string) => key.replace(/-clamp[01]-fix[01]$/, '');
    const stratumOf = (key: string) => key.replace(/ctx\d+-/, '').replace(/-flip[01]-clamp[01]-fix[01]$/, '');
    fc.assert(
      fc.property(nestedGrids(knobs()), fc.record(run), ({ a, b }, { perRow, seed }) => {
        const families = (keys: string[]) => [...new Set(keys.map(familyOf))];
        const inA = families(draw(build(a), { seed, configsPerModelRow: perRow }).keys);
        const inB = families(draw(build(b), { seed, configsPerModelRow: perRow }).keys);
        const inBSet = new Set(inB);
        for (const stratum of new Set(inB.map(stratumOf))) {
          const of = (list: string[]) => list.filter((f) => stratumOf(f) === stratum);
          expect(of(inB)).toEqual(of(inA).filter((f) => inBSet.has(f)));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('(b) every prefix is a valid sample: the default first, no repeats, allowed families only, a stratum covered before any repeats, prefixes of K are the sample for smaller K', () => {
    fc.assert(
      fc.property(
        nestedGrids(knobs()),
        fc.record(run),
        fc.array(fc.boolean(), { minLength: 256, maxLength: 256 }),
        ({ a }, { k, perRow, seed }, mask) => {
          const s = build(a);
          const defaultFamily = s.familyOf[s.defaultByResolution[0]];
          const allowed = Uint8Array.from(s.families, (_, f) => (f === defaultFamily || mask[f % 256] ? 1 : 0));
          const full = draw(s, { seed, configsPerModelRow: perRow, familyAllowed: allowed }).sample;
          const short = draw(s, { seed, configsPerModelRow: perRow, familyAllowed: allowed, k }).sample;
          expect(short.order).toEqual(full.order.slice(0, k));
          expect(short.sources).toEqual(full.sources.slice(0, k));

          const { order, sources } = full;
          expect(order[0]).toBe(s.defaultByResolution[0]);
          expect(sources[0]).toBe('default');
          expect(new Set(order).size).toBe(order.length);
          expect(order.every((i) => allowed[s.familyOf[i]] === 1)).toBe(true);
          // Every allowed config, once the K is large enough.
          expect(order.length).toBe(s.configs.filter((_, i) => allowed[s.familyOf[i]] === 1).length);

          const familiesLeft = new Int32Array(s.strata);
          s.families.forEach((f, j) => (familiesLeft[f.stratum] += allowed[j]));
          const used = new Int32Array(s.strata);
          const seen = new Set<number>();
          const perFamily = new Map<number, number>();
          order.forEach((i, p) => {
            const f = s.familyOf[i];
            perFamily.set(f, (perFamily.get(f) ?? 0) + 1);
            if (seen.has(f)) return;
            seen.add(f);
            const stratum = s.families[f].stratum;
            if (sources[p] === 'stratified' && perFamily.get(f) === 1) {
              // A stratum's (n+1)-th family only once every stratum with families left has n.
              for (let t = 0; t < s.strata; t++)
                if (familiesLeft[t] > 0 && t !== stratum) expect(used[t]).toBeGreaterThanOrEqual(used[stratum]);
            }
            used[stratum]++;
            familiesLeft[stratum]--;
          });
          // configsPerModelRow members per family before any family gets more.
          const firstOverflow = order.findIndex((_, p) => {
            const f = s.familyOf[order[p]];
            return order.slice(0, p + 1).filter((j) => s.familyOf[j] === f).length > perRow;
          });
          if (firstOverflow >= 0)
            expect(order.slice(firstOverflow).every((i) => (perFamily.get(s.familyOf[i]) ?? 0) > perRow)).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('(c) deterministic for a seed and independent of the grid’s order; different seeds draw differently', () => {
    fc.assert(
      fc.property(nestedGrids(knobs()), fc.integer(), fc.nat(), ({ a }, seed, reorder) => {
        const once = draw(build(a), { seed }).keys;
        expect(draw(build(a), { seed }).keys).toEqual(once);
        expect(draw(build({ ...a, configs: shuffled(a.configs, reorder) }), { seed }).keys).toEqual(once);
      }),
      { numRuns: 30 },
    );
    const orders = new Set([1, 2, 3, 4, 5].map((seed) => sample({ seed, sampler: 'grid-stable' }).order.join(',')));
    expect(orders.size).toBe(5);
  });

  it('keeps the sequence: default and its free variant, model defaults, the prior, then one family per stratum', () => {
    const two = build({ configs: UNIVERSE, other: true });
    const s = draw(two, { k: 64 }).sample;
    expect(s.sources.slice(0, 4)).toEqual(['default', 'default-variant', 'model-default', 'model-default']);
    // The other model's default: the fleet default at its own longest context.
    expect(two.keys[s.order[2]]).toBe(`other/${configKey({ ...DEFAULT_CONFIG, contextLength: 256 })}`);
    // 32 strata (2 models × 16), two covered by the defaults: the next 30 families cover the other 30.
    const explored = [...new Set(s.order.slice(4).map((i) => two.familyOf[i]))].slice(0, 30);
    expect(new Set(explored.map((f) => two.families[f].stratum)).size).toBe(30);

    const weights = new Float64Array(space.configs.length);
    const keys = ['ctx64-r5-mean-std-flip0-clamp1-fix1', 'ctx256-r60-none-flip1-clamp1-fix0'];
    for (const key of keys) weights[space.indexOf(key) ?? -1] = 1;
    const p = sample({ priorWeights: weights, k: 10, sampler: 'grid-stable' });
    expect(p.sources.slice(0, 4)).toEqual(['default', 'default-variant', 'prior', 'prior']);
    expect(new Set(p.order.slice(2, 4).map((i) => space.keys[i]))).toEqual(new Set(keys));
    expect(p.sources.slice(4).every((x) => x === 'stratified')).toBe(true);
  });
});

/** The items in a seeded order (a grid's order must not matter to the grid-stable sampler). */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
