import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InferenceSession } from 'onnxruntime-node';
import { loadModel, ModelContractError, parseManifest, TsfmClient, type SessionLike } from '../src/index.js';
import { lastPlusChannel, unloadable, writeModel, type Built } from './helpers/test-models.js';

async function loadError(path: string): Promise<ModelContractError> {
  try {
    const client = await loadModel(path);
    await client.release();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelContractError);
    return e as ModelContractError;
  }
  throw new Error('expected loadModel to fail');
}

describe('model contract errors', () => {
  it('loads a model that matches its manifest, with either thread setting', async () => {
    const path = writeModel(lastPlusChannel());
    for (const options of [{}, { intraOpNumThreads: 2, allowSpinning: true }]) {
      const client = await loadModel(path, options);
      expect(client.levels).toHaveLength(13);
      await client.release();
    }
  });

  it('without the ORT memory arena (the service) forecasts the same numbers, at every batch size', async () => {
    const path = writeModel(lastPlusChannel());
    const withArena = await loadModel(path);
    const withoutArena = await loadModel(path, { memoryArena: false });
    // Growing then shrinking batches: the sizes a server's micro-batches go through.
    for (const size of [1, 64, 3, 257, 2]) {
      const rows = Array.from({ length: size }, (_, i) => ({
        values: Float32Array.from({ length: 40 }, (_, t) => Math.sin((t + i) / 5) * 10 + i),
        horizon: 3,
        config: withArena.defaultConfig,
      }));
      const a = await withArena.forecastBatch(rows);
      const b = await withoutArena.forecastBatch(rows);
      expect(b.map((f) => Array.from(f.quantiles))).toEqual(a.map((f) => Array.from(f.quantiles)));
    }
    await withArena.release();
    await withoutArena.release();
  });

  it('missing manifest', async () => {
    const e = await loadError('/nonexistent/model.json');
    expect(e.message).toMatch(/\/nonexistent\/model\.json: \(file\): cannot read manifest/);
  });

  it('missing ONNX file', async () => {
    const path = writeModel(lastPlusChannel());
    rmSync(join(dirname(path), 'last-plus-channel.onnx'));
    const e = await loadError(path);
    expect(e.file).toMatch(/last-plus-channel\.onnx$/);
    expect(e.message).toMatch(/cannot read the ONNX file named by model\.json/);
  });

  it('sha256 mismatch names the manifest field', async () => {
    const e = await loadError(writeModel(lastPlusChannel(), { sha256: '0'.repeat(64) }));
    expect(e.field).toBe('sha256');
    expect(e.message).toMatch(/hashes to [0-9a-f]{64}/);
  });

  it('size mismatch reads as truncation', async () => {
    const built = lastPlusChannel();
    const e = await loadError(writeModel(built, { sizeBytes: built.bytes.byteLength + 1 }));
    expect(e.field).toBe('sizeBytes');
  });

  it('corrupt file (not protobuf) is refused before ORT', async () => {
    const built = lastPlusChannel();
    const path = writeModel(built);
    const onnx = join(dirname(path), 'last-plus-channel.onnx');
    const garbage = Uint8Array.from(readFileSync(onnx).subarray(0, 40), (b, i) => (i % 2 ? 0xff : b));
    writeFileSync(onnx, garbage);
    const manifest = JSON.parse(readFileSync(path, 'utf8'));
    const { createHash } = await import('node:crypto');
    manifest.sha256 = createHash('sha256').update(garbage).digest('hex');
    delete manifest.sizeBytes;
    writeFileSync(path, JSON.stringify(manifest));
    const e = await loadError(path);
    expect(e.field).toBe('(file)');
    expect(e.message).toMatch(/not a readable ONNX model/);
  });

  it('a graph ORT cannot load is a contract error with ORT’s reason', async () => {
    const e = await loadError(writeModel(unloadable()));
    expect(e.message).toMatch(/onnxruntime cannot load the model: .*NoSuchOperator/);
  });

  it('opset mismatch between manifest and file', async () => {
    const e = await loadError(writeModel(lastPlusChannel(), { opset: 18 }));
    expect(e.field).toBe('opset');
    expect(e.message).toMatch(/manifest says 18 .* opset 17/);
  });

  it('opset above what onnxruntime 1.30 supports', async () => {
    const e = await loadError(writeModel(lastPlusChannel({ opset: 27 })));
    expect(e.field).toBe('opset');
    expect(e.message).toMatch(/opset 27 is above 26/);
  });

  it('input name in the manifest not in the model', async () => {
    const built = lastPlusChannel();
    const e = await loadError(
      writeModel(built, {
        inputs: [
          { name: 'values', shape: ['batch', 32], dtype: 'float32' },
          { name: 'mask', shape: ['batch', 32], dtype: 'float32' },
        ],
        contextInput: 'values',
      }),
    );
    expect(e.field).toBe('inputs');
    expect(e.message).toMatch(/no input 'values'/);
  });

  it('output name in the manifest not in the model', async () => {
    const e = await loadError(
      writeModel(lastPlusChannel(), { output: { name: 'q', shape: ['batch', 8, 13], dtype: 'float32' } }),
    );
    expect(e.field).toBe('output.name');
  });

  it('context length in the manifest differs from the model’s input dim', async () => {
    const e = await loadError(
      writeModel(lastPlusChannel({ context: 32 }), {
        contextLength: 64,
        inputs: [
          { name: 'context', shape: ['batch', 64], dtype: 'float32' },
          { name: 'mask', shape: ['batch', 64], dtype: 'float32' },
        ],
      }),
    );
    expect(e.field).toBe('inputs[0].shape[1]');
    expect(e.message).toMatch(/manifest says 64 but the model's 'context' has 32/);
  });

  it('an output horizon that differs from the manifest is caught from session metadata', async () => {
    // The graph declares [batch, h, q]; ORT's shape inference still knows it is [batch, 8, 13].
    const built = lastPlusChannel({ horizon: 8, declaredOutput: ['batch', 'h', 'q'] });
    const e = await loadError(
      writeModel(built, { horizon: 16, output: { name: 'quantiles', shape: ['batch', 16, 13], dtype: 'float32' } }),
    );
    expect(e.field).toBe('output.shape[1]');
    expect(e.message).toMatch(/manifest says 16 but the model's 'quantiles' has 8/);
  });

  it('a model fixed to batch 1 is caught from session metadata', async () => {
    const e = await loadError(writeModel(lastPlusChannel({ fixedBatch: 1, declaredOutput: ['batch', 8, 13] })));
    expect(e.field).toBe('output.shape[0]');
  });

  describe('when ORT gives no shape metadata, the probe run checks shapes', () => {
    async function viaProbe(built: Built, overrides: Record<string, unknown> = {}): Promise<ModelContractError> {
      const manifest = { ...built.manifest, ...overrides };
      const { manifest: m, contract } = parseManifest(manifest, 'model.json');
      const session = await InferenceSession.create(built.bytes, { logSeverityLevel: 4 });
      const blind: SessionLike = {
        inputNames: session.inputNames,
        outputNames: session.outputNames,
        run: (f, o) => session.run(f, o),
      };
      try {
        await TsfmClient.create(m, contract, blind, { file: 'test.onnx' });
      } catch (e) {
        expect(e).toBeInstanceOf(ModelContractError);
        return e as ModelContractError;
      } finally {
        await session.release();
      }
      throw new Error('expected TsfmClient.create to fail');
    }

    it('wrong horizon', async () => {
      const e = await viaProbe(lastPlusChannel({ horizon: 8 }), {
        horizon: 16,
        output: { name: 'quantiles', shape: ['batch', 16, 13], dtype: 'float32' },
      });
      expect(e.field).toBe('output.shape');
      expect(e.message).toMatch(/returned \[2, 8, 13\]; the manifest implies \[2, 16, 13\]/);
    });

    it('batch fixed to 1', async () => {
      const e = await viaProbe(lastPlusChannel({ fixedBatch: 1, declaredOutput: ['batch', 8, 13] }));
      expect(e.message).toMatch(/probe run at batch 2 failed/);
    });
  });

  it('a level count that does not match the output is refused at manifest time', async () => {
    const e = await loadError(writeModel(lastPlusChannel(), { quantileLevels: [0.1, 0.5, 0.9] }));
    expect(e.field).toBe('quantileLevels');
  });
});
