import { describe, expect, it, vi } from 'vitest';
import type { JobContext, Outcome, WorkAdapter, WorkResult } from '../src/core/adapter.js';
import {
  EMPTY_STATE,
  runScheduler,
  seededState,
  type PendingEdit,
  type SchedulerState,
  type SettledEdit,
} from '../src/core/scheduler.js';
import { workSpec, type WorkSpec } from '../src/core/work-spec.js';

/**
 * An in-memory domain: a job "runs" until the test finishes it (or at once, with `autoFinish`),
 * and `children[id]` says what a finished job spawns. It records what the scheduler asked of it.
 */
class MemoryAdapter implements WorkAdapter<string> {
  readonly started: WorkSpec[] = [];
  readonly completed: { id: string; outcome: Outcome<string>; payload: WorkSpec['payload'] }[] = [];
  readonly aborted: string[] = [];
  maxConcurrent = 0;
  private live = new Map<string, { finish: (value: string) => void; fail: (error: Error) => void }>();
  stop: string | undefined;
  persistBeforeRun: ((spec: WorkSpec) => WorkSpec['payload']) | undefined;

  constructor(
    private readonly children: Record<string, WorkSpec[]> = {},
    private readonly autoFinish = true,
  ) {}

  async seed(): Promise<WorkSpec[]> {
    return [];
  }

  async run(spec: WorkSpec, ctx: JobContext): Promise<string> {
    this.started.push(spec);
    if (this.persistBeforeRun) await ctx.persist(this.persistBeforeRun(spec));
    return new Promise<string>((resolve, reject) => {
      this.live.set(spec.id, { finish: resolve, fail: reject });
      this.maxConcurrent = Math.max(this.maxConcurrent, this.live.size);
      ctx.signal.addEventListener('abort', () => {
        this.aborted.push(spec.id);
        reject(ctx.signal.reason);
      });
      if (this.autoFinish) setTimeout(() => this.finish(spec.id), 1);
    });
  }

  finish(id: string, value = `value of ${id}`): void {
    this.live.get(id)?.finish(value);
    this.live.delete(id);
  }

  fail(id: string, error: Error): void {
    this.live.get(id)?.fail(error);
    this.live.delete(id);
  }

  get running(): string[] {
    return [...this.live.keys()];
  }

  async complete(spec: WorkSpec, outcome: Outcome<string>): Promise<WorkResult> {
    this.completed.push({ id: spec.id, outcome, payload: spec.payload });
    return { children: this.children[spec.id] ?? [] };
  }

  stopReason(): string | undefined {
    return this.stop;
  }
}

/** Ports that keep every checkpoint in memory, in order. */
function memoryPorts(edits: PendingEdit[] = []) {
  const saved: SchedulerState[] = [];
  const filed: SettledEdit[] = [];
  return {
    saved,
    filed,
    inbox: edits,
    ports: {
      save: async (state: SchedulerState) => void saved.push(structuredClone(state)),
      takeEdits: async () => edits.filter((e) => !filed.some((f) => f.name === e.name)),
      fileEdits: async (settled: readonly SettledEdit[]) => void filed.push(...settled),
    },
  };
}

const spec = (id: string, priority = 0) => workSpec(id, 'test', priority);
const initial = (queue: WorkSpec[], extra: Partial<SchedulerState> = {}): SchedulerState => ({
  ...EMPTY_STATE,
  queue,
  ...extra,
});

/** Waits for the scheduler to get there, however slow the machine; the limit is a last guard. */
async function until(condition: () => boolean): Promise<void> {
  await vi.waitFor(() => expect(condition()).toBe(true), { timeout: 60_000, interval: 2 });
}

