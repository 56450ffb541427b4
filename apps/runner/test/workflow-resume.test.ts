/**
 * Crash safety of launched jobs: the runner is SIGKILLed while its experiments run; the jobs run
 * on (their own process groups), and the resumed runner re-attaches to them by the handle in the
 * checkpoint — each job launched exactly once (one launch marker), each recorded exactly once.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCheckpoint, waitFor } from './fixtures/in-process.js';
import { runRunner, spawnRunner } from './fixtures/runner-process.js';
import { countIds } from './fixtures/workdir-invariants.js';
import {
  anchoredWorkdir,
  launchMarkers,
  pidAlive,
  readMaster,
  readResults,
  readTree,
  removeTempDirs,
} from './workflow-helpers.js';

afterAll(removeTempDirs);

const WORKFLOW = { TSFM_RUNNER_ADAPTER_MODULE: '' };

describe('resume after the runner is killed mid-job', () => {
  it('re-attaches to the running jobs instead of launching them again', async () => {
    const workdir = await anchoredWorkdir();
    // Each job waits for the release file before it evaluates, so all three are still running
    // when the runner is killed however slowly a loaded machine launches them.
    const release = join(workdir, 'release-jobs');
    const hold = `while [ ! -e '${release}' ]; do sleep 0.05; done; {cmd}`;
    const runner = spawnRunner([workdir, '--max-experiments', '3', '--concurrency', '3', '--launch', hold], WORKFLOW);
    const launched = () =>
      (readCheckpoint(workdir)?.running ?? []).filter((spec) => spec.payload['phase'] === 'launched').length;
    await waitFor(() => launched() === 3);
    runner.child.kill('SIGKILL');
    await runner.exited;

    const ids = ['seed-best-fixed', 'seed-harness-default', 'seed-oracle'];
    const pids = ids.map((id) =>
      Number(readFileSync(join(workdir, 'runs', id, launchMarkers(workdir, id)[0]), 'utf8')),
    );
    expect(pids.map(pidAlive)).toEqual([true, true, true]); // the jobs outlived their runner
    writeFileSync(release, '');

    const resumed = await runRunner([workdir], WORKFLOW);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming it \(3 job\(s\) to re-attach\)/);
    for (const id of ids) expect(resumed.stderr).toContain(`${id}: re-attaching to the running job`);
    expect(resumed.stderr).not.toMatch(/: launched \(/);

    for (const id of ids) expect(launchMarkers(workdir, id), id).toHaveLength(1);
    const tree = readTree(workdir);
    for (const node of tree)
      expect(node, `${node.id}: ${node.error}`).toMatchObject({ status: 'completed', metric: expect.any(Number) });
    expect([...countIds(readMaster(workdir).rows).values()]).toEqual([1, 1, 1]);
    expect(readResults(workdir).rows).toHaveLength(3);
    // A last guard only: every wait above is on an event (a checkpoint, an exit).
  }, 300_000);
});
