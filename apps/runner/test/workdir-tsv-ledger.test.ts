import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkdirFileError } from '../src/workdir/file-errors.js';
import { TsvLedger } from '../src/workdir/tsv-ledger.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const COLUMNS = ['id', 'status', 'description'];
const ledgerFile = () => join(tempDir('runner-tsv-'), 'results.tsv');

describe('TsvLedger', () => {
  it('creates the file with its header', async () => {
    const file = ledgerFile();
    await TsvLedger.open(file, COLUMNS);
    expect(readFileSync(file, 'utf8')).toBe('id\tstatus\tdescription\n');
  });

  it('appends a key once, also across a reopen (the crash-then-resume case)', async () => {
    const file = ledgerFile();
    const first = await TsvLedger.open(file, COLUMNS);
    expect(await first.appendOnce({ id: 'e1', status: 'keep', description: 'baseline' })).toBe(true);
    expect(await first.appendOnce({ id: 'e1', status: 'keep', description: 'again' })).toBe(false);
    const reopened = await TsvLedger.open(file, COLUMNS);
    expect(reopened.has('e1')).toBe(true);
    expect(await reopened.appendOnce({ id: 'e1', status: 'crash', description: 'after resume' })).toBe(false);
    expect(await reopened.appendOnce({ id: 'e2', status: 'discard', description: 'next' })).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('id\tstatus\tdescription\ne1\tkeep\tbaseline\ne2\tdiscard\tnext\n');
  });

  it('writes a key once even when two appends for it are in flight together', async () => {
    const file = ledgerFile();
    const ledger = await TsvLedger.open(file, COLUMNS);
    const wrote = await Promise.all(
      [1, 2, 3].map((n) => ledger.appendOnce({ id: 'same', status: 'ok', description: `try ${n}` })),
    );
    expect(wrote.filter(Boolean)).toHaveLength(1);
    expect(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('same')),
    ).toHaveLength(1);
  });

  it('on open cuts a torn last line back to the last newline, so the row is written again whole', async () => {
    const file = ledgerFile();
    const ledger = await TsvLedger.open(file, COLUMNS);
    await ledger.appendOnce({ id: 'e1', status: 'keep', description: 'whole' });
    appendFileSync(file, 'e2\tdisc'); // what a power cut mid-write leaves
    const repaired = await TsvLedger.open(file, COLUMNS);
    expect(repaired.repairedBytes).toBe(Buffer.byteLength('e2\tdisc'));
    expect(repaired.has('e2')).toBe(false);
    await repaired.appendOnce({ id: 'e2', status: 'discard', description: 'rewritten' });
    expect(readFileSync(file, 'utf8')).toBe('id\tstatus\tdescription\ne1\tkeep\twhole\ne2\tdiscard\trewritten\n');
  });

  it('rewrites a header that was itself torn', async () => {
    const file = ledgerFile();
    writeFileSync(file, 'id\tsta');
    await TsvLedger.open(file, COLUMNS);
    expect(readFileSync(file, 'utf8')).toBe('id\tstatus\tdescription\n');
  });

  it('keeps tabs and newlines in a value from breaking the row', async () => {
    const file = ledgerFile();
    const ledger = await TsvLedger.open(file, COLUMNS);
    await ledger.appendOnce({ id: 'e1', status: 'keep', description: 'two\tcells\nand a line' });
    expect(readFileSync(file, 'utf8').split('\n')[1]).toBe('e1\tkeep\ttwo cells and a line');
  });

  it('keys on a chosen column', async () => {
    const file = ledgerFile();
    const ledger = await TsvLedger.open(file, ['commit', 'id', 'status'], { keyColumn: 'id' });
    expect(await ledger.appendOnce({ commit: 'abc', id: 'e1', status: 'keep' })).toBe(true);
    expect(await ledger.appendOnce({ commit: 'abc', id: 'e2', status: 'keep' })).toBe(true);
    expect((await TsvLedger.open(file, ['commit', 'id', 'status'], { keyColumn: 'id' })).has('e2')).toBe(true);
  });

  it('refuses a file whose header is another ledger’s, naming the file, and leaves it alone', async () => {
    const file = ledgerFile();
    writeFileSync(file, 'a\tb\n1\t2\n');
    const error = await TsvLedger.open(file, COLUMNS, { label: 'results.tsv' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkdirFileError);
    expect((error as Error).message).toMatch(/^results\.tsv: header is "a\\tb"/);
    expect(readFileSync(file, 'utf8')).toBe('a\tb\n1\t2\n');
  });
});
