/**
 * Tiny deterministic ONNX models written with @tsfm/pretrain's graph builder, and manifests for
 * them. Each model computes something the client's output can be checked against exactly:
 *  - `lastPlusChannel`: channel c at step j = last context value + c·channelStep + 100·j, which
 *    pins the channel → level mapping, the step order and (through `last`) the whole
 *    pre/post-transform chain;
 *  - `maskProbe`: channel 0 = masked mean, 1 = number of observed steps, 2 = sum of the values
 *    written at unobserved steps — pins padding, masking and mask polarity;
 *  - `firstValue`: channel c = value at context position 0 + c (what a mask-less model sees as
 *    padding).
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphBuilder } from './pretrain.js';
import { tempDir } from '../../../../test-fixtures/temp-dirs.js';

export const DEFAULT_LEVELS = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];

export interface Built {
  bytes: Uint8Array;
  manifest: Record<string, unknown>;
}

interface Shape {
  context: number;
  horizon: number;
  channels: number;
}

function oneHot(C: number, index: number): Float32Array {
  const v = new Float32Array(C);
  v[index] = 1;
  return v;
}

function baseManifest(
  name: string,
  s: Shape,
  levels: readonly number[],
  withMask: boolean,
  bytes: Uint8Array,
  opset: number,
): Record<string, unknown> {
  return {
    name,
    version: '0.0.1',
    file: `${name}.onnx`,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sizeBytes: bytes.byteLength,
    opset,
    createdBy: 'tsfm-client tests',
    licence: 'MIT',
    trainingCorpus: 'none (deterministic test model)',
    contextLength: s.context,
    horizon: s.horizon,
    normalisation: 'raw',
    inputs: withMask
      ? [
          { name: 'context', shape: ['batch', s.context], dtype: 'float32' },
          { name: 'mask', shape: ['batch', s.context], dtype: 'float32' },
        ]
      : [{ name: 'context', shape: ['batch', s.context], dtype: 'float32' }],
    ...(withMask ? { maskInput: 'mask' } : {}),
    output: { name: 'quantiles', shape: ['batch', s.horizon, s.channels], dtype: 'float32' },
    quantileLevels: [...levels],
  };
}

export interface LastPlusOptions {
  context?: number;
  horizon?: number;
  levels?: readonly number[];
  /** Output channels (default: one per level). */
  channels?: number;
  channelStep?: number;
  layout?: 'batch-horizon-quantile' | 'batch-quantile-horizon';
  opset?: number;
  /** Output dims written into the graph (default the true ones). */
  declaredOutput?: (string | number)[];
  /** Reshape to this fixed batch (a model that only works at one batch size). */
  fixedBatch?: number;
}

export function lastPlusChannel(o: LastPlusOptions = {}): Built {
  const C = o.context ?? 32;
  const H = o.horizon ?? 8;
  const levels = o.levels ?? DEFAULT_LEVELS;
  const Q = o.channels ?? levels.length;
  const step = o.channelStep ?? 1;
  const layout = o.layout ?? 'batch-horizon-quantile';
  const opset = o.opset ?? 17;
  const g = new GraphBuilder('last_plus_channel');
  const ctx = g.addInput('context', ['batch', C]);
  const mask = g.addInput('mask', ['batch', C]);
  const last = g.addNode('MatMul', [ctx, g.addInitializer(oneHot(C, C - 1), [C, 1])]);
  // 0 · Σ mask keeps the mask a live input without changing the output.
  const zeroMask = g.addNode('Mul', [
    g.addNode('MatMul', [mask, g.addInitializer(new Float32Array(C).fill(1), [C, 1])]),
    g.addInitializer(new Float32Array([0]), [1]),
  ]);
  const base = g.addNode('Add', [last, zeroMask]);
  const offsets = new Float32Array(H * Q);
  const dims = layout === 'batch-horizon-quantile' ? [H, Q] : [Q, H];
  for (let j = 0; j < H; j++)
    for (let c = 0; c < Q; c++) {
      const i = layout === 'batch-horizon-quantile' ? j * Q + c : c * H + j;
      offsets[i] = c * step + 100 * j;
    }
  const base3 = g.addNode('Reshape', [base, g.addInt64Initializer([o.fixedBatch ?? -1, 1, 1])]);
  const out = g.addNode('Add', [base3, g.addInitializer(offsets, dims)], {}, 'quantiles');
  g.addOutput(out, o.declaredOutput ?? ['batch', ...dims]);
  const bytes = g.toBytes({ opset });
  const manifest = baseManifest(
    'last-plus-channel',
    { context: C, horizon: H, channels: Q },
    levels,
    true,
    bytes,
    opset,
  );
  manifest.output = { name: 'quantiles', shape: ['batch', ...dims], dtype: 'float32', layout };
  return { bytes, manifest };
}

