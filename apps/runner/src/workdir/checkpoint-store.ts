/**
 * `engine/checkpoint.json`: the scheduler's state, written atomically on every loop and validated
 * field by field on read. Alongside it, `engine/queue.json` and `engine/active.json` are rewritten
 * for people (what is queued, what is running); they are never read back.
 *
 * A checkpoint that fails validation is never overwritten: `save()` refuses until `load()` has
 * read the file successfully (or found none), so a hand-broken file keeps every spec it still
 * holds until someone fixes the field the error names.
 */
import { z } from 'zod';
import type { SchedulerState } from '../core/scheduler.js';
import { WorkSpecSchema, type WorkSpec } from '../core/work-spec.js';
import { writeJsonAtomic } from './atomic-file.js';
import { readJsonFile, WorkdirFileError } from './file-errors.js';
import { shortPath, type WorkdirPaths } from './paths.js';

export const CHECKPOINT_VERSION = 1;

export const CheckpointSchema = z.strictObject({
  version: z.literal(CHECKPOINT_VERSION),
  status: z.enum(['running', 'stopped', 'interrupted', 'completed']),
  stopReason: z.string().nullable(),
  queue: z.array(WorkSpecSchema),
  running: z.array(WorkSpecSchema),
  done: z.array(z.string().min(1)),
  counter: z.number().int().nonnegative(),
  settledEdits: z.array(z.strictObject({ name: z.string().min(1), ok: z.boolean(), message: z.string() })),
  /** Running specs whose cancel was asked for; absent in checkpoints from before cancel existed. */
  cancelling: z.array(z.string().min(1)).default([]),
  updatedAt: z.string(),
});

export interface Checkpoint extends SchedulerState {
  readonly version: typeof CHECKPOINT_VERSION;
  readonly updatedAt: string;
}

export class CheckpointStore {
  /** False until the file on disk is known to be valid (or absent); guards `save()`. */
  private verified = false;

  constructor(readonly paths: WorkdirPaths) {}

  get label(): string {
    return shortPath(this.paths, this.paths.checkpoint);
  }

  /** The checkpoint, or undefined for a workdir that never ran. Throws WorkdirFileError naming the field. */
  async load(): Promise<Checkpoint | undefined> {
    const advice =
      `The checkpoint was left untouched and nothing was started. Fix that field by hand and run again; ` +
      `or move ${this.label} aside: the next run rebuilds its state from engine/tree.json and the ledgers ` +
      `(master_table.tsv), and re-runs nothing that finished.`;
    const parsed = await readJsonFile(this.paths.checkpoint, CheckpointSchema, this.label, advice);
    if (parsed) {
      const duplicates = findDuplicateIds(parsed.queue, parsed.running);
      if (duplicates.length > 0) throw new WorkdirFileError(this.label, duplicates, advice);
    }
    this.verified = true;
    return parsed as Checkpoint | undefined;
  }

  async save(state: SchedulerState): Promise<void> {
    if (!this.verified)
      throw new Error(`${this.label}: refusing to write before the existing file was read and validated`);
    const checkpoint: Checkpoint = {
      version: CHECKPOINT_VERSION,
      ...pickState(state),
      updatedAt: new Date().toISOString(),
    };
    // The checkpoint first: it is the truth, the snapshots are only views of it.
    await writeJsonAtomic(this.paths.checkpoint, checkpoint);
    await writeJsonAtomic(this.paths.queueSnapshot, {
      updatedAt: checkpoint.updatedAt,
      queued: state.queue.map((spec, position) => ({
        position,
        id: spec.id,
        priority: spec.priority,
        kind: spec.kind,
      })),
    });
    await writeJsonAtomic(this.paths.activeSnapshot, {
      updatedAt: checkpoint.updatedAt,
      status: state.status,
      running: state.running.map((spec) => ({
        id: spec.id,
        kind: spec.kind,
        priority: spec.priority,
        payload: spec.payload,
      })),
    });
  }
}

/** Only the fields the schema knows, so an object with extras still writes a strict checkpoint. */
function pickState(state: SchedulerState): SchedulerState {
  const { status, stopReason, queue, running, done, counter, settledEdits, cancelling } = state;
  return { status, stopReason, queue, running, done, counter, settledEdits, cancelling: cancelling ?? [] };
}

/** An id both queued and running (or twice in one list) would run twice; name every repeat. */
function findDuplicateIds(queue: readonly WorkSpec[], running: readonly WorkSpec[]): string[] {
  const firstSeen = new Map<string, string>();
  const problems: string[] = [];
  const visit = (list: readonly WorkSpec[], name: string) =>
    list.forEach((spec, index) => {
      const here = `${name}[${index}].id`;
      const before = firstSeen.get(spec.id);
      if (before) problems.push(`${here}: ${spec.id} is also at ${before}; an id may appear once`);
      else firstSeen.set(spec.id, here);
    });
  visit(queue, 'queue');
  visit(running, 'running');
  return problems;
}
