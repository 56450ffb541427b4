/**
 * The scheduler loop: fill slots → checkpoint → wait for the first completion → hand its result to
 * the adapter → enqueue its children → repeat.
 *
 * Design note — what must never enter this module (or anything under core/):
 * no git, no metrics, no planning, no process launching, no file formats, and nothing from the
 * forecasting packages. The scheduler knows specs, slots, queue edits and checkpoints; a domain
 * plugs in through `WorkAdapter` (adapter.ts), persistence through `SchedulerPorts`. If a change
 * needs to know what a job *is*, it belongs behind the adapter. test/core-boundary.test.ts greps
 * the imports of core/ to keep it that way.
 *
 * Durability rule: the state is checkpointed before the loop waits, and a spec leaves `running`
 * only in the checkpoint written after the adapter's `complete()` returned — so a crash at any
 * instant leaves every spec either queued, running (re-attached on resume) or done.
 */
import { JobCancelled, type Outcome, type WorkAdapter, type WorkResult } from './adapter.js';
import { PriorityQueue } from './priority-queue.js';
import { applyQueueEdit, type QueueEdit } from './queue-edits.js';
import { parseWorkSpec, type JsonObject, type WorkSpec } from './work-spec.js';

export type RunStatus = 'running' | 'stopped' | 'interrupted' | 'completed';

/** A queue edit that has been decided (applied or refused) but whose inbox file may not be filed yet. */
export interface SettledEdit {
  readonly name: string;
  readonly ok: boolean;
  readonly message: string;
}

export interface PendingEdit {
  readonly name: string;
  readonly edit: QueueEdit;
}

/** Everything needed to resume: what a checkpoint holds. */
export interface SchedulerState {
  readonly status: RunStatus;
  readonly stopReason: string | null;
  /** In pop order. */
  readonly queue: readonly WorkSpec[];
  /** Specs whose job may be in flight, with the payload their adapter last persisted. */
  readonly running: readonly WorkSpec[];
  /** Ids whose result the adapter has recorded; never run again. */
  readonly done: readonly string[];
  /** The queue's insertion counter, so ties keep their order across restarts. */
  readonly counter: number;
  /** Edits whose effect is in this state; on resume their files are filed, not applied again. */
  readonly settledEdits: readonly SettledEdit[];
  /** Running specs a person asked to cancel; their jobs are aborted with JobCancelled (also after a resume). */
  readonly cancelling: readonly string[];
}

export interface SchedulerPorts {
  /** Makes the state durable; resolves only once it is on disk. Calls are never concurrent. */
  save(state: SchedulerState): Promise<void>;
  /** Queue edits waiting in the inbox, oldest first. Polled every loop and every `pollMs`. */
  takeEdits?(): Promise<PendingEdit[]>;
  /** Called once a checkpoint holding these decisions is durable, to file their inbox entries. */
  fileEdits?(settled: readonly SettledEdit[]): Promise<void>;
}

export interface SchedulerOptions<R> {
  readonly adapter: WorkAdapter<R>;
  readonly ports: SchedulerPorts;
  readonly initial: SchedulerState;
  readonly concurrency: number;
  /** Aborting it stops the run: nothing new starts, running jobs are left to be re-attached. */
  readonly stop?: AbortSignal;
  /** How often to look for queue edits while every slot is busy. */
  readonly pollMs?: number;
  /** How long to wait for `run()` calls to honour an abort before the final checkpoint. */
  readonly stopGraceMs?: number;
  readonly log?: (line: string) => void;
}

export const EMPTY_STATE: SchedulerState = {
  status: 'running',
  stopReason: null,
  queue: [],
  running: [],
  done: [],
  counter: 0,
  settledEdits: [],
  cancelling: [],
};

/** The state of a fresh run from the adapter's seed specs, validated like any spec from outside. */
export function seededState(seeds: readonly WorkSpec[], done: readonly string[] = []): SchedulerState {
  const queue = seeds.map((seed) => parseWorkSpec(seed));
  const ids = new Set<string>();
  for (const { id } of queue) {
    if (ids.has(id)) throw new Error(`adapter seeded id ${id} twice; ids must be unique across a run`);
    ids.add(id);
  }
  const clash = queue.find((spec) => done.includes(spec.id));
  if (clash) throw new Error(`adapter seeded ${clash.id}, which it also reports done`);
  return { ...EMPTY_STATE, queue, done: [...done] };
}

export function runScheduler<R>(options: SchedulerOptions<R>): Promise<SchedulerState> {
  return new Scheduler(options).run();
}

interface Finished<R> {
  readonly id: string;
  readonly outcome: Outcome<R>;
}

