/** A small hand-written contract for codec tests: 6 context steps, 2 horizon steps, levels 0.1 / 0.5 / 0.9. */
import { parseManifest, type ModelContract } from '../../src/index.js';

export function testContract(over: Record<string, unknown> = {}): ModelContract {
  const base = {
    name: 't',
    version: '1',
    sha256: '0'.repeat(64),
    opset: 17,
    createdBy: 'test',
    licence: 'MIT',
    trainingCorpus: 'none',
    contextLength: 6,
    horizon: 2,
    normalisation: 'instance-in-graph',
    inputs: [
      { name: 'context', shape: ['batch', 6], dtype: 'float32' },
      { name: 'mask', shape: ['batch', 6], dtype: 'float32' },
    ],
    maskInput: 'mask',
    output: { name: 'q', shape: ['batch', 2, 3], dtype: 'float32' },
    quantileLevels: [0.1, 0.5, 0.9],
    ...over,
  };
  return parseManifest(base, 'test.json').contract;
}
