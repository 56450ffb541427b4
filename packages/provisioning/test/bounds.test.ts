import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRecommender, type Recommendation } from '../src/index.js';
import { LEVELS, constant, cpuInput, flatForecast, history, normalForecast } from './fixtures.js';

const rec = createRecommender();
const ok = (r: ReturnType<typeof rec.recommend>): Recommendation => {
  if (r.status !== 'ok') throw new Error(`expected a recommendation, got ${r.reason}`);
  return r;
};

describe('target: the α-quantile of the peak over the horizon', () => {
  it('takes the max over the horizon minutes, per horizon', () => {
    // Flat rows: the α-quantile at minute t is values[t]. Peak 7 at minute 3, 9 at 12, 11 at 20.
    const values = constant(30, 5);
    values[2] = 7;
    values[11] = 9;
    values[19] = 11;
    const r = ok(rec.recommend(cpuInput({ forecast: flatForecast(values), current: 5 })));
    const hs = r.metrics.cpu.horizons;
    expect(hs.map((h) => h.horizonMinutes)).toEqual([5, 15, 30]);
    expect(hs.map((h) => h.target)).toEqual([7, 9, 11]);
    expect(hs.map((h) => h.peakMinute)).toEqual([3, 12, 20]);
  });

  it("a calibrated target shift (targetShift) moves every horizon's peak by it; the bounds keep bracketing it", () => {
    const values = constant(30, 5);
    values[2] = 7;
    const base = ok(rec.recommend(cpuInput({ forecast: flatForecast(values), current: 5 })));
    const shifted = ok(
      rec.recommend(cpuInput({ forecast: { ...flatForecast(values), targetShift: 1.5 }, current: 5 })),
    );
    expect(shifted.metrics.cpu.horizons.map((h) => h.target)).toEqual(
      base.metrics.cpu.horizons.map((h) => h.target + 1.5),
    );
    for (const h of shifted.metrics.cpu.horizons) expect(h.upperBound).toBeGreaterThanOrEqual(h.target);
    // A negative shift never provisions below zero.
    const down = ok(rec.recommend(cpuInput({ forecast: { ...flatForecast(values), targetShift: -50 }, current: 5 })));
    expect(down.metrics.cpu.horizons.every((h) => h.target === 0)).toBe(true);
    expect(() =>
      rec.recommend(cpuInput({ forecast: { ...flatForecast(values), targetShift: Number.NaN }, current: 5 })),
    ).toThrow(/targetShift: must be a finite number/);
  });

  it('reads the tier α between model levels (0.75 is a level, 0.65 interpolates)', () => {
    const f = normalForecast(constant(30, 100), 10);
    const at = (alpha: number) =>
      ok(rec.recommend({ ...cpuInput({ forecast: f, current: 100 }), alpha })).metrics.cpu.decision.target;
    expect(at(0.75)).toBeCloseTo(106.745, 3);
    expect(at(0.9)).toBeCloseTo(112.816, 3);
    // 0.65 lies 0.6 of the way from 0.5 (100) to 0.75 (106.745)
    expect(at(0.65)).toBeCloseTo(100 + 0.6 * 6.745, 3);
  });

  it('orders lowerBound ≤ target ≤ upperBound at levels min(0.5, α), α, max(0.99, α)', () => {
    const r = ok(rec.recommend(cpuInput({ forecast: normalForecast(constant(30, 50), 5), current: 50, alpha: 0.9 })));
    const m = r.metrics.cpu;
    expect(m.levels).toEqual({ target: 0.9, lowerBound: 0.5, upperBound: 0.99 });
    for (const h of m.horizons) {
      expect(h.lowerBound).toBeCloseTo(50, 4);
      expect(h.upperBound).toBeCloseTo(50 + 2.326 * 5, 3);
      expect(h.lowerBound).toBeLessThanOrEqual(h.target);
      expect(h.target).toBeLessThanOrEqual(h.upperBound);
    }
  });

  it('sorts crossed quantile rows before reading them and clamps negatives to 0', () => {
    // One row with its levels reversed (a badly crossed model): sorted, 0.5 is still the middle.
    const q = new Float32Array(30 * LEVELS.length);
    for (let t = 0; t < 30; t++) LEVELS.forEach((_, k) => (q[t * LEVELS.length + k] = 10 * (LEVELS.length - k) - 30));
    const r = ok(rec.recommend(cpuInput({ forecast: { quantiles: q, levels: LEVELS }, current: 1 })));
    const h = r.metrics.cpu.decision;
    // Sorted row: [-20, -10, 0, 10, 20, 30, 40, 50, 60] → clamped [0, 0, 0, 10, 20, ...]; q0.75 = 30.
    expect(h.target).toBe(30);
    expect(h.lowerBound).toBe(20);
    expect(h.upperBound).toBe(60);
  });

  it('never lowers the target as the horizon grows', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 30, maxLength: 30 }), (values) => {
        const hs = ok(rec.recommend(cpuInput({ forecast: normalForecast(values, 3), current: 1 }))).metrics.cpu
          .horizons;
        return hs[0].target <= hs[1].target && hs[1].target <= hs[2].target;
      }),
      { numRuns: 50 },
    );
  });

  it('never lowers the target when α rises (property, crossed rows included)', () => {
    const row = fc.array(fc.float({ min: -100, max: 1000, noNaN: true }), {
      minLength: LEVELS.length,
      maxLength: LEVELS.length,
    });
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 30, maxLength: 30 }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        (rows, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const forecast = { quantiles: Float32Array.from(rows.flat()), levels: LEVELS };
          const target = (alpha: number) =>
            ok(rec.recommend(cpuInput({ forecast, current: 1, alpha }))).metrics.cpu.horizons.map((h) => h.target);
          const tLo = target(lo);
          const tHi = target(hi);
          return tLo.every((t, i) => t <= tHi[i]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('applies minAllowed / maxAllowed to target and bounds but keeps the uncapped target', () => {
    const capped = createRecommender({ minAllowed: { cpu: 2 }, maxAllowed: { cpu: 8 } });
    const high = ok(capped.recommend(cpuInput({ forecast: 20, current: 8 }))).metrics.cpu.decision;
    expect(high).toMatchObject({ target: 8, lowerBound: 8, upperBound: 8, uncappedTarget: 20 });
    const low = ok(capped.recommend(cpuInput({ forecast: 0.5, current: 2 }))).metrics.cpu.decision;
    expect(low).toMatchObject({ target: 2, uncappedTarget: 0.5 });
  });

  it('mirrors VPA field names per resource in the vpa view', () => {
    const r = ok(
      rec.recommend({
        alpha: 0.75,
        forecasts: { cpu: flatForecast(constant(30, 3)), mem: flatForecast(constant(30, 512)) },
        current: { cpu: 3, mem: 512 },
        history: { cpu: history(120, 3), mem: history(120, 512) },
      }),
    );
    expect(r.vpa).toEqual({
      target: { cpu: 3, mem: 512 },
      lowerBound: { cpu: 3, mem: 512 },
      upperBound: { cpu: 3, mem: 512 },
      uncappedTarget: { cpu: 3, mem: 512 },
    });
  });
});
