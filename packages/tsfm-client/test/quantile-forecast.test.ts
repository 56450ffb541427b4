import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, QuantileForecast } from '../src/index.js';

const LEVELS = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];

function forecast(h: number): QuantileForecast {
  const K = LEVELS.length;
  const q = new Float32Array(h * K);
  for (let t = 0; t < h; t++) for (let k = 0; k < K; k++) q[t * K + k] = 10 * t + k * k;
  return new QuantileForecast(q, h, LEVELS, DEFAULT_CONFIG);
}

describe('QuantileForecast.quantileAt', () => {
  it('returns a model level exactly', () => {
    const f = forecast(3);
    expect([...f.quantileAt(0.9)]).toEqual([100, 110, 120]); // level index 10 → 10² = 100
  });

  it('interpolates linearly between the bracketing levels (tier α = 0.75 and 0.65)', () => {
    const f = forecast(1);
    // 0.75 is halfway between 0.7 (k=8 → 64) and 0.8 (k=9 → 81)
    expect(f.quantileAt(0.75)[0]).toBeCloseTo(72.5, 5);
    expect(f.quantileAt(0.65)[0]).toBeCloseTo(0.5 * (49 + 64), 5);
  });

  it('writes into a caller buffer', () => {
    const out = new Float32Array(2);
    expect(forecast(2).quantileAt(0.5, out)).toBe(out);
  });

  it('property: monotone in α for non-crossing quantiles', () => {
    const f = forecast(4);
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        (a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const qa = f.quantileAt(lo);
          const qb = f.quantileAt(hi);
          for (let t = 0; t < 4; t++) expect(qa[t]).toBeLessThanOrEqual(qb[t]);
        },
      ),
    );
  });
});
