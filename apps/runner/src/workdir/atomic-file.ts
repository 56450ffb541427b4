/**
 * Whole-file writes that a crash cannot tear: write a temp file in the same directory, fsync it,
 * rename it over the target, fsync the directory. A reader (or a resumed runner) sees either the
 * old file or the new one, never a prefix. The directory fsync is what makes the rename itself
 * survive a power cut; without it the old name can come back after reboot.
 */
import { open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const TEMP_SUFFIX = '.tmp';
let tempCounter = 0;

/** Temp names start with a dot so that listings of real files (and of the inbox) skip them. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${tempCounter++}${TEMP_SUFFIX}`);
}

export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith(TEMP_SUFFIX);
}

export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const temp = tempPathFor(target);
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await fsyncDir(dirname(target));
}

export function writeJsonAtomic(target: string, value: unknown): Promise<void> {
  return writeFileAtomic(target, JSON.stringify(value, null, 2) + '\n');
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Deletes temp files a killed process left behind: those whose writer (the pid in the name) is
 * gone, and any older than `olderThanMs` (a pid from another host, or one reused). A fresh temp
 * file of a live pid is left alone: it may be a `run.ts queue` writing in another shell.
 */
export async function removeStaleTemps(dir: string, olderThanMs: number): Promise<number> {
  let removed = 0;
  const now = Date.now();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!isTempName(name)) continue;
    const file = join(dir, name);
    const info = await stat(file).catch(() => undefined);
    if (info && (!writerAlive(name) || now - info.mtimeMs >= olderThanMs)) {
      await unlink(file).catch(() => {});
      removed++;
    }
  }
  return removed;
}

/** The pid is the second-to-last dot field of a temp name (see tempPathFor). */
function writerAlive(tempName: string): boolean {
  const pid = Number(tempName.split('.').at(-3));
  if (!Number.isInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
