/**
 * The whole workflow through the real CLI (`node --import tsx src/run.ts <workdir> …`) on the tiny
 * template: anchor, three seed experiments, planning rounds from the offline planner, the
 * experiment cap, a resume with a higher cap — and the planner finding an improvement.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRunner } from './fixtures/runner-process.js';
import { countIds } from './fixtures/workdir-invariants.js';
import {
  launchMarkers,
  readMaster,
  readResults,
  readTree,
  removeTempDirs,
  tempDir,
  writeWorkflowSettings,
} from './workflow-helpers.js';

afterAll(removeTempDirs);

// The engine tests point the CLI at a fixture adapter through this variable; empty means the workflow.
const WORKFLOW = { TSFM_RUNNER_ADAPTER_MODULE: '' };

/** A last guard only: whole runs through the real CLI, on a machine that may be busy. */
const RUN_TIMEOUT_MS = 15 * 60_000;

const workdir = tempDir('wf-run-');
writeWorkflowSettings(workdir, {});

describe('a tiny run end to end through the CLI', () => {
  it(
    'runs the seeds, plans, stops at --max-experiments 6 and leaves a consistent workdir',
    async () => {
      const run = await runRunner(
        [workdir, '--planner', 'offline', '--max-experiments', '6', '--concurrency', '3'],
        WORKFLOW,
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/stopped \(max-experiments: 6 experiments reached the cap of 6\)/);
      // The resume hint names the flag that raises the cap that stopped it.
      expect(run.stderr).toMatch(/Resume with a higher cap: run\.ts \S+ --max-experiments 16 \(now 6\)/);

      const tree = readTree(workdir);
      expect(tree).toHaveLength(6);
      expect(
        tree
          .filter((n) => n.seed)
          .map((n) => n.seedKind)
          .sort(),
      ).toEqual(['best-fixed', 'harness-default', 'oracle']);
      for (const node of tree) {
        expect(node.status, `${node.id}: ${node.error}`).toBe('completed');
        expect(node.metric).toEqual(expect.any(Number));
        expect(node.commit).toMatch(/^[0-9a-f]{40}$/);
        for (const file of ['spec.json', 'status.txt', 'result.json'])
          expect(existsSync(join(workdir, 'engine', 'nodes', node.id, file)), `${node.id}/${file}`).toBe(true);
        for (const file of ['log', 'metrics.json', 'analysis.md'])
          expect(existsSync(join(workdir, 'runs', node.id, file)), `runs/${node.id}/${file}`).toBe(true);
        expect(launchMarkers(workdir, node.id)).toHaveLength(1);
      }
      // Planned experiments came after the seeds and hang off the tree.
      const planned = tree.filter((n) => !n.seed);
      expect(planned.length).toBe(3);
      for (const node of planned) expect(tree.some((n) => n.id === node.parent)).toBe(true);
      const oracle = tree.find((n) => n.seedKind === 'oracle')!;
      expect(Math.min(...tree.map((n) => n.metric!))).toBe(oracle.metric); // the floor is the floor

      const master = readMaster(workdir);
      const results = readResults(workdir);
      expect(master.problems).toEqual([]);
      expect(results.problems).toEqual([]);
      expect(results.header).toEqual(['commit', 'metric', 'latency', 'status', 'description']);
      expect([...countIds(master.rows).values()]).toEqual([1, 1, 1, 1, 1, 1]);
      expect(results.rows).toHaveLength(6);
      // Each experiment's commit is in the source repo with the message naming it.
      const log = execFileSync('git', ['log', '--all', '--format=%s'], {
        cwd: join(workdir, 'source'),
        encoding: 'utf8',
      });
      for (const node of tree) expect(log).toContain(`exp ${node.id}: ${node.name}`);
      const state = JSON.parse(readFileSync(join(workdir, 'engine', 'engine_state.json'), 'utf8'));
      expect(state.stopReason).toMatch(/^max-experiments/);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'resumed with --max-experiments 12, the offline planner finds an improvement on the harness default',
    async () => {
      const run = await runRunner([workdir, '--max-experiments', '12', '--concurrency', '4'], WORKFLOW);
      expect(run.code, run.stderr).toBe(0);
      const tree = readTree(workdir);
      expect(tree).toHaveLength(12);
      const harnessDefault = tree.find((n) => n.seedKind === 'harness-default')!.metric!;
      const improved = tree.filter((n) => !n.seed && n.decision === 'keep' && n.metric! < harnessDefault);
      expect(improved.length).toBeGreaterThan(0);
      // Exactly once per experiment across both sessions.
      expect([...countIds(readMaster(workdir).rows).values()].every((count) => count === 1)).toBe(true);
      expect(readResults(workdir).rows).toHaveLength(12);
      const analysis = readFileSync(join(workdir, 'runs', improved[0]!.id, 'analysis.md'), 'utf8');
      expect(analysis).toMatch(/\*\*Decision\.\*\* keep: −\d/);
    },
    RUN_TIMEOUT_MS,
  );
});
