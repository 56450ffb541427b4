/**
 * `--launch slurm` against a real Slurm: a single-node cluster (munged, slurmctld, slurmd on
 * loopback) started by scripts/slurm-local.sh in a temp dir, on this machine.
 *
 * First the backend alone (submit, poll, find by name after a "crash", cancel, a rejected
 * submission), then the real CLI on the tiny template: the runner is SIGKILLed while its jobs are
 * queued or running in Slurm, resumed, and must record every experiment exactly once, submit each
 * exactly once, and leave no job behind.
 *
 * The packages are installed by the script when missing. Where they cannot be (no apt, no root),
 * the tests are skipped with the reason — except under CI, where that is a failure.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobState, LaunchJob } from '../src/workflow/launch/launch-backend.js';
import { jobName, SlurmBackend } from '../src/workflow/launch/slurm-backend.js';
import { SlurmSettingsSchema, type SlurmSettings } from '../src/workflow/launch/slurm-settings.js';
import { runRunner, sleep, spawnRunner, type RunnerProcess } from './fixtures/runner-process.js';
import { countIds, readTsv } from './fixtures/workdir-invariants.js';
import { expectMergedAsUnsharded, removeTempDirs, tempDir, writeWorkflowSettings } from './workflow-helpers.js';

const SCRIPT = fileURLToPath(new URL('../../../scripts/slurm-local.sh', import.meta.url));
/** Installing the packages on a fresh machine is the slow part; starting takes about a second. */
const START_TIMEOUT_MS = 300_000;

let clusterDir: string | undefined;
let slurmConf = '';
let skipReason: string | undefined;
const runners: RunnerProcess[] = [];

beforeAll(async () => {
  const dir = tempDir('slurm-cluster-');
  const started = await execa('bash', [SCRIPT, 'start', dir], { reject: false, timeout: START_TIMEOUT_MS, all: true });
  if (started.exitCode === 3) {
    const reason = `Slurm is not installed and could not be installed here: ${started.all?.trim()}`;
    if (process.env['CI'])
      throw new Error(`${reason}\n(CI must be able to install slurmctld slurmd slurm-client munge)`);
    skipReason = reason;
    console.warn(`slurm-integration: skipped. ${reason}`);
    return;
  }
  clusterDir = dir;
  if (started.exitCode !== 0)
    throw new Error(`scripts/slurm-local.sh start failed (exit ${started.exitCode}):\n${started.all}`);
  slurmConf = join(dir, 'slurm.conf');
}, START_TIMEOUT_MS + 10_000);

afterAll(async () => {
  for (const runner of runners) if (runner.child.exitCode === null) runner.child.kill('SIGKILL');
  if (clusterDir) {
    const stopped = await execa('bash', [SCRIPT, 'stop', clusterDir], { reject: false, timeout: 60_000, all: true });
    if (stopped.exitCode !== 0) console.warn(`slurm-local.sh stop: exit ${stopped.exitCode}\n${stopped.all}`);
  }
  removeTempDirs();
});

/** workflow.json's `slurm` for the local test cluster. */
function localCluster(): Record<string, unknown> {
  return { conf: slurmConf, partition: 'debug', timeLimit: '10:00', cpusPerTask: 1, memory: '512M' };
}

function slurmSettings(overrides: Record<string, unknown> = {}): SlurmSettings {
  return SlurmSettingsSchema.parse({
    conf: slurmConf,
    partition: 'debug',
    timeLimit: '10:00',
    memory: '512M',
    ...overrides,
  });
}

/** Every job the controller remembers (MinJobAge is an hour on the test cluster), by name. */
async function slurmJobs(): Promise<{ id: string; name: string; state: string }[]> {
  const { stdout } = await execa('squeue', ['-h', '-t', 'all', '-o', '%i|%j|%T'], { env: { SLURM_CONF: slurmConf } });
  return stdout
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const [id = '', name = '', state = ''] = line.trim().split('|');
      return { id, name, state };
    });
}

