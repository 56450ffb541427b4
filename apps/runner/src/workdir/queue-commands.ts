/**
 * The queue-edit inbox: `engine/commands/<time>-<pid>-<seq>.json`, one edit per file, written
 * atomically. Every edit goes through it — a running engine drains it at its next loop; when no
 * engine runs, the `queue` command takes the lock and drains it into the checkpoint itself
 * (`applyInboxOffline`). One path means both cases accept, order and refuse edits identically.
 *
 * Exactly once: an edit's decision is first recorded in the checkpoint (`settledEdits`), and only
 * then is its file moved to `applied/` or `rejected/` with an `.outcome.json` beside it. Dying in
 * between leaves the file in the inbox, but the resumed state already names it, so it is filed
 * without being applied a second time.
 */
import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { PriorityQueue } from '../core/priority-queue.js';
import { applyQueueEdit, QueueEditSchema, type QueueEdit } from '../core/queue-edits.js';
import type { PendingEdit, SchedulerState, SettledEdit } from '../core/scheduler.js';
import type { WorkSpec } from '../core/work-spec.js';
import { isTempName, writeJsonAtomic } from './atomic-file.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { parseJsonText } from './file-errors.js';
import { shortPath, type WorkdirPaths } from './paths.js';

const CommandFileSchema = z.strictObject({
  version: z.literal(1),
  createdAt: z.string(),
  edit: QueueEditSchema,
});

export interface EditOutcome {
  readonly ok: boolean;
  readonly message: string;
}

export async function ensureInboxDirs(paths: WorkdirPaths): Promise<void> {
  await mkdir(paths.appliedDir, { recursive: true });
  await mkdir(paths.rejectedDir, { recursive: true });
}

let submitSeq = 0;

/** Drops an edit in the inbox; returns its file name. */
export async function submitEdit(paths: WorkdirPaths, edit: QueueEdit): Promise<string> {
  await ensureInboxDirs(paths);
  // Zero-padded so that a plain name sort is submission order (pid and seq break same-ms ties).
  const name = `${String(Date.now()).padStart(15, '0')}-${process.pid}-${String(submitSeq++).padStart(4, '0')}.json`;
  await writeJsonAtomic(join(paths.commandsDir, name), { version: 1, createdAt: new Date().toISOString(), edit });
  return name;
}

/** Names of edit files still waiting in the inbox, oldest first. */
export async function listInbox(paths: WorkdirPaths): Promise<string[]> {
  const names = await readdir(paths.commandsDir).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.json') && !isTempName(name) && !name.startsWith('.')).sort();
}

/**
 * Reads the waiting edits. A file that does not validate (written by hand, say) is filed under
 * `rejected/` straight away with the field-level reason, since it cannot change any state.
 */
export async function takePendingEdits(
  paths: WorkdirPaths,
  log: (line: string) => void = () => {},
): Promise<PendingEdit[]> {
  const pending: PendingEdit[] = [];
  for (const name of await listInbox(paths)) {
    const file = join(paths.commandsDir, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    try {
      const parsed = parseJsonText(text, CommandFileSchema, shortPath(paths, file));
      pending.push({ name, edit: parsed.edit });
    } catch (error) {
      const message = (error as Error).message;
      log(`rejected queue edit ${name}: ${message}`);
      await fileEdits(paths, [{ name, ok: false, message }]);
    }
  }
  return pending;
}

/** Files decided edits: outcome first, then the move, so a filed edit always has its outcome. */
export async function fileEdits(paths: WorkdirPaths, settled: readonly SettledEdit[]): Promise<void> {
  await ensureInboxDirs(paths);
  for (const { name, ok, message } of settled) {
    const dir = ok ? paths.appliedDir : paths.rejectedDir;
    await writeJsonAtomic(join(dir, outcomeName(name)), { ok, message });
    await rename(join(paths.commandsDir, name), join(dir, name)).catch((error: NodeJS.ErrnoException) => {
      // Already filed before a restart: the checkpoint still named it, the file had moved.
      if (error.code !== 'ENOENT') throw error;
    });
  }
}

/** The outcome of a submitted edit, or undefined while it is still waiting. */
export async function readEditOutcome(paths: WorkdirPaths, name: string): Promise<EditOutcome | undefined> {
  for (const dir of [paths.appliedDir, paths.rejectedDir]) {
    const text = await readFile(join(dir, outcomeName(name)), 'utf8').catch(() => undefined);
    if (text !== undefined) return JSON.parse(text) as EditOutcome;
  }
  return undefined;
}

/**
 * Applies the inbox to the checkpoint with no engine running. The caller must hold the workdir
 * lock and have loaded `checkpoint` through `store`.
 */
export async function applyInboxOffline(
  paths: WorkdirPaths,
  store: CheckpointStore,
  checkpoint: SchedulerState,
  validate?: (spec: WorkSpec) => string | undefined,
): Promise<SchedulerState> {
  const queue = new PriorityQueue<WorkSpec>((spec) => spec.priority, checkpoint.counter);
  for (const spec of checkpoint.queue) queue.push(spec);
  const running = new Set(checkpoint.running.map((spec) => spec.id));
  const done = new Set(checkpoint.done);
  const cancelling = new Set(checkpoint.cancelling ?? []);
  const settled: SettledEdit[] = [...checkpoint.settledEdits];
  const view = {
    queue,
    isRunning: (id: string) => running.has(id),
    isDone: (id: string) => done.has(id),
    ...(validate ? { validate } : {}),
    // No engine holds the job now; the next one re-attaches it only to stop it (scheduler.ts).
    cancelRunning: (id: string) => (cancelling.add(id), true),
  };
  for (const { name, edit } of await takePendingEdits(paths)) {
    if (settled.some((s) => s.name === name)) continue;
    const result = applyQueueEdit(view, edit);
    settled.push({ name, ...result });
  }
  // A finished run that was given new work is no longer finished; it waits for a resume.
  const reopened = checkpoint.status === 'completed' && queue.size > 0;
  const state: SchedulerState = {
    ...checkpoint,
    ...(reopened ? { status: 'stopped' as const, stopReason: 'queue edited after the run completed' } : {}),
    queue: queue.toSortedArray(),
    counter: queue.counter,
    settledEdits: settled,
    cancelling: [...cancelling],
  };
  await store.save(state);
  await fileEdits(paths, settled);
  const filed: SchedulerState = { ...state, settledEdits: [] };
  await store.save(filed);
  return filed;
}

function outcomeName(name: string): string {
  return name.replace(/\.json$/, '.outcome.json');
}
