import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../src/model/config.js';
import { buildOnnxModel, INPUT_NAME, MASK_NAME, OUTPUT_NAME } from '../src/model/export-onnx.js';
import { denormalise, forward, Workspace } from '../src/model/forward.js';
import { initParams, viewParams } from '../src/model/params.js';
import { GraphBuilder } from '../src/onnx/index.js';
import { Rng } from '../src/rng.js';
import { randomBatch, TINY } from './helpers.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const dir = tempDir('tsfm-onnx-');

async function runOrt(
  path: string,
  config: ModelConfig,
  context: Float32Array,
  mask: Float32Array,
  rows: number,
): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(path);
  const out = await session.run({
    [INPUT_NAME]: new ort.Tensor('float32', context, [rows, config.context]),
    [MASK_NAME]: new ort.Tensor('float32', mask, [rows, config.context]),
  });
  await session.release();
  return out[OUTPUT_NAME];
}

function randomWeights(config: ModelConfig, seed: number): Float32Array {
  const params = initParams(config, seed);
  const rng = new Rng(seed, 99);
  // Push the head and skip away from their near-zero init so every path contributes to the output.
  for (let i = 0; i < params.length; i++) params[i] += 0.05 * rng.normal();
  return params;
}

function tsReference(
  config: ModelConfig,
  params: Float32Array,
  context: Float32Array,
  mask: Float32Array,
  rows: number,
): Float32Array {
  const ws = new Workspace(config, rows, Float32Array);
  forward(config, viewParams(config, params), context, mask, rows, ws);
  const out = new Float32Array(rows * config.horizon * config.levels.length);
  denormalise(config, ws, rows, out);
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('ONNX writer', () => {
  it('emits a model onnxruntime loads and runs (MatMul + Reshape, symbolic batch)', async () => {
    const g = new GraphBuilder('smoke');
    const x = g.addInput('x', ['batch', 3]);
    const y = g.addNode('MatMul', [x, g.addInitializer(new Float32Array([1, 2, 3, 4, 5, 6]), [3, 2])]);
    g.addOutput(g.addNode('Reshape', [y, g.addInt64Initializer([-1, 2, 1])], {}, 'y'), ['batch', 2, 1]);
    const path = join(dir, 'smoke.onnx');
    writeFileSync(path, g.toBytes());
    const session = await ort.InferenceSession.create(path);
    expect(session.inputNames).toEqual(['x']);
    const out = await session.run({ x: new ort.Tensor('float32', new Float32Array([1, 0, 0, 0, 1, 1]), [2, 3]) });
    expect(out.y.dims).toEqual([2, 2, 1]);
    expect(Array.from(out.y.data as Float32Array)).toEqual([1, 2, 8, 10]);
  });

  it('refuses an edge to a tensor that does not exist', () => {
    const g = new GraphBuilder('bad');
    expect(() => g.addNode('Relu', ['nope'])).toThrow(/'nope' is not defined/);
  });
});

describe('exported graph vs TypeScript reference forward pass', () => {
  const cases: [string, ModelConfig, number, number, number][] = [
    ['tiny model, unit-scale rows', TINY, 12, 0, 1],
    ['tiny model, offset rows', TINY, 9, 3, 0.5],
    [
      'default-width model (context 512, horizon 64)',
      { ...TINY, context: 512, horizon: 64, hidden: 64, maskPool: 16 },
      10,
      0,
      1,
    ],
  ];
  for (const [name, config, rows, level, spread] of cases) {
    it(`${name}: max |ORT − TS| ≤ 1e-5, padded and masked rows included`, async () => {
      const params = randomWeights(config, rows);
      const path = join(dir, `${rows}.onnx`);
      writeFileSync(path, buildOnnxModel(config, params));
      const { context, mask } = randomBatch(config, rows, rows + 1, level, spread);
      const ortOut = await runOrt(path, config, context, mask, rows);
      expect(ortOut.dims).toEqual([rows, config.horizon, config.levels.length]);
      const ref = tsReference(config, params, context, mask, rows);
      expect(maxAbsDiff(ortOut.data as Float32Array, ref)).toBeLessThanOrEqual(1e-5);
    });
  }

  it('keeps quantiles ordered and finite for large head activations (softplus saturation)', async () => {
    const params = randomWeights(TINY, 3);
    const p = viewParams(TINY, params);
    for (let i = 0; i < p.bh.length; i++) p.bh[i] += i % 2 === 0 ? 120 : -120;
    const path = join(dir, 'saturated.onnx');
    writeFileSync(path, buildOnnxModel(TINY, params));
    const rows = 4;
    const { context, mask } = randomBatch(TINY, rows, 8);
    const out = (await runOrt(path, TINY, context, mask, rows)).data as Float32Array;
    const Q = TINY.levels.length;
    for (let i = 0; i < out.length; i++) expect(Number.isFinite(out[i])).toBe(true);
    for (let i = 0; i < out.length; i += Q)
      for (let k = 1; k < Q; k++) expect(out[i + k]).toBeGreaterThanOrEqual(out[i + k - 1]);
  });
});