class Scheduler<R> {
  private readonly adapter: WorkAdapter<R>;
  private readonly ports: SchedulerPorts;
  private readonly queue: PriorityQueue<WorkSpec>;
  /** Insertion-ordered, so the checkpoint lists jobs in the order they started. */
  private readonly running = new Map<string, WorkSpec>();
  private readonly done: Set<string>;
  private readonly finished: Finished<R>[] = [];
  private settledEdits: SettledEdit[];
  private readonly cancelling: Set<string>;
  private stopReason: string | null = null;
  private status: RunStatus = 'running';
  /** One per running job (a shared signal would collect a listener per job ever run); aborted on stop. */
  private readonly jobAborts = new Map<string, AbortController>();
  private wake: () => void = () => {};
  private saving: Promise<void> = Promise.resolve();
  /** The last state written, serialised; an idle poll tick that changed nothing writes nothing. */
  private lastSaved = '';
  private closed = false;

  constructor(private readonly options: SchedulerOptions<R>) {
    const { initial } = options;
    this.adapter = options.adapter;
    this.ports = options.ports;
    this.queue = new PriorityQueue<WorkSpec>((spec) => spec.priority, initial.counter);
    for (const spec of initial.queue) this.queue.push(spec);
    this.done = new Set(initial.done);
    this.settledEdits = [...initial.settledEdits];
    this.cancelling = new Set(initial.cancelling ?? []);
    this.options.stop?.addEventListener('abort', () => this.requestStop(), { once: true });
  }

  async run(): Promise<SchedulerState> {
    this.reattachRunning();
    try {
      for (;;) {
        await this.applyQueueEdits();
        this.stopReason ??= this.stopRequested() ? this.describeStopRequest() : (this.adapter.stopReason?.() ?? null);
        if (this.stopReason === null) this.fillSlots();
        await this.checkpoint();
        await this.fileSettledEdits();
        if (this.running.size === 0 || this.stopRequested()) break;
        const next = await this.nextFinished();
        // A completion cut short by a stop leaves its spec running: resume completes it again.
        if (next && !(await this.complete(next))) break;
      }
      // A stop that arrived after this iteration's reason was taken (during a checkpoint write, or
      // while a completion was being recorded) still names itself: a stopped run always says why.
      if (this.stopRequested()) this.stopReason ??= this.describeStopRequest();
      await this.detachFromJobs();
      this.status = this.queue.size === 0 && this.running.size === 0 ? 'completed' : 'stopped';
    } catch (error) {
      // The state in memory is still consistent (a spec leaves `running` only after complete()),
      // so record it honestly before giving up; resume re-attaches what was running.
      this.status = 'interrupted';
      this.abortJobs(error);
      await this.checkpoint().catch(() => {});
      throw error;
    } finally {
      this.closed = true;
    }
    await this.checkpoint();
    return this.state();
  }

  /** Specs that were running when the last run ended go first, whatever the concurrency now. */
  private reattachRunning(): void {
    for (const spec of this.options.initial.running) {
      this.log(`re-attaching ${spec.id}`);
      this.start(spec);
    }
  }

  private fillSlots(): void {
    while (this.running.size < Math.max(1, this.options.concurrency)) {
      const spec = this.queue.pop();
      if (!spec) return;
      if (this.done.has(spec.id) || this.running.has(spec.id)) {
        this.log(`skipping ${spec.id}: it already ran or is running`);
        continue;
      }
      this.start(spec);
    }
  }

  private start(spec: WorkSpec): void {
    this.running.set(spec.id, spec);
    const abort = new AbortController();
    this.jobAborts.set(spec.id, abort);
    // Cancelled while the runner was down (an offline queue edit): the job is re-attached only to be stopped.
    if (this.cancelling.has(spec.id)) abort.abort(new JobCancelled(spec.id));
    const ctx = { signal: abort.signal, persist: (payload: JsonObject) => this.persist(spec.id, payload) };
    // Promise.resolve().then turns a synchronous throw in run() into a failed outcome too. `void`: the
    // chain cannot reject, since the second then() turns run()'s failure into an Outcome.
    void Promise.resolve()
      .then(() => this.adapter.run(spec, ctx))
      .then(
        (value): Outcome<R> => ({ ok: true, value }),
        (error: unknown): Outcome<R> => ({ ok: false, error }),
      )
      .then((outcome) => {
        this.finished.push({ id: spec.id, outcome });
        this.wake();
      });
  }

