/**
 * Watches a launched job until it exits: polled every `pollMs`; killed and failed when it runs
 * past the job timeout, or when it stalls — neither its log nor its metrics file changed for
 * `stallMs`. Both clocks are wall-clock from durable facts (the launch time in the payload, the
 * start time the backend reports, file mtimes), so they keep counting across a runner restart.
 *
 * Time spent waiting in a cluster queue (`pending`) counts toward neither: a busy queue is not a
 * slow or stuck evaluation. It has its own, longer limit (`queueTimeoutMs`), so that a job that
 * can never start (a drained partition, say) still ends.
 *
 * On abort (the runner stopping) it stops watching and leaves the job alone: it is re-attached on
 * resume.
 */
import { stat } from 'node:fs/promises';
import { ExperimentFailure } from '../experiment/failures.js';
import type { JobHandle, LaunchBackend } from './launch-backend.js';

export interface MonitorOptions {
  readonly backend: LaunchBackend;
  readonly handle: JobHandle;
  /** Epoch ms. */
  readonly launchedAt: number;
  /** Counted from the job's start (the launch, for a backend that does not report a start). */
  readonly timeoutMs: number;
  readonly stallMs: number;
  /** How long a job may wait in a queue before it is cancelled; default: no limit. */
  readonly queueTimeoutMs?: number;
  readonly pollMs: number;
  /** Files whose change counts as progress (the log, metrics.json). */
  readonly watch: readonly string[];
  readonly signal: AbortSignal;
  readonly now?: () => number;
}

/** Resolves with the exit code; throws ExperimentFailure for timeout, stall and lost jobs. */
export async function monitorJob(options: MonitorOptions): Promise<number> {
  const { backend, handle, launchedAt, timeoutMs, stallMs, pollMs, signal } = options;
  const queueTimeoutMs = options.queueTimeoutMs ?? Infinity;
  const now = options.now ?? Date.now;
  for (;;) {
    signal.throwIfAborted();
    const state = await backend.poll(handle);
    if (state.state === 'exited') return state.code;
    if (state.state === 'lost') {
      throw new ExperimentFailure(
        'lost',
        `the job is gone without an exit status (${state.reason ?? 'killed outside the runner, or its machine went away'})`,
      );
    }
    const t = now();
    if (state.state === 'pending') {
      if (t - launchedAt > queueTimeoutMs) {
        await backend.cancel(handle);
        throw new ExperimentFailure(
          'timeout',
          `still waiting in the queue after ${seconds(t - launchedAt)}${state.reason ? ` (${state.reason})` : ''}, past the queue limit of ${seconds(queueTimeoutMs)}; cancelled`,
        );
      }
    } else {
      const startedAt = Math.max(launchedAt, state.startedAt ?? launchedAt);
      if (t - startedAt > timeoutMs) {
        await backend.cancel(handle);
        throw new ExperimentFailure('timeout', `still running after the job timeout of ${seconds(timeoutMs)}; killed`);
      }
      const lastProgress = Math.max(startedAt, ...(await Promise.all(options.watch.map(mtimeMs))));
      if (t - lastProgress > stallMs) {
        await backend.cancel(handle);
        throw new ExperimentFailure(
          'stall',
          `no new output in the log or metrics file for ${seconds(t - lastProgress)} (stall limit ${seconds(stallMs)}); killed`,
        );
      }
    }
    await sleep(pollMs, signal);
  }
}

async function mtimeMs(file: string): Promise<number> {
  const info = await stat(file).catch(() => undefined);
  return info?.mtimeMs ?? 0;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
