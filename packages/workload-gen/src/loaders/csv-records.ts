import { failIn } from './load-errors.js';
import { stripBom } from './text-input.js';

/** One CSV record and the 1-based line it starts on (quoted fields may span lines). */
export interface CsvRecord {
  readonly fields: string[];
  readonly line: number;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

/**
 * Splits RFC 4180 CSV into records: comma-separated, `"` quoting with `""` as an escaped quote,
 * CRLF, LF or lone CR line endings, an optional UTF-8 BOM. Blank lines are skipped, so a trailing
 * newline (or several) does not produce an empty record.
 *
 * Hand-written rather than a dependency because the loaders need exact line numbers for errors and
 * the M4 train file (2.3 MB, ~400 k quoted cells) must parse in tens of milliseconds: unquoted
 * fields are sliced in one pass, quoted fields are found with `indexOf`.
 */
export function parseCsvRecords(text: string, source: string): CsvRecord[] {
  const fail = failIn(source);
  const s = stripBom(text);
  const len = s.length;
  const records: CsvRecord[] = [];
  let pos = 0;
  let line = 1;

  while (pos < len) {
    const recordLine = line;
    const fields: string[] = [];
    let recordDone = false;
    while (!recordDone) {
      let code: number;
      if (s.charCodeAt(pos) === QUOTE) {
        const openedOn = line;
        let value = '';
        let from = pos + 1;
        for (;;) {
          const close = s.indexOf('"', from);
          if (close === -1) fail({ line: openedOn }, 'bad-csv', 'a quoted field is never closed');
          value += s.slice(from, close);
          line += countLineBreaks(s, from, close);
          if (s.charCodeAt(close + 1) === QUOTE) {
            value += '"';
            from = close + 2;
            continue;
          }
          pos = close + 1;
          break;
        }
        fields.push(value);
        code = s.charCodeAt(pos);
        if (pos < len && code !== COMMA && code !== CR && code !== LF) {
          fail(
            { line },
            'bad-csv',
            `unexpected "${s[pos]}" after a closing quote (expected a comma or the end of the line)`,
          );
        }
      } else {
        let end = pos;
        code = s.charCodeAt(end);
        while (end < len && code !== COMMA && code !== CR && code !== LF) code = s.charCodeAt(++end);
        fields.push(s.slice(pos, end));
        pos = end;
      }
      if (pos < len && code === COMMA) {
        pos++;
        continue;
      }
      // End of the record: consume one line ending (CRLF counts as one).
      if (code === CR) pos++;
      if (s.charCodeAt(pos) === LF && (code === LF || code === CR)) pos++;
      if (code === CR || code === LF) line++;
      recordDone = true;
    }
    const blank = fields.length === 1 && fields[0].trim() === '';
    if (!blank) records.push({ fields, line: recordLine });
  }
  return records;
}

function countLineBreaks(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    // CRLF is one break: count the LF, and a CR only when no LF follows it.
    if (c === LF || (c === CR && s.charCodeAt(i + 1) !== LF)) n++;
  }
  return n;
}
