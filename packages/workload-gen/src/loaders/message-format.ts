// Wording shared by loader error messages: durations, times and places a person can read.
import { DAY_MS, HOUR_MS, MINUTE_MS } from '@tsfm/numerics';
import type { ErrorLocation } from './load-errors.js';

export function describeLocation(at: ErrorLocation): string {
  if (at.line !== undefined) return `line ${at.line}`;
  return at.field ?? 'an earlier row';
}

export function formatTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}

export function formatPercent(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}

/** `300 ms`, `45 s`, `5 min`, `2.5 h`, `9 d` — for messages only. */
export function formatDuration(ms: number): string {
  const units: [number, string][] = [
    [DAY_MS, ' d'],
    [HOUR_MS, ' h'],
    [MINUTE_MS, ' min'],
    [1000, ' s'],
  ];
  for (const [size, name] of units) {
    if (Math.abs(ms) >= size) return `${Math.round((ms / size) * 10) / 10}${name}`;
  }
  return `${ms} ms`;
}
