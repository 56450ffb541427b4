/**
 * The int8 quantiser (python/tsfm_v2/quantize.py, src/quantize/int8.ts): on a small torch export of
 * the v2 architecture with random weights, ONNX Runtime's int8 outputs stay close to fp32, the
 * bytes are the same on every run, the fp32 layers named stay fp32 and a name not in the graph is
 * refused; the shipped variant (model-int8/) is what the quantiser makes of the shipped default.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildTorchManifest, sha256, untrainedSummary } from '../src/manifest.js';
import { QUANTILE_LEVELS } from '../src/model/config.js';
import { INT8_FP32_LAYERS, quantizeModel, runQuantizer } from '../src/quantize/int8.js';
import { Rng } from '../src/rng.js';
import { PYTHON_DIR, pythonEnv, pythonExecutable } from '../src/torch/python-trainer.js';
import { RANDOM_V2_MODEL_PY } from './helpers/tiny-torch.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

// Starting Python with torch and onnx on a busy 2-core machine can take a while: a last guard
// against a hang, never a speed assertion.
const LAST_GUARD_MS = 300_000;
const C = 512;
const H = 64;
const Q = QUANTILE_LEVELS.length;

/** A v2 model (hidden 64, 1 block) with every parameter random, as torch.onnx.export writes it (no graph passes). */
function exportSmallTorchModel(path: string): void {
  const code = `${RANDOM_V2_MODEL_PY}
raw_export(${JSON.stringify(path)})
`;
  const r = spawnSync(pythonExecutable(), ['-c', code], { cwd: PYTHON_DIR, env: pythonEnv(), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`torch export failed: ${r.stderr}`);
}

/** Seasonal windows with noise, trends and some short (left-padded) histories. */
function windows(rows: number): { context: Float32Array; mask: Float32Array; scale: Float64Array } {
  const rng = new Rng(11);
  const context = new Float32Array(rows * C);
  const mask = new Float32Array(rows * C);
  const scale = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const start = r % 3 === 0 ? 200 : 0;
    const level = 100 * rng.next(),
      amp = 1 + 20 * rng.next(),
      period = [24, 96, 288, 7][r % 4];
    let n = 0,
      sum = 0,
      sq = 0;
    for (let i = start; i < C; i++) {
      const v = level + amp * Math.sin((2 * Math.PI * i) / period) + 0.02 * i * (r % 2) + (rng.next() - 0.5) * amp;
      context[r * C + i] = v;
      mask[r * C + i] = 1;
      n++;
      sum += v;
      sq += v * v;
    }
    const mu = sum / n;
    scale[r] = Math.sqrt(Math.max(0, sq / n - mu * mu)) + 1e-4 * Math.abs(mu) + 1e-8;
  }
  return { context, mask, scale };
}

async function run(file: string, w: ReturnType<typeof windows>, rows: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const out = await session.run({
    context: new ort.Tensor('float32', w.context, [rows, C]),
    mask: new ort.Tensor('float32', w.mask, [rows, C]),
  });
  await session.release();
  return out.quantiles.data as Float32Array;
}

