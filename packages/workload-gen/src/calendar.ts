/**
 * Calendar arithmetic on epoch milliseconds, in a tenant's local time (UTC + a fixed offset).
 *
 * The weekday comes from the real date of each timestamp — never from "day index mod 7"
 * counted from the start of the series, the defect of the original generator that put the
 * weekend of a Wednesday-start fleet on Monday and Tuesday.
 */
import { DAY_MS, MINUTE_MS } from '@tsfm/numerics';

/** 1970-01-01 was a Thursday; with Sunday = 0 that is weekday 4. */
const EPOCH_WEEKDAY = 4;

export const SUNDAY = 0;
export const SATURDAY = 6;

/** Local time in ms for a UTC timestamp and a fixed offset (minutes east of UTC). */
export function localMs(utcMs: number, utcOffsetMinutes: number): number {
  return utcMs + utcOffsetMinutes * MINUTE_MS;
}

/** Day of week of a local timestamp, 0 = Sunday … 6 = Saturday (as Date#getUTCDay). */
export function weekdayOf(localTimeMs: number): number {
  const day = Math.floor(localTimeMs / DAY_MS);
  return (((day + EPOCH_WEEKDAY) % 7) + 7) % 7;
}

export function isWeekend(weekday: number): boolean {
  return weekday === SATURDAY || weekday === SUNDAY;
}

/** Milliseconds since local midnight, in [0, DAY_MS). */
export function msOfDay(localTimeMs: number): number {
  return localTimeMs - Math.floor(localTimeMs / DAY_MS) * DAY_MS;
}

/** Parse `YYYY-MM-DD` or a full ISO-8601 timestamp as UTC epoch ms; throws on anything else. */
export function parseUtcStart(text: string): number {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const ms = Date.parse(dateOnly ? `${text}T00:00:00Z` : text);
  if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
    throw new RangeError(`not a date: "${text}" (expected YYYY-MM-DD or an ISO-8601 timestamp)`);
  }
  if (dateOnly && new Date(ms).toISOString().slice(0, 10) !== text) {
    throw new RangeError(`not a real calendar date: "${text}"`);
  }
  return ms;
}
