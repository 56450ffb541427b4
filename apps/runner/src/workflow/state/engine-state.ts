/**
 * `engine/engine_state.json`: what the workflow must remember between sessions that is not a tree
 * node — the anchor (template, commit, frozen-file hashes), type-check results, planning rounds
 * (the stop rule's history), dollars spent and active time. Written atomically after each change;
 * the scheduler's checkpoint stays the truth about which specs are queued, running or done.
 */
import { z } from 'zod';
import { writeJsonAtomic } from '../../workdir/atomic-file.js';
import { readJsonFile } from '../../workdir/file-errors.js';

const StopSchema = z.strictObject({ reason: z.string(), detail: z.string() });

export const RoundRecordSchema = z.strictObject({
  /** The plan spec's id (`plan-<n>`): the key of the planner cache in engine/planner/. */
  id: z.string(),
  round: z.number().int().positive(),
  /** The spec whose completion drained the queue and asked for this round. */
  trigger: z.string().nullable(),
  at: z.string(),
  /** Best candidate metric when the round was asked for: the stop rule's `bestAfterRound` entry. */
  bestBefore: z.number().nullable(),
  /** False when the stop rule (or a cap) decided before the planner was called. */
  planned: z.boolean(),
  proposals: z.number().int().nonnegative(),
  dollars: z.number().nonnegative(),
  stopRequested: z.boolean(),
  stop: StopSchema.nullable(),
  failure: z.string().nullable(),
  /** The planner's API failed transiently: the round does not count toward patience, and another follows. */
  transient: z.boolean().default(false),
});

export type RoundRecord = z.infer<typeof RoundRecordSchema>;

export const EngineStateSchema = z.strictObject({
  version: z.literal(1),
  template: z.strictObject({ name: z.string(), dir: z.string(), description: z.string() }),
  anchorCommit: z.string().regex(/^[0-9a-f]{40}$/),
  anchoredAt: z.string(),
  editable: z.string(),
  /** Frozen file → sha256 at anchor time. */
  frozen: z.record(z.string(), z.string()),
  /** Content hashes of experiment sources that passed the type-check (see type-check.ts). */
  typeChecked: z.array(z.string()),
  sessions: z.array(z.strictObject({ startedAt: z.string(), lastSeenAt: z.string() })),
  rounds: z.array(RoundRecordSchema),
  /** Spec id → the plan spec its completion returned, so a re-run complete() returns the same one. */
  planTriggers: z.record(z.string(), z.string()),
  plannerDollars: z.number().nonnegative(),
  /** Why the run stopped (read by the report); null while it goes on. */
  stopReason: z.string().nullable(),
  stop: StopSchema.nullable(),
});

export type EngineState = z.infer<typeof EngineStateSchema>;

export async function loadEngineState(file: string): Promise<EngineState | undefined> {
  return readJsonFile(
    file,
    EngineStateSchema,
    'engine/engine_state.json',
    'Nothing was started; fix that field or move the file aside.',
  );
}

/** Serialises writes: concurrent jobs update it, and each write must carry every earlier change. */
export class EngineStateStore {
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private current: EngineState,
  ) {}

  get state(): EngineState {
    return this.current;
  }

  update(change: (state: EngineState) => EngineState): Promise<void> {
    this.current = change(this.current);
    const snapshot = this.current;
    const write = this.writing.then(() => writeJsonAtomic(this.file, snapshot));
    this.writing = write.catch(() => {});
    return write;
  }
}
