/**
 * Wraps an ONNX file exported by the PyTorch trainer in a model.json (for pilots and checks):
 *   tsx packages/pretrain/scripts/manifest-for-onnx.ts <file.onnx> [version]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { buildTorchManifest } from '../src/manifest.js';
import { QUANTILE_LEVELS } from '../src/model/config.js';

const [onnxPath, version = '0.0.0-pilot'] = process.argv.slice(2);
if (!onnxPath) {
  console.error('usage: manifest-for-onnx.ts <file.onnx> [version]');
  process.exit(2);
}
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
