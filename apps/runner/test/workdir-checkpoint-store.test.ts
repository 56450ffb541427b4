import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMPTY_STATE, type SchedulerState } from '../src/core/scheduler.js';
import { workSpec } from '../src/core/work-spec.js';
import { CheckpointStore } from '../src/workdir/checkpoint-store.js';
import { WorkdirFileError } from '../src/workdir/file-errors.js';
import { workdirPaths } from '../src/workdir/paths.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

function freshStore(): CheckpointStore {
  const paths = workdirPaths(tempDir('runner-cp-'));
  mkdirSync(paths.engineDir, { recursive: true });
  return new CheckpointStore(paths);
}

const state: SchedulerState = {
  ...EMPTY_STATE,
  queue: [workSpec('a', 'exp', 1), workSpec('b', 'exp', 2), workSpec('c', 'exp', 3), workSpec('d', 'exp', 4)],
  running: [workSpec('r', 'exp', 0, { phase: 'launched', pid: 12 })],
  done: ['x'],
  counter: 6,
};

async function loadError(store: CheckpointStore): Promise<WorkdirFileError> {
  const error = await store.load().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WorkdirFileError);
  return error as WorkdirFileError;
}

describe('CheckpointStore', () => {
  it('reads back what it wrote', async () => {
    const store = freshStore();
    expect(await store.load()).toBeUndefined();
    await store.save(state);
    expect(await store.load()).toMatchObject({ version: 1, ...state });
  });

  it('writes queue.json and active.json for people', async () => {
    const store = freshStore();
    await store.load();
    await store.save(state);
    const queue = JSON.parse(readFileSync(store.paths.queueSnapshot, 'utf8'));
    const active = JSON.parse(readFileSync(store.paths.activeSnapshot, 'utf8'));
    expect(queue.queued.map((q: { id: string }) => q.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(active.running).toEqual([{ id: 'r', kind: 'exp', priority: 0, payload: { phase: 'launched', pid: 12 } }]);
  });

  it('names the file and the field of a hand-broken value', async () => {
    const store = freshStore();
    await store.load();
    await store.save(state);
    const onDisk = JSON.parse(readFileSync(store.paths.checkpoint, 'utf8'));
    onDisk.queue[3].priority = 'high';
    writeFileSync(store.paths.checkpoint, JSON.stringify(onDisk));
    const error = await loadError(freshStoreAt(store));
    expect(error.message.split('\n')[0]).toBe(
      'engine/checkpoint.json: queue[3].priority: expected number, received string',
    );
    expect(error.message).toMatch(/left untouched/);
  });

  it('names the file when it is not JSON at all', async () => {
    const store = freshStore();
    writeFileSync(store.paths.checkpoint, '{"version": 1, "queue": [');
    expect((await loadError(store)).message).toMatch(/^engine\/checkpoint\.json: not valid JSON/);
  });

  it('names an id that is both queued and running', async () => {
    const store = freshStore();
    await store.load();
    await store.save({ ...state, running: [workSpec('b', 'exp')] });
    expect((await loadError(freshStoreAt(store))).message).toMatch(/running\[0\]\.id: b is also at queue\[1\]\.id/);
  });

  it('never overwrites a checkpoint it could not read', async () => {
    const store = freshStore();
    const broken = '{"version": 1, "status": "running", "queue": "oops"}';
    writeFileSync(store.paths.checkpoint, broken);
    await loadError(store);
    await expect(store.save(state)).rejects.toThrow(/refusing to write/);
    expect(readFileSync(store.paths.checkpoint, 'utf8')).toBe(broken);
  });
});

function freshStoreAt(store: CheckpointStore): CheckpointStore {
  return new CheckpointStore(store.paths);
}
