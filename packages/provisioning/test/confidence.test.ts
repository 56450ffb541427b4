import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { confidenceFromWidth, createRecommender } from '../src/index.js';
import { LEVELS, constant, cpuInput, flatForecast, normalForecast } from './fixtures.js';

const rec = createRecommender();
const confidences = (r: ReturnType<typeof rec.recommend>): number[] => {
  if (r.status !== 'ok') throw new Error(r.reason);
  return r.metrics.cpu.horizons.map((h) => h.confidence);
};

describe('confidenceFromWidth', () => {
  it('is 1 − width / median, clamped to [0, 1]', () => {
    expect(confidenceFromWidth(20, 100)).toBeCloseTo(0.8, 12);
    expect(confidenceFromWidth(300, 100)).toBe(0);
    expect(confidenceFromWidth(0, 100)).toBe(1);
  });

  it('treats a flat all-zero forecast as certain and any width over a zero median as uncertain', () => {
    expect(confidenceFromWidth(0, 0)).toBe(1);
    expect(confidenceFromWidth(1e-6, 0)).toBe(0);
  });
});

describe('forecast confidence per horizon', () => {
  it('uses the mean q0.9 − q0.1 width over the mean median of the horizon', () => {
    // sd 10 around 100: q0.9 − q0.1 = 2 · 1.2816 · 10 = 25.632 → 1 − 0.25632
    expect(
      confidences(rec.recommend(cpuInput({ forecast: normalForecast(constant(30, 100), 10), current: 100 })))[0],
    ).toBeCloseTo(0.74368, 4);
  });

  it('is 1 for a forecast with no spread', () => {
    expect(confidences(rec.recommend(cpuInput({ forecast: flatForecast(constant(30, 4)), current: 4 })))).toEqual([
      1, 1, 1,
    ]);
  });

  it('falls as uncertainty grows along the horizon', () => {
    const sd = Array.from({ length: 30 }, (_, t) => 1 + t);
    const [c5, c15, c30] = confidences(
      rec.recommend(cpuInput({ forecast: normalForecast(constant(30, 100), sd), current: 100 })),
    );
    expect(c5).toBeGreaterThan(c15);
    expect(c15).toBeGreaterThan(c30);
  });

  it('never rises when the intervals around the median are widened (property)', () => {
    const row = fc.array(fc.float({ min: 0, max: 1000, noNaN: true }), {
      minLength: LEVELS.length,
      maxLength: LEVELS.length,
    });
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 30, maxLength: 30 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        (rows, k) => {
          const sorted = rows.map((r) => [...r].sort((a, b) => a - b));
          const widened = sorted.map((r) => r.map((v) => r[4] + k * (v - r[4])));
          const f = (rs: number[][]) => ({ quantiles: Float32Array.from(rs.flat()), levels: LEVELS });
          const narrow = confidences(rec.recommend(cpuInput({ forecast: f(sorted), current: 1 })));
          const wide = confidences(rec.recommend(cpuInput({ forecast: f(widened), current: 1 })));
          return wide.every((c, i) => c <= narrow[i] + 1e-6);
        },
      ),
      { numRuns: 100 },
    );
  });
});
