/**
 * A checkpoint lost (or moved aside, as its error message advises) never re-runs finished work:
 * the next run rebuilds its state from engine/tree.json — or, when that is gone too, from
 * master_table.tsv — and goes on from there.
 */
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, readCheckpoint } from './fixtures/in-process.js';
import { countIds } from './fixtures/workdir-invariants.js';
import {
  anchoredWorkdir,
  launchMarkers,
  readMaster,
  readResults,
  readTree,
  removeTempDirs,
} from './workflow-helpers.js';

afterAll(removeTempDirs);

const RUN_TIMEOUT_MS = 15 * 60_000;

async function finishedRun(): Promise<{ workdir: string; finished: string[] }> {
  const workdir = await anchoredWorkdir();
  const first = await cli([workdir, '--max-experiments', '4', '--concurrency', '2']);
  expect(first.code, first.err).toBe(0);
  const finished = readTree(workdir)
    .filter((node) => node.status === 'completed')
    .map((node) => node.id);
  expect(finished).toHaveLength(4);
  return { workdir, finished };
}

function expectNothingRanTwice(workdir: string, finished: readonly string[]): void {
  for (const id of finished) expect(launchMarkers(workdir, id), id).toHaveLength(1);
  for (const ledger of [readMaster(workdir), readResults(workdir)])
    expect([...countIds(ledger.rows).values()].every((n) => n === 1)).toBe(true);
}

describe('a run whose checkpoint was moved aside', () => {
  it(
    'rebuilds from the tree: finished experiments are done, not run again, and the run goes on',
    async () => {
      const { workdir, finished } = await finishedRun();
      renameSync(join(workdir, 'engine', 'checkpoint.json'), join(workdir, 'engine', 'checkpoint.json.aside'));
      const resumed = await cli([workdir, '--max-experiments', '6']);
      expect(resumed.code, resumed.err).toBe(0);
      expect(resumed.err).toMatch(/no checkpoint: recovered 4 finished experiment\(s\)/);
      expect(readCheckpoint(workdir)?.done).toEqual(expect.arrayContaining(finished));
      expect(readTree(workdir).filter((node) => node.status === 'completed')).toHaveLength(6);
      expectNothingRanTwice(workdir, finished);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'rebuilds from master_table.tsv when the tree is gone as well',
    async () => {
      const { workdir, finished } = await finishedRun();
      renameSync(join(workdir, 'engine', 'checkpoint.json'), join(workdir, 'engine', 'checkpoint.json.aside'));
      renameSync(join(workdir, 'engine', 'tree.json'), join(workdir, 'engine', 'tree.json.aside'));
      const resumed = await cli([workdir, '--max-experiments', '5']);
      expect(resumed.code, resumed.err).toBe(0);
      expect(resumed.err).toMatch(/engine\/tree\.json lacked 4 experiment\(s\) that master_table\.tsv records/);
      const tree = readTree(workdir);
      expect(
        tree
          .filter((node) => node.seed)
          .map((node) => node.seedKind)
          .sort(),
      ).toEqual(['best-fixed', 'harness-default', 'oracle']);
      expect(tree.filter((node) => node.status === 'completed')).toHaveLength(5);
      expectNothingRanTwice(workdir, finished);
    },
    RUN_TIMEOUT_MS,
  );
});
