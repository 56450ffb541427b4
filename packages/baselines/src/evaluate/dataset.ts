/**
 * Evaluation datasets as lists of tasks: one (history, actual) pair per series and origin.
 */
import { DAY_MS } from '@tsfm/numerics';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { loadM4TrainTest, loadTimestampValueCsv, type DuplicatePolicy, type Series } from '@tsfm/workload-gen';

export interface EvalTask {
  /** Series id, plus `@origin` for rolling-origin tasks. */
  readonly id: string;
  readonly history: Float32Array;
  readonly actual: Float32Array;
  /** Epoch ms of history[0] and the grid step (for calendar-aware models). */
  readonly start: number;
  readonly stepMs: number;
  /** Seasonal period in steps: the MASE lag and the period given to the model (per series, since
   * the files of one folder may have different steps). */
  readonly period: number;
}

export interface EvalDataset {
  readonly name: string;
  /** The seasonal period every task shares; absent when the files' steps differ (each task
   * carries its own, see {@link EvalTask.period}). */
  readonly period?: number;
  readonly horizon: number;
  readonly series: number;
  readonly tasks: readonly EvalTask[];
  /** OWA is reported only where Naive2 is the published reference (M4). */
  readonly owa: boolean;
  /** One line describing the protocol, printed above the table. */
  readonly protocol: string;
  /** What loading repaired and a reader should know (repeated timestamps), one line each. */
  readonly warnings: readonly string[];
}

/** M4-Hourly: the official split (train → 48-step test), m = 24. */
export async function loadM4Hourly(dataDir: string, horizon: number, maxSeries?: number): Promise<EvalDataset> {
  const pairs = await loadM4TrainTest(join(dataDir, 'm4', 'Hourly-train.csv'), join(dataDir, 'm4', 'Hourly-test.csv'));
  const chosen = maxSeries === undefined ? pairs : pairs.slice(0, maxSeries);
  const tasks = chosen.map((p) => {
    if (p.test.values.length < horizon) {
      throw new Error(`M4 ${p.id}: test part has ${p.test.values.length} points, fewer than horizon ${horizon}`);
    }
    return {
      id: p.id,
      history: p.train.values,
      actual: p.test.values.subarray(0, horizon),
      start: p.train.start,
      stepMs: p.train.stepMs,
      period: 24,
    };
  });
  return {
    name: 'm4-hourly',
    period: 24,
    horizon,
    series: chosen.length,
    tasks,
    owa: true,
    protocol: `M4-Hourly official split: ${chosen.length} series, h = ${horizon}, m = 24`,
    warnings: [],
  };
}

export interface RollingOptions {
  readonly horizon: number;
  /** Number of forecast origins per series. */
  readonly origins: number;
  /** Steps between consecutive origins; default one day of steps (the period). */
  readonly stride?: number;
  readonly maxSeries?: number;
}

/**
 * Rolling origins at the end of a series: origin j (0 = latest) forecasts
 * values[o_j, o_j + h) from values[0, o_j), with o_j = n − h − j·stride. Spacing origins a day
 * apart samples every part of the day's cycle across days instead of scoring one 12-step window
 * (a single last window on a 14-day trace is a sample of one). Origins whose actual window is
 * entirely missing, or whose history is shorter than two periods, are skipped.
 */
export function rollingOriginTasks(id: string, series: Series, period: number, options: RollingOptions): EvalTask[] {
  const { horizon, origins } = options;
  const stride = options.stride ?? period;
  const n = series.values.length;
  const tasks: EvalTask[] = [];
  for (let j = origins - 1; j >= 0; j--) {
    const origin = n - horizon - j * stride;
    if (origin < 2 * period) continue;
    const actual = series.values.subarray(origin, origin + horizon);
    if (actual.every((v) => Number.isNaN(v))) continue;
    tasks.push({
      id: `${id}@${origin}`,
      history: series.values.subarray(0, origin),
      actual,
      start: series.start,
      stepMs: series.stepMs,
      period,
    });
  }
  return tasks;
}

/** Steps in one day when the step divides a day, else undefined. */
export function dailyPeriod(stepMs: number): number | undefined {
  const m = DAY_MS / stepMs;
  return Number.isInteger(m) && m > 1 ? m : undefined;
}

/**
 * Rows that repeat a timestamp (a daylight-saving change replays an hour in CloudWatch exports,
 * with other values): averaged by default, or the first or last row kept, or refused.
 */
export type EvalDuplicatePolicy = Extract<DuplicatePolicy, 'mean' | 'first' | 'last' | 'error'>;

/**
 * Every `timestamp,value` CSV in a folder (NAB), or one file (`csv:<path>`), with rolling origins.
 * Each file keeps its own step and daily period (`--period` forces one for all), so a folder of
 * 5-minute and hourly traces is scored per file rather than refused.
 */
export async function loadTimestampValueFiles(
  name: string,
  files: readonly string[],
  options: RollingOptions & { period?: number; duplicates?: EvalDuplicatePolicy },
): Promise<EvalDataset> {
  const chosen = options.maxSeries === undefined ? files : files.slice(0, options.maxSeries);
  const duplicates = options.duplicates ?? 'mean';
  const tasks: EvalTask[] = [];
  const warnings: string[] = [];
  const periodOf = new Map<string, number>();
  for (const file of chosen) {
    const series = await loadTimestampValueCsv(file, { duplicates });
    const period = options.period ?? dailyPeriod(series.stepMs);
    if (period === undefined) {
      throw new Error(`${file}: step ${series.stepMs} ms does not divide a day; pass --period`);
    }
    const repeated = series.report.duplicateTimestamps;
    if (repeated > 0) warnings.push(`${file}: ${repeated} repeated timestamps, ${DUPLICATE_HANDLING[duplicates]}`);
    periodOf.set(basename(file), period);
    tasks.push(...rollingOriginTasks(basename(file, '.csv'), series, period, options));
  }
  const periods = [...new Set(periodOf.values())];
  const shared = periods.length <= 1 ? (periods[0] ?? options.period ?? 1) : undefined;
  const spacing =
    options.stride !== undefined ? `${options.stride} steps` : shared !== undefined ? `${shared} steps` : 'a day';
  const m =
    shared !== undefined
      ? `m = ${shared}`
      : `m per file (${[...periodOf].map(([file, period]) => `${file} ${period}`).join(', ')})`;
  return {
    name,
    ...(shared !== undefined ? { period: shared } : {}),
    horizon: options.horizon,
    series: chosen.length,
    tasks,
    owa: false,
    protocol:
      `${chosen.length} series × up to ${options.origins} rolling origins ${spacing} apart (the last ` +
      `${options.origins} days), h = ${options.horizon}, ${m}; ${tasks.length} forecast windows`,
    warnings,
  };
}

const DUPLICATE_HANDLING: Record<EvalDuplicatePolicy, string> = {
  mean: 'averaged (--duplicates mean; first, last or error to choose otherwise)',
  first: 'the first row of each kept (--duplicates first)',
  last: 'the last row of each kept (--duplicates last)',
  error: 'refused', // unreachable: the loader throws first
};

/** The `.csv` files of a folder, sorted by name. */
export async function csvFilesIn(dir: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((f) => f.endsWith('.csv'))
    .sort()
    .map((f) => join(dir, f));
}
