import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, readCheckpoint, useCounterAdapter, waitFor } from './fixtures/in-process.js';
import { spawnRunner } from './fixtures/runner-process.js';
import { readTsv } from './fixtures/workdir-invariants.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const workdirs: string[] = [];
function freshWorkdir(): string {
  const dir = tempDir('runner-queue-');
  workdirs.push(dir);
  return dir;
}

const FAST = { FIXTURE_TOTAL_JOBS: '7', FIXTURE_JOB_MS: '20', FIXTURE_JOB_SPREAD_MS: '40' };
beforeAll(() => useCounterAdapter(FAST));
afterAll(() => workdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A spec file the counter fixture can run: a leaf, since its n has no children below 7. */
function writeSpec(dir: string, spec: object): string {
  const file = join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify(spec));
  return file;
}
const extraSpec = { id: 'extra', kind: 'count', priority: -10, payload: { phase: 'queued', n: 100, parent: null } };

const ledgerIds = (wd: string) =>
  readTsv(join(wd, 'master_table.tsv'))
    .rows.map((row) => row[0])
    .sort();
const queuedIds = (wd: string) => readCheckpoint(wd)!.queue.map((spec) => spec.id);

describe('run.ts queue, engine stopped', () => {
  it('applies move, drop and add straight to the checkpoint, and a resume runs the edited queue', async () => {
    const wd = freshWorkdir();
    await cli([wd, '--max-experiments', '1']); // j0 ran; j1 and j2 are queued
    expect(queuedIds(wd).sort()).toEqual(['j1', 'j2']);
    const [, last] = queuedIds(wd);

    expect(await cli(['queue', wd, 'move', last, '-3'])).toMatchObject({
      code: 0,
      out: expect.stringMatching(/moved/),
    });
    expect(queuedIds(wd)[0]).toBe(last);
    const dropped = queuedIds(wd)[1];
    expect((await cli(['queue', wd, 'drop', dropped])).code).toBe(0);
    expect((await cli(['queue', wd, 'add', writeSpec(wd, extraSpec)])).code).toBe(0);
    expect(queuedIds(wd)).toEqual(['extra', last]);
    expect((await cli(['queue', wd, 'list'])).out).toMatch(/1\. extra {2}priority -10 {2}count\n\s+2\. j\d/);
    expect(readdirSync(join(wd, 'engine', 'commands')).filter((n) => n.endsWith('.json'))).toEqual([]);

    await cli([wd, '--max-experiments', '50']);
    const ran = ledgerIds(wd);
    expect(ran).toContain('extra');
    expect(ran).not.toContain(dropped);
    // The dropped spec's subtree never existed either.
    const droppedChildren = dropped === 'j1' ? ['j3', 'j4'] : ['j5', 'j6'];
    for (const id of droppedChildren) expect(ran).not.toContain(id);
  });

  it('refuses bad edits with a message naming what is wrong, and changes nothing', async () => {
    const wd = freshWorkdir();
    await cli([wd, '--max-experiments', '1']);
    const before = readCheckpoint(wd);

    const badSpec = writeSpec(wd, { ...extraSpec, priority: 'soon' });
    const add = await cli(['queue', wd, 'add', badSpec]);
    expect(add.code).toBe(1);
    expect(add.err).toContain(`${badSpec}: priority: expected number, received string`);
    expect((await cli(['queue', wd, 'add', writeSpec(wd, { ...extraSpec, id: 'j0' })])).err).toMatch(/j0 already ran/);
    expect((await cli(['queue', wd, 'drop', 'nope'])).err).toMatch(/drop: no queued spec has id nope/);
    expect((await cli(['queue', wd, 'move', 'j0', '1'])).err).toMatch(/j0 already ran/);
    expect((await cli(['queue', wd, 'move', 'j1', 'soon'])).code).toBe(2);

    expect(readCheckpoint(wd)).toEqual(before);
    expect(readdirSync(join(wd, 'engine', 'commands')).filter((n) => n.endsWith('.json'))).toEqual([]);
  });

  it('has no queue to edit before the first run', async () => {
    const wd = freshWorkdir();
    expect((await cli(['queue', wd, 'drop', 'j1'])).err).toMatch(/no queue yet/);
  });
});

describe('run.ts queue, engine running', () => {
  it('hands edits to the running engine, which applies them at its next loop', async () => {
    const wd = freshWorkdir();
    const slow = { ...FAST, FIXTURE_JOB_MS: '600', FIXTURE_JOB_SPREAD_MS: '0' };
    const engine = spawnRunner([wd, '--concurrency', '1'], slow);
    await waitFor(() => (readCheckpoint(wd)?.queue.length ?? 0) >= 2);
    const victim = queuedIds(wd).at(-1)!;

    const drop = await cli(['queue', wd, 'drop', victim]);
    expect(drop).toMatchObject({ code: 0, out: `dropped ${victim}\n` });
    expect(queuedIds(wd)).not.toContain(victim);
    expect((await cli(['queue', wd, 'add', writeSpec(wd, extraSpec)])).code).toBe(0);

    const exit = await engine.exited;
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stderr).toMatch(new RegExp(`queue edit .*: dropped ${victim}`));
    expect(ledgerIds(wd)).toContain('extra');
    expect(ledgerIds(wd)).not.toContain(victim);
    expect(readdirSync(join(wd, 'engine', 'commands', 'applied')).filter((n) => !n.includes('outcome'))).toHaveLength(
      2,
    );
  });
});
