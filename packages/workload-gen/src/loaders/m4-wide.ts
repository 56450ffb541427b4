import { DAY_MS, HOUR_MS } from '@tsfm/numerics';
import { basename } from 'node:path';
import { type Series } from '../series.js';
import { parseCsvRecords } from './csv-records.js';
import { failIn, type Fail } from './load-errors.js';
import { parseNumericCell, type NonFinitePolicy } from './numeric-cells.js';
import { DEFAULT_SOURCE, isBlank, readTextFile, stripBom } from './text-input.js';
import { detectTimestampFormat } from './timestamps.js';

/**
 * M4 competition files (Makridakis et al. 2020): a header `"V1","V2",…`, then one row per series —
 * the id, then its values; rows are ragged (trailing cells empty). `*-train.csv` holds the history,
 * `*-test.csv` the official horizon.
 *
 * M4 has no timestamps, so every series gets a SYNTHETIC grid: `start` 0 (1970-01-01T00:00Z) and
 * the frequency's nominal step ({@link M4_FREQUENCIES}); the test part continues the train grid.
 * The grid only orders the points — do not read calendar effects (weekday, month) from it. For
 * Monthly / Quarterly / Yearly the step is a nominal 30 / 91 / 365 days.
 */
export const M4_FREQUENCIES = {
  Hourly: { stepMs: HOUR_MS, seasonality: 24, horizon: 48 },
  Daily: { stepMs: DAY_MS, seasonality: 1, horizon: 14 },
  Weekly: { stepMs: 7 * DAY_MS, seasonality: 1, horizon: 13 },
  Monthly: { stepMs: 30 * DAY_MS, seasonality: 12, horizon: 18 },
  Quarterly: { stepMs: 91 * DAY_MS, seasonality: 4, horizon: 8 },
  Yearly: { stepMs: 365 * DAY_MS, seasonality: 1, horizon: 6 },
} as const;

export type M4Frequency = keyof typeof M4_FREQUENCIES;

/** One M4 series on its synthetic grid. */
export interface M4Series extends Series {
  readonly id: string;
}

/** One M4 series split as in the competition. `test.start` is where `train` ends. */
export interface M4TrainTest {
  readonly id: string;
  readonly train: M4Series;
  readonly test: M4Series;
}

export interface M4Options {
  /** Name for errors; the path for the `load*` functions. */
  readonly source?: string;
  /** Decides the synthetic step; default: from the file name (`Hourly-train.csv` → Hourly). */
  readonly frequency?: M4Frequency;
  /** Overrides the frequency's nominal step. */
  readonly stepMs?: number;
  /** M4 has no missing values; `'error'` by default so a corrupted copy is noticed. */
  readonly nonFinite?: NonFinitePolicy;
}

export async function loadM4Wide(path: string, options: M4Options = {}): Promise<M4Series[]> {
  return parseM4Wide(await readTextFile(path), { source: path, ...options });
}

/** Loads a train file and its horizon companion and pairs the series by id. */
export async function loadM4TrainTest(
  trainPath: string,
  testPath: string,
  options: Omit<M4Options, 'source'> = {},
): Promise<M4TrainTest[]> {
  const [train, test] = await Promise.all([loadM4Wide(trainPath, options), loadM4Wide(testPath, options)]);
  return joinM4TrainTest(train, test, testPath);
}

