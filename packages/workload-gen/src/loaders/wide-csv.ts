import { basename, extname } from 'node:path';
import { failIn, type Fail } from './load-errors.js';
import type { LoadedTenant, TimestampedLoadOptions } from './loaded-types.js';
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
 * Wide multi-column CSV (cluster-trace style): a header of metric columns, one row per time step,
 * loaded as one tenant with every metric on a shared grid.
 *
 * Time comes from a timestamp column when there is one (`timestampColumn`, else a column named
 * timestamp / time / ts / date / datetime), and the rows are then regularised like any other
 * trace. Without one, rows are consecutive points of an implicit grid: `start` (default 0) and a
 * `stepMs` the caller must give, because nothing in the file says how far apart the rows are.
 */
export interface WideCsvOptions extends TimestampedLoadOptions {
  /** Tenant id; default: the file name without its extension. */
  readonly id?: string;
  /** The time column; `null` = the file has none (an implicit grid), even if a column is named "time". */
  readonly timestampColumn?: string | null;
  /** First point of an implicit grid (epoch ms). Default 0. Ignored with a timestamp column. */
  readonly start?: number;
  /** Metric name → column name: load only these columns, under these names. Default: every
   * non-time column under its header name. */
  readonly metrics?: Readonly<Record<string, string>>;
}

export async function loadWideCsv(path: string, options: WideCsvOptions = {}): Promise<LoadedTenant> {
  return parseWideCsv(await readTextFile(path), { source: path, ...options });
}

export function parseWideCsv(text: string, options: WideCsvOptions = {}): LoadedTenant {
  const source = options.source ?? DEFAULT_SOURCE;
  const fail = failIn(source);
  const { header, rows } = headedRecords(text, source, fail, '"timestamp,cpu,mem"');
  const timeCol =
    options.timestampColumn === null ? -1 : findTimeColumn(header.fields, options.timestampColumn, header.line, fail);
  const columns = selectMetricColumns(header.fields, timeCol, options.metrics, header.line, fail);
  if (columns.length === 0) fail({ line: header.line }, 'missing-column', 'no metric columns besides the timestamp');
  if (rows.length === 0) fail({ line: header.line }, 'no-data', 'the header is not followed by any data row');
  if (timeCol < 0 && options.stepMs === undefined) {
    fail(
      { field: 'stepMs' },
      'missing-step',
      'the file has no timestamp column, so the step between rows must be given (stepMs)',
    );
  }

  const format =
    timeCol < 0
      ? undefined
      : resolveTimestampFormat(options.timestampFormat, rows[0].fields[timeCol] ?? '', rows[0].line, fail);
  const nonFinite = options.nonFinite ?? 'nan';
  const implicitStart = options.start ?? 0;
  const times = new Float64Array(rows.length);
  const channels = columns.map(() => new Float64Array(rows.length));
  for (const [i, { fields, line }] of rows.entries()) {
    checkColumnCount(header, fields, line, fail);
    times[i] =
      format === undefined
        ? implicitStart + i * (options.stepMs ?? 0)
        : parseTimestampCell(fields[timeCol], format, { line }, fail);
    for (const [c, { index, column }] of columns.entries()) {
      channels[c][i] = parseNumericCell(fields[index], nonFinite, { line, field: column }, fail);
    }
  }

  // An implicit grid has no gaps to guard against, and its step may legitimately exceed maxGapMs.
  const gridOptions = timeCol < 0 ? { ...options, allowHugeGaps: true } : options;
  const grid = regularise({ source, times, channels, locate: (i) => ({ line: rows[i].line }) }, gridOptions);
  const metrics = Object.fromEntries(columns.map(({ metric }, c) => [metric, grid.channels[c]]));
  return {
    id: options.id ?? tenantIdFromSource(source),
    source,
    start: grid.start,
    stepMs: grid.stepMs,
    metrics,
    report: grid.report,
  };
}

interface MetricColumn {
  readonly metric: string;
  readonly column: string;
  readonly index: number;
}

function selectMetricColumns(
  header: readonly string[],
  timeCol: number,
  requested: Readonly<Record<string, string>> | undefined,
  headerLine: number,
  fail: Fail,
): MetricColumn[] {
  if (requested !== undefined) {
    return Object.entries(requested).map(([metric, column]) => ({
      metric,
      column,
      index: requireColumn(header, column, headerLine, fail),
    }));
  }
  return header.flatMap((raw, index) => (index === timeCol ? [] : [{ metric: raw.trim(), column: raw.trim(), index }]));
}

function tenantIdFromSource(source: string): string {
  const name = basename(source);
  return name.slice(0, name.length - extname(name).length) || name;
}
