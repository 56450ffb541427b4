import { describe, expect, it } from 'vitest';
import { initParams } from '../src/model/params.js';
import { DEFAULT_TRAIN, learningRate, train } from '../src/train.js';
import { TINY } from './helpers.js';

describe('seeded initialisation', () => {
  it('is bit-identical for the same seed and differs across seeds', () => {
    const a = initParams(TINY, 42),
      b = initParams(TINY, 42),
      c = initParams(TINY, 43);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
  });
});

describe('learning-rate schedule', () => {
  it('warms up linearly, peaks at lr and decays to minLrFraction · lr', () => {
    const o = { lr: 1e-3, warmupSteps: 10, minLrFraction: 0.1, steps: 110 };
    expect(learningRate(o, 0)).toBeCloseTo(1e-4, 10);
    expect(learningRate(o, 9)).toBeCloseTo(1e-3, 10);
    expect(learningRate(o, 110)).toBeCloseTo(1e-4, 10);
  });
});

describe('training loop', () => {
  const base = {
    ...DEFAULT_TRAIN,
    config: TINY,
    corpus: 'standin' as const,
    steps: 60,
    batch: 32,
    shards: 2,
    workers: false,
    lr: 3e-3,
    warmupSteps: 5,
    evalEvery: 30,
    heldOutRows: 64,
    windows: { ...DEFAULT_TRAIN.windows, minContext: 16, seriesLength: 160 },
  };

  it('lowers the held-out pinball loss within a few dozen steps on a tiny model', async () => {
    const r = await train({ ...base, seed: 3 });
    expect(r.curve[0].step).toBe(0);
    expect(r.curve.at(-1)!.heldOutLoss).toBeLessThan(0.9 * r.curve[0].heldOutLoss);
  });

  it('is deterministic for a seed (same parameters after training)', async () => {
    const a = await train({ ...base, seed: 5, steps: 8 });
    const b = await train({ ...base, seed: 5, steps: 8 });
    expect(Buffer.from(a.params.buffer).equals(Buffer.from(b.params.buffer))).toBe(true);
  });
});
