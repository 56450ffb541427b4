/**
 * The Slurm backend without a cluster: its batch script run by /bin/sh as slurmd would run it, its
 * settings checked as workflow.json is read, and its answers to what Slurm's commands can say —
 * played by small stand-in scripts given as `slurm.bin` — including the ways they fail. What a
 * real Slurm does is covered by slurm-integration.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LaunchJob } from '../src/workflow/launch/launch-backend.js';
import { loadWorkflowSettings } from '../src/workflow/settings.js';
import { batchScript, jobName, parseSbatchId, sbatchArgs, SlurmBackend } from '../src/workflow/launch/slurm-backend.js';
import { SlurmSettingsSchema, type SlurmSettings } from '../src/workflow/launch/slurm-settings.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

function launchJob(dir: string, command = "echo hello; echo '---'; echo 'metric: 1.5'"): LaunchJob {
  return { id: 'e001-k 5', token: 'tok-1', cwd: dir, log: join(dir, 'log'), runDir: dir, command };
}

/** A stand-in for one Slurm command: a /bin/sh script body. */
function fakeCommand(dir: string, name: string, body: string): string {
  const file = join(dir, `fake-${name}`);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

function settings(overrides: Record<string, unknown> = {}): SlurmSettings {
  return SlurmSettingsSchema.parse(overrides);
}

describe('the batch script', () => {
  it('writes the launch marker (the Slurm job id), the log and the exit file, as the local wrapper does', () => {
    const dir = tempDir('slurm-backend-');
    const job = launchJob(dir, 'echo "in $(pwd) as $TSFM_EXPERIMENT_ID"; exit 3');
    writeFileSync(join(dir, 'job.sh'), batchScript(job, settings()));
    const status = runScript(join(dir, 'job.sh'), { SLURM_JOB_ID: '4242' });
    expect(status).toBe(3);
    expect(readFileSync(join(dir, 'launch-tok-1'), 'utf8')).toBe('4242\n');
    expect(readFileSync(join(dir, 'exit-tok-1'), 'utf8')).toBe('3\n');
    expect(readFileSync(join(dir, 'log'), 'utf8')).toBe(`in ${dir} as e001-k 5\n`);
  });

  it('runs the setup lines first, and a failing one ends the job with status 1, saying which line', () => {
    const dir = tempDir('slurm-backend-');
    const job = launchJob(dir, 'echo "value $TSFM_SETUP"');
    writeFileSync(join(dir, 'ok.sh'), batchScript(job, settings({ setup: ["export TSFM_SETUP='from setup'"] })));
    expect(runScript(join(dir, 'ok.sh'))).toBe(0);
    expect(readFileSync(join(dir, 'log'), 'utf8')).toBe('value from setup\n');

    writeFileSync(
      join(dir, 'bad.sh'),
      batchScript({ ...job, token: 'tok-2' }, settings({ setup: ['true', 'module load no-such-module'] })),
    );
    expect(runScript(join(dir, 'bad.sh'))).toBe(1);
    expect(readFileSync(join(dir, 'exit-tok-2'), 'utf8')).toBe('1\n');
    expect(readFileSync(join(dir, 'log'), 'utf8')).toMatch(
      /tsfm: slurm setup line 2 failed: module load no-such-module/,
    );
  });

  it('quotes paths and commands with spaces and quotes', () => {
    const dir = join(tempDir('slurm-backend-'), "it's a dir");
    execFileSync('mkdir', ['-p', dir]);
    const job = launchJob(dir, `printf '%s\\n' "a 'quoted' word"`);
    writeFileSync(join(dir, 'job.sh'), batchScript(job, settings()));
    expect(runScript(join(dir, 'job.sh'))).toBe(0);
    expect(readFileSync(join(dir, 'log'), 'utf8')).toBe("a 'quoted' word\n");
  });
});

function runScript(script: string, env: Record<string, string> = {}): number {
  try {
    execFileSync('/bin/sh', [script], { env: { ...process.env, ...env }, stdio: 'ignore' });
    return 0;
  } catch (error) {
    return (error as { status: number }).status;
  }
}

describe('sbatch arguments and output', () => {
  it('asks for what the settings say, names the job after the launch token, and never requeues', () => {
    const job = launchJob('/w/runs/e1');
    const args = sbatchArgs(
      job,
      '/w/runs/e1/slurm-tok-1.sh',
      settings({ partition: 'cpu', timeLimit: '1:30:00', cpusPerTask: 4, memory: '8G', extraArgs: ['--qos=low'] }),
    );
    expect(args[0]).toBe('--qos=low'); // first, so the options the protocol needs win
    expect(args).toEqual(expect.arrayContaining(['--parsable', '--no-requeue']));
    const value = (flag: string) => args[args.indexOf(flag) + 1];
    expect(value('--job-name')).toBe('tsfm-e001-k_5-tok-1');
    expect(value('--partition')).toBe('cpu');
    expect(value('--time')).toBe('1:30:00');
    expect(value('--cpus-per-task')).toBe('4');
    expect(value('--mem')).toBe('8G');
    expect(value('--output')).toBe('/w/runs/e1/slurm-%j.out');
    expect(args.at(-1)).toBe('/w/runs/e1/slurm-tok-1.sh');
    expect(sbatchArgs(job, 's.sh', settings())).not.toContain('--partition');
  });

  it('job names carry no commas (squeue --name splits on them)', () => {
    expect(jobName({ id: 'a,b c/d', token: 't' })).toBe('tsfm-a_b_c_d-t');
  });

  it('reads the job id from --parsable output, with or without a cluster name', () => {
    expect(parseSbatchId('123\n')).toBe('123');
    expect(parseSbatchId('123;cluster-a\n')).toBe('123');
    expect(parseSbatchId('Submitted batch job 123')).toBeUndefined();
  });
});

describe('settings in workflow.json', () => {
  async function problems(slurm: unknown): Promise<string> {
    const dir = tempDir('slurm-backend-');
    writeFileSync(join(dir, 'workflow.json'), JSON.stringify({ template: 'tiny', slurm }));
    return loadWorkflowSettings(join(dir, 'workflow.json')).then(
      () => '',
      (error: Error) => error.message,
    );
  }

  it('defaults: one CPU, the cluster’s partition, time limit and memory', async () => {
    const dir = tempDir('slurm-backend-');
    writeFileSync(join(dir, 'workflow.json'), JSON.stringify({ slurm: {} }));
    const loaded = await loadWorkflowSettings(join(dir, 'workflow.json'));
    expect(loaded.slurm).toMatchObject({ cpusPerTask: 1, extraArgs: [], setup: [], commandTimeoutS: 30 });
    expect(loaded.slurm?.partition).toBeUndefined();
  });

  it('a mistake names the file and the field, before anything is submitted', async () => {
    expect(await problems({ timeLimit: '90 minutes' })).toMatch(
      /workflow\.json: slurm\.timeLimit: expected a Slurm time limit/,
    );
    expect(await problems({ memory: '4 GB' })).toMatch(/slurm\.memory: expected a memory size/);
    expect(await problems({ cpusPerTask: 0 })).toMatch(/slurm\.cpusPerTask: /);
    expect(await problems({ extraArgs: ['--account=a', '--job-name=x'] })).toMatch(
      /slurm\.extraArgs\[1\]: --job-name is set by the runner/,
    );
    expect(await problems({ conf: 'slurm.conf' })).toMatch(/slurm\.conf: expected an absolute path/);
    expect(await problems({ partitions: 'cpu' })).toMatch(/slurm: Unrecognized key.*partitions/);
    expect(await problems({ partition: 'cpu,gpu', timeLimit: '2-00:00:00', memory: '2048' })).toBe('');
  });
});

describe('talking to Slurm', () => {
  it('a failing sbatch fails the launch with the command line and Slurm’s message', async () => {
    const dir = tempDir('slurm-backend-');
    const backend = new SlurmBackend(
      settings({
        bin: {
          sbatch: fakeCommand(dir, 'sbatch', 'echo "sbatch: error: invalid partition specified: nope" >&2; exit 1'),
          squeue: fakeCommand(dir, 'squeue', 'exit 0'),
          sacct: fakeCommand(dir, 'sacct', 'echo "Slurm accounting storage is disabled" >&2; exit 1'),
        },
      }),
    );
    await expect(backend.launch(launchJob(dir))).rejects.toThrow(
      /^launch: \S*fake-sbatch --parsable .* failed \(exit 1\): sbatch: error: invalid partition specified: nope\nCheck the slurm block/s,
    );
  });

  it('a hanging command is killed at the timeout, and a missing one says so', async () => {
    const dir = tempDir('slurm-backend-');
    const hanging = new SlurmBackend(
      settings({
        commandTimeoutS: 0.3,
        controllerGraceS: 0,
        bin: {
          // Never returns on its own: only the command timeout can end it.
          sbatch: fakeCommand(dir, 'sbatch', 'exec sleep 100000'),
          squeue: fakeCommand(dir, 'squeue', 'exec sleep 100000'),
        },
      }),
    );
    // The sleep never ends, so getting this answer at all proves the kill at the timeout (no wall-clock bound needed).
    await expect(hanging.launch(launchJob(dir))).rejects.toThrow(/fake-sbatch .* failed \(timed out after 0\.3 s\)/);

    const missing = new SlurmBackend(settings({ controllerGraceS: 0, bin: { squeue: join(dir, 'no-such-squeue') } }));
    await expect(
      missing.poll({ backend: 'slurm', jobId: '1', token: 't', runDir: dir, log: join(dir, 'log') }),
    ).rejects.toThrow(/no-such-squeue not found: is Slurm installed/);
  });

  it('an unreachable controller is waited out for controllerGraceS, then fails the poll with its message', async () => {
    const dir = tempDir('slurm-backend-');
    let now = 1_000_000;
    const squeue = fakeCommand(
      dir,
      'squeue',
      'echo "squeue: error: Unable to contact slurm controller (connect failure)" >&2; exit 1',
    );
    const backend = new SlurmBackend(settings({ controllerGraceS: 60, bin: { squeue } }), () => now);
    const handle = { backend: 'slurm', jobId: '7', token: 't', runDir: dir, log: join(dir, 'log') };
    // Not started as far as anyone can tell: waiting, with the clocks still.
    expect(await backend.poll(handle)).toEqual({ state: 'pending', reason: 'the controller is not answering' });
    // Started (it wrote its marker): running since then, so the job timeout keeps counting.
    writeFileSync(join(dir, 'launch-t'), '7\n');
    now += 59_000;
    expect(await backend.poll(handle)).toEqual({
      state: 'running',
      startedAt: statSync(join(dir, 'launch-t')).mtimeMs,
    });
    now += 2_000;
    await expect(backend.poll(handle)).rejects.toThrow(
      /fake-squeue -h -t all -j 7 -o '%T %r' failed \(exit 1\): squeue: error: Unable to contact slurm controller/,
    );
  });

  it('a job the controller forgot, on a cluster without accounting: the exit file decides, or it is lost', async () => {
    const dir = tempDir('slurm-backend-');
    const bin = {
      squeue: fakeCommand(dir, 'squeue', 'echo "slurm_load_jobs error: Invalid job id specified" >&2; exit 1'),
      sacct: fakeCommand(dir, 'sacct', 'echo "Slurm accounting storage is disabled" >&2; exit 1'),
    };
    const backend = new SlurmBackend(settings({ exitFileGraceS: 0, bin }));
    const handle = { backend: 'slurm', jobId: '9', token: 'gone', runDir: dir, log: join(dir, 'log') };
    expect(await backend.poll(handle)).toEqual({
      state: 'lost',
      reason: 'job 9: neither squeue nor sacct knows job 9 any more',
    });
    writeFileSync(join(dir, 'exit-gone'), '0\n');
    expect(await backend.poll(handle)).toEqual({ state: 'exited', code: 0 });
  });

  it('an ended job’s exit file gets exitFileGraceS to appear (a shared filesystem can show it late)', async () => {
    const dir = tempDir('slurm-backend-');
    let now = 5_000_000;
    const backend = new SlurmBackend(
      settings({ exitFileGraceS: 30, bin: { squeue: fakeCommand(dir, 'squeue', 'echo COMPLETED') } }),
      () => now,
    );
    const handle = { backend: 'slurm', jobId: '11', token: 'late', runDir: dir, log: join(dir, 'log') };
    writeFileSync(join(dir, 'launch-late'), '11\n');
    const startedAt = statSync(join(dir, 'launch-late')).mtimeMs;
    expect(await backend.poll(handle)).toEqual({ state: 'running', startedAt });
    now += 29_000;
    expect(await backend.poll(handle)).toEqual({ state: 'running', startedAt });
    now += 2_000;
    // What slurmstepd wrote to Slurm's own output file comes with the verdict.
    writeFileSync(
      join(dir, 'slurm-11.out'),
      'hello\nslurmstepd: error: *** JOB 11 ON node1 CANCELLED AT 2026-11-23T10:00:00 DUE TO TIME LIMIT ***\n',
    );
    expect(await backend.poll(handle)).toEqual({
      state: 'lost',
      reason:
        'job 11: Slurm says COMPLETED; slurmstepd: error: *** JOB 11 ON node1 CANCELLED AT 2026-11-23T10:00:00 DUE TO TIME LIMIT ***',
    });
    writeFileSync(join(dir, 'exit-late'), '4\n');
    expect(await backend.poll(handle)).toEqual({ state: 'exited', code: 4 });
  });

  it('a job in the queue is pending with Slurm’s reason; running from the moment its script wrote the marker', async () => {
    const dir = tempDir('slurm-backend-');
    const handle = { backend: 'slurm', jobId: '12', token: 'q', runDir: dir, log: join(dir, 'log') };
    const queued = new SlurmBackend(
      settings({ bin: { squeue: fakeCommand(dir, 'squeue-pending', 'echo PENDING Priority') } }),
    );
    expect(await queued.poll(handle)).toEqual({ state: 'pending', reason: 'Slurm: PENDING, Priority' });
    const held = new SlurmBackend(
      settings({ bin: { squeue: fakeCommand(dir, 'squeue-held', 'echo SUSPENDED None') } }),
    );
    expect(await held.poll(handle)).toEqual({ state: 'pending', reason: 'Slurm: SUSPENDED' });
    const running = new SlurmBackend(
      settings({ bin: { squeue: fakeCommand(dir, 'squeue-running', 'echo RUNNING None') } }),
    );
    // RUNNING for Slurm, but the script has not written its marker yet: the clocks wait for it.
    expect(await running.poll(handle)).toEqual({ state: 'pending', reason: 'Slurm: RUNNING, not started yet' });
    writeFileSync(join(dir, 'launch-q'), '12\n');
    expect(await running.poll(handle)).toEqual({
      state: 'running',
      startedAt: statSync(join(dir, 'launch-q')).mtimeMs,
    });
  });

  it('finds a job submitted before a crash by its name, else by the marker it wrote when it started', async () => {
    const dir = tempDir('slurm-backend-');
    const job = launchJob(dir);
    const named = new SlurmBackend(
      settings({ bin: { squeue: fakeCommand(dir, 'squeue-named', `[ "$5" = "${jobName(job)}" ] && echo 77`) } }),
    );
    expect(await named.findLaunched(job)).toMatchObject({ jobId: '77', token: 'tok-1' });

    const forgotten = new SlurmBackend(
      settings({
        bin: {
          squeue: fakeCommand(dir, 'squeue-empty', 'exit 0'),
          sacct: fakeCommand(dir, 'sacct', 'echo "Slurm accounting storage is disabled" >&2; exit 1'),
        },
      }),
    );
    expect(await forgotten.findLaunched(job)).toBeUndefined();
    writeFileSync(join(dir, 'launch-tok-1'), '55\n');
    expect(await forgotten.findLaunched(job)).toMatchObject({ jobId: '55' });
  });

  it('will not guess when the controller cannot say whether a job was submitted', async () => {
    const dir = tempDir('slurm-backend-');
    const backend = new SlurmBackend(
      settings({
        controllerGraceS: 0,
        bin: { squeue: fakeCommand(dir, 'squeue', 'echo "Socket timed out" >&2; exit 1') },
      }),
    );
    await expect(backend.findLaunched(launchJob(dir))).rejects.toThrow(
      /fake-squeue .* failed \(exit 1\): Socket timed out\nCannot tell whether this experiment was submitted/,
    );
  });
});