async function pollUntilSettled(
  backend: SlurmBackend,
  handle: Record<string, string>,
  limitMs: number,
): Promise<JobState> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const state = await backend.poll(handle);
    if ((state.state !== 'running' && state.state !== 'pending') || Date.now() > deadline) return state;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('the Slurm backend on a real single-node Slurm', () => {
  it('submits a job, polls it to its exit status, and finds it again by its launch token', async (ctx) => {
    if (skipReason) return ctx.skip();
    const runDir = tempDir('slurm-job-');
    const backend = new SlurmBackend(slurmSettings());
    const job: LaunchJob = {
      id: 'b1',
      token: 'tok-exit',
      cwd: runDir,
      log: join(runDir, 'log'),
      runDir,
      command: "sleep 1; echo '---'; echo 'metric: 0.5'; exit 7",
    };
    const handle = (await backend.launch(job)) as Record<string, string>;
    expect(handle['jobId']).toMatch(/^\d+$/);
    // A runner that died right after sbatch finds the same job by name, and submits nothing.
    expect(await backend.findLaunched(job)).toMatchObject({ jobId: handle['jobId'] });
    expect(await backend.findLaunched({ ...job, token: 'never-submitted' })).toBeUndefined();

    expect(await pollUntilSettled(backend, handle, 30_000)).toEqual({ state: 'exited', code: 7 });
    expect(readFileSync(join(runDir, 'launch-tok-exit'), 'utf8').trim()).toBe(handle['jobId']);
    expect(readFileSync(join(runDir, 'log'), 'utf8')).toMatch(/---\nmetric: 0\.5/);
    // The job writes its exit file before slurmd has finished it: on a busy machine squeue still
    // says COMPLETING for a while after the poll saw the exit. Wait for Slurm's final state.
    await expect
      .poll(async () => (await slurmJobs()).filter((j) => j.name === jobName(job)), { timeout: 60_000, interval: 200 })
      .toEqual([{ id: handle['jobId'], name: jobName(job), state: 'FAILED' }]);
  });

  it('cancels a running job: gone from the queue, and lost (no exit status) to a later poll', async (ctx) => {
    if (skipReason) return ctx.skip();
    const runDir = tempDir('slurm-cancel-');
    const backend = new SlurmBackend(slurmSettings({ exitFileGraceS: 0 }));
    const job: LaunchJob = {
      id: 'b2',
      token: 'tok-cancel',
      cwd: runDir,
      log: join(runDir, 'log'),
      runDir,
      command: 'sleep 120',
    };
    const handle = (await backend.launch(job)) as Record<string, string>;
    await backend.cancel(handle);
    const state = (await slurmJobs()).find((j) => j.id === handle['jobId'])?.state;
    expect(state).toBe('CANCELLED');
    expect(await backend.poll(handle)).toEqual({
      state: 'lost',
      reason: `job ${handle['jobId']}: Slurm says CANCELLED`,
    });
  });

  it('a submission Slurm rejects fails the launch with sbatch’s own message', async (ctx) => {
    if (skipReason) return ctx.skip();
    const runDir = tempDir('slurm-reject-');
    const backend = new SlurmBackend(slurmSettings({ partition: 'no-such-partition' }));
    const job: LaunchJob = {
      id: 'b3',
      token: 'tok-reject',
      cwd: runDir,
      log: join(runDir, 'log'),
      runDir,
      command: 'true',
    };
    await expect(backend.launch(job)).rejects.toThrow(
      /^launch: sbatch .*--partition no-such-partition.* failed \(exit 1\): sbatch: error: .*[Ii]nvalid partition/s,
    );
  });
});

describe('run.ts --launch slurm, SIGKILLed while its jobs run, then resumed', () => {
  it('records every experiment once, submits each once, and leaves no job running', async (ctx) => {
    if (skipReason) return ctx.skip();
    const workdir = tempDir('slurm-run-');
    writeWorkflowSettings(workdir, { pollMs: 200, slurm: localCluster() });
    const env = { TSFM_RUNNER_ADAPTER_MODULE: '' }; // the workflow, not the counter fixture
    // Job ids only grow: the jobs above this one are this run's (the cluster is shared by the file's tests).
    const before = Math.max(0, ...(await slurmJobs()).map((j) => Number(j.id)));
    const thisRun = async () => (await slurmJobs()).filter((j) => Number(j.id) > before);
    const args = [workdir, '--launch', 'slurm', '--max-experiments', '5', '--concurrency', '2'];

    const first = spawnRunner(args, env);
    runners.push(first);
    // Both seed experiments submitted, and one of them started on the node: kill the runner
    // while Slurm runs its jobs.
    const launched = await first.stderrMatches(/launched \(slurm, job \d+\)[^]*launched \(slurm, job \d+\)/);
    expect(launched, (await Promise.race([first.exited, Promise.resolve(undefined)]))?.stderr).toBe(true);
    const deadline = Date.now() + 30_000;
    while (!(await thisRun()).some((j) => j.state === 'RUNNING') && Date.now() < deadline) await sleep(100);
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = await thisRun();
    expect(
      atKill.filter((j) => ['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING'].includes(j.state)).length,
      JSON.stringify(atKill),
    ).toBeGreaterThan(0);
    console.log(
      `slurm-integration: runner killed with Slurm jobs ${atKill.map((j) => `${j.id}:${j.state}`).join(' ')}`,
    );

    const resumed = await runRunner([workdir], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/re-attaching to the running job|found the job launched before the restart/);

    // Every experiment in the tree, once in each ledger, none crashed.
    const tree = JSON.parse(readFileSync(join(workdir, 'engine', 'tree.json'), 'utf8')) as {
      id: string;
      status: string;
    }[];
    const ids = tree.map((node) => node.id).sort();
    expect(ids.length).toBe(5);
    expect(
      tree.every((node) => node.status === 'completed'),
      JSON.stringify(tree.map((n) => [n.id, n.status])),
    ).toBe(true);
    const master = readTsv(join(workdir, 'master_table.tsv'));
    expect(master.problems).toEqual([]);
    expect([...countIds(master.rows)].sort()).toEqual(ids.map((id) => [id, 1]));
    const results = readTsv(join(workdir, 'results.tsv'));
    expect(results.problems).toEqual([]);
    const described = results.rows.map((row) => row[results.header.indexOf('description')].split(':')[0]);
    expect([...countIds(described.map((d) => [d]))].sort()).toEqual(ids.map((id) => [id, 1]));
    expect(results.rows.every((row) => row[results.header.indexOf('status')] !== 'crash')).toBe(true);

    // Submitted once each: one launch marker and one batch script per experiment, and Slurm
    // itself knows exactly one job per experiment, named after that marker's token, finished.
    const jobs = await thisRun();
    for (const id of ids) {
      const files = readdirSync(join(workdir, 'runs', id));
      const markers = files.filter((name) => name.startsWith('launch-'));
      expect(markers, `${id}: launch markers`).toHaveLength(1);
      expect(
        files.filter((name) => /^slurm-.*\.sh$/.test(name)),
        `${id}: batch scripts`,
      ).toHaveLength(1);
      const token = markers[0].slice('launch-'.length);
      const mine = jobs.filter((j) => j.name === jobName({ id, token }));
      expect(
        mine.map((j) => j.state),
        `${id}: Slurm jobs`,
      ).toEqual(['COMPLETED']);
      expect(readFileSync(join(workdir, 'runs', id, markers[0]), 'utf8').trim()).toBe(mine[0].id);
    }
    expect(jobs.length, JSON.stringify(jobs)).toBe(ids.length);
    expect(jobs.every((j) => j.state === 'COMPLETED')).toBe(true);
  });
});

