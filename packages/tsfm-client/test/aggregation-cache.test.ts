import { describe, expect, it } from 'vitest';
import { AggregationCache } from '../src/aggregation-cache.js';
import { aggregateTrailing } from '../src/index.js';

describe('AggregationCache', () => {
  const values = Float32Array.from({ length: 600 }, (_, i) => Math.sin(i / 7) + i / 100);

  function expected(end: number, r: number, n: number): number[] {
    const out = new Float64Array(n);
    aggregateTrailing(values, end, r, n, out);
    return [...out];
  }

  it('serves every row exactly what a fresh aggregation would, sharing keys across context lengths', () => {
    const cache = new AggregationCache(64);
    const rows = [
      { end: 600, r: 5, n: 16 },
      { end: 600, r: 5, n: 64 },
      { end: 540, r: 5, n: 32 },
      { end: 600, r: 15, n: 40 },
      { end: 600, r: 1, n: 8 },
    ];
    cache.reset();
    rows.forEach((row, i) => cache.plan(i, values, row.end, row.r, row.n));
    cache.fill();
    rows.forEach((row, i) => {
      const from = cache.offsetOf(i, row.n);
      expect([...cache.data.subarray(from, from + row.n)]).toEqual(expected(row.end, row.r, row.n));
    });
  });

  it('distinguishes arrays by identity, and starts clean after reset', () => {
    const other = values.map((v) => v + 1000);
    const cache = new AggregationCache(8);
    cache.reset();
    cache.plan(0, values, 600, 1, 4);
    cache.plan(1, other, 600, 1, 4);
    cache.fill();
    expect(cache.data[cache.offsetOf(1, 4)] - cache.data[cache.offsetOf(0, 4)]).toBeCloseTo(1000, 3);
    cache.reset();
    cache.plan(0, other, 10, 1, 2);
    cache.fill();
    expect(cache.data[cache.offsetOf(0, 2)]).toBe(other[8]);
  });
});
