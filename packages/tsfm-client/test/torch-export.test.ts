/**
 * The export path docs/models.md promises for PyTorch models (TimesFM, Chronos-Bolt, TTM), tested
 * end to end with our own v2 trainer: torch.onnx.export → model.json (@tsfm/pretrain) → this
 * client. The client's forecasts must be the torch model's outputs on the same windows (the shipped
 * graph is the calibrated re-export, so its reference is reference-outputs-calibrated.json).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TORCH_PRETRAIN, runTorchPretrain } from '@tsfm/pretrain';
import { describe, expect, it } from 'vitest';
import { loadModel, parseConfigKey } from '../src/index.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

describe('a PyTorch-trained model exported with torch.onnx.export', () => {
  it('loads through its manifest and forecasts exactly what torch computed', async () => {
    const root = tempDir('torch-export-');
    await runTorchPretrain({
      ...DEFAULT_TORCH_PRETRAIN,
      out: join(root, 'model'),
      work: join(root, 'work'),
      steps: 4,
      batch: 16,
      hidden: 32,
      blocks: 1,
      warmup: 1,
      evalEvery: 4,
      checkpointEvery: 4,
      heldOutRows: 16,
      poolSeries: 64,
      poolLength: 640,
      heldOutSeries: 16,
      poolWorkers: 1,
      version: '0.0.0-test',
      // The calibrated re-export (tsfm_v2.export --spread) is the longer path; test that one.
      calibration: 'v2-val',
      log: () => {},
    });
    const reference = JSON.parse(readFileSync(join(root, 'work/train/reference-outputs-calibrated.json'), 'utf8')) as {
      context: number[][];
      mask: number[][];
      quantiles: number[][][];
    };
    const client = await loadModel(join(root, 'model/model.json'));
    expect(client.contract.contextLength).toBe(512);
    // The raw model: no aggregation, no scaling, no flip, no clamp, no crossing fix.
    const config = parseConfigKey('ctx512-r1-none-flip0-clamp0-fix0');
    // Reference windows whose context is fully observed map one to one onto client rows.
    const full = reference.mask.map((m, i) => (m.every((v) => v === 1) ? i : -1)).filter((i) => i >= 0);
    expect(full.length).toBeGreaterThan(0);
    const out = await client.forecastBatch(
      full.map((i) => ({ values: Float32Array.from(reference.context[i]), horizon: 64, config })),
    );
    const levels = client.levels.length;
    full.forEach((i, r) => {
      const scale = Math.max(...reference.context[i].map(Math.abs), 1e-6);
      for (let t = 0; t < 64; t++)
        for (let k = 0; k < levels; k++)
          expect(Math.abs(out[r].quantiles[t * levels + k] - reference.quantiles[i][t][k]) / scale).toBeLessThan(1e-4);
    });
    await client.release();
  }, 900_000); // starts Python and trains: a last guard against a hang on a busy machine, not a speed bound
});
