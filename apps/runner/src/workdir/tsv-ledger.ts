/**
 * Append-only TSV ledgers (master_table.tsv, results.tsv) that survive a SIGKILL or power cut.
 *
 * - Each row is written with ONE write() on an O_APPEND descriptor and fsynced before the call
 *   returns, so a row is either wholly there or (after a power cut mid-write) a torn tail.
 * - Opening repairs a torn tail: everything after the last newline is cut off. A torn row is
 *   always the last one, and its job is still in the checkpoint's `running`, so it is written
 *   again whole on resume.
 * - Exactly once: one column is the row's key (the spec id; the first column unless told).
 *   Opening reads the keys that are already there, and `appendOnce` skips a key it has seen. That
 *   closes the window in which the runner dies after a job's row was appended but before the
 *   checkpoint that marks the job done: on resume the adapter records the job again and the ledger
 *   turns that into a no-op.
 */
import { open, readFile, truncate } from 'node:fs/promises';
import { WorkdirFileError } from './file-errors.js';
import { writeFileAtomic } from './atomic-file.js';

export type TsvCell = string | number | boolean | null;

export class TsvLedger {
  private appending: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    readonly columns: readonly string[],
    readonly keyColumn: string,
    private readonly keys: Set<string>,
    /** Bytes cut from a torn last line when the file was opened (0 when it was whole). */
    readonly repairedBytes: number,
  ) {}

  /** Opens (creating with a header, or repairing a torn tail) the ledger at `file`. */
  static async open(
    file: string,
    columns: readonly string[],
    options: { keyColumn?: string; label?: string } = {},
  ): Promise<TsvLedger> {
    const keyColumn = options.keyColumn ?? columns[0];
    const keyIndex = keyColumn === undefined ? -1 : columns.indexOf(keyColumn);
    if (keyColumn === undefined || keyIndex < 0)
      throw new Error(`${file}: the key column ${keyColumn} is not one of the columns`);
    const label = options.label ?? file;
    const header = columns.join('\t');
    let text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    let repairedBytes = 0;
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline < 0) {
      // Missing, empty, or not even a whole header: nothing recorded yet, start it cleanly.
      repairedBytes = Buffer.byteLength(text);
      text = header + '\n';
      await writeFileAtomic(file, text);
    } else if (lastNewline < text.length - 1) {
      const keep = text.slice(0, lastNewline + 1);
      repairedBytes = Buffer.byteLength(text) - Buffer.byteLength(keep);
      await truncate(file, Buffer.byteLength(keep));
      await fsyncFile(file);
      text = keep;
    }
    const lines = text.split('\n').slice(0, -1);
    if (lines[0] !== header) {
      throw new WorkdirFileError(
        label,
        [`header is ${JSON.stringify(lines[0])}, expected ${JSON.stringify(header)}`],
        'The ledger was left as it is; move it aside if it belongs to another run.',
      );
    }
    const keys = new Set(lines.slice(1).map((line) => line.split('\t')[keyIndex] ?? ''));
    return new TsvLedger(file, columns, keyColumn, keys, repairedBytes);
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  get size(): number {
    return this.keys.size;
  }

  /** Appends the row unless its key is already recorded; says whether it wrote. */
  appendOnce(row: Readonly<Record<string, TsvCell>>): Promise<boolean> {
    // Chained so that two calls in flight cannot both pass the `has` check for the same key.
    const result = this.appending.then(() => this.append(row));
    this.appending = result.catch(() => {});
    return result;
  }

  private async append(row: Readonly<Record<string, TsvCell>>): Promise<boolean> {
    const key = cell(row[this.keyColumn]);
    if (key === '') throw new Error(`${this.file}: a row needs a value in the key column ${this.keyColumn}`);
    if (this.keys.has(key)) return false;
    const line = Buffer.from(this.columns.map((column) => cell(row[column])).join('\t') + '\n');
    const handle = await open(this.file, 'a');
    try {
      const { bytesWritten } = await handle.write(line);
      // A short write (disk full) leaves a torn tail; stop here so the next open cuts it off
      // instead of appending whole rows after it.
      if (bytesWritten !== line.length)
        throw new Error(`${this.file}: short write (${bytesWritten}/${line.length} bytes)`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.keys.add(key);
    return true;
  }
}

/** Tabs and newlines would split a cell or a row; a description is still readable with spaces. */
function cell(value: TsvCell | undefined): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[\t\r\n]+/g, ' ');
}

async function fsyncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
