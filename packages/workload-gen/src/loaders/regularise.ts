import { DAY_MS } from '@tsfm/numerics';
import { fillGaps, type FillPolicy } from './fill-gaps.js';
import { failIn, type ErrorLocation, type Fail } from './load-errors.js';
import { describeLocation, formatDuration, formatPercent, formatTime } from './message-format.js';

/**
 * Turns timestamped rows into the regular grid of the data model (design.md §1).
 *
 * Method, in order:
 * 1. Order: timestamps must increase. A row earlier than its predecessor is an error, never
 *    silently sorted: an unsorted trace is usually two files concatenated or a time-zone slip.
 * 2. Duplicate timestamps follow `duplicates` (see {@link DuplicatePolicy}).
 * 3. Step: the modal (most common) interval between consecutive rows, ties going to the smaller
 *    step (a finer grid loses less). It must cover at least `minModalShare` (default 50%) of the
 *    intervals; below that there is no grid the data "is on" and resampling would be a guess, so
 *    the file is refused unless the caller passes `stepMs`.
 * 4. Grid: points `start + k·step`, where `start` is the first timestamp (or the grid point of
 *    `origin` nearest to it). Each row goes to its NEAREST grid point; rows that share a grid point
 *    are AVERAGED. Averaging rather than last-wins because the traces are utilisation and rate
 *    gauges: two samples in one slot are two estimates of the same quantity, and their mean is
 *    the better one (and it does not depend on which arrived last). NaN values do not take part
 *    in the mean.
 * 5. Gaps: grid points no row landed on are NaN. A gap between consecutive rows longer than
 *    `maxGapMs` (default 7 days) is an error unless `allowHugeGaps`: a week without data is
 *    nearly always two traces glued together or a seconds/milliseconds mix-up, not an outage —
 *    and at a 1-second step the gap alone would be 600 k NaN points.
 * 6. Fill: NaN points are then filled by `fill` (see {@link FillPolicy}; default: left NaN).
 */
export interface RegulariseOptions {
  /** The grid step in ms. When given it is used as is, and the modal-share check is skipped;
   * a step coarser than the data's spacing averages the rows that fall into each slot. */
  readonly stepMs?: number;
  /** Anchor for the grid phase, so several series land on the same grid points (epoch ms). */
  readonly origin?: number;
  readonly fill?: FillPolicy;
  readonly duplicates?: DuplicatePolicy;
  /** The share of intervals the modal step must cover, in (0, 1]. Default 0.5. */
  readonly minModalShare?: number;
  /** The longest accepted interval between two consecutive rows. Default 7 days. */
  readonly maxGapMs?: number;
  readonly allowHugeGaps?: boolean;
}

/**
 * Rows with the same timestamp:
 * - `'drop-identical'` (default): a repeat with exactly the same values is dropped; a repeat
 *   with different values is an error, since there is no way to tell which one is right. The
 *   NAB disk-write trace repeats `03:00:00` twelve times on the 2014 US DST change — harmless
 *   exporter noise that this policy accepts and that a strict policy would reject.
 * - `'error'`: any repeated timestamp is an error.
 * - `'mean'`: repeats are averaged like any other rows sharing a grid point.
 * - `'first'` / `'last'`: the first (last) row of a run of repeats is kept, the others dropped,
 *   whatever their values.
 *
 * Real CloudWatch exports repeat the hour that a daylight-saving change replays, with different
 * values: `'mean'`, `'first'` and `'last'` load such files; the report's `duplicateTimestamps`
 * says how many rows repeated a timestamp under any policy, so a caller can warn.
 */
export type DuplicatePolicy = 'drop-identical' | 'error' | 'mean' | 'first' | 'last';

export const REGULARISE_DEFAULTS = {
  fill: 'nan',
  duplicates: 'drop-identical',
  minModalShare: 0.5,
  maxGapMs: 7 * DAY_MS,
  allowHugeGaps: false,
} as const satisfies Required<Omit<RegulariseOptions, 'stepMs' | 'origin'>>;

/** A hard ceiling on the grid length even when huge gaps are allowed: 20 M points is 80 MB per
 * channel, far beyond any trace this loader is for, and it turns an epoch-unit mix-up into an
 * error instead of an out-of-memory crash. */
export const MAX_GRID_POINTS = 20_000_000;

export interface RegulariseInput {
  /** File name for errors. */
  readonly source: string;
  /** Epoch ms of each row, in file order. */
  readonly times: ArrayLike<number>;
  /** One value array per metric, each as long as `times`; NaN marks a missing value. */
  readonly channels: readonly ArrayLike<number>[];
  /** Where row `i` is in the file, for error messages. */
  readonly locate: (row: number) => ErrorLocation;
}

