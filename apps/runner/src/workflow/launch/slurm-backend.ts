/**
 * `--launch slurm`: each experiment is one Slurm batch job. sbatch submits it, squeue (then sacct,
 * when the controller no longer knows it) watches it, scancel stops it.
 *
 * The job is a batch script written atomically into runs/<id>/slurm-<token>.sh, with the same file
 * protocol as the local backend's wrapper, so results are read the same way whatever ran the job:
 *   1. its stdout/stderr are appended to runs/<id>/log by the script itself;
 *   2. it writes the launch marker runs/<id>/launch-<token> (holding $SLURM_JOB_ID) first;
 *   3. it runs the setup lines and the command, then writes runs/<id>/exit-<token> (temp + rename).
 * The exit file is the job's result; Slurm's view only says whether it is still queued or running.
 * That needs runs/ on a filesystem the compute nodes share with the runner (docs/cluster.md).
 *
 * The job name is `tsfm-<id>-<token>`, and the token is fresh per launch attempt: a runner that
 * died between sbatch and persisting the job id finds the job by name (`findLaunched`) instead of
 * submitting it again, and `--no-requeue` keeps Slurm from running one launch's script twice.
 *
 * Every Slurm command runs with a timeout, and a failure names the command line and its stderr.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { JsonObject } from '../../core/work-spec.js';
import { writeFileAtomic } from '../../workdir/atomic-file.js';
import { shellCommand, shellQuote } from './command-template.js';
import { jobEnvironment } from './job-env.js';
import { ExperimentFailure, firstLines } from '../experiment/failures.js';
import {
  exitFileName,
  launchMarkerName,
  type JobHandle,
  type JobState,
  type LaunchBackend,
  type LaunchJob,
} from './launch-backend.js';
import type { SlurmCommand, SlurmSettings } from './slurm-settings.js';

interface SlurmHandle {
  readonly backend: 'slurm';
  readonly jobId: string;
  readonly token: string;
  readonly runDir: string;
  /** The job's log, as launched. */
  readonly log: string;
}

/**
 * States after which a job never runs again (squeue/sacct/scontrol spell them alike). Anything
 * else — PENDING, RUNNING, COMPLETING, SUSPENDED, REQUEUED, a state newer than this list — counts
 * as still alive: wrongly waiting is bounded by the job timeout, wrongly giving up is not undone.
 */
const ENDED_STATES = new Set([
  'BOOT_FAIL',
  'CANCELLED',
  'COMPLETED',
  'DEADLINE',
  'FAILED',
  'NODE_FAIL',
  'OUT_OF_MEMORY',
  'PREEMPTED',
  'REVOKED',
  'TIMEOUT',
]);

/** Alive states in which the batch script is not running: queue time, not run time. */
const NOT_STARTED_STATES = new Set([
  'PENDING',
  'CONFIGURING',
  'REQUEUED',
  'REQUEUE_HOLD',
  'REQUEUE_FED',
  'RESV_DEL_HOLD',
  'SUSPENDED',
  'STOPPED',
]);

/** What Slurm says of a job that has no exit file yet. */
type SlurmView =
  /** `reason`: squeue's %r (Priority, Resources, ReqNodeNotAvail, …), when it gave one. */
  | { readonly kind: 'alive'; readonly state: string; readonly reason?: string }
  | { readonly kind: 'ended'; readonly state: string }
  /** Neither the controller (job purged after MinJobAge) nor accounting (absent) knows it. */
  | { readonly kind: 'unknown' };

export interface CommandOutcome {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** The command as a shell line, for messages. */
  readonly line: string;
  /** Why it failed, in words (`exit 1`, `timed out after 30 s`, `not found`). */
  readonly why: string;
}

/** A Slurm command that failed; the message names the command line and quotes its stderr. */
export class SlurmCommandError extends Error {
  override readonly name = 'SlurmCommandError';
  constructor(
    readonly outcome: CommandOutcome,
    advice = '',
  ) {
    const stderr = firstLines(outcome.stderr || outcome.stdout, 6, 800);
    super(`${outcome.line} failed (${outcome.why})${stderr ? `: ${stderr}` : ''}${advice ? `\n${advice}` : ''}`);
  }
}

