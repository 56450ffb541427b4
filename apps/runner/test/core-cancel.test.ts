/**
 * The scheduler's side of cancel, spec validation and a stop during complete(): domain-free, on
 * an in-memory adapter. Waits are for conditions, never for time.
 */
import { describe, expect, it } from 'vitest';
import {
  JobCancelled,
  type CompleteContext,
  type JobContext,
  type Outcome,
  type WorkAdapter,
  type WorkResult,
} from '../src/core/adapter.js';
import {
  EMPTY_STATE,
  runScheduler,
  type PendingEdit,
  type SchedulerState,
  type SettledEdit,
} from '../src/core/scheduler.js';
import { workSpec, type WorkSpec } from '../src/core/work-spec.js';

/** Jobs run until the test finishes them or their signal aborts; completes are recorded. */
class HeldAdapter implements WorkAdapter<string> {
  readonly reasons = new Map<string, unknown>();
  readonly completed: { id: string; outcome: Outcome<string> }[] = [];
  readonly started: string[] = [];
  private readonly live = new Map<string, (value: string) => void>();
  refuse: ((spec: WorkSpec) => string | undefined) | undefined;
  /** When set, complete() waits on this (a planning call that hangs) until its signal aborts. */
  hangComplete = false;

  async seed(): Promise<WorkSpec[]> {
    return [];
  }

  run(spec: WorkSpec, ctx: JobContext): Promise<string> {
    this.started.push(spec.id);
    return new Promise((resolve, reject) => {
      this.live.set(spec.id, resolve);
      const onAbort = () => {
        this.reasons.set(spec.id, ctx.signal.reason);
        reject(ctx.signal.reason);
      };
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  finish(id: string): void {
    this.live.get(id)?.(`value of ${id}`);
    this.live.delete(id);
  }

  isRunning(id: string): boolean {
    return this.live.has(id) && !this.reasons.has(id);
  }

  async complete(spec: WorkSpec, outcome: Outcome<string>, ctx?: CompleteContext): Promise<WorkResult> {
    if (this.hangComplete) {
      await new Promise((_, reject) => ctx?.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
    }
    this.completed.push({ id: spec.id, outcome });
    return { children: [] };
  }

  validateSpec(spec: WorkSpec): string | undefined {
    return this.refuse?.(spec);
  }
}

function ports(inbox: PendingEdit[]) {
  const saved: SchedulerState[] = [];
  const filed: SettledEdit[] = [];
  return {
    saved,
    filed,
    ports: {
      save: async (state: SchedulerState) => void saved.push(structuredClone(state)),
      takeEdits: async () => inbox.filter((edit) => !filed.some((f) => f.name === edit.name)),
      fileEdits: async (settled: readonly SettledEdit[]) => void filed.push(...settled),
    },
  };
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const spec = (id: string) => workSpec(id, 'test', 0);

describe('cancel', () => {
  it('stops a running job with JobCancelled, records it, and leaves the others running', async () => {
    const adapter = new HeldAdapter();
    const inbox: PendingEdit[] = [];
    const { ports: p, filed } = ports(inbox);
    const done = runScheduler({
      adapter,
      ports: p,
      initial: { ...EMPTY_STATE, queue: [spec('a'), spec('b')] },
      concurrency: 2,
      pollMs: 5,
    });
    await waitFor(() => adapter.isRunning('a') && adapter.isRunning('b'));
    inbox.push({ name: 'c1', edit: { op: 'cancel', id: 'a' } });
    await waitFor(() => adapter.completed.some((c) => c.id === 'a'));
    expect(adapter.reasons.get('a')).toBeInstanceOf(JobCancelled);
    expect(adapter.completed[0]?.outcome).toMatchObject({ ok: false, error: expect.any(JobCancelled) });
    expect(adapter.isRunning('b')).toBe(true);
    adapter.finish('b');
    const final = await done;
    expect([...final.done].sort()).toEqual(['a', 'b']);
    expect(filed.find((f) => f.name === 'c1')).toMatchObject({
      ok: true,
      message: expect.stringMatching(/^cancelling a/),
    });
  });

  it('drops a queued spec that never ran, and refuses an id it does not know', async () => {
    const adapter = new HeldAdapter();
    const inbox: PendingEdit[] = [
      { name: 'c1', edit: { op: 'cancel', id: 'later' } },
      { name: 'c2', edit: { op: 'cancel', id: 'nobody' } },
    ];
    const { ports: p, filed } = ports(inbox);
    const done = runScheduler({
      adapter,
      ports: p,
      initial: { ...EMPTY_STATE, queue: [spec('first'), spec('later')] },
      concurrency: 1,
      pollMs: 5,
    });
    await waitFor(() => filed.length === 2 && adapter.isRunning('first'));
    adapter.finish('first');
    await done;
    expect(adapter.started).toEqual(['first']);
    expect(filed.map((f) => f.ok)).toEqual([true, false]);
    expect(filed[1]?.message).toBe('cancel: no queued or running spec has id nobody');
  });

  it('a cancel made while no engine ran stops the job as soon as it is re-attached', async () => {
    const adapter = new HeldAdapter();
    const final = await runScheduler({
      adapter,
      ports: ports([]).ports,
      initial: { ...EMPTY_STATE, running: [spec('x')], cancelling: ['x'] },
      concurrency: 1,
    });
    expect(adapter.reasons.get('x')).toBeInstanceOf(JobCancelled);
    expect(final.done).toEqual(['x']);
    expect(final.cancelling).toEqual([]);
  });
});

describe('a spec added through the queue', () => {
  it('is refused with the adapter’s reason and never runs', async () => {
    const adapter = new HeldAdapter();
    adapter.refuse = (s) => (s.kind === 'bogus' ? 'kind "bogus" is not one this domain runs' : undefined);
    const inbox: PendingEdit[] = [
      { name: 'e1', edit: { op: 'add', spec: workSpec('z', 'bogus', 0) } },
      { name: 'e2', edit: { op: 'add', spec: spec('ok') } },
    ];
    const { ports: p, filed } = ports(inbox);
    const done = runScheduler({ adapter, ports: p, initial: { ...EMPTY_STATE }, concurrency: 1, pollMs: 5 });
    await waitFor(() => adapter.isRunning('ok'));
    adapter.finish('ok');
    await done;
    expect(adapter.started).toEqual(['ok']);
    expect(filed[0]).toEqual({ name: 'e1', ok: false, message: 'add: z: kind "bogus" is not one this domain runs' });
  });
});

describe('a stop during complete()', () => {
  it('leaves the spec running in the last checkpoint, so resume completes it again', async () => {
    const adapter = new HeldAdapter();
    adapter.hangComplete = true;
    const stop = new AbortController();
    const { ports: p, saved } = ports([]);
    const done = runScheduler({
      adapter,
      ports: p,
      initial: { ...EMPTY_STATE, queue: [spec('plan')] },
      concurrency: 1,
      stop: stop.signal,
    });
    await waitFor(() => adapter.isRunning('plan'));
    adapter.finish('plan');
    await waitFor(() => saved.length > 0 && !adapter.isRunning('plan'));
    stop.abort(new Error('SIGINT'));
    const final = await done;
    expect(final.status).toBe('stopped');
    expect(final.running.map((s) => s.id)).toEqual(['plan']);
    expect(final.done).toEqual([]);
  });
});
