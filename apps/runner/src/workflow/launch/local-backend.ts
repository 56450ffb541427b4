/**
 * The default backend: the job is a detached local process group (its own session, so neither a
 * Ctrl-C in the runner's terminal nor the runner's death reaches it), started with execa.
 *
 * The job is a small /bin/sh wrapper around the rendered command template:
 *   1. appends its stdout/stderr to runs/<id>/log itself (no pipe to the runner that could break),
 *   2. writes the launch marker runs/<id>/launch-<token> (its pid) before anything else,
 *   3. runs the command, then writes its exit status to runs/<id>/exit-<token> (temp + rename).
 * That makes the job's fate readable from files by any later runner, which is not its parent and
 * cannot wait() for it: an exit file means exited (with that status); a live wrapper process
 * carrying the token means running; neither means lost.
 *
 * The token is the wrapper's $0, so it shows in /proc/<pid>/cmdline: a pid reused by an unrelated
 * process after a reboot is never mistaken for the job.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { JsonObject } from '../../core/work-spec.js';
import { renderTemplate } from './command-template.js';
import { jobEnvironment } from './job-env.js';
import { ExperimentFailure } from '../experiment/failures.js';
import {
  exitFileName,
  launchMarkerName,
  type JobHandle,
  type JobState,
  type LaunchBackend,
  type LaunchJob,
} from './launch-backend.js';

interface LocalHandle {
  readonly backend: 'local';
  readonly pid: number;
  readonly token: string;
  readonly runDir: string;
}

const WRAPPER = [
  'exec >>"$TSFM_JOB_LOG" 2>&1',
  'printf "%s\\n" "$$" > "$TSFM_JOB_DIR/launch-$TSFM_JOB_TOKEN"',
  'sh -c "$TSFM_JOB_COMMAND"',
  'code=$?',
  'printf "%s\\n" "$code" > "$TSFM_JOB_DIR/.exit-$TSFM_JOB_TOKEN.tmp" && mv -f "$TSFM_JOB_DIR/.exit-$TSFM_JOB_TOKEN.tmp" "$TSFM_JOB_DIR/exit-$TSFM_JOB_TOKEN"',
  'exit "$code"',
].join('\n');

/** How long cancel() waits after SIGTERM before SIGKILL. */
const TERM_GRACE_MS = 2000;

export class LocalBackend implements LaunchBackend {
  readonly name = 'local';

  constructor(private readonly template: string) {}

  async launch(job: LaunchJob): Promise<JobHandle> {
    await mkdir(job.runDir, { recursive: true });
    const command = renderTemplate(this.template, { cmd: job.command, cwd: job.cwd, log: job.log, id: job.id });
    const subprocess = execa('/bin/sh', ['-c', WRAPPER, processTag(job.token)], {
      cwd: job.cwd,
      detached: true,
      // The job must outlive the runner: execa would otherwise kill it when the runner exits.
      cleanup: false,
      stdio: 'ignore',
      reject: false,
      // An allow-listed environment, not the runner's: planner-written code must not see its keys.
      extendEnv: false,
      env: jobEnvironment(process.env, {
        TSFM_JOB_LOG: job.log,
        TSFM_JOB_DIR: job.runDir,
        TSFM_JOB_TOKEN: job.token,
        TSFM_JOB_COMMAND: command,
        TSFM_EXPERIMENT_ID: job.id,
      }),
    });
    subprocess.unref();
    const pid = subprocess.pid;
    if (pid === undefined) {
      const result = await subprocess;
      throw new ExperimentFailure('launch', `could not start /bin/sh in ${job.cwd}: ${result.message}`);
    }
    // Reaped by libuv when it exits; nobody awaits the result beyond this.
    void subprocess.then(() => {});
    return toJson({ backend: 'local', pid, token: job.token, runDir: job.runDir });
  }

  async poll(raw: JobHandle): Promise<JobState> {
    const handle = fromJson(raw);
    const exited = await readExitCode(handle);
    if (exited !== undefined) {
      killGroup(handle.pid, 'SIGKILL'); // anything the job left running in its group
      return { state: 'exited', code: exited };
    }
    if (await wrapperAlive(handle)) return { state: 'running' };
    // It may have written its exit file between the two looks.
    const late = await readExitCode(handle);
    return late === undefined ? { state: 'lost' } : { state: 'exited', code: late };
  }

  async cancel(raw: JobHandle): Promise<void> {
    const handle = fromJson(raw);
    if (!(await wrapperAlive(handle)) && !groupAlive(handle.pid)) return;
    killGroup(handle.pid, 'SIGTERM');
    const deadline = Date.now() + TERM_GRACE_MS;
    while (groupAlive(handle.pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    killGroup(handle.pid, 'SIGKILL');
  }

  async findLaunched(job: LaunchJob): Promise<JobHandle | undefined> {
    // The process table first, then files: a job that already exited wrote its marker before
    // exiting, so no order of events slips between the two looks.
    const pid = (await findProcessByTag(processTag(job.token))) ?? (await markerPid(job));
    if (pid !== undefined) return toJson({ backend: 'local', pid, token: job.token, runDir: job.runDir });
    if (existsSync(join(job.runDir, exitFileName(job.token)))) {
      return toJson({ backend: 'local', pid: 0, token: job.token, runDir: job.runDir });
    }
    return undefined;
  }
}

function processTag(token: string): string {
  return `tsfm-job-${token}`;
}

async function markerPid(job: LaunchJob): Promise<number | undefined> {
  const text = await readFile(join(job.runDir, launchMarkerName(job.token)), 'utf8').catch(() => undefined);
  const pid = Number(text?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function readExitCode(handle: LocalHandle): Promise<number | undefined> {
  const text = await readFile(join(handle.runDir, exitFileName(handle.token)), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const code = Number(text.trim());
  return Number.isInteger(code) ? code : 1;
}

async function wrapperAlive(handle: LocalHandle): Promise<boolean> {
  if (handle.pid <= 0) return false;
  const cmdline = await readFile(`/proc/${handle.pid}/cmdline`, 'utf8').catch(() => undefined);
  if (cmdline !== undefined) return cmdline.split('\0').includes(processTag(handle.token));
  if (existsSync('/proc/self')) return false; // /proc exists, the pid does not (or is a zombie)
  // No /proc (macOS): a signal 0 probe is the best available, pid reuse notwithstanding.
  try {
    process.kill(handle.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The job's process group: the wrapper is its leader (detached → setsid), so pgid = pid. */
function groupAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

async function findProcessByTag(tag: string): Promise<number | undefined> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').includes(tag)) return Number(name);
  }
  return undefined;
}

function toJson(handle: LocalHandle): JsonObject {
  return { ...handle };
}

function fromJson(raw: JobHandle): LocalHandle {
  const { pid, token, runDir } = raw;
  if (typeof pid !== 'number' || typeof token !== 'string' || typeof runDir !== 'string') {
    throw new Error(`not a local job handle: ${JSON.stringify(raw)}`);
  }
  return { backend: 'local', pid, token, runDir };
}
