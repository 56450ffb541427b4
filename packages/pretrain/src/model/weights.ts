/**
 * Checkpoint format: a JSON header line (config, parameter layout, metadata) followed by the
 * little-endian float32 parameters. Used to resume or re-export without retraining.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { ModelConfig } from './config.js';
import { paramLayout } from './params.js';

const MAGIC = 'TSFMW1';

export function saveWeights(
  path: string,
  config: ModelConfig,
  params: Float32Array,
  meta: Record<string, unknown> = {},
): void {
  const header = Buffer.from(
    JSON.stringify({ magic: MAGIC, config, layout: paramLayout(config).blocks, meta }) + '\n',
    'utf8',
  );
  const body = Buffer.from(params.buffer, params.byteOffset, params.byteLength);
  writeFileSync(path, Buffer.concat([header, body]));
}

export function loadWeights(path: string): {
  config: ModelConfig;
  params: Float32Array;
  meta: Record<string, unknown>;
} {
  const buf = readFileSync(path);
  const nl = buf.indexOf(0x0a);
  const header = JSON.parse(buf.subarray(0, nl).toString('utf8')) as {
    magic: string;
    config: ModelConfig;
    meta: Record<string, unknown>;
  };
  if (header.magic !== MAGIC) throw new Error(`${path}: not a ${MAGIC} weight file`);
  const { size } = paramLayout(header.config);
  const bytes = buf.subarray(nl + 1);
  if (bytes.byteLength !== size * 4)
    throw new Error(`${path}: ${bytes.byteLength} bytes of weights, layout needs ${size * 4}`);
  const params = new Float32Array(size);
  new Uint8Array(params.buffer).set(bytes);
  return { config: header.config, params, meta: header.meta };
}
