import type { ErrorLocation, Fail } from './load-errors.js';

/**
 * How a timestamp column is written.
 * - `'datetime'`: `YYYY-MM-DD HH:MM:SS` (NAB) or ISO 8601 (`T` separator, optional seconds,
 *   fraction and `Z` / `±HH:MM` offset, or a bare date). A timestamp without an offset is UTC:
 *   cloud exporters write UTC, and reading it as local time would make results depend on the
 *   machine's time zone (and invent DST gaps).
 * - `'epoch-s'` / `'epoch-ms'`: Unix time as a number.
 * - `'auto'` (default): decided once per file from the first data row; numbers of magnitude
 *   ≥ 1e11 are milliseconds (1e11 s is the year 5138, 1e11 ms is 1973), smaller ones seconds.
 */
export type TimestampFormat = 'datetime' | 'epoch-s' | 'epoch-ms';

const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const EPOCH = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const EPOCH_MS_THRESHOLD = 1e11;

/** The format of one timestamp cell, or undefined when it is not a timestamp in any format. */
export function detectTimestampFormat(raw: string): TimestampFormat | undefined {
  const text = raw.trim();
  if (EPOCH.test(text)) {
    const n = Number(text);
    if (!Number.isFinite(n)) return undefined;
    return Math.abs(n) >= EPOCH_MS_THRESHOLD ? 'epoch-ms' : 'epoch-s';
  }
  return Number.isNaN(parseDatetime(text)) ? undefined : 'datetime';
}

/** Parses one timestamp in a known format to epoch milliseconds, failing with a located error. */
export function parseTimestampCell(raw: string, format: TimestampFormat, at: ErrorLocation, fail: Fail): number {
  const text = raw.trim();
  let ms = Number.NaN;
  if (format === 'datetime') ms = parseDatetime(text);
  else if (EPOCH.test(text)) ms = format === 'epoch-s' ? Math.round(Number(text) * 1000) : Math.round(Number(text));
  if (!Number.isFinite(ms)) {
    fail(at, 'bad-timestamp', `timestamp "${raw}" is not a valid ${describeFormat(format)}`);
  }
  return ms;
}

function describeFormat(format: TimestampFormat): string {
  if (format === 'datetime') return 'date-time (YYYY-MM-DD HH:MM:SS or ISO 8601, as in the first row)';
  return format === 'epoch-s'
    ? 'Unix time in seconds (as in the first row)'
    : 'Unix time in milliseconds (as in the first row)';
}

/** Epoch ms of a `YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z|±HH[:MM]]` string, NaN when invalid. */
function parseDatetime(text: string): number {
  const m = DATETIME.exec(text);
  if (m === null) return Number.NaN;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(sec);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN;
  if (hour > 23 || minute > 59 || second > 59) return Number.NaN;
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number(frac.slice(0, 3).padEnd(3, '0')));
  return date.getTime() - zoneOffsetMs(zone);
}

function zoneOffsetMs(zone: string): number {
  if (zone.toUpperCase() === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