describe('scheduler', () => {
  it('runs every spec and its children, and ends completed with everything done', async () => {
    const adapter = new MemoryAdapter({ a: [spec('a1'), spec('a2')], a2: [spec('a2x')] });
    const { ports, saved } = memoryPorts();
    const final = await runScheduler({ adapter, ports, initial: initial([spec('a'), spec('b')]), concurrency: 2 });
    expect(final.status).toBe('completed');
    expect([...final.done].sort()).toEqual(['a', 'a1', 'a2', 'a2x', 'b']);
    expect(saved.at(-1)).toMatchObject({ status: 'completed', queue: [], running: [] });
  });

  it('never runs more jobs at once than the concurrency', async () => {
    const many = Array.from({ length: 20 }, (_, i) => spec(`s${i}`));
    const adapter = new MemoryAdapter();
    await runScheduler({ adapter, ports: memoryPorts().ports, initial: initial(many), concurrency: 3 });
    expect(adapter.maxConcurrent).toBe(3);
    expect(adapter.completed).toHaveLength(20);
  });

  it('starts specs in priority order, ties in insertion order', async () => {
    const adapter = new MemoryAdapter();
    const queue = [spec('late', 5), spec('first', -1), spec('tie1', 0), spec('tie2', 0)];
    await runScheduler({ adapter, ports: memoryPorts().ports, initial: initial(queue), concurrency: 1 });
    expect(adapter.started.map((s) => s.id)).toEqual(['first', 'tie1', 'tie2', 'late']);
  });

  it('keeps a spec in running in every checkpoint until complete() has returned', async () => {
    const adapter = new MemoryAdapter({}, false);
    const { ports, saved } = memoryPorts();
    const done = runScheduler({ adapter, ports, initial: initial([spec('a')]), concurrency: 1 });
    await until(() => adapter.running.length === 1);
    expect(saved.at(-1)).toMatchObject({ status: 'running', running: [{ id: 'a' }], done: [] });
    adapter.finish('a');
    await done;
    const lastWithRunning = saved.findLastIndex((s) => s.running.length > 0);
    expect(saved.slice(lastWithRunning + 1).every((s) => s.done.includes('a'))).toBe(true);
  });

  it('checkpoints a payload persisted by the job before the job continues', async () => {
    const adapter = new MemoryAdapter({}, false);
    adapter.persistBeforeRun = (s) => ({ ...s.payload, phase: 'launching', token: `t-${s.id}` });
    const { ports, saved } = memoryPorts();
    const done = runScheduler({ adapter, ports, initial: initial([spec('a')]), concurrency: 1 });
    await until(() => adapter.running.length === 1);
    expect(saved.some((s) => s.running[0]?.payload['token'] === 't-a')).toBe(true);
    adapter.finish('a');
    await done;
    expect(adapter.completed[0].payload).toMatchObject({ phase: 'launching', token: 't-a' });
  });

  it('re-attaches specs that were running when it resumes, with their persisted payload, before new ones', async () => {
    const adapter = new MemoryAdapter();
    const wasRunning = workSpec('r', 'test', 9, { phase: 'launched', pid: 42 });
    await runScheduler({
      adapter,
      ports: memoryPorts().ports,
      initial: initial([spec('q', -5)], { running: [wasRunning] }),
      concurrency: 1,
    });
    expect(adapter.started[0]).toEqual(wasRunning);
    expect(adapter.started.map((s) => s.id)).toEqual(['r', 'q']);
  });

  it('never starts an id that is already done', async () => {
    const adapter = new MemoryAdapter({ a: [spec('old')] });
    const final = await runScheduler({
      adapter,
      ports: memoryPorts().ports,
      initial: initial([spec('a'), spec('old2')], { done: ['old', 'old2'] }),
      concurrency: 1,
    });
    expect(adapter.started.map((s) => s.id)).toEqual(['a']);
    expect(final.status).toBe('completed');
  });

  it('on a stop request starts nothing more, leaves running jobs in the checkpoint, ends stopped', async () => {
    const adapter = new MemoryAdapter({}, false);
    const stop = new AbortController();
    const { ports, saved } = memoryPorts();
    const done = runScheduler({
      adapter,
      ports,
      initial: initial([spec('a'), spec('b'), spec('c')]),
      concurrency: 2,
      stop: stop.signal,
    });
    await until(() => adapter.running.length === 2);
    stop.abort(new Error('SIGTERM'));
    const final = await done;
    expect(final.status).toBe('stopped');
    expect(final.running.map((s) => s.id)).toEqual(['a', 'b']);
    expect(final.queue.map((s) => s.id)).toEqual(['c']);
    expect(adapter.aborted.sort()).toEqual(['a', 'b']);
    expect(adapter.completed).toEqual([]);
    expect(saved.at(-1)?.status).toBe('stopped');
  });

  it('when the adapter reports a cap, lets running jobs finish and keeps the queue', async () => {
    const adapter = new MemoryAdapter({ a: [spec('child')] }, false);
    const done = runScheduler({
      adapter,
      ports: memoryPorts().ports,
      initial: initial([spec('a'), spec('b'), spec('c')]),
      concurrency: 2,
    });
    await until(() => adapter.running.length === 2);
    adapter.stop = 'max-experiments reached';
    adapter.finish('a');
    await until(() => adapter.completed.length === 1);
    adapter.finish('b');
    const final = await done;
    expect(final).toMatchObject({ status: 'stopped', stopReason: 'max-experiments reached', running: [] });
    expect(final.queue.map((s) => s.id).sort()).toEqual(['c', 'child']);
  });

  it('hands a failed job to complete() as a failed outcome and carries on', async () => {
    const adapter = new MemoryAdapter({}, false);
    const done = runScheduler({
      adapter,
      ports: memoryPorts().ports,
      initial: initial([spec('a'), spec('b')]),
      concurrency: 2,
    });
    await until(() => adapter.running.length === 2);
    adapter.fail('a', new Error('boom'));
    adapter.finish('b');
    const final = await done;
    expect(final.status).toBe('completed');
    const a = adapter.completed.find((c) => c.id === 'a')!;
    expect(a.outcome.ok).toBe(false);
  });

  it('records interrupted, with the spec still running, when complete() throws', async () => {
    const adapter = new MemoryAdapter();
    adapter.complete = async () => {
      throw new Error('ledger disk full');
    };
    const { ports, saved } = memoryPorts();
    await expect(runScheduler({ adapter, ports, initial: initial([spec('a')]), concurrency: 1 })).rejects.toThrow(
      'ledger disk full',
    );
    expect(saved.at(-1)).toMatchObject({ status: 'interrupted', running: [{ id: 'a' }], done: [] });
  });

  it('refuses an invalid child before it can reach a checkpoint', async () => {
    const adapter = new MemoryAdapter({ a: [{ id: 'bad/id', kind: 'test', priority: 0, payload: {} }] });
    await expect(
      runScheduler({ adapter, ports: memoryPorts().ports, initial: initial([spec('a')]), concurrency: 1 }),
    ).rejects.toThrow(/invalid child of a/);
  });

  it('applies queue edits at its next loop and files them only after a checkpoint holds them', async () => {
    const adapter = new MemoryAdapter({}, false);
    const { ports, saved, filed, inbox } = memoryPorts();
    const done = runScheduler({
      adapter,
      ports,
      initial: initial([spec('a'), spec('b'), spec('c')]),
      concurrency: 1,
      pollMs: 5,
    });
    await until(() => adapter.running.length === 1);
    inbox.push(
      { name: 'e1', edit: { op: 'drop', id: 'b' } },
      { name: 'e2', edit: { op: 'add', spec: spec('z', -1) } },
      { name: 'e3', edit: { op: 'drop', id: 'nope' } },
    );
    await until(() => filed.length === 3);
    const firstHolding = saved.find((s) => s.settledEdits.some((e) => e.name === 'e1'))!;
    expect(firstHolding.queue.map((s) => s.id)).toEqual(['z', 'c']);
    expect(filed.map((f) => [f.name, f.ok])).toEqual([
      ['e1', true],
      ['e2', true],
      ['e3', false],
    ]);
    adapter.finish('a');
    await until(() => adapter.running.length === 1);
    adapter.finish('z');
    await until(() => adapter.running.length === 1);
    adapter.finish('c');
    const final = await done;
    expect(adapter.started.map((s) => s.id)).toEqual(['a', 'z', 'c']);
    expect(final.settledEdits).toEqual([]);
  });

  it('does not apply an edit a second time when resuming from a checkpoint that already holds it', async () => {
    const adapter = new MemoryAdapter();
    const { ports, filed } = memoryPorts([{ name: 'e1', edit: { op: 'add', spec: spec('added') } }]);
    const resumed = initial([spec('added')], { settledEdits: [{ name: 'e1', ok: true, message: 'added added' }] });
    const final = await runScheduler({ adapter, ports, initial: resumed, concurrency: 1 });
    expect(adapter.started.map((s) => s.id)).toEqual(['added']);
    expect(filed).toEqual([{ name: 'e1', ok: true, message: 'added added' }]);
    expect(final.status).toBe('completed');
  });

  it('validates seed specs and refuses a repeated id before anything is checkpointed', () => {
    expect(seededState([spec('a'), spec('b')]).queue.map((s) => s.id)).toEqual(['a', 'b']);
    expect(() => seededState([spec('a'), spec('a')])).toThrow(/seeded id a twice/);
    expect(() => seededState([{ id: 'a', kind: '', priority: 0, payload: {} }])).toThrow(/kind/);
  });
});
