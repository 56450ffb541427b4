/**
 * The whole contract between the scheduler and a domain: the `WorkAdapter` the scheduler drives,
 * and the module a domain plugs in with (`AdapterModule`: a factory, and optionally its report).
 * Kept as small as it can be: the scheduler knows specs, slots and checkpoints; everything else
 * (what a job is, how it is launched, what its result means, what to try next, when a budget is
 * spent) is the adapter's.
 *
 * Crash safety is shared, and the split is:
 * - the scheduler checkpoints every spec in `running` — with its latest payload — atomically, and
 *   on resume hands each one back to `run()` exactly as last persisted;
 * - the adapter records a job's phase in the payload through `ctx.persist()` *before* every side
 *   effect it would not want repeated (launching a process, submitting to Slurm), so that `run()`
 *   on a resumed spec re-attaches to the job instead of launching it again;
 * - `complete()` must be idempotent per spec id: the runner can die after `complete()` appended a
 *   ledger row but before the checkpoint that removes the spec from `running`, and then it is
 *   called again for the same spec on resume. Key durable writes by spec id (the TSV ledger in
 *   workdir/tsv-ledger.ts skips ids it already holds) and cache anything expensive by id.
 */
import type { JsonObject, WorkSpec } from './work-spec.js';

export interface JobContext {
  /**
   * Aborted when the runner is asked to stop (SIGINT/SIGTERM). The job itself must be left alone —
   * it is re-attached on resume — so `run()` should just stop waiting and reject with
   * `signal.reason`.
   */
  readonly signal: AbortSignal;
  /**
   * Replaces this spec's payload and resolves once a checkpoint holding it is on disk. Call it
   * before a side effect that must not be repeated, e.g. `{ phase: 'launching', token }`, then
   * again with the job handle once it is known.
   */
  persist(payload: JsonObject): Promise<void>;
}

/** How a `run()` ended: its value, or the error it threw (a crashed job is still a result). */
export type Outcome<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

export interface WorkResult {
  /** Follow-up specs to enqueue; ids must be unique across the run (a done id is never rerun). */
  readonly children: readonly WorkSpec[];
}

export interface WorkAdapter<R = unknown> {
  /**
   * The specs of a run that has no checkpoint: a fresh run's seeds — or, when the domain finds
   * durable records of an earlier run whose checkpoint was lost, only what is left to do.
   */
  seed(): Promise<WorkSpec[]>;
  /**
   * After seed(): ids an earlier run whose checkpoint was lost already finished, so the rebuilt
   * checkpoint lists them as done (they are never run again). Omitted: none.
   */
  recoveredDone?(): readonly string[];
  /**
   * Drives one spec to the end of its job, launching it or — when the payload says it was
   * launched before a restart — re-attaching to it. Runs concurrently with other `run()` calls.
   */
  run(spec: WorkSpec, ctx: JobContext): Promise<R>;
  /**
   * Records a finished job and says what comes next. Called by the scheduler loop one at a time,
   * so bookkeeping here (ledgers, planner state, counters) needs no locking. `spec` carries the
   * payload as last persisted.
   */
  complete(spec: WorkSpec, outcome: Outcome<R>, ctx?: CompleteContext): Promise<WorkResult>;
  /**
   * A reason to launch nothing more (a cap reached), or undefined. Asked before slots are filled
   * on every loop; jobs already running are allowed to finish and are recorded.
   */
  stopReason?(): string | undefined;
  /**
   * Why a spec added through a queue edit is refused, or undefined to accept it. Called before it
   * is queued, so a spec the domain could never run is refused at once rather than failing later
   * (and spending a slot). Without it every well-formed spec is accepted.
   */
  validateSpec?(spec: WorkSpec): string | undefined;
}

export interface CompleteContext {
  /**
   * Aborted when the runner is asked to stop. A `complete()` that waits on something slow (a
   * planning call) should give up and reject: the scheduler then leaves the spec running, and
   * resume calls `run()` and `complete()` for it again.
   */
  readonly signal: AbortSignal;
}

/**
 * The reason a job's signal is aborted with when a person cancels it (`run.ts queue cancel`), as
 * opposed to the runner stopping: the adapter should stop the job itself, not leave it running.
 */
export class JobCancelled extends Error {
  override readonly name = 'JobCancelled';
  constructor(readonly id: string) {
    super(`${id} was cancelled (run.ts queue cancel)`);
  }
}

/**
 * What a domain's factory is handed when a session starts. The paths and the config are the
 * caller's types (the runner passes its workdir paths and config.json: workdir/run-context.ts),
 * so this contract stays free of any particular layout on disk.
 */
export interface AdapterContext<Paths = unknown, Config = unknown> {
  readonly paths: Paths;
  readonly config: Config;
  /** When this session started; caps measured over the whole run are the adapter's to keep. */
  readonly sessionStartedAt: Date;
  readonly log: (line: string) => void;
}

export type AdapterFactory<Ctx> = (ctx: Ctx) => Promise<WorkAdapter<unknown>>;

/** Writes the run's report from durable state and returns its path. */
export type ReportWriter<Ctx> = (ctx: Ctx) => Promise<string>;

/** What a domain module exports: `createAdapter`, and optionally its own `writeReport`. */
export interface AdapterModule<Ctx> {
  readonly createAdapter: AdapterFactory<Ctx>;
  /** Optional; without it the engine writes its own, domain-free report. */
  readonly writeReport?: ReportWriter<Ctx> | undefined;
  /**
   * Optional: `WorkAdapter.validateSpec` for a process that has no adapter — the queue command
   * checks an added spec with it before submitting, and when it applies edits itself.
   */
  readonly createSpecValidator?: ((ctx: Ctx) => Promise<(spec: WorkSpec) => string | undefined>) | undefined;
}
