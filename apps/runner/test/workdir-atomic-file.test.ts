import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeStaleTemps, writeFileAtomic, writeJsonAtomic } from '../src/workdir/atomic-file.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const fresh = () => tempDir('runner-atomic-');

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temp file behind', async () => {
    const dir = fresh();
    const file = join(dir, 'state.json');
    await writeJsonAtomic(file, { n: 1 });
    await writeJsonAtomic(file, { n: 2 });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ n: 2 });
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('leaves the old file intact when the write fails', async () => {
    const dir = fresh();
    const file = join(dir, 'state.json');
    await writeFileAtomic(file, 'old');
    await expect(writeFileAtomic(join(dir, 'missing-dir', 'x'), 'new')).rejects.toThrow();
    expect(readFileSync(file, 'utf8')).toBe('old');
  });

  it('is never seen half-written by a reader while a writer loops', async () => {
    const dir = fresh();
    const file = join(dir, 'big.json');
    const payload = (n: number) => ({ n, filler: 'x'.repeat(200_000) });
    await writeJsonAtomic(file, payload(0));
    let reads = 0;
    const writer = (async () => {
      for (let n = 1; n <= 20; n++) await writeJsonAtomic(file, payload(n));
    })();
    let writing = true;
    void writer.then(() => (writing = false));
    while (writing) {
      expect(JSON.parse(readFileSync(file, 'utf8')).filler).toHaveLength(200_000);
      reads++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(reads).toBeGreaterThan(0);
  });
});

describe('removeStaleTemps', () => {
  it('removes temps of dead writers and old temps, keeps fresh temps of live ones and real files', async () => {
    const dir = fresh();
    const dead = await deadPid();
    const names = {
      deadWriter: `.checkpoint.json.${dead}.0.tmp`,
      liveFresh: `.checkpoint.json.${process.pid}.7.tmp`,
      liveOld: `.queue.json.${process.pid}.8.tmp`,
      real: 'checkpoint.json',
    };
    for (const name of Object.values(names)) writeFileSync(join(dir, name), '{');
    const longAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(dir, names.liveOld), longAgo, longAgo);
    expect(await removeStaleTemps(dir, 60_000)).toBe(2);
    expect(readdirSync(dir).sort()).toEqual([names.liveFresh, names.real].sort());
  });
});
