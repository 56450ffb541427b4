/**
 * A run that kept no candidate (the autoresearch demo's outcome: every planned variant within
 * noise of the harness default): the verdict is the harness default against the best fixed config
 * on the confirmation split, and summary.md shows the seeds on both splits.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeOutputs } from '../src/report/write-outputs.js';
import { runVerdict, type ConfirmationEntry, type Target } from '../src/workflow/confirmation.js';
import type { Unit } from '../src/workflow/research/bootstrap.js';
import type { TreeNode } from '../src/workflow/state/tree-schema.js';
import { fixtureTree, fixtureWorkdir } from './report-fixture.js';

const units = (perTenant: (i: number) => number): Unit[] =>
  Array.from({ length: 48 }, (_, i) => ({ id: `t${i}`, lossSum: perTenant(i) * 4, lossCount: 4 }));

/** The fixture tree with no candidate kept: every kept node but the reference seeds becomes discarded. */
function treeWithoutKeeps(): ReturnType<typeof fixtureTree> {
  return fixtureTree().map((node) =>
    node.seedKind === 'best-fixed' || node.seedKind === 'oracle' || node.decision !== 'keep'
      ? node
      : { ...node, decision: 'discard' as const },
  );
}

function target(id: string, role: Target['role'], metric: number): Target {
  return { node: { id, metric } as TreeNode & { metric: number }, role };
}

function entry(id: string, role: ConfirmationEntry['role'], metric: number): ConfirmationEntry {
  return {
    id,
    name: id,
    role,
    searchMetric: metric,
    metric,
    halfWidth: null,
    latencyMsP99: null,
    budgetMs: null,
    overBudget: null,
    tenants: 48,
    error: null,
  };
}

describe('the verdict of a run that kept no candidate', () => {
  it('is the harness default against the best fixed config', () => {
    // The harness default is 8% worse on every tenant: worse beyond noise.
    const fixed = units((i) => 0.3 + (i % 7) / 100);
    const harness = fixed.map((unit) => ({ ...unit, lossSum: unit.lossSum * 1.08 }));
    const verdict = runVerdict(
      [target('seed-harness-default', 'harness-default', 0.35), target('seed-best-fixed', 'best-fixed', 0.33)],
      [entry('seed-harness-default', 'harness-default', 0.35), entry('seed-best-fixed', 'best-fixed', 0.33)],
      new Map([
        ['seed-harness-default', harness],
        ['seed-best-fixed', fixed],
      ]),
    );
    expect(verdict?.bestId).toBe('seed-harness-default');
    expect(verdict?.bestFixed?.change).toBeCloseTo(0.08, 2);
    expect(verdict?.sentence).toMatch(
      /^no candidate was kept; the harness default \(seed-harness-default\) scores 0\.3500 on the confirmation split, \+8\.0% against the best fixed config .*: worse beyond noise$/,
    );
  });

  it('is still about the best when there is one', () => {
    const fixed = units(() => 0.3);
    const verdict = runVerdict(
      [target('e9', 'best', 0.28), target('seed-best-fixed', 'best-fixed', 0.3)],
      [entry('e9', 'best', 0.28), entry('seed-best-fixed', 'best-fixed', 0.3)],
      new Map([
        ['e9', fixed.map((unit) => ({ ...unit, lossSum: unit.lossSum * 0.9 }))],
        ['seed-best-fixed', fixed],
      ]),
    );
    expect(verdict?.sentence).toMatch(/^the best \(e9\) scores 0\.2800/);
  });

  it('summary.md shows the seeds with their search and confirmation metrics', async () => {
    const root = fixtureWorkdir({ nodes: treeWithoutKeeps() });
    writeFileSync(
      join(root, 'engine', 'confirmation.json'),
      JSON.stringify({
        bestId: null,
        entries: [
          { id: 'e001', role: 'harness-default', metric: 0.5612 },
          { id: 'e002', role: 'best-fixed', metric: 0.4988 },
          { id: 'e003', role: 'oracle', metric: 0.3702 },
        ],
        verdict: {
          bestId: 'e001',
          sentence: 'no candidate was kept; the harness default (e001) scores 0.5612 on the confirmation split',
        },
      }),
    );
    const summary = readFileSync((await writeOutputs(root)).summary, 'utf8');
    // The fixture's run has stopped (plateau): what stands is the harness default, not "none yet".
    expect(summary).toContain('- **Best:** none: no candidate beat the harness default (e001, 0.5234) beyond noise');
    expect(summary).toContain('**Verdict** (confirmation split): no candidate was kept; the harness default (e001)');
    const seeds = summary.split('## Seed baselines')[1]?.split('\n## ')[0] ?? '';
    expect(seeds).toContain('| baseline | experiment | search | confirmation | p99 ms | decision |');
    expect(seeds).toMatch(/\| harness default \| seed-harness-default \(`e001`\) \| 0\.5234 \| 0\.5612 \|/);
    expect(seeds).toMatch(/\| best fixed config \| .* \| 0\.4870 \| 0\.4988 \|/);
  });
  it('summary.md and report.md say "none yet" while a run without a kept candidate goes on', async () => {
    const root = fixtureWorkdir({ nodes: treeWithoutKeeps() });
    const running = { version: 1, status: 'running', queue: [], running: [], done: [], counter: 15, settledEdits: [] };
    writeFileSync(
      join(root, 'engine', 'checkpoint.json'),
      JSON.stringify({ ...running, updatedAt: '2026-01-01T00:00:00Z' }),
    );
    writeFileSync(join(root, 'engine', 'engine_state.json'), JSON.stringify({ plannerDollars: 0, rounds: [] }));
    const outputs = await writeOutputs(root);
    expect(readFileSync(outputs.summary, 'utf8')).toContain('- **Best:** none yet (no candidate has been kept)');
    expect(readFileSync(outputs.report, 'utf8')).toContain('- Best (search split, by the keep rule): none yet');
  });
});