/** What regularisation did, so a caller can tell a clean trace from a heavily repaired one. */
export interface RegulariseReport {
  readonly rows: number;
  readonly stepMs: number;
  readonly stepInferred: boolean;
  /** Share of intervals between consecutive distinct timestamps that equal the step. */
  readonly modalShare: number;
  readonly duplicatesDropped: number;
  /** Rows whose timestamp equals the previous row's, whatever the policy did with them. */
  readonly duplicateTimestamps: number;
  /** Rows averaged into a grid point that another row had already landed on. */
  readonly merged: number;
  readonly longestGapMs: number;
  /** Missing (NaN) points on the grid before filling, summed over channels. */
  readonly missing: number;
  readonly filled: number;
}

export interface Regularised {
  readonly start: number;
  readonly stepMs: number;
  readonly channels: Float32Array[];
  readonly report: RegulariseReport;
}

export function regularise(input: RegulariseInput, options: RegulariseOptions = {}): Regularised {
  const opts = { ...REGULARISE_DEFAULTS, ...withoutUndefined(options) };
  checkOptions(opts);
  const fail = failIn(input.source);
  const { rows, duplicatesDropped, duplicateTimestamps } = keepOrderedRows(input, opts.duplicates, fail);
  const times = rows.map((r) => input.times[r]);
  const locate = (j: number): ErrorLocation => input.locate(rows[j]);

  const evidence = { times, locate };
  const inferred = options.stepMs === undefined;
  const { stepMs, share } = inferred
    ? inferModalStep([evidence], input.source, opts.minModalShare)
    : { stepMs: options.stepMs, share: shareOfStep([evidence], options.stepMs) };

  const longestGapMs = checkGaps(times, locate, opts, fail);
  const t0 = times[0];
  const start =
    options.origin === undefined ? t0 : options.origin + Math.round((t0 - options.origin) / stepMs) * stepMs;
  const slot = (t: number): number => Math.round((t - start) / stepMs);
  const length = slot(times[times.length - 1]) + 1;
  if (length > MAX_GRID_POINTS) {
    fail(
      locate(times.length - 1),
      'grid-too-large',
      `the grid would have ${length} points at a ${formatDuration(stepMs)} step (limit ${MAX_GRID_POINTS}); is the step or the timestamp unit wrong?`,
    );
  }

  let merged = 0;
  for (let j = 1; j < times.length; j++) if (slot(times[j]) === slot(times[j - 1])) merged++;
  const slots = times.map(slot);
  let missing = 0;
  let filled = 0;
  const channels = input.channels.map((source) => {
    const values = averageIntoSlots(rows, slots, source, length);
    for (const v of values) if (Number.isNaN(v)) missing++;
    filled += fillGaps(values, opts.fill);
    return values;
  });

  return {
    start,
    stepMs,
    channels,
    report: {
      rows: input.times.length,
      stepMs,
      stepInferred: inferred,
      modalShare: share,
      duplicatesDropped,
      duplicateTimestamps,
      merged,
      longestGapMs,
      missing,
      filled,
    },
  };
}

/** One series' timestamps (ordered, distinct) and how to locate them, as evidence for a step. */
export interface StepEvidence {
  readonly times: ArrayLike<number>;
  readonly locate: (row: number) => ErrorLocation;
}

/**
 * The modal interval pooled over several series (a Prometheus response is many series sampled
 * at one query step), with the share of intervals it covers. Fails when there is no interval at
 * all or the share is below `minModalShare`.
 */
export function inferModalStep(
  series: readonly StepEvidence[],
  source: string,
  minModalShare: number = REGULARISE_DEFAULTS.minModalShare,
): { stepMs: number; share: number } {
  const fail = failIn(source);
  const counts = new Map<number, number>();
  let total = 0;
  for (const { times } of series) {
    for (let i = 1; i < times.length; i++) {
      const dt = times[i] - times[i - 1];
      if (dt <= 0) continue;
      counts.set(dt, (counts.get(dt) ?? 0) + 1);
      total++;
    }
  }
  if (total === 0) {
    const first = series.find((s) => s.times.length > 0);
    const at = first ? first.locate(0) : {};
    const rows = first ? first.times.length : 0;
    fail(
      at,
      'too-short',
      `only ${rows} distinct timestamp${rows === 1 ? '' : 's'}: at least 2 are needed to infer the step (or pass stepMs)`,
    );
  }
  let stepMs = 0;
  let best = 0;
  for (const [dt, n] of counts) {
    if (n > best || (n === best && dt < stepMs)) {
      stepMs = dt;
      best = n;
    }
  }
  const share = best / total;
  if (share < minModalShare) {
    const odd = firstIntervalNotEqualTo(series, stepMs);
    fail(
      odd.at,
      'mixed-steps',
      `steps are too irregular to regularise: the most common step (${formatDuration(stepMs)}) covers ` +
        `${formatPercent(share)} of ${total} intervals, at least ${formatPercent(minModalShare)} needed; ` +
        `this row comes ${formatDuration(odd.dt)} after the previous one (pass stepMs to force a grid)`,
    );
  }
  return { stepMs, share };
}

