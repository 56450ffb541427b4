/**
 * The confirmation split through the real CLI, with the Claude planner and the report synthesis
 * on a local Messages API: at the end of a run the seeds and the best are scored on tenants the
 * search never used, the summary shows both columns and the verdict — and no confirmation number
 * ever reaches a prompt (planning or synthesis), the ledgers, the tree or an analysis.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { proposeOne, useFakeClaude, workflowWorkdir } from './helpers/claude-workflow.js';
import { runRunner } from './fixtures/runner-process.js';
import { readTree } from './workflow-helpers.js';

const claude = useFakeClaude();
const workdir = workflowWorkdir('wf-confirm-');
const env = () => claude.env('sk-test-confirmation');

interface Confirmation {
  bestId: string;
  entries: { id: string; role: string; metric: number | null; searchMetric: number }[];
  verdict: { sentence: string; bestFixed: { change: number; lo: number; hi: number } | null } | null;
}

function readConfirmation(): Confirmation {
  return JSON.parse(readFileSync(join(workdir, 'engine', 'confirmation.json'), 'utf8')) as Confirmation;
}

/** Every text file under a folder, recursively. */
function textsUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? textsUnder(path) : [readFileSync(path, 'utf8')];
  });
}

/** A last guard only: these drive the real CLI through whole runs, and a busy machine is slow. */
const RUN_TIMEOUT_MS = 15 * 60_000;

describe('the confirmation split', () => {
  it(
    'scores the seeds and the best after the search, and the summary shows both columns and the verdict',
    async () => {
      claude.server.enqueue(proposeOne('k-8', { k: 8 }), { kind: 'text', text: '### What was learned\n\nA little.' });
      const run = await runRunner(
        [workdir, '--planner', 'claude', '--max-experiments', '4', '--concurrency', '2'],
        env(),
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/confirmation split: \d experiment\(s\) scored \(\d evaluated now/);

      const confirmation = readConfirmation();
      const roles = confirmation.entries.map((entry) => entry.role).sort();
      expect(roles).toEqual(expect.arrayContaining(['best-fixed', 'oracle']));
      expect(roles.some((role) => role === 'best' || role === 'harness-default')).toBe(true);
      for (const entry of confirmation.entries) {
        expect(entry.metric, entry.id).toEqual(expect.any(Number));
        // Other tenants: the same experiment scores differently on them.
        expect(entry.metric).not.toBe(entry.searchMetric);
        expect(existsSync(join(workdir, 'runs', entry.id, 'confirmation', 'metrics.json'))).toBe(true);
      }
      expect(confirmation.verdict?.sentence).toMatch(
        /on the confirmation split, [−+]?\d+\.\d% against the best fixed config \(95% CI/,
      );

      const summary = readFileSync(join(workdir, 'summary.md'), 'utf8');
      expect(summary).toContain(
        '| baseline | experiment | search | confirmation | best vs baseline (search) | best vs baseline (confirmation) |',
      );
      expect(summary).toContain(`**Verdict** (confirmation split): ${confirmation.verdict!.sentence}`);
      const oracle = confirmation.entries.find((entry) => entry.role === 'oracle')!;
      expect(summary).toContain(oracle.metric!.toFixed(4));
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'reuses the results on disk for run.ts report, and never lets a confirmation number reach a prompt, a ledger or the tree',
    async () => {
      const before = readConfirmation();
      claude.server.enqueue(proposeOne('k-12', { k: 12 }), { kind: 'text', text: '### What was learned\n\nMore.' });
      const resumed = await runRunner([workdir, '--max-experiments', '5'], env());
      expect(resumed.code, resumed.stderr).toBe(0);
      const report = await runRunner(['report', workdir], env());
      expect(report.code, report.stderr).toBe(0);
      expect(report.stderr).toMatch(/0 evaluated now/);

      const confirmed = [...before.entries, ...readConfirmation().entries].flatMap((entry) =>
        entry.metric === null ? [] : [entry.metric],
      );
      const searchMetrics = readTree(workdir).flatMap((node) => (node.metric === null ? [] : [node.metric]));
      // Every way a number is written in our files and prompts; four decimals only where they cannot
      // be a search metric that happens to round the same.
      const written = confirmed.flatMap((metric) => [
        String(metric),
        metric.toFixed(6),
        metric.toPrecision(6),
        ...(searchMetrics.some((m) => m.toFixed(4) === metric.toFixed(4)) ? [] : [metric.toFixed(4)]),
      ]);
      const prompts = claude.server.requests.map((request) => JSON.stringify(request.body));
      expect(prompts.length).toBeGreaterThanOrEqual(4); // two planning rounds, two syntheses
      const places = {
        prompts: prompts.join('\n'),
        'logs/planner': textsUnder(join(workdir, 'logs', 'planner')).join('\n'),
        'master_table.tsv': readFileSync(join(workdir, 'master_table.tsv'), 'utf8'),
        'results.tsv': readFileSync(join(workdir, 'results.tsv'), 'utf8'),
        'engine/tree.json': readFileSync(join(workdir, 'engine', 'tree.json'), 'utf8'),
        analyses: readTree(workdir)
          .map((node) => readFileSync(join(workdir, 'runs', node.id, 'analysis.md'), 'utf8'))
          .join('\n'),
      };
      for (const [place, text] of Object.entries(places)) {
        const leaked = written.filter((value) => text.includes(value));
        expect(leaked, `${place} holds confirmation numbers`).toEqual([]);
      }
      // The check can fail: the summary, which may show them, does hold them.
      expect(written.some((value) => readFileSync(join(workdir, 'summary.md'), 'utf8').includes(value))).toBe(true);
    },
    RUN_TIMEOUT_MS,
  );
});
