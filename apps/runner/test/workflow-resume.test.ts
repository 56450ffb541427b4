/**
 * Crash safety of launched jobs: the runner is SIGKILLed while its experiments run; the jobs run
 * on (their own process groups), and the resumed runner re-attaches to them by the handle in the
 * checkpoint — each job launched exactly once (one launch marker), each recorded exactly once.
 */
import { readFileSync } from 'node:fs';
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
    // `sleep` keeps the jobs running long enough to kill the runner under them.
    const runner = spawnRunner(
      [workdir, '--max-experiments', '3', '--concurrency', '3', '--launch', 'sleep 3; {cmd}'],
      WORKFLOW,
    );
    const launched = () =>
      (readCheckpoint(workdir)?.running ?? []).filter((spec) => spec.payload['phase'] === 'launched').length;
    await waitFor(() => launched() === 3, 30_000);
    runner.child.kill('SIGKILL');
    await runner.exited;

    const ids = ['seed-best-fixed', 'seed-harness-default', 'seed-oracle'];
    const pids = ids.map((id) =>
      Number(readFileSync(join(workdir, 'runs', id, launchMarkers(workdir, id)[0]), 'utf8')),
    );
    expect(pids.map(pidAlive)).toEqual([true, true, true]); // the jobs outlived their runner

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
  });
});
