import { describe, expect, it } from 'vitest';
import { newScaling } from '../src/index.js';
import { testContract } from './helpers/contract.js';
import { writeModelRow } from '../src/row-encoder.js';
import { gatherRow } from '../src/row-decoder.js';

const contract = testContract;

const identity = newScaling();

describe('row encoder', () => {
  it('right-aligns the history (left padding) and masks the padding', () => {
    const ctx = new Float32Array(6);
    const mask = new Float32Array(6);
    writeModelRow([3, 4, 5], 0, 3, identity, 1, contract(), ctx, mask, 0);
    expect([...ctx]).toEqual([0, 0, 0, 3, 4, 5]);
    expect([...mask]).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it('carries the previous value into a gap and masks it; leading NaN is padding', () => {
    const ctx = new Float32Array(6);
    const mask = new Float32Array(6);
    writeModelRow([NaN, 2, NaN, NaN, 5], 0, 5, identity, 1, contract(), ctx, mask, 0);
    expect([...ctx]).toEqual([0, 0, 2, 2, 2, 5]);
    expect([...mask]).toEqual([0, 0, 1, 0, 0, 1]);
  });

  it('writes the flipped row negated, at its own offset', () => {
    const ctx = new Float32Array(12);
    const mask = new Float32Array(12);
    writeModelRow([3, 4], 0, 2, identity, -1, contract(), ctx, mask, 6);
    expect([...ctx.subarray(6)]).toEqual([0, 0, 0, 0, -3, -4]);
    expect([...mask.subarray(6)]).toEqual([0, 0, 0, 0, 1, 1]);
  });

  it('reads its values from an offset into a shared buffer', () => {
    const ctx = new Float32Array(6);
    const mask = new Float32Array(6);
    writeModelRow([9, 9, 3, 4], 2, 2, identity, 1, contract(), ctx, mask, 0);
    expect([...ctx]).toEqual([0, 0, 0, 0, 3, 4]);
  });

  it('padded-is-1 masks are inverted', () => {
    const ctx = new Float32Array(6);
    const mask = new Float32Array(6);
    writeModelRow([3, 4], 0, 2, identity, 1, contract({ maskConvention: 'padded-is-1' }), ctx, mask, 0);
    expect([...mask]).toEqual([1, 1, 1, 1, 0, 0]);
  });

  it('without a mask input, pads with the first observed value (model space)', () => {
    const c = contract({ inputs: [{ name: 'context', shape: ['batch', 6], dtype: 'float32' }], maskInput: null });
    const ctx = new Float32Array(6);
    writeModelRow([NaN, 7, 8], 0, 3, identity, -1, c, ctx, null, 0);
    expect([...ctx]).toEqual([-7, -7, -7, -7, -7, -8]);
  });

  it('pad value nan keeps every unobserved step NaN', () => {
    const c = contract({
      inputs: [{ name: 'context', shape: ['batch', 6], dtype: 'float32' }],
      maskInput: null,
      padValue: 'nan',
    });
    const ctx = new Float32Array(6);
    writeModelRow([1, NaN, 3], 0, 3, identity, 1, c, ctx, null, 0);
    expect([...ctx]).toEqual([NaN, NaN, NaN, 1, NaN, 3]);
  });
});

describe('row decoder: output channel → level', () => {
  it('reads [batch, horizon, channel] through the channel map', () => {
    // 2 rows × 2 steps × 4 channels; value = 100·row + 10·step + channel
    const c = contract({
      output: { name: 'q', shape: ['batch', 2, 4], dtype: 'float32' },
      quantileChannels: [1, 2, 3],
    });
    const out = Float32Array.from(
      { length: 16 },
      (_, i) => 100 * Math.floor(i / 8) + 10 * Math.floor((i % 8) / 4) + (i % 4),
    );
    const dst = new Float64Array(6);
    gatherRow(out, 1, 2, c, dst);
    expect([...dst]).toEqual([101, 102, 103, 111, 112, 113]);
  });

  it('reads [batch, channel, horizon]', () => {
    const c = contract({
      output: { name: 'q', shape: ['batch', 3, 2], dtype: 'float32', layout: 'batch-quantile-horizon' },
    });
    // value = 100·row + 10·channel + step
    const out = Float32Array.from(
      { length: 12 },
      (_, i) => 100 * Math.floor(i / 6) + 10 * Math.floor((i % 6) / 2) + (i % 2),
    );
    const dst = new Float64Array(6);
    gatherRow(out, 1, 2, c, dst);
    expect([...dst]).toEqual([100, 110, 120, 101, 111, 121]);
  });
});
