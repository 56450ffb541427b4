/**
 * Messages between the HTTP thread (worker-pool.ts) and a forecast worker (worker-main.ts).
 * Bodies travel as transferred byte buffers, never copied through structured clone twice.
 */
import type { MicroBatchOptions, MicroBatchStats } from '@tsfm/tsfm-client';
import type { ModelInfo } from '../model.js';
import type { Job, JobOutcome, JobSettings } from './forecast-job.js';

/** workerData of a forecast worker. */
export interface WorkerSpec {
  /** model.json (or its folder). */
  readonly model: string;
  readonly random: boolean;
  readonly settings: JobSettings;
  readonly batch: MicroBatchOptions;
}

export type ToWorker =
  | { readonly type: 'job'; readonly id: number; readonly job: Job }
  | { readonly type: 'cancel'; readonly id: number }
  | { readonly type: 'close' };

/** An outcome whose body is UTF-8 bytes (transferred), not a string. */
export type WireOutcome = Omit<JobOutcome, 'body'> & { readonly body: Uint8Array };

export type FromWorker =
  | { readonly type: 'ready'; readonly info: ModelInfo }
  | { readonly type: 'start-failed'; readonly error: string }
  /** outcome null: cancelled before it started. */
  | {
      readonly type: 'done';
      readonly id: number;
      readonly outcome: WireOutcome | null;
      readonly batch: MicroBatchStats;
    }
  | { readonly type: 'closed' };
