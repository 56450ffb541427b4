import { describe, expect, it } from 'vitest';
import { acf, detectPeriod, m4SeasonalityTest } from '../src/period.js';
import { add, linear, noise, randomWalk, sinusoid } from './helpers/series.js';

describe('acf', () => {
  it('is 1 at lag 0 and near cos(2πk/m) for a long sinusoid', () => {
    const r = acf(sinusoid(2400, 24), 30);
    expect(r[0]).toBe(1);
    expect(r[24]).toBeCloseTo((2400 - 24) / 2400, 2);
    expect(r[12]).toBeCloseTo(-(2400 - 12) / 2400, 2);
  });

  it('returns zeros (not NaN) for a constant series', () => {
    expect(Array.from(acf(new Float32Array(50).fill(3), 5))).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('detectPeriod', () => {
  it.each([24, 12, 7])('finds period %i in a pure sinusoid', (m) => {
    expect(detectPeriod(sinusoid(40 * m, m))).toBe(m);
  });

  it('finds 168 when the weekly cycle dominates a daily one', () => {
    const y = add(sinusoid(168 * 6, 168, { amplitude: 5 }), sinusoid(168 * 6, 24, { level: 0, amplitude: 1 }));
    expect(detectPeriod(y)).toBe(168);
  });

  it('finds 288 in a noisy 5-minute daily cycle', () => {
    const y = add(sinusoid(288 * 5, 288), noise(288 * 5, 7, 1));
    expect(detectPeriod(y)).toBe(288);
  });

  it('finds the season under a strong linear trend', () => {
    expect(detectPeriod(add(linear(24 * 20, { slope: 1 }), sinusoid(24 * 20, 24)))).toBe(24);
  });

  it('returns 1 for white noise, a random walk and a straight line', () => {
    expect(detectPeriod(noise(2000, 1))).toBe(1);
    expect(detectPeriod(randomWalk(2000, 2))).toBe(1);
    expect(detectPeriod(linear(500))).toBe(1);
  });

  it('ignores candidates that do not fit twice in the history', () => {
    // 100 points of a period-24 sinusoid: 168 cannot qualify, 24 can.
    expect(detectPeriod(sinusoid(100, 24), [168, 24])).toBe(24);
    expect(detectPeriod(sinusoid(100, 24), [168])).toBe(1);
  });

  it('skips NaN points rather than failing', () => {
    const y = sinusoid(24 * 20, 24);
    y[5] = NaN;
    y[100] = NaN;
    expect(detectPeriod(y)).toBe(24);
  });
});

describe('m4SeasonalityTest', () => {
  it('passes for a seasonal series and fails for noise', () => {
    expect(m4SeasonalityTest(add(sinusoid(24 * 10, 24), noise(240, 3, 0.5)), 24)).toBe(true);
    expect(m4SeasonalityTest(noise(240, 4), 24)).toBe(false);
  });

  it('needs three full seasons, and then a lag-m autocorrelation above the Bartlett bound', () => {
    expect(m4SeasonalityTest(sinusoid(71, 24), 24)).toBe(false);
    // At n = 72 a pure sinusoid's r_24 = 48/72 is still below 1.645·√((1 + 2Σr_i²)/n) ≈ 0.76.
    expect(m4SeasonalityTest(sinusoid(72, 24), 24)).toBe(false);
    expect(m4SeasonalityTest(sinusoid(144, 24), 24)).toBe(true);
  });
});
