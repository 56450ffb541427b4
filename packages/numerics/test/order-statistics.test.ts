import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Mulberry32, orderStatistic, sampleQuantiles, sortedQuantile } from '../src/index.js';

const LEVELS = [0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1];

/** What sampleQuantiles must equal bit for bit: sort, then read. */
function bySorting(values: ArrayLike<number>, levels: readonly number[]): number[] {
  const sorted = Float64Array.from(values).sort();
  return levels.map((level) => sortedQuantile(sorted, level));
}

function expectSameBits(actual: ArrayLike<number>, expected: readonly number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let j = 0; j < expected.length; j++) {
    // Object.is tells −0 from 0 and matches NaN with NaN; toBe uses it.
    expect(actual[j]).toBe(expected[j]);
  }
}

/** Residual-like samples: few distinct values (ties, all-zero runs), wide ranges, both signs. */
const samples = fc.oneof(
  fc.array(fc.double({ min: -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true }), { maxLength: 400 }),
  fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 2000 }),
  fc.array(fc.constantFrom(0, 1.5, -2.25), { minLength: 30, maxLength: 300 }),
);

describe('sampleQuantiles', () => {
  it('property: equals sort-then-sortedQuantile bit for bit, at every level', () => {
    fc.assert(
      fc.property(samples, (values) => {
        const sample = Float64Array.from(values);
        expectSameBits(sampleQuantiles(sample, sample.length, LEVELS), bySorting(values, LEVELS));
      }),
      { numRuns: 300 },
    );
  });

  it('reads only sample[0, n) and keeps its multiset', () => {
    const rng = new Mulberry32(7);
    const values = Array.from({ length: 1440 }, () => rng.next() - 0.5);
    const sample = Float64Array.from([...values, 1e9, -1e9]);
    expectSameBits(sampleQuantiles(sample, 1440, LEVELS), bySorting(values, LEVELS));
    expect([...sample.subarray(0, 1440)].sort((a, b) => a - b)).toEqual([...values].sort((a, b) => a - b));
    expect([sample[1440], sample[1441]]).toEqual([1e9, -1e9]);
  });

  it('takes the sort when the sample holds NaN or −0 (and then matches it too)', () => {
    const rng = new Mulberry32(3);
    for (const odd of [Number.NaN, -0]) {
      const values = Array.from({ length: 200 }, (_, i) => (i % 17 === 0 ? odd : i % 5 === 0 ? 0 : rng.next() - 0.5));
      expectSameBits(sampleQuantiles(Float64Array.from(values), values.length, LEVELS), bySorting(values, LEVELS));
    }
  });

  it('gives NaN for an empty sample, like sortedQuantile', () => {
    expect([...sampleQuantiles(new Float64Array(4), 0, [0.1, 0.9])]).toEqual([Number.NaN, Number.NaN]);
  });

  it('stays fast on adversarial orders (sorted, reversed, organ pipe)', () => {
    const n = 5000;
    for (const make of [(i: number) => i, (i: number) => n - i, (i: number) => Math.min(i, n - i)]) {
      const values = Array.from({ length: n }, (_, i) => make(i));
      expectSameBits(sampleQuantiles(Float64Array.from(values), n, LEVELS), bySorting(values, LEVELS));
    }
  });
});

describe('orderStatistic', () => {
  it('property: the value a sort puts at the rank', () => {
    fc.assert(
      fc.property(
        samples.filter((v) => v.length > 0),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, u) => {
          const rank = Math.min(values.length - 1, Math.floor(u * values.length));
          const sorted = [...values].sort((a, b) => a - b);
          // ±0 may come back either way round; callers add 0.
          expect(orderStatistic(Float64Array.from(values), values.length, rank) + 0).toBe(sorted[rank] + 0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects a rank outside the sample', () => {
    expect(() => orderStatistic(new Float64Array(3), 3, 3)).toThrow(/outside \[0, 3\)/);
    expect(() => orderStatistic(new Float64Array(3), 3, -1)).toThrow(RangeError);
  });
});
