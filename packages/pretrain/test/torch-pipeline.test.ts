/**
 * The v2 pretraining pipeline end to end with Debian's python3-torch: pool → PyTorch trainer →
 * torch.onnx.export → parity with ONNX Runtime → spread calibration on v2-val → model.json. Tiny sizes; the real run is
 * `npm run pretrain`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrateSpreadOnValidation, type SpreadCalibrationResult } from '../src/calibration/validation-spread.js';
import { runTorchPretrain } from '../src/torch/pipeline.js';
import { TorchTrainerError } from '../src/torch/python-trainer.js';
import { tinyTorchOptions } from './helpers/tiny-torch.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

// Each case starts Python and torch several times and trains; on a busy 2-core machine that can
// take minutes. The limit is only a last guard against a hang, never a speed assertion.
const LAST_GUARD_MS = 900_000;

describe('v2 pretraining (PyTorch trainer)', () => {
  it(
    // One stopped run serves both resume cases: starting Python and torch and building the pool is
    // most of each case's cost on a busy machine.
    'is resumable: refuses a checkpoint written by a different recipe, and a run stopped after step 4 and restarted ends with the weights of an uninterrupted run',
    async () => {
      const root = tempDir('torch-pretrain-');
      const straight = tinyTorchOptions(join(root, 'a/model'), join(root, 'a/work'));
      const manifest = await runTorchPretrain(straight);

      const logs: string[] = [];
      const resumed = tinyTorchOptions(join(root, 'b/model'), join(root, 'b/work'), { log: (l) => logs.push(l) });
      await expect(runTorchPretrain({ ...resumed, stopAfter: 4 })).rejects.toBeInstanceOf(TorchTrainerError);
      expect(existsSync(join(root, 'b/work/train/checkpoint.pt'))).toBe(true);
      // Refused before it touches the checkpoint: the resume below must still match run a.
      await expect(runTorchPretrain({ ...resumed, lr: 5e-4, log: () => undefined })).rejects.toThrow(
        /different recipe/,
      );
      const again = await runTorchPretrain(resumed);
      expect(logs.some((l) => l.includes('resumed from the checkpoint at step 4'))).toBe(true);
      expect(logs.some((l) => /pool .*: present/.test(l))).toBe(true);

      const outputs = (dir: string): unknown =>
        JSON.parse(readFileSync(join(dir, 'train/reference-outputs.json'), 'utf8'));
      expect(outputs(join(root, 'b/work'))).toEqual(outputs(join(root, 'a/work')));
      expect(again.sha256).toBe(manifest.sha256);
      expect(manifest).toMatchObject({
        name: 'tsfm-seasonal-mixture',
        contextLength: 512,
        horizon: 64,
        opset: 17,
        training: { steps: 8, batch: 16, corpus: expect.stringContaining('synthetic only') },
      });
    },
    LAST_GUARD_MS,
  );

  it(
    'bakes the spread calibration fitted on v2-val into the exported graph',
    async () => {
      const root = tempDir('torch-pretrain-');
      const manifest = await runTorchPretrain(
        tinyTorchOptions(join(root, 'model'), join(root, 'work'), { calibration: 'v2-val' }),
      );
      const calibration = manifest.training.calibration as SpreadCalibrationResult;
      expect(calibration.set).toBe('v2-val');
      expect(calibration.factors).toHaveLength(12);
      // Fitted: averaged over the two parts (equal weight), each non-median level is met, unless
      // its factor hit the search bound (1/8 or 8: an 8-step model can be that far off).
      const levels = manifest.quantileLevels;
      levels.forEach((level, k) => {
        if (level === 0.5) return;
        const factor = calibration.factors[level < 0.5 ? k : k - 1];
        if (factor <= 0.1251 || factor >= 7.999) return;
        const pooled = (calibration.after[0].below[k] + calibration.after[1].below[k]) / 2;
        expect(Math.abs(pooled - level)).toBeLessThan(0.01);
      });
      // The shipped ONNX file is the calibrated one: scored again, its raw calibration is the
      // fitted one (the factors are in the graph, not only in model.json).
      const again = await calibrateSpreadOnValidation(join(root, 'model/model.json'));
      again.before.forEach((part, p) =>
        part.below.forEach((b, k) => expect(Math.abs(b - calibration.after[p].below[k])).toBeLessThan(2e-3)),
      );
    },
    LAST_GUARD_MS,
  );
});