export function maskProbe(o: { context?: number; horizon?: number } = {}): Built {
  const C = o.context ?? 16;
  const H = o.horizon ?? 4;
  const g = new GraphBuilder('mask_probe');
  const ctx = g.addInput('context', ['batch', C]);
  const mask = g.addInput('mask', ['batch', C]);
  const ones = g.addInitializer(new Float32Array(C).fill(1), [C, 1]);
  const count = g.addNode('MatMul', [mask, ones]);
  const sum = g.addNode('MatMul', [g.addNode('Mul', [ctx, mask]), ones]);
  const mean = g.addNode('Div', [sum, g.addNode('Max', [count, g.addInitializer(new Float32Array([1]), [1])])]);
  const unmasked = g.addNode('Sub', [g.addInitializer(new Float32Array([1]), [1]), mask]);
  const padSum = g.addNode('MatMul', [g.addNode('Mul', [ctx, unmasked]), ones]);
  const row = g.addNode('Concat', [mean, count, padSum], { axis: 1 });
  const row3 = g.addNode('Reshape', [row, g.addInt64Initializer([-1, 1, 3])]);
  const out = g.addNode('Add', [row3, g.addInitializer(new Float32Array(H * 3), [H, 3])], {}, 'quantiles');
  g.addOutput(out, ['batch', H, 3]);
  const bytes = g.toBytes({ opset: 17 });
  return {
    bytes,
    manifest: baseManifest('mask-probe', { context: C, horizon: H, channels: 3 }, [0.25, 0.5, 0.75], true, bytes, 17),
  };
}

export function firstValue(o: { context?: number; horizon?: number } = {}): Built {
  const C = o.context ?? 16;
  const H = o.horizon ?? 4;
  const Q = 3;
  const g = new GraphBuilder('first_value');
  const ctx = g.addInput('context', ['batch', C]);
  const first = g.addNode('MatMul', [ctx, g.addInitializer(oneHot(C, 0), [C, 1])]);
  const first3 = g.addNode('Reshape', [first, g.addInt64Initializer([-1, 1, 1])]);
  const offsets = Float32Array.from({ length: H * Q }, (_, i) => i % Q);
  const out = g.addNode('Add', [first3, g.addInitializer(offsets, [H, Q])], {}, 'quantiles');
  g.addOutput(out, ['batch', H, Q]);
  const bytes = g.toBytes({ opset: 17 });
  return {
    bytes,
    manifest: baseManifest('first-value', { context: C, horizon: H, channels: Q }, [0.1, 0.5, 0.9], false, bytes, 17),
  };
}

/** A graph ORT refuses to load (unknown operator) with a well-formed header. */
export function unloadable(): Built {
  const g = new GraphBuilder('unloadable');
  const ctx = g.addInput('context', ['batch', 8]);
  const mask = g.addInput('mask', ['batch', 8]);
  const out = g.addNode('NoSuchOperator', [ctx, mask], {}, 'quantiles');
  g.addOutput(out, ['batch', 2, 3]);
  const bytes = g.toBytes({ opset: 17 });
  const manifest = baseManifest(
    'unloadable',
    { context: 8, horizon: 2, channels: 3 },
    [0.1, 0.5, 0.9],
    true,
    bytes,
    17,
  );
  return { bytes, manifest };
}

/** Write model + manifest into a fresh temp dir; returns the manifest path. */
export function writeModel(
  built: Built,
  overrides: Record<string, unknown> = {},
  dir = tempDir('tsfm-client-'),
): string {
  const manifest = { ...built.manifest, ...overrides };
  writeFileSync(join(dir, String(built.manifest.file)), built.bytes);
  const path = join(dir, 'model.json');
  writeFileSync(path, JSON.stringify(manifest, null, 2));
  return path;
}
