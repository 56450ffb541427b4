/**
 * Writes a random-weight model with the default forecaster's architecture and contract (the same
 * as @tsfm/harness's test helper), for benchmarking the autoresearch template before the trained
 * default model exists: one call costs the same time, the metrics mean nothing.
 *
 *   npx tsx bench/stand-in-model.ts [out dir]      → prints the model.json path
 *   TSFM_MODEL_MANIFEST=<that path> npm run bench -w @tsfm/runner
 *
 * @tsfm/pretrain has no public entry for its exporter yet, hence the relative imports.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildManifest } from '../../../packages/pretrain/src/manifest.js';
import { DEFAULT_CONFIG } from '../../../packages/pretrain/src/model/config.js';
import { buildOnnxModel } from '../../../packages/pretrain/src/model/export-onnx.js';
import { initParams } from '../../../packages/pretrain/src/model/params.js';

const dir = process.argv[2] ?? join(tmpdir(), 'tsfm-stand-in-model');
mkdirSync(dir, { recursive: true });
const bytes = buildOnnxModel(DEFAULT_CONFIG, initParams(DEFAULT_CONFIG, 1));
writeFileSync(join(dir, 'default.onnx'), bytes);
const untrained = {
  generator: 'none',
  corpus: 'none (random weights: a stand-in for benchmarking the runner)',
  seed: 0,
  corpusSeed: 0,
  seriesGenerated: 0,
  samples: 0,
  steps: 0,
  batch: 0,
  heldOut: 'none',
  wallSeconds: 0,
  threads: 1,
  stoppedByTimeCap: false,
  hyperparameters: {},
};
writeFileSync(join(dir, 'model.json'), JSON.stringify(buildManifest(DEFAULT_CONFIG, bytes, 'default.onnx', untrained), null, 2) + '\n');
console.log(join(dir, 'model.json'));
