/**
 * Scoring reads each config's α-path without materialising its post-processed matrix
 * (postProcessedPath): it must give exactly — bit for bit — the path of postProcess's matrix.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpolateQuantileRow } from '@tsfm/losses';
import { DEFAULT_CONFIG, parseConfig } from '@tsfm/tsfm-client';
import { postProcess, postProcessedPath } from '../src/scoring.js';

const LEVELS = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];
const L = LEVELS.length;

/** Rows as models emit them: mostly monotone, some crossed, some below 0, the odd NaN or −0. */
const matrices = fc.integer({ min: 1, max: 12 }).chain((h) =>
  fc.record({
    h: fc.constant(h),
    values: fc.array(
      fc.oneof(
        { weight: 8, arbitrary: fc.float({ min: -5, max: 50, noNaN: true }) },
        { weight: 1, arbitrary: fc.constantFrom(Number.NaN, -0, 0) },
      ),
      { minLength: h * L, maxLength: h * L },
    ),
    monotone: fc.boolean(),
  }),
);

describe('postProcessedPath', () => {
  it('property: equals interpolateQuantileRow(postProcess(raw)) bit for bit, for every repair combination', () => {
    fc.assert(
      fc.property(
        matrices,
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(0.005, 0.1, 0.5, 0.8, 0.9, 0.93, 0.995),
        ({ h, values, monotone }, clampNonNegative, fixCrossing, alpha) => {
          const raw = Float32Array.from(values);
          // Half the cases sorted per step, as a non-crossing model's rows are (NaN rows stay unsorted).
          if (monotone) for (let t = 0; t < h; t++) raw.subarray(t * L, (t + 1) * L).sort();
          const config = parseConfig({ ...DEFAULT_CONFIG, clampNonNegative, fixCrossing });
          const expected = interpolateQuantileRow(
            LEVELS,
            postProcess(raw, config, h, L, new Float32Array(h * L)),
            L,
            h,
            alpha,
          );
          const before = raw.slice();
          const path = postProcessedPath(raw, config, h, LEVELS, alpha, new Float32Array(h), new Float32Array(L));
          for (let t = 0; t < h; t++) expect(path[t]).toBe(expected[t]);
          expect(raw).toEqual(before);
        },
      ),
      { numRuns: 500 },
    );
  });
});