  /** Waits for a job to finish; returns undefined when woken for a stop or to poll the inbox. */
  private async nextFinished(): Promise<Finished<R> | undefined> {
    if (this.finished.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.ports.takeEdits ? (this.options.pollMs ?? 1000) : 2 ** 31 - 1);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = () => {};
    }
    return this.stopRequested() ? undefined : this.finished.shift();
  }

  /** Records a finished job; false when a stop cut the adapter's complete() short (the spec stays running). */
  private async complete({ id, outcome }: Finished<R>): Promise<boolean> {
    const spec = this.running.get(id);
    if (spec === undefined) throw new Error(`scheduler: job ${id} finished but is not running`);
    if (!outcome.ok)
      this.log(`${id} ${outcome.error instanceof JobCancelled ? 'cancelled' : 'failed'}: ${describe(outcome.error)}`);
    let result: WorkResult;
    try {
      result = await this.adapter.complete(spec, outcome, { signal: this.options.stop ?? NEVER });
    } catch (error) {
      if (!this.stopRequested()) throw error;
      this.finished.unshift({ id, outcome });
      this.log(`${id}: recording it was interrupted by the stop (${describe(error)}); it is completed on resume`);
      return false;
    }
    this.running.delete(id);
    this.jobAborts.delete(id);
    this.cancelling.delete(id);
    this.done.add(id);
    for (const child of result.children) this.enqueueChild(spec, child);
    return true;
  }

  private enqueueChild(parent: WorkSpec, child: WorkSpec): void {
    let spec: WorkSpec;
    try {
      // A malformed child would make the next checkpoint unreadable; refuse it here, loudly.
      spec = parseWorkSpec(child);
    } catch (error) {
      throw new Error(`adapter returned an invalid child of ${parent.id}: ${describe(error)}`);
    }
    const clash = this.done.has(spec.id) || this.running.has(spec.id) || this.queue.find((s) => s.id === spec.id);
    if (clash) {
      this.log(`ignoring child ${spec.id} of ${parent.id}: that id is already queued, running or done`);
      return;
    }
    this.queue.push(spec);
  }

  private async applyQueueEdits(): Promise<void> {
    if (!this.ports.takeEdits) return;
    const view = {
      queue: this.queue,
      isRunning: (id: string) => this.running.has(id),
      isDone: (id: string) => this.done.has(id),
      validate: (spec: WorkSpec) => this.adapter.validateSpec?.(spec),
      cancelRunning: (id: string) => {
        this.cancelling.add(id);
        this.jobAborts.get(id)?.abort(new JobCancelled(id));
        return true;
      },
    };
    for (const { name, edit } of await this.ports.takeEdits()) {
      // Decided before a restart: its effect is already in the state we resumed from.
      if (this.settledEdits.some((settled) => settled.name === name)) continue;
      const result = applyQueueEdit(view, edit);
      this.log(`queue edit ${name}: ${result.message}`);
      this.settledEdits.push({ name, ...result });
    }
  }

  private async fileSettledEdits(): Promise<void> {
    if (this.settledEdits.length === 0 || !this.ports.fileEdits) return;
    await this.ports.fileEdits(this.settledEdits);
    this.settledEdits = [];
  }

  private async persist(id: string, payload: JsonObject): Promise<void> {
    const spec = this.running.get(id);
    if (!spec || this.closed) throw new Error(`cannot persist ${id}: it is no longer running in this scheduler`);
    this.running.set(id, { ...spec, payload });
    await this.checkpoint();
  }

  /** After a stop, give `run()` calls a moment to see the abort so none persists after the last checkpoint. */
  private async detachFromJobs(): Promise<void> {
    if (this.running.size === 0) return;
    this.abortJobs(new Error('runner stopping'));
    const deadline = Date.now() + (this.options.stopGraceMs ?? 5000);
    while (this.finished.length < this.running.size && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.wake = () => {};
    // Finished-but-unrecorded jobs stay in `running`: run() is idempotent, so resume re-attaches
    // and finds their result again. Recording them now could mean a slow planner call on Ctrl-C.
  }

  private abortJobs(reason: unknown): void {
    for (const abort of this.jobAborts.values()) abort.abort(reason);
  }

  private checkpoint(): Promise<void> {
    const write = this.saving.then(async () => {
      const state = this.state();
      const serialised = JSON.stringify(state);
      if (serialised === this.lastSaved) return;
      await this.ports.save(state);
      this.lastSaved = serialised;
    });
    this.saving = write.catch(() => {});
    return write;
  }

  private state(): SchedulerState {
    return {
      status: this.status,
      stopReason: this.stopReason,
      queue: this.queue.toSortedArray(),
      running: [...this.running.values()],
      done: [...this.done],
      counter: this.queue.counter,
      settledEdits: [...this.settledEdits],
      cancelling: [...this.cancelling].filter((id) => this.running.has(id)),
    };
  }

  private requestStop(): void {
    this.wake();
  }

  private describeStopRequest(): string {
    const reason: unknown = this.options.stop?.reason;
    const detail = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : '';
    return detail ? `stop requested (${detail})` : 'stop requested';
  }

  private stopRequested(): boolean {
    return this.options.stop?.aborted ?? false;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

/** The signal complete() gets when no stop signal was given: one that never aborts. */
const NEVER = new AbortController().signal;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