/** How cancel() waits for the job to leave the running states (Slurm's KillWait is 30 s by default). */
const CANCEL_WAIT_MS = 60_000;
const CANCEL_POLL_MS = 250;
/** Between attempts to reach an unreachable controller. */
const RETRY_MS = 2000;

export class SlurmBackend implements LaunchBackend {
  readonly name = 'slurm';
  readonly queueTimeoutMs: number;
  /** Per job id: when it was first seen ended without an exit file (the grace clock). */
  private readonly endedWithoutExitSince = new Map<string, number>();
  /** Per job id: when polls first failed to reach the controller. */
  private readonly unreachableSince = new Map<string, number>();

  constructor(
    private readonly settings: SlurmSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.queueTimeoutMs = settings.queueTimeoutS * 1000;
  }

  async launch(job: LaunchJob): Promise<JobHandle> {
    await mkdir(job.runDir, { recursive: true });
    const script = join(job.runDir, batchScriptName(job.token));
    await writeFileAtomic(script, batchScript(job, this.settings));
    const submitted = await this.run('sbatch', sbatchArgs(job, script, this.settings));
    if (submitted.ok) {
      const jobId = parseSbatchId(submitted.stdout);
      if (jobId) return toJson({ backend: 'slurm', jobId, token: job.token, runDir: job.runDir, log: job.log });
    }
    // sbatch can fail or time out after the controller accepted the job: look before failing,
    // so that the experiment is neither failed while running nor submitted a second time.
    const found = await this.findLaunched(job).catch(() => undefined);
    if (found) return found;
    const reason = submitted.ok ? `printed no job id: ${JSON.stringify(submitted.stdout.trim())}` : undefined;
    throw new ExperimentFailure(
      'launch',
      reason ? `${submitted.line} ${reason}` : new SlurmCommandError(submitted, advice('sbatch')).message,
    );
  }

  async poll(raw: JobHandle): Promise<JobState> {
    const handle = fromJson(raw);
    const exited = await readExitCode(handle);
    if (exited !== undefined) return this.settled(handle, { state: 'exited', code: exited });
    let view: SlurmView;
    try {
      view = await this.view(handle.jobId);
      this.unreachableSince.delete(handle.jobId);
    } catch (error) {
      // A controller restart or failover must not fail every running experiment: keep waiting
      // for a while (the job timeout still applies once the job has started), then give up with
      // Slurm's own message.
      const since = this.unreachableSince.get(handle.jobId) ?? this.now();
      this.unreachableSince.set(handle.jobId, since);
      if (this.now() - since < this.settings.controllerGraceS * 1000)
        return this.aliveState(handle, undefined, 'the controller is not answering');
      throw error;
    }
    if (view.kind === 'alive') return this.aliveState(handle, view);
    // It may have written its exit file between the two looks.
    const late = await readExitCode(handle);
    if (late !== undefined) return this.settled(handle, { state: 'exited', code: late });
    // The grace runs from our first look, not from Slurm's EndTime: Slurm prints local time
    // without a zone, and a runner in another zone would misread it by hours.
    const since = this.endedWithoutExitSince.get(handle.jobId) ?? this.now();
    this.endedWithoutExitSince.set(handle.jobId, since);
    if (this.now() - since < this.settings.exitFileGraceS * 1000)
      return this.aliveState(
        handle,
        undefined,
        `Slurm says ${view.kind === 'ended' ? view.state : 'nothing'}; waiting for the exit file`,
      );
    // Killed by Slurm (time limit, memory, node failure, scancel from outside) or never started:
    // runs/<id>/slurm-<job id>.out holds slurmstepd's reason.
    return this.settled(handle, { state: 'lost', reason: await lostReason(handle, view) });
  }

