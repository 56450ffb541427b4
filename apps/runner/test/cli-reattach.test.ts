/**
 * The re-attach protocol at its narrowest window: the runner died after persisting a launch
 * intent ({phase: 'launching', token}) but before recording the pid. Resume must attach to the
 * process if the launch happened, and launch it if it did not — never both.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, readCheckpoint, useCounterAdapter } from './fixtures/in-process.js';
import { launchCounts } from './fixtures/workdir-invariants.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const JOB_SCRIPT = fileURLToPath(new URL('./fixtures/sleepy-job.sh', import.meta.url));
const workdirs: string[] = [];

beforeAll(() => useCounterAdapter({ FIXTURE_TOTAL_JOBS: '3', FIXTURE_JOB_MS: '20', FIXTURE_JOB_SPREAD_MS: '20' }));
afterAll(() => workdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('resume after a crash between launch intent and launch record', () => {
  it('attaches to a job that was launched, and launches one that was not — each exactly once', async () => {
    const wd = tempDir('runner-reattach-');
    workdirs.push(wd);
    await cli([wd, '--max-experiments', '1']); // j0 done; j1, j2 queued
    const file = join(wd, 'engine', 'checkpoint.json');
    const checkpoint = JSON.parse(readFileSync(file, 'utf8'));
    const intent = (spec: { payload: object }, token: string) => ({
      ...spec,
      payload: { ...spec.payload, phase: 'launching', token },
    });
    const [j1, j2] = [...checkpoint.queue].sort((a, b) => a.id.localeCompare(b.id));
    // What a SIGKILL right after the intent was persisted leaves: both "running", status running.
    writeFileSync(
      file,
      JSON.stringify({
        ...checkpoint,
        status: 'running',
        queue: [],
        running: [intent(j1, 'tok-launched'), intent(j2, 'tok-never')],
      }),
    );
    // j1's launch did happen before the crash: its process is out there with the token.
    mkdirSync(join(wd, 'runs', 'j1'), { recursive: true });
    spawn('/bin/sh', [JOB_SCRIPT, join(wd, 'runs', 'j1'), 'tok-launched', '0.4', '7'], {
      detached: true,
      stdio: 'ignore',
    }).unref();

    const resume = await cli([wd, '--max-experiments', '10']);
    expect(resume.code, resume.err).toBe(0);
    expect(resume.err).toMatch(/ended without a clean stop; resuming it \(2 job\(s\) to re-attach\)/);
    expect(readCheckpoint(wd)?.status).toBe('completed');
    expect(Object.fromEntries(launchCounts(wd))).toEqual({ j0: 1, j1: 1, j2: 1 });
    const results = readFileSync(join(wd, 'master_table.tsv'), 'utf8');
    expect(results).toMatch(/^j1\tj0\tok\t7\t/m); // the value the pre-crash process produced
  });
});
