import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LoadError, loadTimestampValueCsv, parseTimestampValueCsv } from '../src/loaders/index.js';
import { FIVE_MIN, T0, nabCsv, nabTime, regularRows } from './loaders-fixtures.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const values = (s: { values: Float32Array }) => Array.from(s.values);

describe('timestamp,value CSV: valid variants', () => {
  it('loads a regular file onto its 5-minute grid, timestamps read as UTC', () => {
    const s = parseTimestampValueCsv(nabCsv(regularRows(4)));
    expect(s.start).toBe(T0);
    expect(s.stepMs).toBe(FIVE_MIN);
    expect(values(s)).toEqual([0, 1, 2, 3]);
    expect(s.report).toMatchObject({ rows: 4, stepInferred: true, modalShare: 1, missing: 0 });
  });

  it('loads a file with a UTF-8 BOM', () => {
    const s = parseTimestampValueCsv('\uFEFF' + nabCsv(regularRows(3)));
    expect(values(s)).toEqual([0, 1, 2]);
  });

  it('loads CRLF line endings and reports the same lines as LF', () => {
    const s = parseTimestampValueCsv(nabCsv(regularRows(3), '\r\n'));
    expect(values(s)).toEqual([0, 1, 2]);
    const bad = nabCsv([...regularRows(2), [T0 + 2 * FIVE_MIN, 'abc']], '\r\n');
    expect(() => parseTimestampValueCsv(bad)).toThrow(expect.objectContaining({ line: 4 }));
  });

  it('loads quoted fields, including a quoted header', () => {
    const text = `"timestamp","value"\n"${nabTime(T0)}","1.5"\n"${nabTime(T0 + FIVE_MIN)}","2.5"\n`;
    expect(values(parseTimestampValueCsv(text))).toEqual([1.5, 2.5]);
  });

  it('loads a file with or without a trailing newline, and with trailing blank lines', () => {
    const text = nabCsv(regularRows(3));
    for (const variant of [text, text.trimEnd(), text + '\n\n']) {
      expect(values(parseTimestampValueCsv(variant))).toEqual([0, 1, 2]);
    }
  });

  it('accepts ISO 8601 timestamps with a zone offset', () => {
    const text = 'timestamp,value\n2014-02-14T15:30:00+01:00,1\n2014-02-14T14:35:00Z,2\n2014-02-14T14:40:00.000,3\n';
    const s = parseTimestampValueCsv(text);
    expect([s.start, s.stepMs]).toEqual([T0, FIVE_MIN]);
    expect(values(s)).toEqual([1, 2, 3]);
  });

  it('accepts epoch seconds and epoch milliseconds, told apart by magnitude', () => {
    const secs = `timestamp,value\n${T0 / 1000},1\n${(T0 + FIVE_MIN) / 1000},2\n`;
    const millis = `timestamp,value\n${T0},1\n${T0 + FIVE_MIN},2\n`;
    for (const text of [secs, millis]) {
      const s = parseTimestampValueCsv(text);
      expect([s.start, s.stepMs]).toEqual([T0, FIVE_MIN]);
    }
  });

  it('regularises irregular-but-regularisable steps: a late sample goes to its nearest slot, a gap becomes NaN', () => {
    const rows: [number, number][] = [
      [T0, 0],
      [T0 + FIVE_MIN, 1],
      [T0 + 2 * FIVE_MIN + 40_000, 2], // 40 s late
      [T0 + 4 * FIVE_MIN, 4], // slot 3 missing
      [T0 + 5 * FIVE_MIN, 5],
    ];
    const s = parseTimestampValueCsv(nabCsv(rows));
    expect(s.stepMs).toBe(FIVE_MIN);
    expect(values(s)).toEqual([0, 1, 2, Number.NaN, 4, 5]);
    expect(s.report.missing).toBe(1);
  });

  it('averages two samples that land on the same grid slot', () => {
    const rows: [number, number][] = [...regularRows(4), [T0 + 3 * FIVE_MIN + 60_000, 13]];
    const s = parseTimestampValueCsv(nabCsv(rows));
    expect(values(s)).toEqual([0, 1, 2, 8]);
    expect(s.report.merged).toBe(1);
  });

  it('drops repeated rows that are identical (the NAB DST artefact) and counts them', () => {
    const [a, b, c] = regularRows(3);
    const s = parseTimestampValueCsv(nabCsv([a, b, b, b, c]));
    expect(values(s)).toEqual([0, 1, 2]);
    expect(s.report.duplicatesDropped).toBe(2);
  });

  it('applies the fill policy to gaps', () => {
    const rows: [number, number][] = [
      [T0, 0],
      [T0 + FIVE_MIN, 1],
      [T0 + 2 * FIVE_MIN, 2],
      [T0 + 5 * FIVE_MIN, 8],
    ];
    const text = nabCsv(rows);
    expect(values(parseTimestampValueCsv(text, { fill: 'linear' }))).toEqual([0, 1, 2, 4, 6, 8]);
    expect(values(parseTimestampValueCsv(text, { fill: 'ffill' }))).toEqual([0, 1, 2, 2, 2, 8]);
    expect(values(parseTimestampValueCsv(text, { fill: 'zero' }))).toEqual([0, 1, 2, 0, 0, 8]);
  });

  it('loads NaN / Inf literals and empty cells as missing points by default', () => {
    const text = nabCsv([
      [T0, 1],
      [T0 + FIVE_MIN, 'NaN'],
      [T0 + 2 * FIVE_MIN, '+Inf'],
      [T0 + 3 * FIVE_MIN, ''],
      [T0 + 4 * FIVE_MIN, 5],
    ]);
    expect(values(parseTimestampValueCsv(text))).toEqual([1, Number.NaN, Number.NaN, Number.NaN, 5]);
  });

  it('picks named columns out of a wider file', () => {
    const text = `host,time,cpu,mem\na,${nabTime(T0)},1,10\na,${nabTime(T0 + FIVE_MIN)},2,20\n`;
    expect(values(parseTimestampValueCsv(text, { valueColumn: 'mem' }))).toEqual([10, 20]);
  });

  it('takes the first column of a two-column file as the time when neither is conventionally named', () => {
    const text = `date_time,cpu\n${nabTime(T0)},3\n${nabTime(T0 + FIVE_MIN)},4\n`;
    expect(values(parseTimestampValueCsv(text))).toEqual([3, 4]);
  });

  it('loads a single row when the step is given', () => {
    const s = parseTimestampValueCsv(nabCsv(regularRows(1)), { stepMs: FIVE_MIN });
    expect([s.start, s.stepMs, s.values.length]).toEqual([T0, FIVE_MIN, 1]);
  });

  describe('from a file', () => {
    const dir = tempDir('loaders-csv-');
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('names the file path in errors', async () => {
      const path = join(dir, 'nab.csv');
      writeFileSync(path, nabCsv([...regularRows(15), [T0 + 15 * FIVE_MIN, 'abc']]));
      const err = await loadTimestampValueCsv(path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LoadError);
      expect((err as LoadError).message).toBe(`${path}:17: value "abc" is not a number`);
    });

    it('reports a missing file as a LoadError', async () => {
      await expect(loadTimestampValueCsv(join(dir, 'nope.csv'))).rejects.toMatchObject({ kind: 'unreadable' });
    });
  });
});
