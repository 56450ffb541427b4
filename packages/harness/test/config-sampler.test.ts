import { configKey, DEFAULT_CONFIG, NORMALISATIONS, RESOLUTIONS } from '@tsfm/tsfm-client';
import { describe, expect, it } from 'vitest';
import { ConfigSpace, sampleConfigs, type SampleInput } from '../src/index.js';
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

  it('with a prior, draws proportionally to it (weighted sampling without replacement)', () => {
    const a = space.indexOf('ctx64-r5-mean-std-flip0-clamp1-fix1')!;
    const b = space.indexOf('ctx128-r15-log1p-flip1-clamp0-fix0')!;
    const weights = new Float64Array(space.configs.length);
    weights[a] = 0.8;
    weights[b] = 0.2;
    let aFirst = 0;
    const trials = 2000;
    for (let seed = 0; seed < trials; seed++) {
      // k = 3: the default, its free variant, then exactly one prior draw.
      const s = sample({ priorWeights: weights, k: 3, seed });
      expect(s.sources[2]).toBe('prior');
      if (s.order[2] === a) aFirst++;
    }
    // Binomial(2000, 0.8): sd ≈ 18; allow ±4 sd.
    expect(Math.abs(aFirst - 0.8 * trials)).toBeLessThan(72);
  });

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
