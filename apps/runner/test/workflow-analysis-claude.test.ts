/**
 * `--analysis claude`: Claude analyses each finished experiment into runs/<id>/analysis.md, the
 * next plan reads the latest analyses, and what the calls cost is in the run's dollar totals.
 * Real CLI, real SDK, a local Messages API; the offline analysis stays the default.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAUDE_ANALYSIS_HEADING } from '../src/workflow/research/analysis.js';
import { proposeOne, useFakeClaude, workflowWorkdir } from './helpers/claude-workflow.js';
import { runRunner } from './fixtures/runner-process.js';
import { readTree } from './workflow-helpers.js';

const claude = useFakeClaude();

const analysisOf = (workdir: string, id: string): string =>
  readFileSync(join(workdir, 'runs', id, 'analysis.md'), 'utf8');

describe('--analysis claude', () => {
  it(
    'writes Claude’s analysis of every experiment, feeds the latest to the next plan, and counts its dollars',
    async () => {
      const workdir = workflowWorkdir('wf-analysis-', { outputs: true });
      const { server } = claude;
      // With one job at a time the calls come in this order: the three seeds' analyses, the first
      // plan, the planned experiment's analysis, the report's synthesis.
      server.enqueue(
        { kind: 'text', text: 'MARK-A1: the first seed sets the bar.' },
        { kind: 'text', text: 'MARK-A2: the second seed.' },
        { kind: 'text', text: 'MARK-A3: the third seed.' },
        proposeOne('k-6', { k: 6 }, 'k = 6 lowers the loss'),
        { kind: 'text', text: 'MARK-A4: k = 6 did not move the metric beyond noise.' },
        { kind: 'text', text: 'Synthesis.' },
      );
      const run = await runRunner(
        [workdir, '--planner', 'claude', '--analysis', 'claude', '--max-experiments', '4', '--patience', '1'],
        claude.env('sk-test-analysis'),
      );
      expect(run.code, run.stderr).toBe(0);

      const calls = readFileSync(join(workdir, 'logs', 'planner-calls.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { purpose?: string; dollars?: number; outcome: string });
      expect(calls.map((call) => call.purpose ?? 'plan')).toEqual([
        'analysis',
        'analysis',
        'analysis',
        'plan',
        'analysis',
        'synthesis',
      ]);
      expect(calls.every((call) => call.outcome === 'ok')).toBe(true);

      const tree = readTree(workdir);
      expect(tree.filter((node) => node.status === 'completed')).toHaveLength(4);
      const texts = tree.map((node) => analysisOf(workdir, node.id));
      for (const text of texts) expect(text).toContain(`\n${CLAUDE_ANALYSIS_HEADING}\n`);
      // The runner's own analysis stays first; Claude's follows it.
      const planned = tree.find((node) => node.name === 'k-6')!;
      const mine = analysisOf(workdir, planned.id);
      expect(mine.indexOf('**Decision.**')).toBeLessThan(mine.indexOf(CLAUDE_ANALYSIS_HEADING));
      expect(mine).toContain('MARK-A4');

      // The plan read the seeds' analyses (and the analysis calls read the runner's record).
      const planRequest = JSON.stringify(server.requests[3]?.body);
      for (const mark of ['MARK-A1', 'MARK-A2', 'MARK-A3']) expect(planRequest).toContain(mark);
      expect(JSON.stringify(server.requests[4]?.body)).toContain('k = 6 lowers the loss');

      // Spend: the analyses are in the run's planner dollars and in the summary's total.
      const analysisDollars = calls
        .filter((call) => call.purpose === 'analysis')
        .reduce((sum, call) => sum + (call.dollars ?? 0), 0);
      const planDollars = calls.filter((call) => !call.purpose).reduce((sum, call) => sum + (call.dollars ?? 0), 0);
      expect(analysisDollars).toBeGreaterThan(0);
      const state = JSON.parse(readFileSync(join(workdir, 'engine', 'engine_state.json'), 'utf8'));
      expect(state.plannerDollars).toBeCloseTo(analysisDollars + planDollars, 9);
      const total = calls.reduce((sum, call) => sum + (call.dollars ?? 0), 0);
      expect(readFileSync(join(workdir, 'summary.md'), 'utf8')).toContain(`$${total.toFixed(4)} spent`);

      // No confirmation number reached any call.
      const confirmation = JSON.parse(readFileSync(join(workdir, 'engine', 'confirmation.json'), 'utf8'));
      const confirmed = (confirmation.entries as { metric: number | null }[]).flatMap((entry) =>
        entry.metric === null ? [] : [entry.metric],
      );
      expect(confirmed.length).toBeGreaterThan(0);
      const sent = server.requests.map((request) => JSON.stringify(request.body)).join('\n');
      for (const metric of confirmed) {
        expect(sent).not.toContain(String(metric));
        expect(sent).not.toContain(metric.toFixed(4));
      }
    },
    15 * 60_000,
  );

  it('without a key is a usage error (exit 2), before anything is written', async () => {
    const workdir = workflowWorkdir('wf-analysis-nokey-');
    const run = await runRunner([workdir, '--analysis', 'claude', '--max-experiments', '1'], {
      TSFM_RUNNER_ADAPTER_MODULE: '',
      ANTHROPIC_API_KEY: '',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--analysis claude needs ANTHROPIC_API_KEY');
    expect(() => readFileSync(join(workdir, 'config.json'))).toThrow();
  });
});
