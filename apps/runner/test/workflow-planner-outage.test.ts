/**
 * The planner's API failing for a while is no reason to end a run: the round is recorded as a
 * transient failure (not a round without improvement), and the next round plans again. Real CLI,
 * real SDK, a local Messages API that answers 503 until it recovers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeMessagesServer } from './helpers/fake-messages-server.js';
import { runRunner } from './fixtures/runner-process.js';
import { readTree, removeTempDirs, tempDir, writeWorkflowSettings } from './workflow-helpers.js';

let server: FakeMessagesServer;
beforeAll(async () => {
  server = await FakeMessagesServer.start();
});
afterAll(async () => {
  await server.close();
  removeTempDirs();
});

describe('a planner API outage', () => {
  it(
    'neither ends the run nor counts toward patience: the next round plans',
    async () => {
      const workdir = tempDir('wf-outage-');
      // A planning deadline of 0: one failed call (after the SDK's own retries) ends the round at once.
      writeWorkflowSettings(workdir, { plannerDeadlineS: 0 });
      server.enqueue(
        { kind: 'status', status: 503, retryAfter: '0' },
        { kind: 'status', status: 503, retryAfter: '0' },
        { kind: 'status', status: 503, retryAfter: '0' },
        {
          kind: 'tool',
          input: {
            action: 'propose',
            reasoning: 'one knob',
            experiments: [{ name: 'k-6', hypothesis: 'k = 6 lowers the loss', params: { k: 6 }, priority: 1 }],
          },
        },
        { kind: 'text', text: 'Synthesis.' },
      );
      const run = await runRunner([workdir, '--planner', 'claude', '--max-experiments', '4', '--patience', '1'], {
        TSFM_RUNNER_ADAPTER_MODULE: '',
        ANTHROPIC_API_KEY: 'sk-test-outage',
        ANTHROPIC_BASE_URL: server.url,
      });
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