  /**
   * A job Slurm still holds: pending while it has not started (its launch marker is the first
   * thing it writes, so no marker means no start), else running since the marker was written —
   * a durable start time, so queue time never counts toward the job timeout, across restarts too.
   */
  private async aliveState(
    handle: SlurmHandle,
    view: Extract<SlurmView, { kind: 'alive' }> | undefined,
    why?: string,
  ): Promise<JobState> {
    const started = await markerTime(handle);
    if (view && NOT_STARTED_STATES.has(view.state)) {
      return {
        state: 'pending',
        reason: view.reason ? `Slurm: ${view.state}, ${view.reason}` : `Slurm: ${view.state}`,
      };
    }
    if (started === undefined) {
      // RUNNING for Slurm, but the script has not written its marker yet (a moment's race), or
      // Slurm could not be asked: wait without starting the clocks; the queue limit still holds.
      return {
        state: 'pending',
        reason: view ? `Slurm: ${view.state}, not started yet` : (why ?? 'Slurm could not say'),
      };
    }
    return { state: 'running', startedAt: started };
  }

  async cancel(raw: JobHandle): Promise<void> {
    const handle = fromJson(raw);
    const result = await this.run('scancel', [handle.jobId]);
    if (!result.ok && !isGoneMessage(result.stderr)) throw new SlurmCommandError(result, advice('scancel'));
    const deadline = this.now() + CANCEL_WAIT_MS;
    while (this.now() < deadline) {
      const view = await this.view(handle.jobId).catch(() => undefined);
      if (view === undefined || view.kind !== 'alive') return;
      await new Promise((resolve) => setTimeout(resolve, CANCEL_POLL_MS));
    }
  }

