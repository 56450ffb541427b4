/**
 * A read-only view of a workdir's engine for people: the checkpoint as last written, whether a
 * runner holds the lock, and the queue edits still waiting. Used by `status`, `queue list` and
 * the report; it never takes the lock and never writes.
 */
import { CheckpointStore, type Checkpoint } from './checkpoint-store.js';
import { readLockHolder, type HolderLiveness, type LockHolder } from './lock.js';
import type { WorkdirPaths } from './paths.js';
import { listInbox } from './queue-commands.js';

export interface EngineView {
  readonly checkpoint: Checkpoint | undefined;
  readonly holder: LockHolder | undefined;
  readonly holderLiveness: HolderLiveness | undefined;
  /** The status as a person should read it: "running" with nobody holding the lock is a crash. */
  readonly status: Checkpoint['status'] | 'new';
  readonly pendingEdits: readonly string[];
}

export async function readEngineView(paths: WorkdirPaths): Promise<EngineView> {
  const checkpoint = await new CheckpointStore(paths).load();
  const lock = await readLockHolder(paths);
  const engineAlive = lock !== undefined && lock.liveness !== 'dead' && lock.holder?.purpose === 'engine';
  let status: EngineView['status'] = checkpoint?.status ?? 'new';
  if (status === 'running' && !engineAlive) status = 'interrupted';
  return {
    checkpoint,
    holder: lock?.holder,
    holderLiveness: lock?.liveness,
    status,
    pendingEdits: await listInbox(paths),
  };
}

/** A short phase label from a payload, when the adapter keeps one there (a convention, not a rule). */
export function phaseOf(payload: Record<string, unknown>): string {
  return typeof payload['phase'] === 'string' ? payload['phase'] : '';
}
