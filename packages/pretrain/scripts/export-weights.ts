/**
 * Re-exports a weights.bin checkpoint to ONNX + model.json without retraining (e.g. to evaluate
 * a run's latest checkpoint while it trains). The manifest's training block is marked partial.
 *
 *   tsx packages/pretrain/scripts/export-weights.ts <weights.bin> <out-dir>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOnnxModel } from '../src/model/export-onnx.js';
import { loadWeights } from '../src/model/weights.js';
import { buildManifest, type TrainingSummary } from '../src/manifest.js';
import { scriptArgs } from './script-cli.js';

const { positionals } = scriptArgs({
  name: 'export-weights',
  usage: 'usage: export-weights.ts <weights.bin> <out-dir>',
  positionals: { min: 2, max: 2 },
});
const [weights, out] = positionals as [string, string];
const { config, params, meta } = loadWeights(weights);
const onnx = buildOnnxModel(config, params);
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'default.onnx'), onnx);
const training = {
  generator: 'checkpoint export',
  seed: Number(meta.seed),
  steps: Number(meta.step),
} as TrainingSummary;
writeFileSync(join(out, 'model.json'), JSON.stringify(buildManifest(config, onnx, 'default.onnx', training), null, 2));
console.log(`exported ${weights} (step ${String(meta.step)}) to ${out}`);
