/**
 * Writes a random-weight model with the default forecaster's architecture and contract
 * (@tsfm/pretrain's writeRandomWeightModel, as the harness tests use), for benchmarking the
 * autoresearch template without the trained default model: one call costs the same time, the
 * metrics mean nothing.
 *
 *   npx tsx bench/stand-in-model.ts [out dir]      → prints the model.json path
 *   TSFM_MODEL_MANIFEST=<that path> npm run bench -w @tsfm/runner
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRandomWeightModel } from '@tsfm/pretrain';

const dir = process.argv[2] ?? join(tmpdir(), 'tsfm-stand-in-model');
console.log(writeRandomWeightModel(dir, { purpose: 'a stand-in for benchmarking the runner' }));
