/**
 * Real ONNX models for integration tests, written with @tsfm/pretrain's own ONNX writer:
 *  - `pretrainShapedModel`: the default model's architecture, contract and manifest, random
 *    weights — what the harness will run against once the trained default ships;
 *  - `knownQuantileModel`: level k at every step = last context value + OFFSETS[k], so the
 *    α-quantile (and the median) of any forecast is known exactly.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphBuilder, writeRandomWeightModel, type ModelConfig } from '@tsfm/pretrain';
import { tempDir } from './temp-dirs.js';

/** Writes default.onnx + model.json (random weights, default architecture); returns the manifest path. */
export function pretrainShapedModel(overrides: Partial<ModelConfig> = {}, seed = 1): string {
  return writeRandomWeightModel(tempDir('tsfm-harness-model-'), {
    overrides,
    seed,
    purpose: '@tsfm/harness tests',
  });
}

export const KNOWN_LEVELS = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];
/** Offsets of level k from the last value: distinct, increasing, not symmetric (median = +6). */
export const KNOWN_OFFSETS = KNOWN_LEVELS.map((_, k) => k);

export interface KnownManifestOptions {
  readonly name: string;
  readonly context: number;
  readonly horizon: number;
  readonly levels: readonly number[];
  readonly createdBy: string;
  readonly trainingCorpus: string;
  /** The ONNX file beside the manifest; without one, a session made in code (sha256 of zeros). */
  readonly file?: { readonly name: string; readonly bytes: Uint8Array };
}

/**
 * The manifest of a test model with the shipped model's contract — `context` and `mask` inputs,
 * one `[batch, horizon, levels]` quantile output, raw normalisation — as tsfm-client parses it.
 */
export function knownManifest(options: KnownManifestOptions): Record<string, unknown> {
  const { context, horizon, levels, file } = options;
  return {
    name: options.name,
    version: '0.0.1',
    ...(file
      ? {
          file: file.name,
          sha256: createHash('sha256').update(file.bytes).digest('hex'),
          sizeBytes: file.bytes.byteLength,
        }
      : { sha256: '0'.repeat(64) }),
    opset: 17,
    createdBy: options.createdBy,
    licence: 'MIT',
    trainingCorpus: options.trainingCorpus,
    contextLength: context,
    horizon,
    normalisation: 'raw',
    inputs: [
      { name: 'context', shape: ['batch', context], dtype: 'float32' },
      { name: 'mask', shape: ['batch', context], dtype: 'float32' },
    ],
    maskInput: 'mask',
    output: { name: 'quantiles', shape: ['batch', horizon, levels.length], dtype: 'float32' },
    quantileLevels: levels,
  };
}

/** Level k at every step = last context value + offsets[k] (default KNOWN_OFFSETS). */
export function knownQuantileModel(context = 64, horizon = 64, offsets: readonly number[] = KNOWN_OFFSETS): string {
  const Q = KNOWN_LEVELS.length;
  const g = new GraphBuilder('known_quantiles');
  const ctx = g.addInput('context', ['batch', context]);
  const mask = g.addInput('mask', ['batch', context]);
  const pick = new Float32Array(context);
  pick[context - 1] = 1;
  const last = g.addNode('MatMul', [ctx, g.addInitializer(pick, [context, 1])]);
  // 0 · Σ mask keeps the mask a live graph input without changing the output.
  const zero = g.addNode('Mul', [
    g.addNode('MatMul', [mask, g.addInitializer(new Float32Array(context).fill(1), [context, 1])]),
    g.addInitializer(new Float32Array([0]), [1]),
  ]);
  const base = g.addNode('Reshape', [g.addNode('Add', [last, zero]), g.addInt64Initializer([-1, 1, 1])]);
  const table = new Float32Array(horizon * Q);
  for (let j = 0; j < horizon; j++) for (let k = 0; k < Q; k++) table[j * Q + k] = offsets[k]!;
  const out = g.addNode('Add', [base, g.addInitializer(table, [horizon, Q])], {}, 'quantiles');
  g.addOutput(out, ['batch', horizon, Q]);
  const bytes = g.toBytes({ opset: 17 });
  const dir = tempDir('tsfm-harness-known-');
  writeFileSync(join(dir, 'known.onnx'), bytes);
  const manifest = knownManifest({
    name: 'known-quantiles',
    context,
    horizon,
    levels: KNOWN_LEVELS,
    createdBy: '@tsfm/harness tests',
    trainingCorpus: 'none (deterministic test model)',
    file: { name: 'known.onnx', bytes },
  });
  writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest, null, 2));
  return join(dir, 'model.json');
}
