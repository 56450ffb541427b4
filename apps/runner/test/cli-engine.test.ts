import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock } from '../src/workdir/lock.js';
import { workdirPaths } from '../src/workdir/paths.js';
import { cli, readCheckpoint, useCounterAdapter, waitFor } from './fixtures/in-process.js';
import { runRunner, spawnRunner } from './fixtures/runner-process.js';
import { countIds, launchCounts, readTsv } from './fixtures/workdir-invariants.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const workdirs: string[] = [];
function freshWorkdir(): string {
  const dir = tempDir('runner-engine-');
  workdirs.push(dir);
  return dir;
}

beforeAll(() => useCounterAdapter({ FIXTURE_TOTAL_JOBS: '6', FIXTURE_JOB_MS: '20', FIXTURE_JOB_SPREAD_MS: '40' }));
afterAll(() => workdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('run.ts <workdir>', () => {
  it('runs to completion, then status and report describe it', async () => {
    const wd = freshWorkdir();
    expect(await cli([wd, '--concurrency', '2'])).toMatchObject({ code: 0 });
    const config = JSON.parse(readFileSync(join(wd, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ concurrency: 2, planner: 'offline' });
    expect(readCheckpoint(wd)).toMatchObject({ status: 'completed', queue: [], running: [] });
    expect(readTsv(join(wd, 'results.tsv')).rows).toHaveLength(6);

    const status = await cli(['status', wd]);
    expect(status.out).toMatch(/status\s+completed/);
    expect(status.out).toMatch(/6 done, 0 running, 0 queued/);
    const report = await cli(['report', wd]);
    expect(report.code).toBe(0);
    expect(readFileSync(join(wd, 'report.md'), 'utf8')).toMatch(/## results\.tsv \(6 rows\)/);
  });

  it('resuming a completed run does nothing again', async () => {
    const wd = freshWorkdir();
    await cli([wd]);
    const before = readFileSync(join(wd, 'master_table.tsv'), 'utf8');
    expect(await cli([wd])).toMatchObject({ code: 0 });
    expect(readFileSync(join(wd, 'master_table.tsv'), 'utf8')).toBe(before);
  });

  it('stops at a cap with the reason, and a resume with a raised cap finishes the run', async () => {
    const wd = freshWorkdir();
    expect((await cli([wd, '--max-experiments', '2'])).code).toBe(0);
    expect(readCheckpoint(wd)).toMatchObject({ status: 'stopped', stopReason: 'max-experiments reached (2)' });
    expect((await cli(['status', wd])).out).toMatch(/stopped: max-experiments reached \(2\)/);
    expect(readTsv(join(wd, 'master_table.tsv')).rows).toHaveLength(2);

    expect((await cli([wd, '--max-experiments', '10'])).code).toBe(0);
    expect(readCheckpoint(wd)?.status).toBe('completed');
    expect(readTsv(join(wd, 'master_table.tsv')).rows).toHaveLength(6);
    expect(JSON.parse(readFileSync(join(wd, 'config.json'), 'utf8')).overrides[0].changes).toEqual({
      maxExperiments: { from: 2, to: 10 },
    });
  });

  it('refuses a hand-broken checkpoint, naming the field, and leaves it as it was', async () => {
    const wd = freshWorkdir();
    await cli([wd, '--max-experiments', '1']);
    const file = join(wd, 'engine', 'checkpoint.json');
    const checkpoint = JSON.parse(readFileSync(file, 'utf8'));
    checkpoint.queue[1].priority = 'urgent';
    const broken = JSON.stringify(checkpoint);
    writeFileSync(file, broken);

    const configFile = join(wd, 'config.json');
    const config = readFileSync(configFile, 'utf8');
    const result = await cli([wd, '--max-experiments', '10']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^engine\/checkpoint\.json: queue\[1\]\.priority: expected number, received string$/m);
    expect(readFileSync(file, 'utf8')).toBe(broken);
    // The override waits for a checkpoint that validates: a refused resume leaves config.json alone.
    expect(readFileSync(configFile, 'utf8')).toBe(config);
    expect((await cli(['status', wd])).code).toBe(1);

    checkpoint.queue[1].priority = 0; // the fix the message asks for
    writeFileSync(file, JSON.stringify(checkpoint));
    expect((await cli([wd, '--max-experiments', '10'])).code).toBe(0);
    expect(readCheckpoint(wd)?.status).toBe('completed');
    expect(JSON.parse(readFileSync(configFile, 'utf8')).overrides[0].changes).toEqual({
      maxExperiments: { from: 1, to: 10 },
    });
  });

  it('sweeps a stale temp file under engine/nodes/<id>, and keeps a live writer’s fresh one', async () => {
    const wd = freshWorkdir();
    await cli([wd, '--max-experiments', '1']);
    const nodeDir = join(wd, 'engine', 'nodes', 'e001');
    mkdirSync(nodeDir, { recursive: true });
    // Named as tempPathFor names them; this process is alive, so only age marks the first as stale.
    const stale = join(nodeDir, `.status.txt.${process.pid}.0.tmp`);
    const fresh = join(nodeDir, `.status.txt.${process.pid}.1.tmp`);
    writeFileSync(stale, 'half a stat');
    writeFileSync(fresh, 'being written');
    const longAgo = new Date(Date.now() - 10 * 60_000);
    utimesSync(stale, longAgo, longAgo);

    expect((await cli([wd, '--max-experiments', '10'])).code).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });
});

describe('npx tsx src/run.ts <workdir>', () => {
  it('the README’s own command (every other spawn here runs the test bundle) runs a workdir to the end', async () => {
    const wd = freshWorkdir();
    const run = await runRunner([wd, '--concurrency', '2'], { FIXTURE_TOTAL_JOBS: '6' }, { via: 'npx-tsx' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/completed: 6 done, 0 queued, 0 running/);
    expect(readTsv(join(wd, 'results.tsv')).rows).toHaveLength(6);
  });
});

describe('run.ts <workdir> with a live runner', () => {
  it('waits for a queue edit that briefly holds the lock instead of refusing', async () => {
    const wd = freshWorkdir();
    mkdirSync(join(wd, 'engine'), { recursive: true });
    const editLock = await acquireLock(workdirPaths(wd), 'queue-edit');
    setTimeout(() => void editLock.release(), 300);
    expect((await cli([wd])).code).toBe(0);
    expect(readCheckpoint(wd)?.status).toBe('completed');
  });

  it('refuses a second runner, and SIGTERM stops the first cleanly so a resume re-attaches its jobs', async () => {
    const wd = freshWorkdir();
    // j0 is held until the test releases it, so it is still running when SIGTERM arrives however
    // long the second runner takes to start on a loaded machine.
    const hold = join(tempDir('runner-engine-hold-'), 'release');
    const slow = { FIXTURE_TOTAL_JOBS: '3', FIXTURE_JOB_MS: '50', FIXTURE_JOB_SPREAD_MS: '0', FIXTURE_HOLD_FILE: hold };
    const first = spawnRunner([wd, '--concurrency', '1'], slow);
    await waitFor(() => readCheckpoint(wd)?.running[0]?.payload['phase'] === 'launched');

    const second = await cli([wd]);
    expect(second.code).toBe(1);
    expect(second.err).toContain(`already in use by pid ${first.child.pid} on`);

    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit.code, exit.stderr).toBe(0);
    const stopped = readCheckpoint(wd)!;
    expect(stopped).toMatchObject({
      status: 'stopped',
      stopReason: 'stop requested (SIGTERM)',
      running: [{ id: 'j0' }],
    });

    writeFileSync(hold, '');
    useCounterAdapter(slow);
    expect((await cli([wd])).code).toBe(0);
    expect(readCheckpoint(wd)?.status).toBe('completed');
    expect(Object.fromEntries(launchCounts(wd))).toEqual({ j0: 1, j1: 1, j2: 1 });
    expect([...countIds(readTsv(join(wd, 'results.tsv')).rows).values()]).toEqual([1, 1, 1]);
  });
});
