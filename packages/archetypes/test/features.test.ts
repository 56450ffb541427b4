import { DAY_MS, HOUR_MS, MINUTE_MS } from '@tsfm/numerics';
import { Rng } from '@tsfm/workload-gen';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FEATURE_GROUPS,
  FEATURE_GROUPS,
  FeatureExtractor,
  featureNames,
  tenantFeatures,
  type PointRange,
  type TenantSeries,
} from '../src/index.js';
import { quantileInPlace } from '../src/order-statistics.js';

/** Monday 2024-01-01 00:00 UTC. */
const MONDAY = Date.UTC(2024, 0, 1);
const UNIT = { cpu: 0.01, mem: 0.01, net: 1, disk: 1 } as const;
const slog = (v: number, unit: number) => Math.log1p(v / unit);

function tenant(metrics: Partial<Record<'cpu' | 'mem' | 'net' | 'disk', Float32Array>>, start = MONDAY): TenantSeries {
  return { start, stepMs: MINUTE_MS, metrics };
}

/** Every group's features, default groups or not. */
function allFeatures(t: TenantSeries, range?: PointRange): Float32Array {
  return tenantFeatures(t, FEATURE_GROUPS, range);
}

/** Named access to a feature vector. */
function named(values: Float32Array, groups = FEATURE_GROUPS): Record<string, number> {
  const names = featureNames(groups);
  return Object.fromEntries(names.map((n, i) => [n, values[i]]));
}

/** Stationary AR(1) with unit variance: x_t = φ x_{t−1} + √(1−φ²) ε_t. */
function ar1(n: number, phi: number, seed: number): Float64Array {
  const rng = new Rng(1, seed, 0, 0);
  const out = new Float64Array(n);
  let x = rng.normal();
  const innovation = Math.sqrt(1 - phi * phi);
  for (let i = 0; i < n; i++) {
    out[i] = x;
    x = phi * x + innovation * rng.normal();
  }
  return out;
}

function level(noise: Float64Array, base: number, sigma: number): Float32Array {
  return Float32Array.from(noise, (e) => base * (1 + sigma * e));
}

describe('feature names', () => {
  it('has the 28 core features, 7 per metric, first', () => {
    const names = featureNames(['core']);
    expect(names).toHaveLength(28);
    expect(names.slice(0, 7)).toEqual([
      'cpu.mean',
      'cpu.std',
      'cpu.min',
      'cpu.max',
      'cpu.p90',
      'cpu.acf1',
      'cpu.spikeRatio',
    ]);
    expect(names[27]).toBe('disk.spikeRatio');
  });

  it('defaults to core plus the extras the ablation kept', () => {
    expect(DEFAULT_FEATURE_GROUPS).toEqual(['core', 'diffAcf1', 'coupling', 'daily']);
    expect(new FeatureExtractor().dim).toBe(28 + 4 + 3 + 7);
  });

  it('keeps group order fixed whatever order the groups are asked in', () => {
    expect(featureNames(['daily', 'core'])).toEqual(featureNames(['core', 'daily']));
    expect(() => featureNames(['core', 'bogus' as never])).toThrow(/unknown feature group "bogus"/);
  });
});

