// Every bad input fails with a LoadError that names the file, the line or field, and the reason.
import { describe, expect, it } from 'vitest';
import {
  LoadError,
  joinM4TrainTest,
  parseM4Wide,
  parsePrometheusRange,
  parseTimestampValueCsv,
  parseWideCsv,
  type LoadErrorKind,
} from '../src/loaders/index.js';
import { FIVE_MIN, T0, nabCsv, nabTime, regularRows } from './loaders-fixtures.js';

interface BadInput {
  readonly name: string;
  readonly load: (file: string) => unknown;
  readonly kind: LoadErrorKind;
  readonly line?: number;
  readonly field?: string;
  /** A fragment the reason must contain, so the message says what is wrong. */
  readonly reason: string | RegExp;
}

const nab =
  (text: string, options = {}) =>
  (file: string) =>
    parseTimestampValueCsv(text, { source: file, ...options });
const prom =
  (json: unknown, options = {}) =>
  (file: string) =>
    parsePrometheusRange(JSON.stringify(json), { source: file, ...options });
const wide =
  (text: string, options = {}) =>
  (file: string) =>
    parseWideCsv(text, { source: file, ...options });
const m4 = (text: string) => (file: string) => parseM4Wide(text, { source: file, frequency: 'Hourly' });

const promSeries = (values: [number, string][], metric: Record<string, string> = { __name__: 'cpu' }) => ({
  status: 'success',
  data: { resultType: 'matrix', result: [{ metric, values }] },
});
const promValues = (n: number, at = (i: number) => 1_400_000_000 + 60 * i): [number, string][] =>
  Array.from({ length: n }, (_, i) => [at(i), String(i)]);

