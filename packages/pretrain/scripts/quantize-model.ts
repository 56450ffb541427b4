/**
 * Writes the int8 variant of an fp32 model (src/quantize/int8.ts): <out dir>/model.onnx + model.json.
 *
 *   tsx packages/pretrain/scripts/quantize-model.ts <fp32 model.json> <out dir> [--exclude a,b] [--format ops|contrib]
 *
 * `npm run quantize -w @tsfm/pretrain` regenerates the shipped variant (model-int8/) from model/.
 * --exclude lists the node names kept in fp32 (default: /inp/Gemm,/incr/Gemm; '' quantises all).
 */
import { INT8_FP32_LAYERS, quantizeModel } from '../src/quantize/int8.js';
import { scriptArgs } from './script-cli.js';

const { values, positionals } = scriptArgs({
  name: 'quantize-model',
  usage: 'usage: quantize-model.ts <fp32 model.json> <out dir> [--exclude a,b] [--format ops|contrib]',
  flags: ['exclude', 'format'],
  positionals: { min: 2, max: 2 },
});
const [manifest, outDir] = positionals as [string, string];
const format = values.format ?? 'ops';
if (format !== 'ops' && format !== 'contrib') throw new Error(`--format must be ops or contrib, got ${format}`);
const exclude = values.exclude === undefined ? INT8_FP32_LAYERS : values.exclude.split(',').filter((x) => x !== '');
const path = await quantizeModel(manifest, outDir, { exclude, format });
console.log(`wrote ${path}`);
