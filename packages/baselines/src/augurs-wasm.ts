/**
 * Synchronous, once-only initialisation of the augurs WASM modules.
 *
 * In Node the default `await init()` tries to `fetch` the .wasm next to the JS file, which fails
 * for file: URLs; `initSync` with the bytes read from node_modules works everywhere and lets the
 * forecasters stay free of module-level top-level await.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { initSync as initEtsWasm } from '@bsull/augurs/ets';
import { initSync as initMstlWasm } from '@bsull/augurs/mstl';
import { initSync as initProphetWasm } from '@bsull/augurs/prophet';

const require = createRequire(import.meta.url);
const initialised = new Set<string>();

function wasmBytes(module: string): Buffer {
  const js = require.resolve(`@bsull/augurs/${module}`);
  return readFileSync(join(dirname(js), `${module}_bg.wasm`));
}

function once(module: string, init: (m: { module: Buffer }) => unknown): void {
  if (initialised.has(module)) return;
  init({ module: wasmBytes(module) });
  initialised.add(module);
}

export function ensureMstl(): void {
  once('mstl', initMstlWasm);
}
export function ensureEts(): void {
  once('ets', initEtsWasm);
}
export function ensureProphet(): void {
  once('prophet', initProphetWasm);
}
