/**
 * How an experiment's job is started, watched and stopped. The workflow only ever talks to this
 * interface, so a Slurm backend (sbatch to launch, squeue/sacct to poll, scancel to cancel) plugs
 * in beside the local one without touching the rest.
 *
 * A handle is JSON: it is persisted in the spec's payload, and after a restart a fresh backend
 * must be able to poll and cancel the job from the handle alone.
 */
import type { JsonObject } from '../../core/work-spec.js';

export interface LaunchJob {
  /** The experiment id ({id} in a template). */
  readonly id: string;
  /** Unique per launch attempt; lets a restarted runner find the job it may have started. */
  readonly token: string;
  /** The worktree ({cwd}). */
  readonly cwd: string;
  /** The job's stdout and stderr go here ({log}). */
  readonly log: string;
  /** runs/<id>: where launch markers and the exit status are written. */
  readonly runDir: string;
  /** The evaluation as one shell command line ({cmd}), arguments already quoted. */
  readonly command: string;
}

export type JobHandle = JsonObject;

export type JobState =
  /**
   * Accepted but not started: waiting in a cluster queue (or held, or suspended). Neither the job
   * timeout nor the stall clock runs while a job waits; `reason` is the scheduler's word for why
   * (Slurm's `Priority`, `Resources`, …).
   */
  | { readonly state: 'pending'; readonly reason?: string }
  /** `startedAt` (epoch ms): when it left the queue, where the backend knows; else the launch time counts. */
  | { readonly state: 'running'; readonly startedAt?: number }
  | { readonly state: 'exited'; readonly code: number }
  /**
   * Neither running nor with an exit status: killed from outside, or the node went away; `reason`
   * says what is known.
   */
  | { readonly state: 'lost'; readonly reason?: string };

export interface LaunchBackend {
  readonly name: string;
  /** How long a job may wait in the backend's queue (`pending`) before it is cancelled; undefined: no queue. */
  readonly queueTimeoutMs?: number;
  launch(job: LaunchJob): Promise<JobHandle>;
  poll(handle: JobHandle): Promise<JobState>;
  /** Stops the job and everything it started; resolves once it is gone (or could not be found). */
  cancel(handle: JobHandle): Promise<void>;
  /**
   * After a crash between recording the intent to launch and recording the handle: the handle of
   * a job launched with `job.token`, or undefined when there is no sign it was ever started.
   */
  findLaunched(job: LaunchJob): Promise<JobHandle | undefined>;
}

/** The marker a launched job writes first thing; one per launch, so tests can count launches. */
export function launchMarkerName(token: string): string {
  return `launch-${token}`;
}

export function exitFileName(token: string): string {
  return `exit-${token}`;
}
