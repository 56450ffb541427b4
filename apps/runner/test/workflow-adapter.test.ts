/**
 * The workflow adapter in-process, on anchored tiny workdirs.
 *
 * Preparing: an experiment's patch must apply, must leave the frozen evaluator alone and must
 * type-check — or the experiment fails with the reason and is never launched; a patch that does
 * all that really changes what runs. Planning: rounds wait for the seeds, are cached by round id,
 * and the stop rule (plateau after the seeds, caps) is what stopReason() reports.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkAdapter } from '../src/core/adapter.js';
import type { WorkSpec } from '../src/core/work-spec.js';
import type { WorkflowAdapter } from '../src/workflow/workflow-adapter.js';
import { createAdapter } from '../src/workflow/create-adapter.js';
import { FakeMessagesServer } from './helpers/fake-messages-server.js';
import {
  anchoredWorkdir,
  experimentSpec,
  inProcessContext,
  launchMarkers,
  linePatch,
  readMaster,
  readResults,
  readTree,
  removeTempDirs,
  runAllToCompletion,
  runToCompletion,
  templateFile,
} from './workflow-helpers.js';

let workdir: string;
let adapter: WorkAdapter<unknown>;

beforeAll(async () => {
  workdir = await anchoredWorkdir();
  adapter = await createAdapter(inProcessContext(workdir).ctx);
});
afterAll(removeTempDirs);

const experimentTs = templateFile('experiment.ts');
const evaluateTs = templateFile('evaluate.ts');

function node(id: string) {
  const found = readTree(workdir).find((n) => n.id === id);
  if (!found) throw new Error(`no node ${id}`);
  return found;
}

describe('an experiment that cannot be prepared fails before launch', () => {
  it('a patch that does not apply: failed with git’s message, nothing committed or launched, crash row with an empty metric', async () => {
    const patch = [
      '--- a/experiment.ts',
      '+++ b/experiment.ts',
      '@@ -1,3 +1,3 @@',
      ' const a = 1;',
      '-const b = 2;',
      '+const b = 3;',
      ' const c = 4;',
      '',
    ].join('\n');
    const { outcome } = await runToCompletion(
      adapter,
      experimentSpec('p-noapply', { name: 'no-apply', params: {}, patch }),
    );
    expect(outcome.ok).toBe(false);
    const n = node('p-noapply');
    expect(n).toMatchObject({ status: 'failed', decision: 'crash', metric: null, commit: null });
    expect(n.error).toMatch(/^patch: the patch does not apply: .*(patch failed|does not apply)/s);
    expect(launchMarkers(workdir, 'p-noapply')).toEqual([]);
    const row = readResults(workdir).rows.find((r) => r[4].startsWith('p-noapply:'))!;
    expect(row[1]).toBe(''); // metric: empty, never 0
    expect(row[3]).toBe('crash');
  });

  it('a patch that breaks the types: failed with tsc’s first error, committed but never launched', async () => {
    const patch = linePatch('experiment.ts', experimentTs, '  return picked;', "  return 'not a list of configs';");
    await runToCompletion(adapter, experimentSpec('p-types', { name: 'bad-types', patch }));
    const n = node('p-types');
    expect(n).toMatchObject({ status: 'failed', decision: 'crash' });
    expect(n.error).toMatch(/^typecheck: tsc found \d+ error\(s\):\nexperiment\.ts\(\d+,\d+\): error TS\d+/);
    expect(n.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(launchMarkers(workdir, 'p-types')).toEqual([]);
    expect(readFileSync(join(workdir, 'runs', 'p-types', 'analysis.md'), 'utf8')).toMatch(
      /\*\*What happened\.\*\* typecheck: /,
    );
  });

  it('a patch touching the frozen evaluator is refused before launch, though it applies cleanly', async () => {
    const patch = linePatch('evaluate.ts', evaluateTs, "console.log('---');", "console.log('---'); // tampered");
    await runToCompletion(adapter, experimentSpec('p-evaluator', { name: 'touch-evaluator', patch }));
    const n = node('p-evaluator');
    expect(n).toMatchObject({ status: 'failed', decision: 'crash', commit: null });
    expect(n.error).toMatch(/^integrity: refused: the experiment changes evaluate\.ts; only experiment\.ts may change/);
    expect(launchMarkers(workdir, 'p-evaluator')).toEqual([]);
  });

  it('params outside the space are refused as an invalid spec', async () => {
    await runToCompletion(adapter, experimentSpec('p-params', { name: 'k-too-big', params: { k: 65 } }));
    expect(node('p-params').error).toMatch(/^invalid-spec: k: 65 is outside 1\.\.64/);
    expect(launchMarkers(workdir, 'p-params')).toEqual([]);
  });
});

describe('an experiment that prepares cleanly', () => {
  it('runs its patched experiment.ts from its own commit and records the metric once', async () => {
    // Always keep the fleet default: per-request search degenerates to the k = 1 baseline.
    const patch = linePatch('experiment.ts', experimentTs, '  const winner = argmin(means);', '  const winner = 0;');
    const [patched, plain, k1] = await runAllToCompletion(adapter, [
      experimentSpec('p-default-only', { name: 'default-only', patch }),
      experimentSpec('p-plain', { name: 'plain', params: {} }),
      experimentSpec('p-k1', { name: 'k-1', params: { k: 1 } }),
    ]);
    for (const run of [patched, plain, k1])
      expect(run.outcome.ok, String(!run.outcome.ok && run.outcome.error)).toBe(true);

    const [a, b, c] = ['p-default-only', 'p-plain', 'p-k1'].map(node);
    expect(a.metric).toBe(c.metric); // the patch really ran: it scores exactly like k = 1
    expect(a.metric).not.toBe(b.metric);
    expect(a).toMatchObject({ status: 'completed', seed: false, patch });
    const show = execFileSync('git', ['show', '--stat', '--format=%s', a.commit!], {
      cwd: join(workdir, 'source'),
      encoding: 'utf8',
    });
    expect(show).toMatch(/^exp p-default-only: default-only\n/);
    expect(show).toMatch(/experiment\.ts/);
    expect(show).toMatch(/params\.json/);
    expect(launchMarkers(workdir, 'p-default-only')).toHaveLength(1);
    expect(existsSync(join(workdir, 'runs', 'p-default-only', 'metrics.json'))).toBe(true);

    // complete() again (a crash before the checkpoint) changes nothing and writes no second row.
    await adapter.complete(experimentSpec('p-plain', { name: 'plain' }), plain.outcome);
    const master = readMaster(workdir);
    expect(master.rows.filter((row) => row[0] === 'p-plain')).toHaveLength(1);
    expect(readResults(workdir).rows.filter((row) => row[4].startsWith('p-plain:'))).toHaveLength(1);
    expect(master.problems).toEqual([]);
  });
});

describe('a candidate that finishes before the harness-default baseline', () => {
  it('waits undecided and out of the ledgers, then is judged against the baseline once it is final', async () => {
    const dir = await anchoredWorkdir();
    const { ctx, lines } = inProcessContext(dir);
    const research = (await createAdapter(ctx)) as WorkflowAdapter;
    const seeds = await research.seed();
    // Queued by hand and run while every seed is still queued: before this was fixed it was kept
    // at once ("no measured baseline to compare with").
    await runToCompletion(research, experimentSpec('e-hand', { name: 'by-hand', params: { k: 1 } }));
    const waiting = readTree(dir).find((n) => n.id === 'e-hand');
    expect(waiting).toMatchObject({ status: 'completed', decision: null });
    expect(waiting?.decisionReason).toMatch(/^waiting for the harness-default baseline \(seed-harness-default\)/);
    expect(readMaster(dir).rows.filter((row) => row[0] === 'e-hand')).toEqual([]);
    expect(readResults(dir).rows.filter((row) => row[4].startsWith('e-hand:'))).toEqual([]);

    const baselineFirst = seeds.filter((spec) => spec.id !== 'seed-harness-default');
    await runAllToCompletion(research, baselineFirst);
    expect(readTree(dir).find((n) => n.id === 'e-hand')?.decision).toBeNull(); // the baseline is still queued
    await runAllToCompletion(
      research,
      seeds.filter((spec) => spec.id === 'seed-harness-default'),
    );

    const judged = readTree(dir).find((n) => n.id === 'e-hand');
    expect(judged?.decision === 'keep' || judged?.decision === 'discard').toBe(true);
    expect(judged?.decisionReason).toContain('seed-harness-default');
    expect(judged?.decisionReason).not.toContain('no measured baseline');
    expect(readMaster(dir).rows.filter((row) => row[0] === 'e-hand')).toHaveLength(1);
    const result = JSON.parse(readFileSync(join(dir, 'engine', 'nodes', 'e-hand', 'result.json'), 'utf8'));
    expect(result.decision).toBe(judged?.decision);
    expect(existsSync(join(dir, 'runs', 'e-hand', 'analysis.md'))).toBe(true);
    expect(lines.some((line) => line.startsWith('e-hand: judged after the baseline finished'))).toBe(true);
  });
});

describe('planning rounds and the stop rule', () => {
  it('plans only once the seeds are done, and a replayed round returns its cached proposals without a second call', async () => {
    const dir = await anchoredWorkdir();
    const { ctx, lines } = inProcessContext(dir, { maxExperiments: 5, patience: 2 });
    const planning = (await createAdapter(ctx)) as WorkflowAdapter;
    const seeds = await planning.seed();
    expect(seeds.map((s) => s.id)).toEqual(['seed-best-fixed', 'seed-harness-default', 'seed-oracle']);
    expect(planning.stopDecision([0.3, 0.3, 0.3])).toBeUndefined(); // no plateau before the seeds are done

    const children: WorkSpec[][] = (await runAllToCompletion(planning, seeds)).map((done) => [...done.children]);
    expect(children.slice(0, 2)).toEqual([[], []]);
    const [plan] = children[2];
    expect(plan).toMatchObject({ id: 'plan-1', kind: 'plan' });

    const first = await runToCompletion(planning, plan);
    expect(first.children.length).toBe(2); // 5 experiments allowed, 3 seeds started
    expect(first.children.map((c) => c.id)).toEqual([expect.stringMatching(/^e004-/), expect.stringMatching(/^e005-/)]);
    expect(
      first.children.every((c) => (c.payload['experiment'] as { parent: string }).parent === 'seed-harness-default'),
    ).toBe(true);
    // The runner died before the checkpoint: complete() runs again for the same round.
    const replay = await planning.complete(plan, { ok: true, value: { kind: 'plan' } });
    expect(replay.children).toEqual(first.children);
    expect(lines.filter((line) => line.includes('planning round')).length).toBe(1);
    expect(existsSync(join(dir, 'engine', 'planner', 'plan-1.json'))).toBe(true);
    const state = JSON.parse(readFileSync(join(dir, 'engine', 'engine_state.json'), 'utf8'));
    expect(state.rounds).toHaveLength(1);
    expect(
      readTree(dir)
        .filter((n) => n.status === 'queued')
        .map((n) => n.id),
    ).toEqual(first.children.map((c) => c.id));

    // Seeds done: a flat best over `patience` rounds is a plateau; an improving one is not.
    expect(planning.stopDecision([0.3, 0.3, 0.3])).toMatchObject({ reason: 'plateau' });
    expect(planning.stopDecision([0.4, 0.35, 0.3])).toBeUndefined();
    expect(planning.stopReason()).toBeUndefined();
    await runAllToCompletion(planning, first.children);
    expect(planning.stopReason()).toMatch(/^max-experiments: 5 experiments reached the cap of 5$/);
  });
});

describe('the Claude planner through the workflow', () => {
  it('proposes a patched experiment that is committed and run; a replayed round does not call (or pay) again', async () => {
    const server = await FakeMessagesServer.start();
    const saved = { key: process.env['ANTHROPIC_API_KEY'], url: process.env['ANTHROPIC_BASE_URL'] };
    Object.assign(process.env, { ANTHROPIC_API_KEY: 'sk-ant-test-workflow', ANTHROPIC_BASE_URL: server.url });
    try {
      const dir = await anchoredWorkdir();
      const { ctx, lines } = inProcessContext(dir, { planner: 'claude', maxExperiments: 4, maxDollars: 1 });
      const claude = (await createAdapter(ctx)) as WorkflowAdapter;
      const [plan] = (await runAllToCompletion(claude, await claude.seed())).at(-1)!.children;
      const patch = linePatch('experiment.ts', experimentTs, '  const winner = argmin(means);', '  const winner = 0;');
      server.enqueue({
        kind: 'tool',
        input: {
          action: 'propose',
          reasoning: 'Per-tenant selection may overfit; measure keeping the default every time.',
          experiments: [
            {
              name: 'always-default',
              hypothesis: 'Always keeping the default raises the loss to the k = 1 level.',
              params: {},
              patch,
              priority: 0,
              parent: 'seed-harness-default',
            },
          ],
        },
      });
      const first = await runToCompletion(claude, plan);
      const replay = await claude.complete(plan, { ok: true, value: { kind: 'plan' } });
      expect(server.requests).toHaveLength(1);
      expect(replay.children).toEqual(first.children);
      expect(lines.some((line) => line.includes('Claude planner'))).toBe(true);
      const state = JSON.parse(readFileSync(join(dir, 'engine', 'engine_state.json'), 'utf8'));
      expect(state.plannerDollars).toBeGreaterThan(0);
      expect(state.rounds).toHaveLength(1);
      // The prompt carried the program, the references and the editable source.
      const prompt = JSON.stringify(server.requests[0].body);
      expect(prompt).toContain('best fixed config');
      expect(prompt).toContain('export const experiment: Experiment');

      const [child] = first.children;
      const done = await runToCompletion(claude, child);
      expect(done.outcome.ok, String(!done.outcome.ok && done.outcome.error)).toBe(true);
      expect(readTree(dir).find((n) => n.id === child.id)).toMatchObject({
        status: 'completed',
        patch,
        parent: 'seed-harness-default',
      });
    } finally {
      await server.close();
      for (const [name, value] of [
        ['ANTHROPIC_API_KEY', saved.key],
        ['ANTHROPIC_BASE_URL', saved.url],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
