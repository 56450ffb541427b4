import { describe, expect, it } from 'vitest';
import { ArchetypeScaler } from '../src/index.js';

/** 3 features × 6 rows: a spread feature, a constant one, one with a missing value. */
const DIM = 3;
const ROWS = Float32Array.from([1, 5, 10, 2, 5, 20, 3, 5, NaN, 4, 5, 40, 5, 5, 50, 6, 5, 60]);

function column(values: Float32Array, j: number): number[] {
  return Array.from({ length: values.length / DIM }, (_, i) => values[i * DIM + j]);
}

describe('ArchetypeScaler', () => {
  it('standardises each feature over its finite values to mean 0 and sd 1', () => {
    const scaler = ArchetypeScaler.fit(ROWS, DIM);
    const z = column(scaler.transform(ROWS), 0);
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const sd = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / (z.length - 1));
    expect(mean).toBeCloseTo(0, 6);
    expect(sd).toBeCloseTo(1, 6);
    expect(scaler.mean[2]).toBeCloseTo(36, 6); // NaN ignored: mean of 10, 20, 40, 50, 60
  });

  it('imputes NaN as the mean (0) and leaves a constant feature at 0 with scale 1', () => {
    const scaler = ArchetypeScaler.fit(ROWS, DIM);
    const z = scaler.transform(ROWS);
    expect(z[2 * DIM + 2]).toBe(0);
    expect(scaler.scale[1]).toBe(1);
    expect(column(z, 1).every((v) => v === 0)).toBe(true);
    expect(scaler.transform(Float32Array.from([Infinity, NaN, -Infinity])).every((v) => v === 0)).toBe(true);
  });

  it('round-trips through JSON and through inverseTransform', () => {
    const scaler = ArchetypeScaler.fit(ROWS, DIM, { labels: ['a', 'a', 'a', 'b', 'b', 'b'] });
    const restored = ArchetypeScaler.fromJSON(JSON.parse(JSON.stringify(scaler.toJSON())));
    expect(Array.from(restored.transform(ROWS))).toEqual(Array.from(scaler.transform(ROWS)));
    const back = scaler.inverseTransform(scaler.transform(ROWS));
    expect(back[0]).toBeCloseTo(1, 5);
    expect(back[5 * DIM + 2]).toBeCloseTo(60, 4);
  });

  it('weights a feature that separates the labels above one that does not', () => {
    // Feature 0 splits a|b cleanly; feature 1 varies as much but independently of the label.
    const rows = Float32Array.from([0, 1, 0.1, -1, 0.2, 1, 1, -1, 1.1, 1, 1.2, -1]);
    const scaler = ArchetypeScaler.fit(rows, 2, { labels: ['a', 'a', 'a', 'b', 'b', 'b'] });
    expect(scaler.weight[0]).toBeGreaterThan(5);
    expect(scaler.weight[1]).toBeLessThan(0.5);
    expect(Array.from(ArchetypeScaler.fit(rows, 2).weight)).toEqual([1, 1]);
  });

  it('rejects malformed input and JSON', () => {
    expect(() => ArchetypeScaler.fit(new Float32Array(5), 2)).toThrow(/multiple of dim 2/);
    expect(() => ArchetypeScaler.fit(ROWS, DIM, { labels: ['a'] })).toThrow(/1 labels for 6 rows/);
    expect(() => ArchetypeScaler.fromJSON({ mean: [0, 0], scale: [1], weight: [1, 1] })).toThrow();
    expect(() => ArchetypeScaler.fromJSON({ mean: [0], scale: [0], weight: [1] })).toThrow();
  });
});