describe('core features on hand-made series', () => {
  it('gives mean, std, min, max and p90 (type 7) of 1..100 on the log scale', () => {
    const cpu = Float32Array.from({ length: 100 }, (_, i) => (i + 1) / 1000);
    const f = named(allFeatures(tenant({ cpu })));
    expect(f['cpu.mean']).toBeCloseTo(slog(0.0505, UNIT.cpu), 5);
    // Sample sd of 1..100 is √(100·101/12) = 29.0115.
    expect(f['cpu.std']).toBeCloseTo(slog(0.0290115, UNIT.cpu), 4);
    expect(f['cpu.min']).toBeCloseTo(slog(0.001, UNIT.cpu), 5);
    expect(f['cpu.max']).toBeCloseTo(slog(0.1, UNIT.cpu), 5);
    // position 0.9·99 = 89.1 → 90 + 0.1·(91 − 90) = 90.1
    expect(f['cpu.p90']).toBeCloseTo(slog(0.0901, UNIT.cpu), 5);
  });

  it('reads φ from the lag-1 autocorrelation of an AR(1), and −(1−φ)/2 from its differences', () => {
    const cpu = level(ar1(40_000, 0.7, 3), 0.3, 0.05);
    const f = named(allFeatures(tenant({ cpu })));
    expect(f['cpu.acf1']).toBeCloseTo(0.7, 1);
    expect(Math.abs(f['cpu.acf1'] - 0.7)).toBeLessThan(0.02);
    expect(Math.abs(f['cpu.diffAcf1'] - -0.15)).toBeLessThan(0.02);
  });

  it('measures relative noise as the robust sd of differences over the median level', () => {
    const phi = 0.6;
    const sigma = 0.04;
    const cpu = level(ar1(40_000, phi, 4), 0.5, sigma);
    const f = named(allFeatures(tenant({ cpu })));
    // sd(x_t − x_{t−1}) = base·σ·√(2(1−φ)); relative to the median ≈ base (+0.1·unit in the denominator).
    const expected = Math.log((0.5 * sigma * Math.sqrt(2 * (1 - phi))) / (0.5 + 0.001));
    expect(Math.abs(f['cpu.noise'] - expected)).toBeLessThan(0.03);
  });

  it('counts injected jumps as spikes and a pure AR(1) as none', () => {
    const n = 5000;
    const calm = level(ar1(n, 0.7, 5), 0.2, 0.02);
    expect(named(allFeatures(tenant({ cpu: calm })))['cpu.spikeRatio']).toBe(0);
    const spiky = calm.slice();
    for (const at of [500, 1500, 2500, 3500, 4500])
      for (let j = 0; j < 20; j++) spiky[at + j] += 0.2 * Math.exp(-j / 5);
    expect(named(allFeatures(tenant({ cpu: spiky })))['cpu.spikeRatio']).toBeCloseTo(5 / (n - 1), 8);
  });

  it('does not call a strong daily cycle spikes (why the ratio is a jump test, not a level test)', () => {
    const noise = ar1(3 * 1440, 0.7, 6);
    const cpu = Float32Array.from(
      noise,
      (e, i) => 0.2 * (1 + 0.6 * Math.cos((2 * Math.PI * i) / 1440)) * (1 + 0.02 * e),
    );
    expect(named(allFeatures(tenant({ cpu })))['cpu.spikeRatio']).toBe(0);
  });

  it('uses log1p scale so net in bytes/s five orders of magnitude apart stays on a usable axis', () => {
    const idle = named(allFeatures(tenant({ net: new Float32Array(60).fill(0.5) })))['net.mean'];
    const retail = named(allFeatures(tenant({ net: new Float32Array(60).fill(50_000) })))['net.mean'];
    expect(idle).toBeCloseTo(Math.log1p(0.5), 5);
    expect(retail).toBeCloseTo(Math.log1p(50_000), 3);
    expect(retail - idle).toBeLessThan(12);
  });
});

describe('extra features', () => {
  it('recovers the correlation of shared cpu–net noise from differences', () => {
    const n = 20_000;
    const shared = ar1(n, 0.7, 7);
    const own = ar1(n, 0.7, 8);
    const rho = 0.6;
    const cpu = Float32Array.from(
      shared,
      (s, i) => 0.2 * (1 + 0.03 * (Math.sqrt(rho) * s + Math.sqrt(1 - rho) * own[i])),
    );
    const net = level(shared, 300, 0.03);
    const f = named(allFeatures(tenant({ cpu, net })));
    // net follows the shared term only, so corr = √ρ.
    expect(Math.abs(f['cpu-net.diffCorr'] - Math.sqrt(rho))).toBeLessThan(0.03);
  });

  it('finds a 15:00 UTC daily peak, full diurnal strength, and a weekend dip', () => {
    const days = 14;
    const cpu = new Float32Array(days * 1440);
    for (let i = 0; i < cpu.length; i++) {
      const hour = (i % 1440) / 60;
      const weekday = (Math.floor(i / 1440) + 1) % 7; // MONDAY is weekday 1
      const weekend = weekday === 0 || weekday === 6;
      cpu[i] = (weekend ? 0.5 : 1) * (0.3 + 0.2 * Math.cos((2 * Math.PI * (hour - 15)) / 24));
    }
    const f = named(allFeatures(tenant({ cpu })));
    // The hour-of-day profile explains the cycle but not the weekend halving: ≈ 0.72 here.
    expect(f['cpu.diurnalStrength']).toBeGreaterThan(0.6);
    const peakHour = ((Math.atan2(f['cpu.peakSin'], f['cpu.peakCos']) / (2 * Math.PI)) * 24 + 24) % 24;
    expect(peakHour).toBeCloseTo(15, 0);
    expect(f['cpu.weekendRatio']).toBeCloseTo(Math.log(0.5), 2);
    // Two weeks have no single hour of day: the time-of-day group is unavailable.
    expect(f['window.todCos']).toBeNaN();
  });

  it('gives a flat noisy tenant a diurnal strength near 0', () => {
    // Under no cycle the between-hour share is ≈ 23 / effective sample size; AR(1) with φ = 0.7
    // shrinks 5760 points to ~1000 effective ones, so ≈ 0.02.
    const cpu = level(ar1(4 * 1440, 0.7, 9), 0.3, 0.02);
    expect(named(allFeatures(tenant({ cpu })))['cpu.diurnalStrength']).toBeLessThan(0.05);
  });

  it('places a short window in the day by its midpoint', () => {
    const cpu = new Float32Array(1440).fill(0.1);
    // Points 660..779: 11:00–12:59, midpoint 11:59:30.
    const f = named(allFeatures(tenant({ cpu }), { from: 660, to: 780 }));
    const angle = (2 * Math.PI * (11 * HOUR_MS + 59.5 * MINUTE_MS)) / DAY_MS;
    expect(f['window.todCos']).toBeCloseTo(Math.cos(angle), 5);
    expect(f['window.todSin']).toBeCloseTo(Math.sin(angle), 5);
    expect(f['window.weekend']).toBe(0);
  });
});