  async findLaunched(job: LaunchJob): Promise<JobHandle | undefined> {
    const handle = (jobId: string) =>
      toJson({ backend: 'slurm', jobId, token: job.token, runDir: job.runDir, log: job.log });
    // The controller first: a job still queued has written nothing yet. `-t all` keeps jobs that
    // already ended (for MinJobAge) in the answer.
    const name = jobName(job);
    const listed = await this.untilControllerAnswers(['-h', '-t', 'all', '--name', name, '-o', '%i']);
    const ids = listed.stdout
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /^\d+/.test(line));
    if (ids.length > 0) return handle(ids[0]);
    // Purged from the controller: the marker it wrote when it started says which job it was.
    const marker = (await readFile(join(job.runDir, launchMarkerName(job.token)), 'utf8').catch(() => '')).trim();
    if (/^\d+/.test(marker)) return handle(marker);
    // Accounting, where the cluster keeps it, remembers jobs the controller has forgotten.
    const accounted = await this.run('sacct', ['-n', '-X', '-P', '--name', name, '-S', 'now-30days', '-o', 'JobID']);
    const accountedId = accounted.ok
      ? accounted.stdout
          .split('\n')
          .map((line) => line.trim())
          .find((line) => /^\d+/.test(line))
      : undefined;
    return accountedId ? handle(accountedId) : undefined;
  }

  /**
   * squeue, retried while the controller is unreachable (up to controllerGraceS): without its
   * answer a restarted runner cannot tell whether a job was submitted, and must not guess.
   */
  private async untilControllerAnswers(args: readonly string[]): Promise<CommandOutcome> {
    const started = this.now();
    for (;;) {
      const listed = await this.run('squeue', args);
      if (listed.ok) return listed;
      if (this.now() - started >= this.settings.controllerGraceS * 1000) {
        throw new SlurmCommandError(
          listed,
          'Cannot tell whether this experiment was submitted before the restart, so it is not submitted again.',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }

  /** Slurm's view of a job; throws SlurmCommandError when the controller cannot be asked. */
  private async view(jobId: string): Promise<SlurmView> {
    // `-t all`: without it squeue leaves out jobs that have ended, which the controller still
    // remembers (for MinJobAge) with the state that says why (CANCELLED, TIMEOUT, OUT_OF_MEMORY).
    const queued = await this.run('squeue', ['-h', '-t', 'all', '-j', jobId, '-o', '%T %r']);
    const [state, ...why] = queued.ok ? queued.stdout.trim().split('\n')[0].trim().split(/\s+/) : [];
    if (state) {
      const reason = why.join(' ');
      if (ENDED_STATES.has(state)) return { kind: 'ended', state };
      return reason && reason !== 'None' ? { kind: 'alive', state, reason } : { kind: 'alive', state };
    }
    if (!queued.ok && !isGoneMessage(queued.stderr)) throw new SlurmCommandError(queued, advice('squeue'));
    // The controller has forgotten the job (it ended more than MinJobAge ago), and so has
    // `scontrol show job`, which reads the same memory: accounting is the only other witness,
    // and a minimal cluster has none ("accounting storage is disabled").
    const accounted = await this.run('sacct', ['-n', '-X', '-P', '-j', jobId, '-o', 'State']);
    const row = accounted.ok ? accounted.stdout.split('\n').find((line) => line.trim().length > 0) : undefined;
    if (!row) return { kind: 'unknown' };
    const word = row.trim().split(' ')[0]; // "CANCELLED by 1234"
    return ENDED_STATES.has(word) ? { kind: 'ended', state: word } : { kind: 'alive', state: word };
  }

  private settled(handle: SlurmHandle, state: JobState): JobState {
    this.endedWithoutExitSince.delete(handle.jobId);
    this.unreachableSince.delete(handle.jobId);
    return state;
  }

  private async run(command: SlurmCommand, args: readonly string[]): Promise<CommandOutcome> {
    return runSlurmCommand(this.settings, command, args);
  }
}

/** Runs one Slurm command with the configured binary, SLURM_CONF and timeout; never throws. */
export async function runSlurmCommand(
  settings: SlurmSettings,
  command: SlurmCommand,
  args: readonly string[],
): Promise<CommandOutcome> {
  const file = settings.bin[command] ?? command;
  const line = shellCommand([file, ...args]);
  const result = await execa(file, args, {
    reject: false,
    timeout: settings.commandTimeoutS * 1000,
    stdin: 'ignore',
    // sbatch exports the environment it runs with to the job: the allow-list, never the runner's.
    extendEnv: false,
    env: jobEnvironment(process.env, settings.conf ? { SLURM_CONF: settings.conf } : {}),
  });
  const stdout = typeof result.stdout === 'string' ? result.stdout : '';
  const stderr = typeof result.stderr === 'string' ? result.stderr : '';
  if (!result.failed) return { ok: true, stdout, stderr, line, why: '' };
  const why = result.timedOut
    ? `timed out after ${settings.commandTimeoutS} s`
    : (result as { code?: string }).code === 'ENOENT'
      ? `${file} not found: is Slurm installed on this machine? Set slurm.bin.${command} in workflow.json if it is elsewhere`
      : result.exitCode !== undefined
        ? `exit ${result.exitCode}`
        : (result.shortMessage ?? 'failed');
  return { ok: false, stdout, stderr, line, why };
}

/** The job name Slurm shows and `findLaunched` searches for; unique per launch attempt. */
export function jobName(job: Pick<LaunchJob, 'id' | 'token'>): string {
  // squeue --name splits on commas, and a name is easier to read in squeue without odd characters.
  const id = job.id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 48);
  return `tsfm-${id}-${job.token}`;
}

export function batchScriptName(token: string): string {
  return `slurm-${token}.sh`;
}

export function sbatchArgs(job: LaunchJob, script: string, settings: SlurmSettings): string[] {
  return [
    // The user's extra options first: the ones the protocol depends on come after and win.
    ...settings.extraArgs,
    '--parsable',
    '--job-name',
    jobName(job),
    ...(settings.partition ? ['--partition', settings.partition] : []),
    ...(settings.timeLimit ? ['--time', settings.timeLimit] : []),
    '--cpus-per-task',
    String(settings.cpusPerTask),
    ...(settings.memory ? ['--mem', settings.memory] : []),
    '--nodes',
    '1',
    '--ntasks',
    '1',
    '--no-requeue',
    // Slurm's own messages (time limit, out of memory, cancelled); the job's output goes to the log.
    '--output',
    join(job.runDir, 'slurm-%j.out'),
    '--chdir',
    job.cwd,
    script,
  ];
}

/** The batch script of one launch: setup, the evaluation, and the marker/exit-file protocol. */
export function batchScript(job: LaunchJob, settings: SlurmSettings): string {
  const q = shellQuote;
  const marker = join(job.runDir, launchMarkerName(job.token));
  const exitFile = join(job.runDir, exitFileName(job.token));
  const exitTemp = join(job.runDir, `.${exitFileName(job.token)}.tmp`);
  const setup = settings.setup.flatMap((line, index) => [
    `{`,
    `${line}`,
    `} || { echo "tsfm: slurm setup line ${index + 1} failed: "${q(line)}; finish 1; }`,
  ]);
  return [
    '#!/bin/sh',
    `# Experiment ${job.id}, launch ${job.token}: written by the tsfm runner (slurm-backend.ts), submitted once.`,
    `exec >>${q(job.log)} 2>&1`,
    `printf '%s\\n' "\${SLURM_JOB_ID:-unknown}" > ${q(marker)}`,
    `finish() { printf '%s\\n' "$1" > ${q(exitTemp)} && mv -f ${q(exitTemp)} ${q(exitFile)}; exit "$1"; }`,
    `export TSFM_EXPERIMENT_ID=${q(job.id)}`,
    ...setup,
    `cd ${q(job.cwd)} || finish 1`,
    `sh -c ${q(job.command)}`,
    'finish "$?"',
    '',
  ].join('\n');
}

/** `12345` or `12345;cluster` (sbatch --parsable). */
export function parseSbatchId(stdout: string): string | undefined {
  const line = stdout.trim().split('\n').pop()?.trim() ?? '';
  return /^(\d+)(;\S+)?$/.exec(line)?.[1];
}

/** The controller no longer knows the job, or it has already ended: nothing left to do. */
function isGoneMessage(stderr: string): boolean {
  return /Invalid job id|already completing or completed|Job has already finished/i.test(stderr);
}

function advice(command: SlurmCommand): string {
  if (command === 'sbatch')
    return 'Check the slurm block of workflow.json (partition, time limit, memory, extraArgs) against `sinfo` and sbatch(1).';
  return 'Is the Slurm controller reachable from this machine (`sinfo`)? Set slurm.conf in workflow.json if it uses a non-default slurm.conf.';
}

/** When the job's script started: the mtime of the launch marker it writes first thing. */
async function markerTime(handle: SlurmHandle): Promise<number | undefined> {
  const info = await stat(join(handle.runDir, launchMarkerName(handle.token))).catch(() => undefined);
  return info?.mtimeMs;
}

/** What is known of a job that ended without its exit file: Slurm's last state and its own note. */
async function lostReason(handle: SlurmHandle, view: SlurmView): Promise<string> {
  const said =
    view.kind === 'ended' ? `Slurm says ${view.state}` : `neither squeue nor sacct knows job ${handle.jobId} any more`;
  const note = await readFile(join(handle.runDir, `slurm-${handle.jobId}.out`), 'utf8').catch(() => '');
  const slurmstepd = note
    .split('\n')
    .filter((line) => /slurmstepd|error|CANCELLED|TIME LIMIT|oom/i.test(line))
    .slice(-2)
    .join(' | ');
  return `job ${handle.jobId}: ${said}${slurmstepd ? `; ${firstLines(slurmstepd, 2, 300)}` : ''}`;
}

async function readExitCode(handle: SlurmHandle): Promise<number | undefined> {
  const file = join(handle.runDir, exitFileName(handle.token));
  if (!existsSync(file)) return undefined;
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const code = Number(text.trim());
  return Number.isInteger(code) ? code : 1;
}

function toJson(handle: SlurmHandle): JsonObject {
  return { ...handle };
}

function fromJson(raw: JobHandle): SlurmHandle {
  const { jobId, token, runDir, log } = raw;
  if (typeof jobId !== 'string' || typeof token !== 'string' || typeof runDir !== 'string') {
    throw new Error(`not a Slurm job handle: ${JSON.stringify(raw)}`);
  }
  return { backend: 'slurm', jobId, token, runDir, log: typeof log === 'string' ? log : join(runDir, 'log') };
}
