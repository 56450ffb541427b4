import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateTrailing, coarseSteps, repeatCoarse } from '../src/index.js';

describe('resolution', () => {
  it('buckets are aligned to the end of the history; a leading partial bucket is dropped', () => {
    const values = Float32Array.from({ length: 12 }, (_, i) => i); // 0..11
    const out = new Float64Array(2);
    aggregateTrailing(values, 12, 5, 2, out);
    // last bucket = minutes 7..11, the one before = 2..6; minutes 0..1 are the partial bucket
    expect([...out]).toEqual([4, 9]);
  });

  it('respects `end`: only values[0, end) count', () => {
    const values = Float32Array.from({ length: 12 }, (_, i) => i);
    const out = new Float64Array(1);
    aggregateTrailing(values, 10, 5, 1, out);
    expect(out[0]).toBe(7); // minutes 5..9
  });

  it('missing minutes are skipped; an all-missing bucket is NaN', () => {
    const values = new Float32Array([1, Number.NaN, 3, Number.NaN, Number.NaN, Number.NaN]);
    const out = new Float64Array(2);
    aggregateTrailing(values, 6, 3, 2, out);
    expect(out[0]).toBe(2);
    expect(out[1]).toBeNaN();
  });

  it('resolution 1 copies the trailing values', () => {
    const values = new Float32Array([1, 2, 3, 4]);
    const out = new Float64Array(3);
    aggregateTrailing(values, 4, 1, 3, out);
    expect([...out]).toEqual([2, 3, 4]);
  });

  it('coarseSteps rounds up', () => {
    expect(coarseSteps(60, 15)).toBe(4);
    expect(coarseSteps(61, 15)).toBe(5);
    expect(coarseSteps(1, 60)).toBe(1);
  });

  it('map-back repeats each coarse step r times and truncates at h', () => {
    const coarse = [1, 10, 2, 20]; // 2 steps × 2 levels
    const out = new Float32Array(7 * 2);
    repeatCoarse(coarse, 2, 5, 7, out);
    expect([...out]).toEqual([1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 2, 20, 2, 20]);
  });

  it('property: aggregating then mapping back preserves the mean', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 5, 15, 60),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (r, nBuckets, seed) => {
          const n = nBuckets * r;
          const values = new Float32Array(n);
          let s = seed;
          for (let i = 0; i < n; i++) {
            s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
            values[i] = (s / 2 ** 32) * 100 - 20;
          }
          const coarse = new Float64Array(nBuckets);
          aggregateTrailing(values, n, r, nBuckets, coarse);
          const back = new Float32Array(n);
          repeatCoarse(coarse, 1, r, n, back);
          const mean = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0) / a.length;
          expect(mean(back)).toBeCloseTo(mean(values), 3);
        },
      ),
    );
  });
});
