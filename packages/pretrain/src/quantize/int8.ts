/**
 * The int8 variant of an fp32 model: python/tsfm_v2/quantize.py rewrites the ONNX file's matrix
 * products into ONNX Runtime's dynamic-quantisation pattern (int8 weights, uint8 activations
 * quantised per call), and this writes its model.json: the fp32 manifest's contract with the new
 * file's sha256 and size, version `<fp32 version>-int8`, and a `quantisation` block saying what
 * was done to which file. Same fp32 file and options → same ONNX bytes and the same model.json
 * (no timestamps: `createdAt` stays the fp32 model's, the int8 file being a function of it).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { sha256 } from '../manifest.js';
import { PYTHON_DIR, pythonEnv, pythonExecutable } from '../torch/python-trainer.js';

/**
 * The layers of the v2 model kept in fp32, chosen on v2-val (model-int8/MODEL_CARD.md): the input
 * layer, whose input mixes the normalised window (outliers of ±20) with log backtest errors so one
 * per-batch activation scale is coarse for most of it, and the increment layer, whose rounding
 * adds up across the tails' cumulative sums.
 */
export const INT8_FP32_LAYERS: readonly string[] = ['/inp/Gemm', '/incr/Gemm'];

export const INT8_ONNX_FILE = 'model.onnx';

export interface QuantizeOptions {
  /** Node names to leave in fp32 (default INT8_FP32_LAYERS; [] quantises every eligible product). */
  readonly exclude?: readonly string[];
  /** One weight scale per matrix instead of per output column. */
  readonly perTensor?: boolean;
  /** 7-bit weights, for x86 CPUs without AVX-512 VNNI (see quantize.py). */
  readonly reduceRange?: boolean;
  /** `ops` (ai.onnx ops, fused by ORT) or `contrib` (com.microsoft DynamicQuantizeMatMul). */
  readonly format?: 'ops' | 'contrib';
}

export class QuantizeError extends Error {
  override name = 'QuantizeError';
}

/** Runs quantize.py on `input`, writing `output`; resolves with its summary line. */
export function runQuantizer(input: string, output: string, options: QuantizeOptions = {}): Promise<string> {
  const python = pythonExecutable();
  if (!existsSync(python)) {
    return Promise.reject(
      new QuantizeError(
        `${python} not found: the quantiser needs Debian's python3-onnx (scripts/setup.sh installs it)`,
      ),
    );
  }
  const args = [
    '-m',
    'tsfm_v2.quantize',
    resolve(input),
    resolve(output),
    '--exclude',
    (options.exclude ?? INT8_FP32_LAYERS).join(','),
    '--format',
    options.format ?? 'ops',
    ...(options.perTensor === true ? ['--per-tensor'] : []),
    ...(options.reduceRange === true ? ['--reduce-range'] : []),
  ];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(python, args, { cwd: PYTHON_DIR, env: pythonEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-8000)));
    child.on('error', (e) => reject(new QuantizeError(`could not start ${python}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolvePromise(stdout.trim());
      else reject(new QuantizeError(`quantize.py exited with ${String(code)}: ${stderr.trim()}`));
    });
  });
}

/**
 * Quantises the model of `fp32Manifest` into `outDir` (model.onnx + model.json); returns the new
 * manifest's path.
 */
export async function quantizeModel(
  fp32Manifest: string,
  outDir: string,
  options: QuantizeOptions = {},
): Promise<string> {
  const source = JSON.parse(readFileSync(fp32Manifest, 'utf8')) as Record<string, unknown> & {
    file?: string;
    version: string;
    sha256: string;
  };
  const input = join(dirname(fp32Manifest), source.file ?? 'default.onnx');
  mkdirSync(outDir, { recursive: true });
  const output = join(outDir, INT8_ONNX_FILE);
  const summary = await runQuantizer(input, output, options);
  const bytes = new Uint8Array(readFileSync(output));
  const exclude = options.exclude ?? INT8_FP32_LAYERS;
  const manifest = {
    ...source,
    file: INT8_ONNX_FILE,
    sha256: sha256(bytes),
    sizeBytes: bytes.byteLength,
    version: `${source.version}-int8`,
    createdBy: `@tsfm/pretrain (npm run quantize) from ${String(source.createdBy)}`,
    quantisation: {
      method:
        'ONNX Runtime dynamic quantisation: DynamicQuantizeLinear (uint8 activations, one scale per tensor per call) → MatMulInteger with int8 weights (symmetric, zero point 0) → Cast → Mul by the scales → Add bias',
      weights: `int8, ${options.perTensor === true ? 'one scale per matrix' : 'one scale per output column'}, ${options.reduceRange === true ? '7-bit range' : 'full 8-bit range'}`,
      format: options.format ?? 'ops',
      fp32Layers: [...exclude],
      quantisedLayers: summary
        .replace(/^quantised \d+ matrix products: /, '')
        .replace(/ -> .*$/, '')
        .split(', '),
      from: { file: source.file ?? 'default.onnx', version: source.version, sha256: source.sha256 },
      tool: '@tsfm/pretrain python/tsfm_v2/quantize.py (npm run quantize -w @tsfm/pretrain)',
    },
  };
  const path = join(outDir, 'model.json');
  writeFileSync(path, JSON.stringify(manifest, null, 2) + '\n');
  return path;
}
