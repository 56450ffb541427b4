/**
 * Wraps an ONNX file exported by the PyTorch trainer in a model.json (for pilots and checks):
 *   tsx packages/pretrain/scripts/manifest-for-onnx.ts <file.onnx> [version]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { buildTorchManifest } from '../src/manifest.js';
import { QUANTILE_LEVELS } from '../src/model/config.js';
import { scriptArgs } from './script-cli.js';

const { positionals } = scriptArgs({
  name: 'manifest-for-onnx',
  usage: 'usage: manifest-for-onnx.ts <file.onnx> [version]   (writes model.json beside the file)',
  positionals: { min: 1, max: 2 },
});
const [onnxPath, version = '0.0.0-pilot'] = positionals as [string, string?];
const onnx = new Uint8Array(readFileSync(onnxPath));
const manifest = buildTorchManifest(
  { context: 512, horizon: 64, levels: QUANTILE_LEVELS, opset: 17, irVersion: 8 },
  onnx,
  basename(onnxPath),
  { name: 'tsfm-seasonal-mixture', version },
  { type: 'seasonal-mixture-mlp', parameters: 0 },
  {
    generator: 'pilot',
    corpus: 'synthetic only (pilot)',
    seed: 0,
    corpusSeed: 0,
    seriesGenerated: 0,
    samples: 0,
    steps: 0,
    batch: 0,
    heldOut: 'pilot',
    wallSeconds: 0,
    threads: 1,
    stoppedByTimeCap: false,
    hyperparameters: {},
  },
);
writeFileSync(join(dirname(onnxPath), 'model.json'), JSON.stringify(manifest, null, 2) + '\n');
