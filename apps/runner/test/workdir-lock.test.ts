import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { acquireLock, readLockHolder, WorkdirLockedError } from '../src/workdir/lock.js';
import { workdirPaths, type WorkdirPaths } from '../src/workdir/paths.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

function freshPaths(): WorkdirPaths {
  const paths = workdirPaths(tempDir('runner-lock-'));
  mkdirSync(paths.engineDir, { recursive: true });
  return paths;
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

function writeHolder(paths: WorkdirPaths, holder: object): void {
  writeFileSync(
    paths.lock,
    JSON.stringify({
      hostname: hostname(),
      bootId: null,
      startedAt: '2020-01-01T00:00:00.000Z',
      purpose: 'engine',
      ...holder,
    }),
  );
}

describe('workdir lock', () => {
  it('is held until released, then free again', async () => {
    const paths = freshPaths();
    const lock = await acquireLock(paths, 'engine');
    expect((await readLockHolder(paths))?.holder).toEqual(lock.holder);
    await lock.release();
    expect(existsSync(paths.lock)).toBe(false);
    await (await acquireLock(paths, 'engine')).release();
  });

  it('refuses a second runner, naming the holder', async () => {
    const paths = freshPaths();
    const lock = await acquireLock(paths, 'engine');
    const error = await acquireLock(paths, 'engine').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkdirLockedError);
    expect((error as Error).message).toContain(`already in use by pid ${process.pid} on ${hostname()} (engine`);
    await lock.release();
  });

  it('recovers a lock whose holder died (crash)', async () => {
    const paths = freshPaths();
    const pid = await deadPid();
    writeHolder(paths, { pid });
    const lock = await acquireLock(paths, 'engine');
    expect(lock.holder.pid).toBe(process.pid);
    await lock.release();
  });

  it('recovers a lock left before a reboot even if its pid is alive again', async () => {
    const paths = freshPaths();
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    writeHolder(paths, { pid: process.pid, bootId: bootId.replace(/^./, (c) => (c === '0' ? '1' : '0')) });
    await (await acquireLock(paths, 'engine')).release();
  });

  it('lets exactly one of several racing runners take over a stale lock', async () => {
    const paths = freshPaths();
    writeHolder(paths, { pid: await deadPid() });
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => acquireLock(paths, 'engine')));
    const winners = results.filter((r) => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => r.reason instanceof WorkdirLockedError)).toBe(
      true,
    );
  });

  it('does not guess about a holder on another host', async () => {
    const paths = freshPaths();
    writeHolder(paths, { pid: 1, hostname: 'elsewhere.example' });
    await expect(acquireLock(paths, 'engine')).rejects.toThrow(
      /locked by pid 1 on elsewhere\.example .* cannot be checked/,
    );
  });

  it('does not guess about an unreadable lock file', async () => {
    const paths = freshPaths();
    writeFileSync(paths.lock, 'garbage');
    await expect(acquireLock(paths, 'engine')).rejects.toThrow(/cannot be read.*delete .*engine\/lock/);
  });

  it('release leaves a lock that is no longer its own', async () => {
    const paths = freshPaths();
    const lock = await acquireLock(paths, 'engine');
    writeHolder(paths, { pid: process.pid, startedAt: 'someone else' });
    await lock.release();
    expect(existsSync(paths.lock)).toBe(true);
  });
});