export function parseM4Wide(text: string, options: M4Options = {}): M4Series[] {
  const source = options.source ?? DEFAULT_SOURCE;
  const fail = failIn(source);
  const stepMs = resolveStep(source, options, fail);
  if (isBlank(stripBom(text))) fail({ line: 1 }, 'empty-file', 'the file is empty');

  const [header, ...rows] = parseCsvRecords(text, source);
  const dataLike = header.fields.find((h) => detectTimestampFormat(h) !== undefined);
  if (dataLike !== undefined) {
    fail(
      { line: header.line },
      'no-header',
      `the first line looks like data ("${dataLike}"), not a header; expected "V1","V2",…`,
    );
  }
  if (header.fields.length < 2)
    fail({ line: header.line }, 'column-count', 'expected an id column and at least one value column');
  if (rows.length === 0) fail({ line: header.line }, 'no-data', 'the header is not followed by any series');

  const nonFinite = options.nonFinite ?? 'error';
  const seen = new Map<string, number>();
  return rows.map(({ fields, line }) => {
    if (fields.length > header.fields.length) {
      fail(
        { line },
        'column-count',
        `found ${fields.length} cells, more than the ${header.fields.length} columns of the header`,
      );
    }
    const id = fields[0].trim();
    if (id === '') fail({ line, field: header.fields[0] }, 'bad-header', 'the series has no id');
    const earlier = seen.get(id);
    if (earlier !== undefined) fail({ line }, 'duplicate', `series id "${id}" already used on line ${earlier}`);
    seen.set(id, line);
    return { id, start: 0, stepMs, values: parseRaggedValues(fields, header.fields, line, nonFinite, fail) };
  });
}

/** Values of one row: cells after the id up to the last non-empty one. */
function parseRaggedValues(
  fields: readonly string[],
  header: readonly string[],
  line: number,
  nonFinite: NonFinitePolicy,
  fail: Fail,
): Float32Array {
  let end = fields.length;
  while (end > 1 && fields[end - 1].trim() === '') end--;
  if (end === 1) fail({ line }, 'too-short', `series "${fields[0].trim()}" has no values`);
  const values = new Float32Array(end - 1);
  for (let c = 1; c < end; c++) {
    const at = { line, field: header[c] ?? `column ${c + 1}` };
    // An empty cell before the last value is a hole, not the ragged end: refuse it rather than
    // shift the rest of the series by one step.
    if (fields[c].trim() === '' && nonFinite === 'error')
      fail(at, 'non-finite', 'empty cell inside the series (only trailing cells may be empty)');
    values[c - 1] = parseNumericCell(fields[c], nonFinite, at, fail);
  }
  return values;
}

/** Pairs train and test series by id; both files must hold the same ids. */
export function joinM4TrainTest(
  train: readonly M4Series[],
  test: readonly M4Series[],
  testSource = DEFAULT_SOURCE,
): M4TrainTest[] {
  const fail = failIn(testSource);
  const testById = new Map(test.map((s) => [s.id, s]));
  const trainIds = new Set(train.map((s) => s.id));
  const stray = test.find((s) => !trainIds.has(s.id));
  if (stray) fail({ field: stray.id }, 'mismatched-ids', `series "${stray.id}" is not in the train file`);
  return train.map((series) => {
    const horizon = testById.get(series.id);
    if (horizon === undefined)
      return fail({ field: series.id }, 'mismatched-ids', `series "${series.id}" of the train file has no test row`);
    // The test part continues the train part's grid.
    return {
      id: series.id,
      train: series,
      test: { ...horizon, start: series.start + series.values.length * series.stepMs },
    };
  });
}

function resolveStep(source: string, options: M4Options, fail: Fail): number {
  if (options.stepMs !== undefined) return options.stepMs;
  const frequency = options.frequency ?? frequencyFromFileName(source);
  if (frequency === undefined) {
    return fail(
      { field: 'frequency' },
      'missing-step',
      'cannot tell the M4 frequency from the file name; pass frequency or stepMs',
    );
  }
  return M4_FREQUENCIES[frequency].stepMs;
}

/** `Hourly-train.csv`, `hourly_test.csv` → Hourly. */
export function frequencyFromFileName(path: string): M4Frequency | undefined {
  const name = basename(path).toLowerCase();
  return (Object.keys(M4_FREQUENCIES) as M4Frequency[]).find((f) => name.startsWith(f.toLowerCase()));
}