describe('run.ts --launch slurm with every evaluation split over two jobs', () => {
  it('submits each shard once, survives a SIGKILL, and merges the shards to what one unsharded run prints', async (ctx) => {
    if (skipReason) return ctx.skip();
    const workdir = tempDir('slurm-shards-');
    writeWorkflowSettings(workdir, { pollMs: 200, shards: 2, slurm: localCluster() });
    const env = { TSFM_RUNNER_ADAPTER_MODULE: '' };
    const before = Math.max(0, ...(await slurmJobs()).map((j) => Number(j.id)));
    const thisRun = async () => (await slurmJobs()).filter((j) => Number(j.id) > before);

    // Three seeds × two shards, two experiments at a time: four jobs for the node's CPUs, so some
    // wait in Slurm's queue (pending: neither timed out nor stalled meanwhile).
    const first = spawnRunner([workdir, '--launch', 'slurm', '--max-experiments', '3', '--concurrency', '2'], env);
    runners.push(first);
    expect(
      await first.stderrMatches(/shard 2\/2: launched \(slurm/),
      (await Promise.race([first.exited, Promise.resolve(undefined)]))?.stderr,
    ).toBe(true);
    const deadline = Date.now() + 30_000;
    while (!(await thisRun()).some((j) => j.state === 'RUNNING') && Date.now() < deadline) await sleep(100);
    first.child.kill('SIGKILL');
    await first.exited;
    console.log(
      `slurm-shards: runner killed with Slurm jobs ${(await thisRun()).map((j) => `${j.id}:${j.state}`).join(' ')}`,
    );

    const resumed = await runRunner([workdir], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    // What the resumed runner finds depends on where the kill landed (shards still running, already
    // finished, or one launched and not yet recorded: "found the job launched before the restart"),
    // so only the resumption itself is asserted here; that no shard was submitted twice is what the
    // launch markers and Slurm's own job list below prove, whatever the timing.
    expect(resumed.stderr).toMatch(/resuming it \(\d+ job\(s\) to re-attach\)/);
    expect(resumed.stderr).toMatch(/re-attaching seed-/);

    const tree = JSON.parse(readFileSync(join(workdir, 'engine', 'tree.json'), 'utf8')) as {
      id: string;
      status: string;
      metric: number | null;
    }[];
    expect(tree.map((node) => [node.id, node.status])).toEqual(tree.map((node) => [node.id, 'completed']));
    expect(tree).toHaveLength(3);
    const jobs = await thisRun();
    for (const node of tree) {
      const runDir = join(workdir, 'runs', node.id);
      const markers = readdirSync(runDir)
        .filter((name) => name.startsWith('launch-'))
        .sort();
      expect(
        markers.map((name) => name.slice(-4)),
        `${node.id}: one launch per shard`,
      ).toEqual(['1of2', '2of2']);
      expect(
        readdirSync(runDir).filter((name) => /^slurm-.*\.sh$/.test(name)),
        `${node.id}: batch scripts`,
      ).toHaveLength(2);
      for (const marker of markers) {
        const mine = jobs.filter((j) => j.name === jobName({ id: node.id, token: marker.slice('launch-'.length) }));
        expect(
          mine.map((j) => j.state),
          `${node.id} ${marker}: Slurm jobs`,
        ).toEqual(['COMPLETED']);
      }
      await expectMergedAsUnsharded(workdir, node);
    }
    expect(jobs.length, JSON.stringify(jobs)).toBe(2 * tree.length);
    expect(jobs.every((j) => j.state === 'COMPLETED')).toBe(true);
  });
});