describe('int8 dynamic quantisation', () => {
  it(
    'a small torch export: int8 within tolerance of fp32 and non-crossing, same bytes twice, named layers kept fp32, unknown names refused',
    async () => {
      const dir = tempDir('tsfm-quantize-');
      const fp32 = join(dir, 'default.onnx');
      exportSmallTorchModel(fp32);
      const fp32Bytes = new Uint8Array(readFileSync(fp32));
      const manifest = buildTorchManifest(
        { context: C, horizon: H, levels: QUANTILE_LEVELS, opset: 17, irVersion: 8 },
        fp32Bytes,
        'default.onnx',
        { name: 'tsfm-seasonal-mixture', version: '0.0.0-test' },
        { type: 'seasonal-mixture-mlp', parameters: 0 },
        untrainedSummary('test', 'none (random weights, quantiser test)', 'none'),
      );
      const manifestPath = join(dir, 'model.json');
      writeFileSync(manifestPath, JSON.stringify(manifest));

      // Every eligible product quantised (the strictest case for the tolerance below).
      const allPath = await quantizeModel(manifestPath, join(dir, 'all'), { exclude: [] });
      const all = JSON.parse(readFileSync(allPath, 'utf8')) as {
        sha256: string;
        sizeBytes: number;
        version: string;
        quantisation: { quantisedLayers: string[]; fp32Layers: string[]; from: { sha256: string } };
      };
      const allBytes = new Uint8Array(readFileSync(join(dir, 'all', 'model.onnx')));
      expect(all.sha256).toBe(sha256(allBytes));
      expect(all.sizeBytes).toBe(allBytes.byteLength);
      expect(all.version).toBe('0.0.0-test-int8');
      expect(all.quantisation.from.sha256).toBe(manifest.sha256);
      expect(all.quantisation.quantisedLayers).toEqual(expect.arrayContaining([...INT8_FP32_LAYERS, '/gate/Gemm']));
      expect(Buffer.from(allBytes).includes('MatMulInteger')).toBe(true);

      // Deterministic: a second run writes the same bytes.
      await runQuantizer(fp32, join(dir, 'again.onnx'), { exclude: [] });
      expect(sha256(new Uint8Array(readFileSync(join(dir, 'again.onnx'))))).toBe(all.sha256);

      // Accuracy, on the model's normalised scale (1 = the window's standard deviation), with every
      // eligible product quantised (the strictest case). Measured with 7-bit weights
      // (`reduceRange`), whose error does not depend on the CPU: on x86 without AVX-512 VNNI, ORT's
      // u8·s8 kernel sums pairs of products in int16, which 8-bit weights can saturate (this
      // model: mean 0.070, worst 0.54 on AVX2, against 0.0096 / 0.048 with VNNI), so a bar on the
      // 8-bit file would test the CPU. A wrong scale or layout gives errors of order 1 either way.
      const rows = 48;
      const w = windows(rows);
      const ref = await run(fp32, w, rows);
      const errors = (q: Float32Array) => {
        let sumAbs = 0,
          maxAbs = 0,
          crossings = 0;
        for (let r = 0; r < rows; r++) {
          for (let j = r * H * Q; j < (r + 1) * H * Q; j++) {
            const e = Math.abs(q[j] - ref[j]) / w.scale[r];
            sumAbs += e;
            maxAbs = Math.max(maxAbs, e);
            if (j % Q > 0 && q[j] < q[j - 1]) crossings++;
          }
        }
        return { mean: sumAbs / (rows * H * Q), max: maxAbs, crossings };
      };
      await runQuantizer(fp32, join(dir, 'all7.onnx'), { exclude: [], reduceRange: true });
      const q7 = await run(join(dir, 'all7.onnx'), w, rows);
      // The model is not the identity: the comparison must be able to fail.
      expect(q7).not.toEqual(ref);
      const seven = errors(q7);
      expect(seven.mean).toBeLessThan(0.04);
      expect(seven.max).toBeLessThan(0.25);
      // The increments stay non-negative through the fp32 cumulative-sum product: no crossing,
      // and 8-bit weights keep the same ordering guarantee whatever the CPU.
      expect(seven.crossings).toBe(0);
      const eight = errors(await run(join(dir, 'all', 'model.onnx'), w, rows));
      expect(eight.crossings).toBe(0);
      expect(eight.mean).toBeLessThan(0.15);

      // The default keeps /inp/Gemm and /incr/Gemm in fp32.
      const mixedPath = await quantizeModel(manifestPath, join(dir, 'mixed'));
      const mixed = JSON.parse(readFileSync(mixedPath, 'utf8')) as typeof all;
      expect(mixed.quantisation.fp32Layers).toEqual([...INT8_FP32_LAYERS]);
      for (const layer of INT8_FP32_LAYERS) expect(mixed.quantisation.quantisedLayers).not.toContain(layer);
      expect(mixed.sha256).not.toBe(all.sha256);

      // A renamed or missing layer is an error, not a silently quantised layer.
      await expect(runQuantizer(fp32, join(dir, 'bad.onnx'), { exclude: ['/no/such/Gemm'] })).rejects.toThrow(
        /--exclude names no node of the graph: \/no\/such\/Gemm/,
      );
    },
    LAST_GUARD_MS,
  );

  it(
    'the shipped variant: manifest matches its file, made from the shipped default, reproduced byte for byte',
    async () => {
      const root = resolve(import.meta.dirname, '..');
      const shipped = JSON.parse(readFileSync(join(root, 'model-int8/model.json'), 'utf8')) as {
        file: string;
        sha256: string;
        sizeBytes: number;
        quantisation: { from: { sha256: string } };
      };
      const bytes = new Uint8Array(readFileSync(join(root, 'model-int8', shipped.file)));
      expect(sha256(bytes)).toBe(shipped.sha256);
      expect(bytes.byteLength).toBe(shipped.sizeBytes);
      const fp32 = JSON.parse(readFileSync(join(root, 'model/model.json'), 'utf8')) as { sha256: string };
      // A new default.onnx must come with a regenerated int8 variant (npm run quantize -w @tsfm/pretrain).
      expect(shipped.quantisation.from.sha256).toBe(fp32.sha256);
      const dir = tempDir('tsfm-quantize-shipped-');
      const again = await quantizeModel(join(root, 'model/model.json'), dir);
      expect(readFileSync(again, 'utf8')).toBe(readFileSync(join(root, 'model-int8/model.json'), 'utf8'));
    },
    LAST_GUARD_MS,
  );
});
