/**
 * Generators shared by the property tests. Ranges are bounded so sums and products stay far from
 * overflow: the properties are about the math, not about IEEE infinities.
 */
import fc from 'fast-check';

/**
 * A finite value in the range of a resource metric (can be negative for differenced series).
 * Magnitudes below 1e-9 become 0: subnormals underflow when a series is rescaled, which breaks
 * scale-invariance for reasons that have nothing to do with the metrics under test.
 */
export const value = fc
  .double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true })
  .map((x) => (Math.abs(x) < 1e-9 ? 0 : x));

/** A level strictly inside (0, 1), bounded away from the ends to keep 1 − α well conditioned. */
export const alpha = fc.double({ min: 1e-4, max: 1 - 1e-4, noNaN: true });

export function series(minLength: number, maxLength: number): fc.Arbitrary<number[]> {
  return fc.array(value, { minLength, maxLength });
}

/** An actual and a forecast of the same length. */
export const pairedSeries = fc
  .integer({ min: 1, max: 40 })
  .chain((n) =>
    fc.tuple(fc.array(value, { minLength: n, maxLength: n }), fc.array(value, { minLength: n, maxLength: n })),
  );

/** Strictly increasing quantile levels inside (0, 1). */
export const quantileLevels = fc
  .uniqueArray(fc.double({ min: 0.001, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 12 })
  .map((levels) => levels.sort((a, b) => a - b));

/** Levels with non-decreasing values, as a well-behaved model emits them. */
export const monotoneQuantiles = quantileLevels.chain((levels) =>
  fc
    .array(value, { minLength: levels.length, maxLength: levels.length })
    .map((values) => ({ levels, values: values.sort((a, b) => a - b) })),
);

/** |a − b| within a relative tolerance (absolute near zero). */
export function closeRel(a: number, b: number, rel = 1e-9): boolean {
  return Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));
}
