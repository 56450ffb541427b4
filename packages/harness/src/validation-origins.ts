/**
 * Where a request's validation windows sit (`options.validationPlacement`). A window with origin e
 * holds out values[e, e + h) and its forecasts condition on values[0, e) only.
 *
 *   tail                  W windows back to back at the end of the history: origins n − o·h, o = 1…W
 *   same-time             one window at the forecast's own time of day d days earlier, for each d in
 *                         `sameTimeDays`: origins n − d·p (p = stepsPerDay)
 *   tail+same-time        both (an origin listed twice is kept once)
 *
 * Why same-time: the tail windows of a request made at 09:00 are the night before it. A tenant
 * whose load ramps up in the morning then has the search pick a config that is good on a flat
 * night and wrong on the ramp (docs/results.md, M6: b2b-saas). Yesterday's and last week's 09:00
 * hours show the search the ramp.
 *
 * Leakage: every window's targets end at or before n (d·p ≥ h is required, else the day is
 * dropped), and every origin leaves at least minContextPoints of context before it. A same-time
 * day that the history or the horizon does not allow is dropped and named in `notes`; when no
 * same-time window is left, `same-time` falls back to the tail windows and says so.
 */
import { windowsFor } from './cold-start.js';

export const VALIDATION_PLACEMENTS = ['tail', 'same-time', 'tail+same-time'] as const;
export type ValidationPlacement = (typeof VALIDATION_PLACEMENTS)[number];

export interface ValidationOriginsInput {
  /** History length: the final forecast's origin. */
  readonly n: number;
  readonly horizon: number;
  readonly minContextPoints: number;
  /** Tail windows wanted (tail and tail+same-time). */
  readonly validationWindows: number;
  readonly placement: ValidationPlacement;
  /** Days back of the same-time windows. */
  readonly sameTimeDays: readonly number[];
  readonly stepsPerDay: number;
}

export interface ValidationOrigins {
  /** ends[0] = n, then the validation origins, latest first (the last is the earliest). */
  readonly ends: number[];
  /** The placement the windows actually follow (`tail` after a fallback). */
  readonly placement: ValidationPlacement;
  /** The same-time days used, in ascending order ([] for tail). */
  readonly sameTimeDays: readonly number[];
  /** Days dropped and fallbacks taken, in words. */
  readonly notes: readonly string[];
}

function tailOrigins(n: number, h: number, W: number): number[] {
  return Array.from({ length: W }, (_, o) => n - (o + 1) * h);
}

/** The origins of a request's validation windows, with what was dropped and why. */
export function validationOrigins(input: ValidationOriginsInput): ValidationOrigins {
  const { n, horizon: h, minContextPoints, placement, stepsPerDay: p } = input;
  const tailCount = windowsFor(n, h, minContextPoints, input.validationWindows);
  if (placement === 'tail')
    return { ends: [n, ...tailOrigins(n, h, tailCount)], placement, sameTimeDays: [], notes: [] };

  const days = [...new Set(input.sameTimeDays)].sort((a, b) => a - b);
  const kept: number[] = [];
  const dropped: string[] = [];
  for (const d of days) {
    const origin = n - d * p;
    if (d * p < h) dropped.push(`${d} day(s) back: the horizon (${h} steps) is longer than ${d}·${p} steps`);
    else if (origin < minContextPoints)
      dropped.push(`${d} day(s) back: needs ${d * p + minContextPoints} steps of history, has ${n}`);
    else kept.push(d);
  }
  const notes = dropped.map((why) => `same-time validation window dropped: ${why}`);
  if (kept.length === 0) {
    const fallback = `no same-time validation window fits this request; using ${tailCount} tail window(s) instead`;
    return {
      ends: [n, ...tailOrigins(n, h, tailCount)],
      placement: 'tail',
      sameTimeDays: [],
      notes: [...notes, fallback],
    };
  }
  const sameTime = kept.map((d) => n - d * p);
  const origins = placement === 'same-time' ? sameTime : [...tailOrigins(n, h, tailCount), ...sameTime];
  const ends = [n, ...[...new Set(origins)].sort((a, b) => b - a)];
  return { ends, placement, sameTimeDays: kept, notes };
}
