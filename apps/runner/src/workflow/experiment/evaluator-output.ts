/**
 * Reads the frozen evaluator's result block from a job's log — the same lines a person would grep:
 *
 *   ---
 *   metric:          0.812345
 *   latency_p99_ms:  1.234
 *   points:          1920
 *   dropped:         0
 *
 * The last `---` line starts the block (progress lines before it may contain anything). A block
 * without a finite `metric`, or one that reports dropped requests, is not a result: a metric over
 * a subset of the requests is not comparable with the others.
 */
import { open } from 'node:fs/promises';
import { ExperimentFailure } from './failures.js';

export interface EvaluatorResult {
  readonly metric: number;
  readonly latencyMsP99: number | null;
  readonly points: number | null;
  readonly dropped: number;
  /** `budget_ms`: the latency budget per request, when the evaluator has one. */
  readonly budgetMs: number | null;
  /** `over_budget`: requests that broke it, when counted. */
  readonly overBudget: number | null;
  /** `cpu_s`: CPU seconds of the whole evaluation (start-up included), when measured. */
  readonly cpuS: number | null;
  /** Every `key: value` line of the block, as text. */
  readonly fields: Readonly<Record<string, string>>;
}

/** Enough of the log's end for the block and some context before it. */
const TAIL_BYTES = 64 * 1024;

export async function readLogTail(log: string, bytes = TAIL_BYTES): Promise<string> {
  const handle = await open(log, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

export function parseResultBlock(text: string): Record<string, string> | undefined {
  const lines = text.split('\n').map((line) => line.trimEnd());
  const start = lines.lastIndexOf('---');
  if (start < 0) return undefined;
  const fields: Record<string, string> = {};
  for (const line of lines.slice(start + 1)) {
    const match = /^([a-z][a-z0-9_]*):\s+(\S.*)$/.exec(line);
    if (match) fields[match[1]] = match[2].trim();
  }
  return fields;
}

/** The result of a job that exited 0; throws ExperimentFailure('no-metric') when there is none. */
export function evaluatorResult(logTail: string): EvaluatorResult {
  const fields = parseResultBlock(logTail);
  if (!fields)
    throw new ExperimentFailure(
      'no-metric',
      'the log has no result block (a "---" line followed by "metric: <value>")',
    );
  const metric = numberField(fields, 'metric');
  if (metric === null) {
    throw new ExperimentFailure(
      'no-metric',
      `the result block has no finite metric (metric: ${fields['metric'] ?? 'missing'})`,
    );
  }
  const dropped = numberField(fields, 'dropped') ?? 0;
  if (dropped !== 0)
    throw new ExperimentFailure(
      'no-metric',
      `the evaluator dropped ${dropped} request(s); a metric over a subset is not comparable`,
    );
  return {
    metric,
    latencyMsP99: numberField(fields, 'latency_p99_ms'),
    points: numberField(fields, 'points'),
    dropped,
    budgetMs: numberField(fields, 'budget_ms'),
    overBudget: numberField(fields, 'over_budget'),
    cpuS: numberField(fields, 'cpu_s'),
    fields,
  };
}

function numberField(fields: Record<string, string>, key: string): number | null {
  const text = fields[key];
  if (text === undefined || text === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}
