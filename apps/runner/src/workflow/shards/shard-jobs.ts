/**
 * One experiment's evaluation as N jobs (workflow.json `shards`): what each shard's job is, how
 * the N are watched together, and how their results become the one result the experiment records.
 *
 * N = 1 is the plain case and keeps its plain shape: one job whose log is runs/<id>/log and whose
 * arguments are the template's own. With N > 1, shard i of N runs the same command plus
 * `--shard i/N`, with `--out` redirected to runs/<id>/shards/metrics-<i>-of-<N>.json and its log
 * in runs/<id>/shards/log-<i>-of-<N>; its launch token is the experiment's plus `-<i>of<N>`, so a
 * restarted runner finds each shard's job (findLaunched) on its own.
 *
 * The shards succeed or fail together: the first to fail (non-zero exit, timeout, stall, lost)
 * cancels the others, and the experiment fails naming that shard — a metric over part of the
 * tenants is not comparable with any other experiment's.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../workdir/atomic-file.js';
import { shellCommand } from '../launch/command-template.js';
import { evaluatorResult, readLogTail, type EvaluatorResult } from '../experiment/evaluator-output.js';
import { errorLineOf, ExperimentFailure } from '../experiment/failures.js';
import { monitorJob } from '../launch/job-monitor.js';
import type { JobHandle, LaunchBackend, LaunchJob } from '../launch/launch-backend.js';
import {
  allShards,
  formatShard,
  mergedMetricsDetail,
  mergeShardMetrics,
  readShardMetricsFiles,
  resultBlock,
  shardArgs,
  shardMetricsPath,
  type Shard,
} from './shard.js';

export interface ShardedJob {
  /** Undefined for an unsharded evaluation. */
  readonly shard: Shard | undefined;
  readonly job: LaunchJob;
  /** Files whose change counts as the job's progress (stall detection). */
  readonly watch: readonly string[];
}

export interface EvaluationJobsInput {
  readonly id: string;
  readonly token: string;
  readonly cwd: string;
  readonly runDir: string;
  /** The full argv (`node --import tsx evaluate.ts …`) of an unsharded evaluation. */
  readonly argv: readonly string[];
  readonly shards: number;
}

/** The jobs of one evaluation: one, or one per shard in shard order. */
export function evaluationJobs(input: EvaluationJobsInput): ShardedJob[] {
  const { id, token, cwd, runDir, argv, shards } = input;
  if (shards === 1) {
    const log = join(runDir, 'log');
    return [
      {
        shard: undefined,
        job: { id, token, cwd, log, runDir, command: shellCommand(argv) },
        watch: [log, join(runDir, 'metrics.json')],
      },
    ];
  }
  return allShards(shards).map((shard) => {
    const log = join(runDir, 'shards', `log-${shard.index}-of-${shard.count}`);
    const job: LaunchJob = {
      id,
      token: `${token}-${shard.index}of${shard.count}`,
      cwd,
      log,
      runDir,
      command: shellCommand(shardArgs(argv, shard, runDir)),
    };
    return { shard, job, watch: [log, shardMetricsPath(runDir, shard)] };
  });
}

/** Where the shards' logs and metrics go; made before the first launch. */
export async function prepareShardDir(runDir: string): Promise<void> {
  await mkdir(join(runDir, 'shards'), { recursive: true });
}

export interface MonitorJobsOptions {
  readonly backend: LaunchBackend;
  readonly jobs: readonly ShardedJob[];
  readonly handles: readonly JobHandle[];
  readonly launchedAt: number;
  readonly timeoutMs: number;
  readonly stallMs: number;
  readonly pollMs: number;
  readonly signal: AbortSignal;
}

/**
 * Waits until every job has exited 0. The first failure cancels the jobs still running and is
 * thrown, naming its shard; an abort (the runner stopping) leaves them all running for a resume.
 */
