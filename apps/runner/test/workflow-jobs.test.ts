/**
 * Jobs that go wrong once launched, through the CLI (in-process) with `--launch` templates that
 * stand in for a hung, silent, failing or metric-less evaluation: each seed experiment ends as a
 * crash with the reason, an empty metric in results.tsv, and no process left behind.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './fixtures/in-process.js';
import {
  anchoredWorkdir,
  groupAlive,
  launchMarkers,
  readResults,
  readTree,
  removeTempDirs,
} from './workflow-helpers.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

afterAll(removeTempDirs);

interface Case {
  readonly what: string;
  readonly launch: string;
  readonly jobTimeoutS: number;
  readonly stallTimeoutS: number;
  readonly error: RegExp;
}

const CASES: Case[] = [
  {
    what: 'a job that keeps printing past --job-timeout is killed as a timeout',
    launch: 'while :; do echo tick; sleep 0.2; done; {cmd}',
    jobTimeoutS: 1,
    stallTimeoutS: 60,
    error: /^timeout: still running after the job timeout of 1\.0 s; killed$/,
  },
  {
    what: 'a job whose log and metrics stop changing is killed as a stall',
    launch: 'sleep 30; {cmd}',
    jobTimeoutS: 60,
    stallTimeoutS: 1,
    error: /^stall: no new output in the log or metrics file for \d+\.\d s \(stall limit 1\.0 s\); killed$/,
  },
  {
    what: 'a job that exits non-zero is an exit crash',
    launch: 'echo boom >&2; exit 3; {cmd}',
    jobTimeoutS: 60,
    stallTimeoutS: 60,
    error: /^exit: the evaluation exited with status 3: boom$/,
  },
  {
    what: 'a job that exits 0 without a metric is a no-metric crash',
    launch: 'printf -- "---\\nmetric: nan\\n" # {cmd}',
    jobTimeoutS: 60,
    stallTimeoutS: 60,
    error: /^no-metric: the result block has no finite metric \(metric: nan\)$/,
  },
];

describe('a launched job that goes wrong is a crash, never a metric', () => {
  for (const c of CASES) {
    it(c.what, async () => {
      const workdir = await anchoredWorkdir({ stallTimeoutS: c.stallTimeoutS });
      // One experiment is enough: the first seed. The other two stay queued behind the cap.
      const run = await cli([
        workdir,
        '--max-experiments',
        '1',
        '--launch',
        c.launch,
        '--job-timeout',
        String(c.jobTimeoutS),
      ]);
      expect(run.code, run.err).toBe(0);
      const tree = readTree(workdir);
      expect(tree.map((n) => n.status)).toEqual(['failed', 'queued', 'queued']);
      for (const node of tree.filter((n) => n.status !== 'queued')) {
        expect(node).toMatchObject({ status: 'failed', decision: 'crash', metric: null, latencyMsP99: null });
        expect(node.error).toMatch(c.error);
        const markers = launchMarkers(workdir, node.id);
        expect(markers).toHaveLength(1);
        // Killed with its whole process group: nothing of the job is left running.
        const pid = Number(readFileSync(join(workdir, 'runs', node.id, markers[0]), 'utf8'));
        // The wrapper shell may still be writing its exit file when the runner records the crash,
        // so give the group a moment to be reaped before asserting it is gone.
        await expect.poll(() => groupAlive(pid), { timeout: 60_000, interval: 50 }).toBe(false);
      }
      const results = readResults(workdir);
      expect(results.rows).toHaveLength(1);
      for (const row of results.rows) {
        expect(row[1]).toBe(''); // metric
        expect(row[2]).toBe(''); // latency
        expect(row[3]).toBe('crash');
      }
    });
  }
});
