/**
 * `run.ts queue <workdir> list | move | drop | add | cancel`. Every edit is checked against the current
 * checkpoint first (so a typo fails at once, with the same message the engine would give), then
 * dropped in the engine's inbox. If no engine holds the lock, this process takes it and applies
 * the inbox to the checkpoint itself; otherwise it waits briefly for the engine's verdict.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PriorityQueue } from '../core/priority-queue.js';
import { applyQueueEdit, type QueueEdit } from '../core/queue-edits.js';
import { WorkSpecSchema, type WorkSpec } from '../core/work-spec.js';
import { CheckpointStore, type Checkpoint } from '../workdir/checkpoint-store.js';
import { parseJsonText } from '../workdir/file-errors.js';
import { acquireLock, WorkdirLockedError } from '../workdir/lock.js';
import type { WorkdirPaths } from '../workdir/paths.js';
import { applyInboxOffline, readEditOutcome, submitEdit, type EditOutcome } from '../workdir/queue-commands.js';
import type { QueueAction } from './args.js';
import { loadAdapterModule } from './load-adapter.js';
import { loadRunConfig } from '../workdir/run-config.js';
import { phaseOf, readEngineView } from '../workdir/engine-view.js';

export class QueueEditRefused extends Error {
  override readonly name = 'QueueEditRefused';
}

export interface QueueCommandOptions {
  /** How long to wait for a running engine to apply the edit before reporting it as pending. */
  readonly waitMs?: number;
}

export async function queueCommand(
  paths: WorkdirPaths,
  action: QueueAction,
  options: QueueCommandOptions = {},
): Promise<string> {
  if (action.op === 'list') return listQueue(paths, action.json);
  const view = await readEngineView(paths);
  if (!view.checkpoint)
    throw new QueueEditRefused(
      `${paths.root} has no queue yet: start the engine once (run.ts <workdir>), then edit its queue`,
    );
  const edit = await editFor(action);
  const validate = edit.op === 'add' ? await specValidator(paths) : undefined;
  const precheck = applyQueueEdit(scratchView(view.checkpoint, validate), edit);
  if (!precheck.ok) throw new QueueEditRefused(precheck.message);

  const name = await submitEdit(paths, edit);
  const outcome = await settle(paths, name, options.waitMs ?? 5000, validate);
  if (!outcome)
    return `${name}: waiting in the inbox; the running engine applies it at its next loop (see run.ts queue <workdir> list)`;
  if (!outcome.ok) throw new QueueEditRefused(outcome.message);
  return outcome.message;
}

async function editFor(action: Exclude<QueueAction, { op: 'list' }>): Promise<QueueEdit> {
  if (action.op !== 'add') return action;
  const text = await readFile(resolve(action.specFile), 'utf8').catch((error: Error) => {
    throw new QueueEditRefused(`${action.specFile}: cannot read (${error.message})`);
  });
  return { op: 'add', spec: parseJsonText(text, WorkSpecSchema, action.specFile) };
}

/**
 * The domain's check of an added spec (the workflow's: kind, name, knobs, patch target), built
 * from the workdir as it is now; none for a domain that does not offer one.
 */
async function specValidator(paths: WorkdirPaths): Promise<((spec: WorkSpec) => string | undefined) | undefined> {
  const config = await loadRunConfig(paths);
  if (!config) return undefined;
  const module = await loadAdapterModule(config);
  if (!module.createSpecValidator) return undefined;
  return module.createSpecValidator({ paths, config, sessionStartedAt: new Date(), log: () => {} });
}

/** Applies the edit to a copy of the checkpointed queue, to refuse it before it is submitted. */
function scratchView(checkpoint: Checkpoint, validate: ((spec: WorkSpec) => string | undefined) | undefined) {
  const queue = new PriorityQueue<WorkSpec>((spec) => spec.priority, checkpoint.counter);
  for (const spec of checkpoint.queue) queue.push(spec);
  const running = new Set(checkpoint.running.map((spec) => spec.id));
  const done = new Set(checkpoint.done);
  return {
    queue,
    isRunning: (id: string) => running.has(id),
    isDone: (id: string) => done.has(id),
    ...(validate ? { validate } : {}),
    // Whoever applies it (the engine, or this process) can ask for a running job to stop.
    cancelRunning: () => true,
  };
}

/**
 * Until the edit has an outcome: apply the inbox ourselves whenever the lock is free (no engine),
 * else leave it to the engine that holds it. Gives up waiting after `waitMs`; the edit stays queued.
 */
async function settle(
  paths: WorkdirPaths,
  name: string,
  waitMs: number,
  validate: ((spec: WorkSpec) => string | undefined) | undefined,
): Promise<EditOutcome | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const outcome = await readEditOutcome(paths, name);
    if (outcome) return outcome;
    try {
      const lock = await acquireLock(paths, 'queue-edit');
      try {
        const store = new CheckpointStore(paths);
        const checkpoint = await store.load();
        if (!checkpoint)
          throw new QueueEditRefused(`${paths.root}: the checkpoint disappeared; ${name} stays in the inbox`);
        // Holding the lock over a "running" checkpoint means its runner died: say so.
        const status = checkpoint.status === 'running' ? 'interrupted' : checkpoint.status;
        await applyInboxOffline(paths, store, { ...checkpoint, status }, validate);
      } finally {
        await lock.release();
      }
      continue;
    } catch (error) {
      if (!(error instanceof WorkdirLockedError)) throw error;
    }
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function listQueue(paths: WorkdirPaths, json: boolean): Promise<string> {
  const view = await readEngineView(paths);
  const cp = view.checkpoint;
  if (json) {
    return JSON.stringify(
      { status: view.status, queue: cp?.queue ?? [], running: cp?.running ?? [], pendingEdits: view.pendingEdits },
      null,
      2,
    );
  }
  if (!cp) return 'no queue yet: the engine has not run in this workdir';
  const lines = [`${cp.queue.length} queued, ${cp.running.length} running (${view.status})`];
  cp.queue.forEach((spec, index) =>
    lines.push(`  ${String(index + 1).padStart(3)}. ${spec.id}  priority ${spec.priority}  ${spec.kind}`),
  );
  for (const spec of cp.running) lines.push(`  run: ${spec.id}  ${spec.kind}  ${phaseOf(spec.payload)}`.trimEnd());
  if (view.pendingEdits.length > 0)
    lines.push(`${view.pendingEdits.length} edit(s) waiting: ${view.pendingEdits.join(', ')}`);
  return lines.join('\n');
}
