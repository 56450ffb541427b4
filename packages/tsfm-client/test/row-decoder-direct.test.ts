/**
 * decodeRow decodes a row without the crossing fix in one pass; it must give bit for bit what the
 * step-by-step decode gives (gather in level order, combine with the flipped row, leave model
 * space, clamp, repeat each coarse step r times), for both output layouts, extra channels, flip,
 * log1p and every resolution.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  combineFlipped,
  DEFAULT_CONFIG,
  parseConfig,
  repeatCoarse,
  type ModelContract,
  type Scaling,
} from '../src/index.js';
import { decodeRow, gatherRow } from '../src/row-decoder.js';
import { testContract } from './helpers/contract.js';

const H = 4;
const LEVELS = [0.1, 0.5, 0.9];

function contract(layout: 'batch-horizon-quantile' | 'batch-quantile-horizon'): ModelContract {
  // Four output channels, the levels in channels 3, 1, 2: the channel map matters.
  const shape = layout === 'batch-horizon-quantile' ? ['batch', H, 4] : ['batch', 4, H];
  return testContract({
    horizon: H,
    inputs: [{ name: 'context', shape: ['batch', 6], dtype: 'float32' }],
    maskInput: null,
    output: { name: 'q', shape, dtype: 'float32', layout },
    quantileLevels: LEVELS,
    quantileChannels: [3, 1, 2],
  });
}

/** The step-by-step decode (what decodeRow did for every config before the one-pass path). */
function reference(
  output: Float32Array,
  m: number,
  mFlip: number,
  horizon: number,
  config: ReturnType<typeof parseConfig>,
  scaling: Scaling,
  c: ModelContract,
): Float32Array {
  const r = config.resolutionMinutes;
  const nSteps = Math.ceil(horizon / r);
  const K = c.channels.length;
  const plus = new Float64Array(nSteps * K);
  gatherRow(output, m, nSteps, c, plus);
  if (config.flip) {
    const minus = new Float64Array(nSteps * K);
    gatherRow(output, mFlip, nSteps, c, minus);
    combineFlipped(plus, minus, nSteps, K, plus);
  }
  for (let i = 0; i < plus.length; i++) {
    const g = plus[i] * scaling.scale + scaling.shift;
    const v = scaling.log1p ? Math.expm1(g) : g;
    plus[i] = config.clampNonNegative && v < 0 ? 0 : v;
  }
  const out = new Float32Array(horizon * K);
  repeatCoarse(plus, K, r, horizon, out);
  return out;
}

describe('decodeRow without the crossing fix', () => {
  it('property: equals the step-by-step decode bit for bit', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('batch-horizon-quantile' as const, 'batch-quantile-horizon' as const),
        fc.array(fc.float({ min: -4, max: 4, noNaN: true }), { minLength: 3 * H * 4, maxLength: 3 * H * 4 }),
        fc.constantFrom(1, 5, 15, 60),
        fc.integer({ min: 1, max: 4 }),
        fc.record({
          flip: fc.boolean(),
          clampNonNegative: fc.boolean(),
          log1p: fc.boolean(),
          shift: fc.double({ min: -10, max: 10, noNaN: true }),
          scale: fc.double({ min: 0.01, max: 100, noNaN: true }),
        }),
        (layout, values, r, steps, k) => {
          const c = contract(layout);
          const output = Float32Array.from(values);
          const horizon = Math.max(1, (steps - 1) * r + Math.ceil(r / 2));
          const config = parseConfig({
            ...DEFAULT_CONFIG,
            resolutionMinutes: r,
            flip: k.flip,
            clampNonNegative: k.clampNonNegative,
            fixCrossing: false,
            normalisation: k.log1p ? 'log1p' : 'mean-std',
          });
          const scaling: Scaling = { log1p: k.log1p, shift: k.shift, scale: k.scale };
          const scratch = { coarse: new Float64Array(H * 3) };
          const got = decodeRow(output, 1, k.flip ? 2 : -1, horizon, config, scaling, c, scratch);
          const want = reference(output, 1, k.flip ? 2 : -1, horizon, config, scaling, c);
          expect(got.length).toBe(want.length);
          for (let i = 0; i < want.length; i++) expect(got[i]).toBe(want[i]);
        },
      ),
      { numRuns: 400 },
    );
  });
});
