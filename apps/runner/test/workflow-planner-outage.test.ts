/**
 * The planner's API failing for a while is no reason to end a run: the round is recorded as a
 * transient failure (not a round without improvement), and the next round plans again. Real CLI,
 * real SDK, a local Messages API that answers 503 until it recovers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { proposeOne, useFakeClaude, workflowWorkdir } from './helpers/claude-workflow.js';
import { runRunner } from './fixtures/runner-process.js';
import { readTree } from './workflow-helpers.js';

const claude = useFakeClaude();

describe('a planner API outage', () => {
  it(
    'neither ends the run nor counts toward patience: the next round plans',
    async () => {
      // A planning deadline of 0: one failed call (after the SDK's own retries) ends the round at once.
      const workdir = workflowWorkdir('wf-outage-', { plannerDeadlineS: 0 });
      claude.server.enqueue(
        { kind: 'status', status: 503, retryAfter: '0' },
        { kind: 'status', status: 503, retryAfter: '0' },
        { kind: 'status', status: 503, retryAfter: '0' },
        proposeOne('k-6', { k: 6 }, 'k = 6 lowers the loss'),
        { kind: 'text', text: 'Synthesis.' },
      );
      const run = await runRunner(
        [workdir, '--planner', 'claude', '--max-experiments', '4', '--patience', '1'],
        claude.env('sk-test-outage'),
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/the planner API is failing \(api-error: HTTP 503[^\n]*; planning again as plan-2/);
      const state = JSON.parse(readFileSync(join(workdir, 'engine', 'engine_state.json'), 'utf8'));
      expect(state.rounds.map((r: { transient: boolean; stop: unknown }) => [r.transient, r.stop])).toEqual([
        [true, null],
        [false, null],
      ]);
      expect(state.stop.reason).toBe('max-experiments');
      expect(readTree(workdir).some((node) => node.name === 'k-6' && node.status === 'completed')).toBe(true);
    },
    15 * 60_000,
  );
});
