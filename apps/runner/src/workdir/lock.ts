/**
 * `engine/lock`: one runner (or one offline queue edit) per workdir at a time.
 *
 * - Taking it is a hard link of a fully written, fsynced temp file onto `engine/lock`: link fails
 *   with EEXIST when someone holds it (O_EXCL semantics), and unlike open(O_EXCL)+write there is
 *   no instant at which the lock exists but is empty, so a crash never leaves an unreadable lock.
 * - A lock is stale when its holder ran on this host and is gone: its pid is not alive, or the
 *   machine has rebooted since (boot id differs — a reused pid after a reboot is not a holder).
 *   A holder on another host cannot be checked and is taken as alive; the message says so.
 * - Stale recovery runs under a second, short-lived guard file so that two runners recovering at
 *   once cannot delete each other's fresh lock (the classic read-stale → unlink → create race).
 */
import { readFileSync } from 'node:fs';
import { link, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { z } from 'zod';
import { fsyncDir, tempPathFor } from './atomic-file.js';
import { shortPath, type WorkdirPaths } from './paths.js';

const LockHolderSchema = z.object({
  pid: z.number().int().positive(),
  hostname: z.string(),
  bootId: z.string().nullable(),
  startedAt: z.string(),
  purpose: z.string(),
});

export type LockHolder = z.infer<typeof LockHolderSchema>;

export type HolderLiveness = 'alive' | 'dead' | 'unknown';

export class WorkdirLockedError extends Error {
  override readonly name = 'WorkdirLockedError';
  constructor(
    readonly lockFile: string,
    readonly holder: LockHolder | undefined,
    readonly liveness: HolderLiveness,
  ) {
    super(describeRefusal(lockFile, holder, liveness));
  }
}

export interface WorkdirLock {
  readonly holder: LockHolder;
  /** Removes the lock if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

/** How long a recovery guard may live before it is itself taken as stale (recovery takes ms). */
const GUARD_STALE_MS = 30_000;

export async function acquireLock(paths: WorkdirPaths, purpose: string): Promise<WorkdirLock> {
  const holder: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    bootId: currentBootId(),
    startedAt: new Date().toISOString(),
    purpose,
  };
  const temp = tempPathFor(paths.lock);
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(JSON.stringify(holder) + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(temp, paths.lock);
        await fsyncDir(paths.engineDir);
        return { holder, release: () => releaseLock(paths, holder) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const current = await readLockHolder(paths);
      if (current === undefined) continue; // released between our link and our read: try again
      if (current.liveness !== 'dead')
        throw new WorkdirLockedError(shortPath(paths, paths.lock), current.holder, current.liveness);
      await removeStaleLock(paths, current.raw);
    }
    throw new Error(
      `${shortPath(paths, paths.lock)}: could not take the lock after several attempts; another process keeps taking it`,
    );
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/** The current holder, if any, and whether it is alive. `holder` is undefined when the file is unreadable. */
export async function readLockHolder(
  paths: WorkdirPaths,
): Promise<{ holder: LockHolder | undefined; liveness: HolderLiveness; raw: string } | undefined> {
  let raw: string;
  try {
    raw = await readFile(paths.lock, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = LockHolderSchema.safeParse(safeJson(raw));
  // Our own writes are never partial, so an unreadable lock was made by hand: do not guess.
  if (!parsed.success) return { holder: undefined, liveness: 'unknown', raw };
  return { holder: parsed.data, liveness: holderLiveness(parsed.data), raw };
}

export function holderLiveness(holder: LockHolder): HolderLiveness {
  if (holder.hostname !== hostname()) return 'unknown';
  const bootId = currentBootId();
  if (holder.bootId && bootId && holder.bootId !== bootId) return 'dead';
  try {
    process.kill(holder.pid, 0);
    return 'alive';
  } catch (error) {
    // EPERM: the pid exists but belongs to another user — alive, as far as we can tell.
    return (error as NodeJS.ErrnoException).code === 'ESRCH' ? 'dead' : 'alive';
  }
}

async function removeStaleLock(paths: WorkdirPaths, staleRaw: string): Promise<void> {
  const guard = `${paths.lock}.recover`;
  let guardHandle;
  try {
    guardHandle = await open(guard, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const info = await stat(guard).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > GUARD_STALE_MS) await unlink(guard).catch(() => {});
    else await sleep(50); // someone else is recovering right now; look again
    return;
  }
  try {
    await guardHandle.close();
    // Re-read under the guard: only the very lock we judged stale may be removed.
    const now = await readFile(paths.lock, 'utf8').catch(() => undefined);
    if (now === staleRaw) {
      await unlink(paths.lock);
      await fsyncDir(paths.engineDir);
    }
  } finally {
    await unlink(guard).catch(() => {});
  }
}

async function releaseLock(paths: WorkdirPaths, holder: LockHolder): Promise<void> {
  const current = await readLockHolder(paths);
  if (current?.holder?.pid === holder.pid && current.holder.startedAt === holder.startedAt) {
    await unlink(paths.lock).catch(() => {});
  }
}

let bootIdCache: string | null | undefined;

/** Linux's per-boot random id; null elsewhere (then only the pid check applies). */
function currentBootId(): string | null {
  if (bootIdCache === undefined) {
    try {
      bootIdCache = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      bootIdCache = null;
    }
  }
  return bootIdCache;
}

function describeRefusal(lockFile: string, holder: LockHolder | undefined, liveness: HolderLiveness): string {
  if (!holder) {
    return `${lockFile} exists but cannot be read, so this workdir may be in use. If no runner is using it, delete ${lockFile} and try again.`;
  }
  const who = `pid ${holder.pid} on ${holder.hostname} (${holder.purpose}, since ${holder.startedAt})`;
  if (liveness === 'unknown') {
    return `this workdir is locked by ${who}, which cannot be checked from ${hostname()}. If that process is gone, delete ${lockFile} and try again.`;
  }
  return `this workdir is already in use by ${who}. Stop it first (kill -INT ${holder.pid}), or work on another workdir.`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