describe('short, missing and degenerate histories', () => {
  it('computes a 30-minute window: core finite, daily group NaN (imputed later)', () => {
    const cpu = level(ar1(30, 0.7, 10), 0.2, 0.05);
    const f = named(allFeatures(tenant({ cpu, mem: cpu, net: cpu, disk: cpu })));
    for (const s of ['mean', 'std', 'min', 'max', 'p90', 'acf1', 'spikeRatio'])
      expect(Number.isFinite(f[`cpu.${s}`])).toBe(true);
    expect(f['cpu.diurnalStrength']).toBeNaN();
    expect(f['cpu.weekendRatio']).toBeNaN();
    expect(Number.isFinite(f['window.todCos'])).toBe(true);
  });

  it('skips missing points: NaN gaps change nothing but the count', () => {
    const values = Float32Array.from({ length: 200 }, (_, i) => 0.1 + 0.001 * (i % 17));
    const gappy = values.slice();
    for (let i = 50; i < 60; i++) gappy[i] = NaN;
    const withoutGap = Float32Array.from([...values.slice(0, 50), ...values.slice(60)]);
    const a = named(allFeatures(tenant({ cpu: gappy })));
    const b = named(allFeatures(tenant({ cpu: withoutGap })));
    for (const s of ['mean', 'std', 'min', 'max', 'p90']) expect(a[`cpu.${s}`]).toBeCloseTo(b[`cpu.${s}`], 6);
  });

  it('never throws on constant, all-NaN, one-point, empty or absent metrics', () => {
    const constant = named(allFeatures(tenant({ cpu: new Float32Array(120).fill(0.25) })));
    expect(constant['cpu.std']).toBe(0);
    expect(constant['cpu.acf1']).toBeNaN();
    expect(constant['cpu.spikeRatio']).toBe(0);
    expect(Number.isFinite(constant['cpu.noise'])).toBe(true);
    expect(constant['cpu-net.diffCorr']).toBeNaN(); // net absent
    expect(constant['net.mean']).toBeNaN();

    const allNaN = named(allFeatures(tenant({ cpu: new Float32Array(50).fill(NaN) })));
    expect(Object.values(allNaN).filter((v) => !Number.isNaN(v))).toEqual([
      allNaN['window.todCos'],
      allNaN['window.todSin'],
      allNaN['window.weekend'],
    ]);
    expect(named(allFeatures(tenant({ cpu: new Float32Array([0.3]) })))['cpu.std']).toBeNaN();
    expect(allFeatures(tenant({ cpu: new Float32Array(0) })).every((v) => Number.isNaN(v))).toBe(true);
  });
});

describe('FeatureExtractor reuse', () => {
  it('writes into the given array and leaves no state between windows of different lengths', () => {
    const cpu = level(ar1(3000, 0.8, 11), 0.2, 0.05);
    const t = tenant({ cpu, mem: cpu, net: cpu, disk: cpu });
    const extractor = new FeatureExtractor(FEATURE_GROUPS);
    const out = new Float32Array(extractor.dim);
    const first = extractor.extract(t, { from: 100, to: 220 }, out).slice();
    expect(extractor.extract(t, { from: 100, to: 220 }, out)).toBe(out);
    extractor.extract(t, {}, out); // a longer one grows the scratch buffers
    expect(Array.from(extractor.extract(t, { from: 100, to: 220 }, out))).toEqual(Array.from(first));
    expect(Array.from(first)).toEqual(
      Array.from(new FeatureExtractor(FEATURE_GROUPS).extract(t, { from: 100, to: 220 })),
    );
  });

  it('rejects an output array of the wrong size', () => {
    expect(() => new FeatureExtractor(['core']).extract(tenant({}), {}, new Float32Array(3))).toThrow(/28 features/);
  });
});

describe('quantileInPlace', () => {
  it('matches the sorted-array definition (type 7) for any sample and level', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (xs, q) => {
          const sorted = [...xs].sort((a, b) => a - b);
          const pos = q * (xs.length - 1);
          const lo = Math.floor(pos);
          const expected = lo + 1 < xs.length ? sorted[lo] + (pos - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
          const got = quantileInPlace(Float64Array.from(xs), xs.length, q);
          expect(got).toBeCloseTo(expected, 6);
        },
      ),
    );
  });
});
