/**
 * Where forecast jobs run. The service runs them on worker threads (worker-pool.ts), so the HTTP
 * thread only admits, reads bytes and writes bytes; tests and embedders can run them on the
 * calling thread with LocalJobRunner, over any Harness (a gated one, a fake forecaster).
 */
import type { Harness } from '@tsfm/harness';
import type { MicroBatchStats } from '@tsfm/tsfm-client';
import { ForecastSlots } from './forecast-slots.js';
import { ForecastJobs, type Job, type JobOutcome, type JobSettings } from './work/forecast-job.js';

export interface JobRunner {
  /**
   * Run `job`. Resolves with its outcome (errors included: a job never rejects for bad input),
   * or with null when `signal` was aborted before the work started (the client left).
   */
  run(job: Job, signal: AbortSignal): Promise<JobOutcome | null>;
  /** Forecasts that can make progress at once (worker threads, or local slots). */
  readonly parallelism: number;
  /** Workers able to take jobs now (parallelism when all are up). */
  readonly ready: number;
  /** Micro-batching counters summed over the workers (null when jobs do not go through a batcher). */
  batchStats(): MicroBatchStats | null;
  /** Stop taking jobs and release the models; jobs already accepted finish first. */
  close(): Promise<void>;
}

/** Jobs on the calling thread, at most `concurrency` at once, the rest in arrival order. */
export class LocalJobRunner implements JobRunner {
  readonly #jobs: ForecastJobs;
  readonly #slots: ForecastSlots;
  readonly #onClose: () => Promise<void>;

  constructor(jobs: ForecastJobs, options: { concurrency?: number; onClose?: () => Promise<void> } = {}) {
    this.#jobs = jobs;
    this.#slots = new ForecastSlots(options.concurrency ?? 2);
    this.#onClose = options.onClose ?? (async () => undefined);
  }

  /** Jobs of `harness` with the service's `settings` (server.ts jobSettings). */
  static forHarness(
    harness: Harness,
    settings: JobSettings,
    options: { concurrency?: number; onClose?: () => Promise<void> } = {},
  ): LocalJobRunner {
    return new LocalJobRunner(new ForecastJobs(harness, settings), options);
  }

  get parallelism(): number {
    return this.#slots.concurrency;
  }

  get ready(): number {
    return this.#slots.concurrency;
  }

  /** Jobs waiting for a slot (tests wait on it). */
  get waiting(): number {
    return this.#slots.waiting;
  }

  run(job: Job, signal: AbortSignal): Promise<JobOutcome | null> {
    return this.#slots.run(
      () => this.#jobs.run(job),
      () => !signal.aborted,
    );
  }

  batchStats(): MicroBatchStats | null {
    return null;
  }

  close(): Promise<void> {
    return this.#onClose();
  }
}
