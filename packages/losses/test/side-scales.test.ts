// In-context calibration by side: ratio quantiles, bounds, and a fan scaled around its median.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coverage, IN_CONTEXT_CALIBRATION, scaleAroundMedian, SideRatios } from '../src/index.js';

describe('SideRatios', () => {
  it('takes the lower empirical ratio quantile of each side, clipped; 1 for a side without points', () => {
    const r = new SideRatios();
    // median 10, lower 8, upper 12: up ratios 0.5, 1, 2, 3, 4 (actuals 11 … 18); no point below.
    for (const y of [11, 12, 14, 16, 18]) r.add(y, 10, 8, 12);
    expect(r.count).toBe(5);
    // ⌈0.8 · 5⌉ = 4th smallest = 3
    expect(r.scales()).toEqual({ up: 3, down: 1 });
    expect(r.scales({ ratioQuantile: 1, minScale: 0.5, maxScale: 2.5 })).toEqual({ up: 2.5, down: 1 });
    const narrow = new SideRatios();
    for (const y of [9.9, 9.95, 10]) narrow.add(y, 10, 8, 12);
    // down ratios 0.05, 0.025, 0 → clipped up to 0.5; the actual at the median counts on both sides
    expect(narrow.scales()).toEqual({ up: 0.5, down: 0.5 });
  });

  it('skips non-finite actuals and zero-width sides', () => {
    const r = new SideRatios();
    r.add(Number.NaN, 10, 8, 12);
    r.add(11, 10, 10, 10);
    expect(r.count).toBe(0);
    expect(r.scales()).toEqual({ up: 1, down: 1 });
  });

  it('calibrates: on exchangeable data, intervals scaled from past ratios cover about 80 %', () => {
    // Actuals ~ N(0, 3) against a model that believes N(0, 1): its 80 % interval is ±1.2816.
    // Seeded uniforms from fast-check (no PRNG dependency in this package), Box–Muller normals.
    const uniforms = fc
      .sample(fc.noBias(fc.integer({ min: 0, max: 2 ** 30 - 1 })), { seed: 7, numRuns: 48_000 })
      .map((i) => (i + 0.5) / 2 ** 30);
    let next = 0;
    const normal = (): number =>
      Math.sqrt(-2 * Math.log(1 - uniforms[next++])) * Math.cos(2 * Math.PI * uniforms[next++]);
    const z = 1.2815515655446004;
    const r = new SideRatios();
    for (let i = 0; i < 4000; i++) r.add(3 * normal(), 0, -z, z);
    const { up, down } = r.scales({ ...IN_CONTEXT_CALIBRATION, maxScale: 10 });
    const n = 20000;
    const actual = Float64Array.from({ length: n }, () => 3 * normal());
    const cov = coverage(actual, new Float64Array(n).fill(-down * z), new Float64Array(n).fill(up * z));
    expect(cov).toBeGreaterThan(0.78);
    expect(cov).toBeLessThan(0.82);
  });
});

describe('scaleAroundMedian', () => {
  const fan = () => Float32Array.from([1, 2, 3, 5, 6, 7]); // 2 steps × 3 levels, median index 1

  it('moves each side by its factor and leaves the median', () => {
    const q = fan();
    scaleAroundMedian(q, 3, 2, 1, { up: 2, down: 0.5 }, false);
    expect([...q]).toEqual([1.5, 2, 4, 5.5, 6, 8]);
  });

  it('re-clamps at 0 when the config clamps', () => {
    const q = Float32Array.from([0, 1, 2]);
    scaleAroundMedian(q, 3, 1, 1, { up: 1, down: 3 }, true);
    expect([...q]).toEqual([0, 1, 2]);
    const unclamped = Float32Array.from([0, 1, 2]);
    scaleAroundMedian(unclamped, 3, 1, 1, { up: 1, down: 3 }, false);
    expect([...unclamped]).toEqual([-2, 1, 2]);
  });

  it('rejects a bad median index or a non-positive factor', () => {
    expect(() => scaleAroundMedian(fan(), 3, 2, 3, { up: 1, down: 1 }, false)).toThrow(/median index 3/);
    expect(() => scaleAroundMedian(fan(), 3, 2, 1, { up: 0, down: 1 }, false)).toThrow(/positive/);
  });

  it('keeps a non-crossing fan non-crossing, and factors of 1 change nothing', () => {
    const arb = fc.tuple(
      // Multiples of 1/8: no subnormal round-off muddling the order check.
      fc.array(
        fc.integer({ min: -8000, max: 8000 }).map((i) => i / 8),
        { minLength: 5, maxLength: 5 },
      ),
      fc.double({ min: 0.01, max: 10, noNaN: true }),
      fc.double({ min: 0.01, max: 10, noNaN: true }),
      fc.boolean(),
    );
    fc.assert(
      fc.property(arb, ([values, up, down, clamp]) => {
        // A clamping config's fan is non-negative already (the median included).
        const sorted = Float64Array.from(values, (v) => (clamp ? Math.max(0, v) : v)).sort();
        const q = Array.from(sorted);
        scaleAroundMedian(q, 5, 1, 2, { up, down }, clamp);
        for (let k = 1; k < 5; k++) expect(q[k]).toBeGreaterThanOrEqual(q[k - 1]);
        expect(q[2]).toBe(sorted[2]);
        const same = Array.from(sorted);
        scaleAroundMedian(same, 5, 1, 2, { up: 1, down: 1 }, false);
        expect(same).toEqual(Array.from(sorted));
      }),
    );
  });
});
