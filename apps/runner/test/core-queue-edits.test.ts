import { describe, expect, it } from 'vitest';
import { PriorityQueue } from '../src/core/priority-queue.js';
import { applyQueueEdit } from '../src/core/queue-edits.js';
import { workSpec, type WorkSpec } from '../src/core/work-spec.js';

function view(queued: WorkSpec[], running: string[] = [], done: string[] = []) {
  const queue = new PriorityQueue<WorkSpec>((spec) => spec.priority);
  queued.forEach((spec) => queue.push(spec));
  return { queue, isRunning: (id: string) => running.includes(id), isDone: (id: string) => done.includes(id) };
}

const ids = (v: ReturnType<typeof view>) => v.queue.toSortedArray().map((spec) => spec.id);

describe('applyQueueEdit', () => {
  it('add puts a new spec in priority order', () => {
    const v = view([workSpec('a', 'k', 1), workSpec('b', 'k', 3)]);
    expect(applyQueueEdit(v, { op: 'add', spec: workSpec('c', 'k', 2) }).ok).toBe(true);
    expect(ids(v)).toEqual(['a', 'c', 'b']);
  });

  it('move re-prioritises, behind specs already at that priority', () => {
    const v = view([workSpec('a', 'k', 1), workSpec('b', 'k', 2), workSpec('c', 'k', 5)]);
    expect(applyQueueEdit(v, { op: 'move', id: 'c', priority: 1 })).toMatchObject({ ok: true });
    expect(ids(v)).toEqual(['a', 'c', 'b']);
  });

  it('drop removes a queued spec', () => {
    const v = view([workSpec('a', 'k'), workSpec('b', 'k')]);
    expect(applyQueueEdit(v, { op: 'drop', id: 'a' }).ok).toBe(true);
    expect(ids(v)).toEqual(['b']);
  });

  it('refuses to edit what is not queued, and says why', () => {
    const v = view([workSpec('a', 'k')], ['r'], ['d']);
    expect(applyQueueEdit(v, { op: 'drop', id: 'zzz' })).toEqual({
      ok: false,
      message: 'drop: no queued spec has id zzz',
    });
    expect(applyQueueEdit(v, { op: 'drop', id: 'r' }).message).toMatch(/r is running/);
    expect(applyQueueEdit(v, { op: 'move', id: 'd', priority: 0 }).message).toMatch(/d already ran/);
    expect(applyQueueEdit(v, { op: 'move', id: 'a', priority: Number.NaN }).message).toMatch(/finite/);
    expect(ids(v)).toEqual(['a']);
  });

  it('refuses to add an id that is queued, running or done', () => {
    const v = view([workSpec('a', 'k')], ['r'], ['d']);
    for (const id of ['a', 'r', 'd'])
      expect(applyQueueEdit(v, { op: 'add', spec: workSpec(id, 'k') }).ok, id).toBe(false);
    expect(v.queue.size).toBe(1);
  });
});
