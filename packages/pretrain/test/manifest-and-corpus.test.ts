import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolveCorpus } from '../src/data/corpus.js';
import { seasonalCorpusSeries } from '../src/data/seasonal-corpus.js';
import { buildOnnxModel } from '../src/model/export-onnx.js';
import { initParams, paramCount } from '../src/model/params.js';
import { buildManifest, type TrainingSummary } from '../src/manifest.js';
import { TINY } from './helpers.js';

describe('model.json manifest', () => {
  const onnx = buildOnnxModel(TINY, initParams(TINY, 1));
  const m = buildManifest(TINY, onnx, 'default.onnx', { seed: 1 } as TrainingSummary);

  it('pins the ONNX bytes by sha256 and size', () => {
    expect(m.sha256).toBe(createHash('sha256').update(onnx).digest('hex'));
    expect(m.sizeBytes).toBe(onnx.byteLength);
  });

  it('describes inputs, mask and output with the graph names and a symbolic batch dim', () => {
    expect(m.inputs.map((i) => i.name)).toEqual(['context', 'mask']);
    expect(m.inputs[0].shape).toEqual(['batch', TINY.context]);
    expect(m.maskInput).toBe('mask');
    expect(m.output).toMatchObject({
      name: 'quantiles',
      shape: ['batch', TINY.horizon, TINY.levels.length],
      dtype: 'float32',
    });
    expect(m.quantileLevels).toEqual([...TINY.levels]);
    expect(m.architecture.parameters).toBe(paramCount(TINY));
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });
});

describe('training corpora', () => {
  it('seasonal generator is deterministic per (seed, index)', () => {
    expect(Array.from(seasonalCorpusSeries(7, 3, 100))).toEqual(Array.from(seasonalCorpusSeries(7, 3, 100)));
    expect(Array.from(seasonalCorpusSeries(7, 3, 100))).not.toEqual(Array.from(seasonalCorpusSeries(7, 4, 100)));
  });

  it('mixed corpus interleaves workload-gen corpusSeries and the seasonal generator', () => {
    const mixed = resolveCorpus('mixed'),
      real = resolveCorpus('workload-gen');
    const seed = mixed.corpusSeed(1);
    let fromReal = 0,
      fromSeasonal = 0;
    for (let i = 0; i < 40; i++) {
      const s = Array.from(mixed.source(seed, i, 64));
      if (s.every((v, t) => v === real.source(seed, i, 64)[t])) fromReal++;
      else if (s.every((v, t) => v === seasonalCorpusSeries(seed, i, 64)[t])) fromSeasonal++;
    }
    expect(fromReal + fromSeasonal).toBe(40);
    expect(fromReal).toBeGreaterThan(8);
    expect(fromSeasonal).toBeGreaterThan(8);
  });
});
