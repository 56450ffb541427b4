import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { siblingEntry, spawnTypeScriptWorker } from '../src/index.js';

describe('spawnTypeScriptWorker', () => {
  it('runs a .ts entry with its workerData and messages', async () => {
    const worker = spawnTypeScriptWorker(new URL('./fixtures-echo-worker.ts', import.meta.url), {
      workerData: { offset: 1 },
    });
    try {
      worker.postMessage(20);
      const [reply] = await once(worker, 'message');
      expect(reply).toBe(41);
    } finally {
      await worker.terminate();
    }
  });

  it('reports an entry that cannot load as the worker’s error', async () => {
    const worker = spawnTypeScriptWorker(new URL('./no-such-entry.ts', import.meta.url));
    const [error] = await once(worker, 'error');
    expect(String(error)).toMatch(/no-such-entry/);
    await worker.terminate();
  });

  it('picks the .ts or .js sibling by the caller’s own extension', () => {
    expect(siblingEntry('file:///a/b/pool.ts', 'worker').href).toBe('file:///a/b/worker.ts');
    expect(siblingEntry('file:///a/b/pool.js', 'worker').href).toBe('file:///a/b/worker.js');
  });
});
