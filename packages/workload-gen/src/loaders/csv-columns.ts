import { parseCsvRecords, type CsvRecord } from './csv-records.js';
import type { Fail } from './load-errors.js';
import { isBlank, stripBom } from './text-input.js';
import { detectTimestampFormat, type TimestampFormat } from './timestamps.js';

/** Header names taken to be the time column when the caller does not name one. */
const TIME_COLUMN_NAMES = ['timestamp', 'time', 'ts', 'datetime', 'date', 'time_stamp'];

/** Index of the time column: the named one, else the first conventionally named one, else -1. */
export function findTimeColumn(
  header: readonly string[],
  requested: string | undefined,
  headerLine: number,
  fail: Fail,
): number {
  if (requested !== undefined) return requireColumn(header, requested, headerLine, fail);
  const names = header.map((h) => h.trim().toLowerCase());
  return names.findIndex((h) => TIME_COLUMN_NAMES.includes(h));
}

export function requireColumn(header: readonly string[], name: string, headerLine: number, fail: Fail): number {
  const index = header.findIndex((h) => h.trim() === name);
  if (index < 0) {
    fail(
      { line: headerLine },
      'missing-column',
      `no column "${name}" in the header (columns: ${header.map((h) => `"${h.trim()}"`).join(', ')})`,
    );
  }
  return index;
}

/**
 * A header row is refused when any cell reads as a number or a timestamp: the file then starts
 * with data and its first row would silently be lost, or its column names be numbers.
 */
/**
 * A header-first CSV file's records after the checks every such loader makes first: the file is
 * not empty, and its first record is a header, not data (`expected` shows what one looks like).
 */
export function headedRecords(
  text: string,
  source: string,
  fail: Fail,
  expected: string,
): { readonly header: CsvRecord; readonly rows: CsvRecord[] } {
  if (isBlank(stripBom(text))) fail({ line: 1 }, 'empty-file', 'the file is empty');
  const [header, ...rows] = parseCsvRecords(text, source);
  checkIsHeader(header.fields, header.line, fail, expected);
  return { header, rows };
}

/** A data row has as many fields as the header. */
export function checkColumnCount(header: CsvRecord, fields: readonly string[], line: number, fail: Fail): void {
  if (fields.length !== header.fields.length) {
    fail({ line }, 'column-count', `expected ${header.fields.length} columns as in the header, found ${fields.length}`);
  }
}

export function checkIsHeader(header: readonly string[], line: number, fail: Fail, expected: string): void {
  const dataLike = header.find((h) => h.trim() !== '' && detectTimestampFormat(h) !== undefined);
  if (dataLike !== undefined) {
    fail(
      { line },
      'no-header',
      `the first line looks like data ("${dataLike.trim()}"), not a header; expected a header such as ${expected}`,
    );
  }
  const seen = new Set<string>();
  for (const [i, raw] of header.entries()) {
    const name = raw.trim();
    if (name === '') fail({ line }, 'bad-header', `column ${i + 1} of the header has no name`);
    if (seen.has(name)) fail({ line }, 'bad-header', `column "${name}" appears twice in the header`);
    seen.add(name);
  }
}

/** The timestamp format for a file: the caller's, or the one the first data row is written in. */
export function resolveTimestampFormat(
  requested: TimestampFormat | 'auto' | undefined,
  firstCell: string,
  line: number,
  fail: Fail,
): TimestampFormat {
  if (requested !== undefined && requested !== 'auto') return requested;
  const format = detectTimestampFormat(firstCell);
  if (format === undefined) {
    fail(
      { line },
      'bad-timestamp',
      `timestamp "${firstCell}" is not a date-time (YYYY-MM-DD HH:MM:SS, ISO 8601) or Unix time`,
    );
  }
  return format;
}