function firstIntervalNotEqualTo(series: readonly StepEvidence[], stepMs: number): { at: ErrorLocation; dt: number } {
  for (const { times, locate } of series) {
    for (let i = 1; i < times.length; i++) {
      const dt = times[i] - times[i - 1];
      if (dt > 0 && dt !== stepMs) return { at: locate(i), dt };
    }
  }
  return { at: {}, dt: stepMs }; // unreachable when the share is below 1
}

function shareOfStep(series: readonly StepEvidence[], stepMs: number): number {
  let total = 0;
  let hits = 0;
  for (const { times } of series) {
    for (let i = 1; i < times.length; i++) {
      const dt = times[i] - times[i - 1];
      if (dt <= 0) continue;
      total++;
      if (dt === stepMs) hits++;
    }
  }
  return total === 0 ? 1 : hits / total;
}

/** Row indices that survive the order and duplicate checks. */
function keepOrderedRows(
  input: RegulariseInput,
  policy: DuplicatePolicy,
  fail: Fail,
): { rows: number[]; duplicatesDropped: number; duplicateTimestamps: number } {
  const { times, channels, locate } = input;
  const rows: number[] = [];
  let duplicatesDropped = 0;
  let duplicateTimestamps = 0;
  for (let i = 0; i < times.length; i++) {
    if (i > 0 && times[i] < times[i - 1]) {
      fail(
        locate(i),
        'unsorted',
        `timestamp ${formatTime(times[i])} is earlier than the previous row's ${formatTime(times[i - 1])} (timestamps must increase)`,
      );
    }
    const repeated = i > 0 && times[i] === times[i - 1];
    if (repeated) duplicateTimestamps++;
    if (repeated && policy !== 'mean') {
      const kept = rows[rows.length - 1];
      if (policy === 'error' || policy === 'drop-identical') {
        const identical = channels.every((c) => Object.is(c[i], c[kept]) || c[i] === c[kept]);
        if (policy === 'error' || !identical) {
          const what = policy === 'error' ? '' : ' with different values';
          fail(
            locate(i),
            'duplicate',
            `duplicate timestamp ${formatTime(times[i])}${what} (also at ${describeLocation(locate(kept))}); duplicates: '${policy}'`,
          );
        }
      }
      if (policy === 'last') rows[rows.length - 1] = i;
      duplicatesDropped++;
      continue;
    }
    rows.push(i);
  }
  if (rows.length === 0) fail({}, 'no-data', 'no data rows');
  return { rows, duplicatesDropped, duplicateTimestamps };
}

function checkGaps(
  times: readonly number[],
  locate: (row: number) => ErrorLocation,
  opts: { maxGapMs: number; allowHugeGaps: boolean },
  fail: Fail,
): number {
  let longest = 0;
  for (let j = 1; j < times.length; j++) {
    const gap = times[j] - times[j - 1];
    if (gap > longest) longest = gap;
    if (gap > opts.maxGapMs && !opts.allowHugeGaps) {
      fail(
        locate(j),
        'huge-gap',
        `huge gap: ${formatDuration(gap)} since the previous row (limit ${formatDuration(opts.maxGapMs)}; pass allowHugeGaps: true or a larger maxGapMs to accept it)`,
      );
    }
  }
  return longest;
}

/** Mean of the non-NaN values landing on each slot; NaN where none did. */
function averageIntoSlots(
  rows: readonly number[],
  slots: readonly number[],
  source: ArrayLike<number>,
  length: number,
): Float32Array {
  const sums = new Float64Array(length);
  const counts = new Uint32Array(length);
  for (let j = 0; j < rows.length; j++) {
    const v = source[rows[j]];
    if (Number.isNaN(v)) continue;
    sums[slots[j]] += v;
    counts[slots[j]]++;
  }
  const values = new Float32Array(length);
  for (let k = 0; k < length; k++) values[k] = counts[k] === 0 ? Number.NaN : sums[k] / counts[k];
  return values;
}

function checkOptions(opts: { stepMs?: number; minModalShare: number; maxGapMs: number }): void {
  if (opts.stepMs !== undefined && !(Number.isFinite(opts.stepMs) && opts.stepMs > 0)) {
    throw new RangeError(`stepMs must be a positive number of milliseconds, got ${opts.stepMs}`);
  }
  if (!(opts.minModalShare > 0 && opts.minModalShare <= 1)) {
    throw new RangeError(`minModalShare must be in (0, 1], got ${opts.minModalShare}`);
  }
  if (!(opts.maxGapMs > 0)) throw new RangeError(`maxGapMs must be positive, got ${opts.maxGapMs}`);
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
