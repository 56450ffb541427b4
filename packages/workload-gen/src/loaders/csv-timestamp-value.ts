import { failIn, type Fail } from './load-errors.js';
import type { LoadedSeries, TimestampedLoadOptions } from './loaded-types.js';
import { parseNumericCell } from './numeric-cells.js';
import { regularise } from './regularise.js';
import { DEFAULT_SOURCE, readTextFile } from './text-input.js';
import {
  checkColumnCount,
  findTimeColumn,
  headedRecords,
  requireColumn,
  resolveTimestampFormat,
} from './csv-columns.js';
import { parseTimestampCell } from './timestamps.js';

/**
 * `timestamp,value` CSV, as in the Numenta Anomaly Benchmark: a header, then one row per sample.
 *
 * Columns: the time column is `timestampColumn`, else the first one named timestamp / time / ts /
 * date / datetime, else the first column of a two-column file; the value column is `valueColumn`,
 * else one named `value`, else the other column of a two-column file. Rows are regularised onto the
 * modal step (see `regularise`).
 *
 * A file needs at least two rows with distinct timestamps: the step is inferred from the data, and
 * a single row has no interval to infer it from (pass `stepMs` to load a one-row file).
 */
export interface TimestampValueCsvOptions extends TimestampedLoadOptions {
  readonly timestampColumn?: string;
  readonly valueColumn?: string;
}

export async function loadTimestampValueCsv(
  path: string,
  options: TimestampValueCsvOptions = {},
): Promise<LoadedSeries> {
  return parseTimestampValueCsv(await readTextFile(path), { source: path, ...options });
}

export function parseTimestampValueCsv(text: string, options: TimestampValueCsvOptions = {}): LoadedSeries {
  const source = options.source ?? DEFAULT_SOURCE;
  const fail = failIn(source);
  const { header, rows } = headedRecords(text, source, fail, '"timestamp,value"');
  const named = findTimeColumn(header.fields, options.timestampColumn, header.line, fail);
  const timeCol = named < 0 && header.fields.length === 2 ? 0 : named;
  if (timeCol < 0) {
    fail(
      { line: header.line },
      'missing-column',
      'no timestamp column (name one timestamp/time/date, or pass timestampColumn)',
    );
  }
  const valueCol = findValueColumn(header.fields, timeCol, options.valueColumn, header.line, fail);
  if (rows.length === 0) fail({ line: header.line }, 'no-data', 'the header is not followed by any data row');

  const format = resolveTimestampFormat(options.timestampFormat, rows[0].fields[timeCol] ?? '', rows[0].line, fail);
  const nonFinite = options.nonFinite ?? 'nan';
  const times = new Float64Array(rows.length);
  const values = new Float64Array(rows.length);
  for (const [i, { fields, line }] of rows.entries()) {
    checkColumnCount(header, fields, line, fail);
    times[i] = parseTimestampCell(fields[timeCol], format, { line }, fail);
    values[i] = parseNumericCell(fields[valueCol], nonFinite, { line }, fail);
  }

  const grid = regularise({ source, times, channels: [values], locate: (i) => ({ line: rows[i].line }) }, options);
  return { source, start: grid.start, stepMs: grid.stepMs, values: grid.channels[0], report: grid.report };
}

function findValueColumn(
  header: readonly string[],
  timeCol: number,
  requested: string | undefined,
  headerLine: number,
  fail: Fail,
): number {
  if (requested !== undefined) return requireColumn(header, requested, headerLine, fail);
  const named = header.findIndex((h) => h.trim().toLowerCase() === 'value');
  if (named >= 0) return named;
  if (header.length === 2) return 1 - timeCol;
  return fail(
    { line: headerLine },
    header.length < 2 ? 'column-count' : 'missing-column',
    header.length < 2
      ? `expected a timestamp and a value column, found ${header.length} column`
      : 'cannot tell which column holds the values (none is named "value"); pass valueColumn',
  );
}
