import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsvRecords } from '../src/loaders/csv-records.js';
import { jsonErrorOffset } from '../src/loaders/json-error-offset.js';
import { detectTimestampFormat } from '../src/loaders/timestamps.js';

describe('CSV records', () => {
  it('unescapes doubled quotes and keeps commas and newlines inside quoted fields', () => {
    const records = parseCsvRecords('a,b\n"x, ""y""","multi\nline"\nlast,row\n', 't.csv');
    expect(records).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['x, "y"', 'multi\nline'], line: 2 },
      { fields: ['last', 'row'], line: 4 },
    ]);
  });

  it('keeps trailing empty cells (M4 ragged rows) and counts CR, LF and CRLF as one line each', () => {
    expect(parseCsvRecords('a,b,,\r\nc\rd\n', 't.csv')).toEqual([
      { fields: ['a', 'b', '', ''], line: 1 },
      { fields: ['c'], line: 2 },
      { fields: ['d'], line: 3 },
    ]);
  });

  it('property: any table of fields survives quoting and parsing', () => {
    const field = fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' ', '1') });
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
        (table) => {
          const text = table.map((row) => row.map((f) => `"${f.replace(/"/g, '""')}"`).join(',')).join('\r\n');
          expect(parseCsvRecords(text, 't.csv').map((r) => r.fields)).toEqual(table);
        },
      ),
    );
  });
});

describe('timestamp detection', () => {
  it.each([
    ['2014-02-14 14:30:00', 'datetime'],
    ['2014-02-14T14:30:00.123Z', 'datetime'],
    ['2014-02-14T14:30+05:30', 'datetime'],
    ['2014-02-14', 'datetime'],
    ['1392388200', 'epoch-s'],
    ['1392388200.5', 'epoch-s'],
    ['1392388200000', 'epoch-ms'],
    ['2014-13-01 00:00:00', undefined],
    ['2014-02-14 24:00:00', undefined],
    ['yesterday', undefined],
  ])('%s → %s', (text, format) => {
    expect(detectTimestampFormat(text)).toBe(format);
  });
});

describe('JSON error offset', () => {
  it('points at the first offending character', () => {
    expect(jsonErrorOffset('{"a": [1, 2,]}')).toBe(12);
    expect(jsonErrorOffset('{"a": 1} x')).toBe(9);
  });

  it('property: agrees with JSON.parse on what is valid', () => {
    const valid = fc.json();
    const mangled = fc
      .tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', '-', 'x'))
      .map(([j, at, c]) => {
        const i = at % (j.length + 1);
        return j.slice(0, i) + c + j.slice(i + 1);
      });
    fc.assert(
      fc.property(fc.oneof(valid, mangled), (text) => {
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        expect(jsonErrorOffset(text) === -1).toBe(parses);
      }),
    );
  });
});
