import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMPTY_STATE } from '../src/core/scheduler.js';
import { workSpec } from '../src/core/work-spec.js';
import { CheckpointStore } from '../src/workdir/checkpoint-store.js';
import { workdirPaths } from '../src/workdir/paths.js';
import {
  applyInboxOffline,
  ensureInboxDirs,
  listInbox,
  readEditOutcome,
  submitEdit,
  takePendingEdits,
} from '../src/workdir/queue-commands.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

async function freshWorkdir() {
  const paths = workdirPaths(tempDir('runner-inbox-'));
  mkdirSync(paths.engineDir, { recursive: true });
  await ensureInboxDirs(paths);
  const store = new CheckpointStore(paths);
  await store.load();
  await store.save({
    ...EMPTY_STATE,
    status: 'stopped',
    queue: [workSpec('a', 'exp', 1), workSpec('b', 'exp', 2)],
    counter: 2,
  });
  return { paths, store };
}

describe('queue-edit inbox', () => {
  it('keeps edits in submission order', async () => {
    const { paths } = await freshWorkdir();
    const names = [];
    for (const id of ['a', 'b', 'c']) names.push(await submitEdit(paths, { op: 'drop', id }));
    expect(await listInbox(paths)).toEqual(names);
    expect((await takePendingEdits(paths)).map((p) => p.edit)).toEqual(
      ['a', 'b', 'c'].map((id) => ({ op: 'drop', id })),
    );
  });

  it('files a hand-written edit that does not validate under rejected/, naming the field', async () => {
    const { paths } = await freshWorkdir();
    writeFileSync(
      join(paths.commandsDir, '000-hand.json'),
      JSON.stringify({ version: 1, createdAt: 'now', edit: { op: 'move', id: 'a', priority: 'soon' } }),
    );
    expect(await takePendingEdits(paths)).toEqual([]);
    const outcome = await readEditOutcome(paths, '000-hand.json');
    expect(outcome?.ok).toBe(false);
    expect(outcome?.message).toMatch(
      /^engine\/commands\/000-hand\.json: edit\.priority: expected number, received string/,
    );
    expect(readdirSync(paths.rejectedDir)).toContain('000-hand.json');
  });

  it('applies the inbox to a stopped checkpoint and files each edit with its outcome', async () => {
    const { paths, store } = await freshWorkdir();
    const moved = await submitEdit(paths, { op: 'move', id: 'b', priority: 0 });
    const bad = await submitEdit(paths, { op: 'drop', id: 'zzz' });
    const after = await applyInboxOffline(paths, store, (await store.load())!);
    expect(after.queue.map((s) => s.id)).toEqual(['b', 'a']);
    expect(await readEditOutcome(paths, moved)).toEqual({ ok: true, message: 'moved b from priority 2 to 0' });
    expect(await readEditOutcome(paths, bad)).toEqual({ ok: false, message: 'drop: no queued spec has id zzz' });
    expect(await listInbox(paths)).toEqual([]);
    const onDisk = JSON.parse(readFileSync(paths.checkpoint, 'utf8'));
    expect(onDisk).toMatchObject({ status: 'stopped', settledEdits: [] });
  });

  it('does not apply an edit twice when a crash came between the checkpoint and the filing', async () => {
    const { paths, store } = await freshWorkdir();
    const name = await submitEdit(paths, { op: 'add', spec: workSpec('c', 'exp', 0) });
    // The state a crash leaves: the checkpoint already holds the edit, its file is still waiting.
    const checkpoint = (await store.load())!;
    const crashed = {
      ...checkpoint,
      queue: [workSpec('c', 'exp', 0), ...checkpoint.queue],
      counter: 3,
      settledEdits: [{ name, ok: true, message: 'added c at priority 0' }],
    };
    await store.save(crashed);
    const after = await applyInboxOffline(paths, store, crashed);
    expect(after.queue.map((s) => s.id)).toEqual(['c', 'a', 'b']);
    expect(await readEditOutcome(paths, name)).toEqual({ ok: true, message: 'added c at priority 0' });
  });

  it('reopens a completed run that was given new work, so status does not claim it is finished', async () => {
    const { paths, store } = await freshWorkdir();
    const completed = { ...EMPTY_STATE, status: 'completed' as const, done: ['a', 'b'], counter: 2 };
    await store.save(completed);
    await submitEdit(paths, { op: 'add', spec: workSpec('c', 'exp', 0) });
    const after = await applyInboxOffline(paths, store, completed);
    expect(after).toMatchObject({
      status: 'stopped',
      stopReason: 'queue edited after the run completed',
      queue: [{ id: 'c' }],
    });
  });
});