const BAD_INPUTS: BadInput[] = [
  { name: 'empty file', load: nab(''), kind: 'empty-file', line: 1, reason: 'empty' },
  {
    name: 'empty file (only a BOM and blank lines)',
    load: nab('\uFEFF\n\r\n'),
    kind: 'empty-file',
    line: 1,
    reason: 'empty',
  },
  {
    name: 'no header',
    load: nab(`${nabTime(T0)},1\n${nabTime(T0 + FIVE_MIN)},2\n`),
    kind: 'no-header',
    line: 1,
    reason: 'looks like data',
  },
  {
    name: 'header only',
    load: nab('timestamp,value\n'),
    kind: 'no-data',
    line: 1,
    reason: 'not followed by any data row',
  },
  {
    name: 'one data row: too short to infer a step',
    load: nab(nabCsv(regularRows(1))),
    kind: 'too-short',
    line: 2,
    reason: 'at least 2 are needed to infer the step',
  },
  {
    name: 'non-numeric value',
    load: nab(nabCsv([...regularRows(3), [T0 + 3 * FIVE_MIN, 'abc']])),
    kind: 'not-a-number',
    line: 5,
    reason: 'value "abc" is not a number',
  },
  {
    name: 'a number with a decimal comma',
    load: nab(`timestamp,value\n${nabTime(T0)},"1,5"\n`),
    kind: 'not-a-number',
    line: 2,
    reason: 'value "1,5" is not a number',
  },
  {
    name: 'unsorted timestamps',
    load: nab(
      nabCsv([
        [T0, 0],
        [T0 + 2 * FIVE_MIN, 2],
        [T0 + FIVE_MIN, 1],
      ]),
    ),
    kind: 'unsorted',
    line: 4,
    reason: 'is earlier than the previous row',
  },
  {
    name: 'duplicate timestamps with different values',
    load: nab(
      nabCsv([
        [T0, 0],
        [T0 + FIVE_MIN, 1],
        [T0 + FIVE_MIN, 7],
      ]),
    ),
    kind: 'duplicate',
    line: 4,
    reason: 'with different values (also at line 3)',
  },
  {
    name: 'any duplicate timestamp under duplicates: "error"',
    load: nab(
      nabCsv([
        [T0, 0],
        [T0 + FIVE_MIN, 1],
        [T0 + FIVE_MIN, 1],
      ]),
      { duplicates: 'error' },
    ),
    kind: 'duplicate',
    line: 4,
    reason: 'duplicate timestamp 2014-02-14T14:35:00.000Z',
  },
  {
    name: 'mixed steps: no step covers half the intervals',
    load: nab(nabCsv([0, 60, 180, 420, 720, 1320].map((s, i) => [T0 + s * 1000, i] as [number, number]))),
    kind: 'mixed-steps',
    line: 4,
    reason: /most common step \(1 min\) covers 20% of 5 intervals/,
  },
  {
    name: 'NaN literal under nonFinite: "error"',
    load: nab(nabCsv([...regularRows(2), [T0 + 2 * FIVE_MIN, 'NaN']]), { nonFinite: 'error' }),
    kind: 'non-finite',
    line: 4,
    reason: 'value "NaN" is not a finite number',
  },
  {
    name: 'Inf literal under nonFinite: "error"',
    load: nab(nabCsv([...regularRows(2), [T0 + 2 * FIVE_MIN, '-Infinity']]), { nonFinite: 'error' }),
    kind: 'non-finite',
    line: 4,
    reason: 'value "-Infinity" is not a finite number',
  },
  {
    name: 'huge gap',
    load: nab(nabCsv([...regularRows(3), [T0 + 30 * 86_400_000, 9]])),
    kind: 'huge-gap',
    line: 5,
    reason: 'huge gap: 30 d since the previous row (limit 7 d',
  },
  {
    name: 'unparseable timestamp',
    load: nab(`timestamp,value\n${nabTime(T0)},1\n2014-02-30 00:00:00,2\n`),
    kind: 'bad-timestamp',
    line: 3,
    reason: 'timestamp "2014-02-30 00:00:00" is not a valid date-time',
  },
  {
    name: 'a timestamp in another format than the first row',
    load: nab(`timestamp,value\n${nabTime(T0)},1\n${T0 + FIVE_MIN},2\n`),
    kind: 'bad-timestamp',
    line: 3,
    reason: 'is not a valid date-time',
  },
  {
    name: 'extra cell in a timestamp,value row',
    load: nab(`timestamp,value\n${nabTime(T0)},1,2\n`),
    kind: 'column-count',
    line: 2,
    reason: 'expected 2 columns as in the header, found 3',
  },
  {
    name: 'unterminated quote',
    load: nab(`timestamp,value\n${nabTime(T0)},"1\n${nabTime(T0 + FIVE_MIN)},2\n`),
    kind: 'bad-csv',
    line: 2,
    reason: 'never closed',
  },
  {
    name: 'wrong column count in a wide CSV',
    load: wide(`timestamp,cpu,mem\n${nabTime(T0)},1,2\n${nabTime(T0 + FIVE_MIN)},1\n`),
    kind: 'column-count',
    line: 3,
    reason: 'expected 3 columns as in the header, found 2',
  },
  {
    name: 'wide CSV without timestamps and without a step',
    load: wide('cpu,mem\n1,2\n3,4\n'),
    kind: 'missing-step',
    field: 'stepMs',
    reason: 'no timestamp column',
  },
  {
    name: 'wide CSV with a duplicated column name',
    load: wide('cpu,cpu\n1,2\n', { stepMs: 60_000 }),
    kind: 'bad-header',
    line: 1,
    reason: 'column "cpu" appears twice',
  },
  {
    name: 'non-numeric cell in a wide CSV names the column',
    load: wide('cpu,mem\n1,2\n3,x\n', { stepMs: 60_000 }),
    kind: 'not-a-number',
    line: 3,
    field: 'mem',
    reason: 'value "x" is not a number',
  },
  {
    name: 'M4 row wider than the header',
    load: m4('"V1","V2"\n"H1","1","2"\n'),
    kind: 'column-count',
    line: 2,
    reason: 'more than the 2 columns',
  },
  {
    name: 'M4 file without a header',
    load: m4('"H1","1","2"\n'),
    kind: 'no-header',
    line: 1,
    reason: 'looks like data ("1")',
  },
  {
    name: 'M4 value that is not a number',
    load: m4('"V1","V2","V3"\n"H1","1","2"\n"H2","3","x"\n'),
    kind: 'not-a-number',
    line: 3,
    field: 'V3',
    reason: 'value "x"',
  },
  {
    name: 'M4 hole inside a series',
    load: m4('"V1","V2","V3","V4"\n"H1","1","","3"\n'),
    kind: 'non-finite',
    line: 2,
    field: 'V3',
    reason: 'empty cell inside the series',
  },
  {
    name: 'M4 series without values',
    load: m4('"V1","V2"\n"H1",""\n'),
    kind: 'too-short',
    line: 2,
    reason: 'series "H1" has no values',
  },
  {
    name: 'M4 train and test ids that differ',
    load: (file) =>
      joinM4TrainTest(
        parseM4Wide('"V1","V2"\n"H1","1"\n', { frequency: 'Hourly' }),
        parseM4Wide('"V1","V2"\n"H2","1"\n', { frequency: 'Hourly' }),
        file,
      ),
    kind: 'mismatched-ids',
    field: 'H2',
    reason: 'not in the train file',
  },
  {
    name: 'not JSON',
    load: (file) => parsePrometheusRange('{"status": "success",\n "data": }', { source: file }),
    kind: 'bad-json',
    line: 2,
    reason: 'not valid JSON',
  },
  {
    name: 'Prometheus: wrong JSON shape',
    load: prom({
      status: 'success',
      data: { resultType: 'matrix', result: [{ metric: {}, values: [[1_400_000_000, 5]] }] },
    }),
    kind: 'bad-shape',
    field: 'data.result[0].values[0][1]',
    reason: 'expected string',
  },
  {
    name: 'Prometheus: not an API response at all',
    load: prom([1, 2, 3]),
    kind: 'bad-shape',
    field: '(root)',
    reason: 'not a Prometheus API response',
  },
  {
    name: 'Prometheus: resultType vector',
    load: prom({ status: 'success', data: { resultType: 'vector', result: [] } }),
    kind: 'wrong-result-type',
    field: 'data.resultType',
    reason: 'resultType is "vector", expected "matrix"',
  },
  {
    name: 'Prometheus: status "error"',
    load: prom({ status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error' }),
    kind: 'query-failed',
    field: 'status',
    reason: 'the query failed: bad_data: invalid parameter',
  },
  {
    name: 'Prometheus: value string that is not a number',
    load: prom(promSeries([...promValues(3), [1_400_000_180, 'lots']])),
    kind: 'not-a-number',
    field: 'data.result[0].values[3][1]',
    reason: 'value "lots" is not a number',
  },
  {
    name: 'Prometheus: +Inf under nonFinite: "error"',
    load: prom(promSeries([...promValues(3), [1_400_000_180, '+Inf']]), { nonFinite: 'error' }),
    kind: 'non-finite',
    field: 'data.result[0].values[3][1]',
    reason: 'value "+Inf" is not a finite number',
  },
  {
    name: 'Prometheus: unsorted samples',
    load: prom(promSeries(promValues(4, (i) => 1_400_000_000 + 60 * [0, 1, 3, 2][i]))),
    kind: 'unsorted',
    field: 'data.result[0].values[3]',
    reason: 'is earlier than the previous row',
  },
  {
    name: 'Prometheus: huge gap',
    load: prom(promSeries(promValues(4, (i) => 1_400_000_000 + 60 * i + (i === 3 ? 8 * 86_400 : 0)))),
    kind: 'huge-gap',
    field: 'data.result[0].values[3]',
    reason: 'huge gap',
  },
  {
    name: 'Prometheus: only single samples, so no step',
    load: prom(promSeries(promValues(1))),
    kind: 'too-short',
    field: 'data.result[0].values[0]',
    reason: 'at least 2 are needed to infer the step',
  },
];

describe('bad inputs fail with file, line or field, and reason', () => {
  it('covers at least 12 distinct kinds of bad input', () => {
    expect(new Set(BAD_INPUTS.map((b) => b.kind)).size).toBeGreaterThanOrEqual(12);
  });

  it.each(BAD_INPUTS.map((b) => [b.name, b] as const))('%s', (_name, bad) => {
    const file = 'bad-input.csv';
    let caught: unknown;
    try {
      bad.load(file);
    } catch (err) {
      caught = err;
    }
    expect(caught, 'expected a LoadError').toBeInstanceOf(LoadError);
    const err = caught as LoadError;
    expect({ kind: err.kind, file: err.file, line: err.line, field: err.field }).toEqual({
      kind: bad.kind,
      file,
      line: bad.line,
      field: bad.field,
    });
    if (typeof bad.reason === 'string') expect(err.reason).toContain(bad.reason);
    else expect(err.reason).toMatch(bad.reason);
    // The message leads with where the problem is, in `file:line:` / `file: field:` form.
    const where = bad.line === undefined ? `${file}: ` : `${file}:${bad.line}: `;
    expect(err.message.startsWith(bad.field === undefined ? where : `${where}${bad.field}: `)).toBe(true);
    expect(err.message.endsWith(err.reason)).toBe(true);
  });
});
