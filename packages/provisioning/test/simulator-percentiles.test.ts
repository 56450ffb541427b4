import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecayingHistogram, SortedWindow } from '../src/simulator/index.js';

const nearestRank = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length))) - 1];
};

describe('SortedWindow', () => {
  it('gives the exact nearest-rank percentile after any sequence of adds and removes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (values, width, p) => {
          const w = new SortedWindow(4);
          for (let i = 0; i < values.length; i++) {
            w.add(values[i]);
            if (i >= width) expect(w.remove(values[i - width])).toBe(true);
          }
          const inWindow = values.slice(Math.max(0, values.length - width));
          expect(w.size).toBe(inWindow.length);
          expect(w.percentile(p)).toBe(nearestRank(inWindow, p));
        },
      ),
    );
  });

  it('never stores NaN, so a missing minute neither counts nor needs removing', () => {
    const w = new SortedWindow();
    w.add(Number.NaN);
    w.add(3);
    expect(w.size).toBe(1);
    expect(w.remove(Number.NaN)).toBe(false);
    expect(w.remove(7)).toBe(false);
    expect(w.percentile(0.99)).toBe(3);
  });
});

describe('DecayingHistogram (VPA)', () => {
  const opts = { firstBucket: 0.01, ratio: 1.05, maxValue: 100, halfLife: 1440 };

  it('returns the end of the bucket holding the percentile: never below it, at most one bucket above', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 50, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        (values, p) => {
          const h = new DecayingHistogram(opts);
          for (const v of values) h.add(v, 0);
          const exact = nearestRank(values, p);
          const got = h.percentile(p);
          expect(got).toBeGreaterThanOrEqual(exact);
          // The bucket of `exact` ends at most ratio × its start + first bucket away.
          expect(got).toBeLessThanOrEqual(exact * opts.ratio + opts.firstBucket + 1e-9);
        },
      ),
    );
  });

  it('halves a sample’s weight every half-life', () => {
    const h = new DecayingHistogram(opts);
    // Two samples at 1 weigh 1 + 1 at t = 0; one sample at 10 a half-life later weighs 2: the
    // median sits exactly on the boundary, so P40 is in the low bucket and P60 in the high one.
    h.add(1, 0);
    h.add(1, 0);
    h.add(10, 1440);
    expect(h.percentile(0.4)).toBeLessThan(1.1);
    expect(h.percentile(0.6)).toBeGreaterThan(9.9);
    const g = new DecayingHistogram(opts);
    g.add(1, 0);
    g.add(1, 0);
    g.add(10, 1439); // just under a half-life: slightly less than 2 of weight
    expect(g.percentile(0.5)).toBeLessThan(1.1);
  });

  it('keeps its percentiles when the reference time moves (weights rescaled, not lost)', () => {
    const h = new DecayingHistogram({ ...opts, halfLife: 1 });
    for (let t = 0; t < 300; t++) h.add(t % 2 === 0 ? 1 : 5, t); // exponent passes 100 → reference shifts
    expect(Number.isFinite(h.percentile(0.5))).toBe(true);
    expect(h.percentile(0.99)).toBeGreaterThan(4.9);
    expect(h.percentile(0.99)).toBeLessThan(5 * 1.05 + 0.01);
  });

  it('is empty (percentile 0) until a finite sample arrives', () => {
    const h = new DecayingHistogram(opts);
    h.add(Number.NaN, 0);
    expect(h.empty).toBe(true);
    expect(h.percentile(0.9)).toBe(0);
  });

  it('rejects bucket layouts that cannot work', () => {
    expect(() => new DecayingHistogram({ ...opts, ratio: 1 })).toThrow(/ratio/);
    expect(() => new DecayingHistogram({ ...opts, firstBucket: 0 })).toThrow(/firstBucket/);
  });
});
