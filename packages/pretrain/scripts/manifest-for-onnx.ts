/**
 * Wraps an ONNX file exported by the PyTorch trainer in a model.json (for pilots and checks):
 *   tsx packages/pretrain/scripts/manifest-for-onnx.ts <file.onnx> [version]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { buildTorchManifest, untrainedSummary } from '../src/manifest.js';
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
  untrainedSummary('pilot', 'synthetic only (pilot)', 'pilot'),
);
writeFileSync(join(dirname(onnxPath), 'model.json'), JSON.stringify(manifest, null, 2) + '\n');