export async function monitorJobs(options: MonitorJobsOptions): Promise<void> {
  const { backend, jobs, handles, signal } = options;
  const failed = new AbortController();
  const watching = AbortSignal.any([signal, failed.signal]);
  // Boxed, so that `undefined` means no failure whatever was thrown; `as`: only the callbacks below
  // assign it, which TypeScript's narrowing cannot see.
  let first = undefined as { error: unknown } | undefined;
  const outcomes = await Promise.allSettled(
    jobs.map(async ({ shard, job, watch }, s) => {
      try {
        const code = await monitorJob({
          backend,
          handle: handles[s],
          launchedAt: options.launchedAt,
          timeoutMs: options.timeoutMs,
          stallMs: options.stallMs,
          ...(backend.queueTimeoutMs === undefined ? {} : { queueTimeoutMs: backend.queueTimeoutMs }),
          pollMs: options.pollMs,
          watch,
          signal: watching,
        });
        if (code !== 0) {
          const last = errorLineOf(await readLogTail(job.log));
          throw new ExperimentFailure('exit', `the evaluation exited with status ${code}${last ? `: ${last}` : ''}`);
        }
      } catch (error) {
        if (signal.aborted || failed.signal.aborted) throw error;
        const firstFailure =
          error instanceof ExperimentFailure && shard
            ? new ExperimentFailure(error.stage, `${shardLabel(shard)}${error.message.replace(/^[a-z-]+: /, '')}`)
            : error;
        first = { error: firstFailure };
        failed.abort(firstFailure);
        if (shard) await noteShardFailure(job, firstFailure);
        throw error;
      }
    }),
  );
  if (signal.aborted) throw signal.reason;
  if (first === undefined) {
    const rejected = outcomes.find((outcome) => outcome.status === 'rejected');
    if (rejected) throw rejected.reason;
    return;
  }
  // The siblings stopped watching when the first failed; stop their jobs too (a no-op for those done).
  await Promise.all(handles.map((handle) => backend.cancel(handle).catch(() => undefined)));
  throw first.error;
}

/**
 * The experiment's result once every job exited 0. Unsharded: the result block of its log.
 * Sharded: the shards' metrics files merged exactly, written as runs/<id>/metrics.json, and the
 * merged block appended to runs/<id>/log — the file a person (and evaluatorResult) reads.
 */
export async function evaluationResult(jobs: readonly ShardedJob[], runDir: string): Promise<EvaluatorResult> {
  const first = jobs[0];
  if (first.shard === undefined) return evaluatorResult(await readLogTail(first.job.log));
  const count = first.shard.count;
  let parts;
  let merged;
  try {
    parts = await readShardMetricsFiles(runDir, count);
    merged = mergeShardMetrics(parts);
  } catch (error) {
    throw new ExperimentFailure('no-metric', `the shards' metrics cannot be merged: ${(error as Error).message}`);
  }
  await writeJsonAtomic(join(runDir, 'metrics.json'), mergedMetricsDetail(parts, merged));
  const perShard = parts.map(
    (part) =>
      `shard ${part.shard}: ${part.latenciesMs.length} requests, ${part.lossCount} losses, ${part.dropped} dropped`,
  );
  const block = resultBlock(merged);
  await appendFile(join(runDir, 'log'), [`merged ${count} shards (logs in shards/):`, ...perShard, block].join('\n'));
  return evaluatorResult(block);
}

/** runs/<id>/log of a sharded run says which shard failed and how its log ends (analysis.md quotes it). */
async function noteShardFailure(job: LaunchJob, failure: unknown): Promise<void> {
  const tail = (await readLogTail(job.log, 4096)).trimEnd().split('\n').slice(-20).join('\n');
  const message = failure instanceof Error ? failure.message : String(failure);
  await appendFile(join(job.runDir, 'log'), `${message}\n--- the end of ${job.log}:\n${tail}\n`).catch(() => undefined);
}

function shardLabel(shard: Shard | undefined): string {
  return shard ? `shard ${formatShard(shard)}: ` : '';
}
