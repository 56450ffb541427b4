import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OfflinePlanner } from '../src/planners/offline-planner.js';
import { completeParams, defaultParams, knobValues, paramsKey, validateParams } from '../src/planners/param-space.js';
import type { ParamSpace } from '../src/planners/param-space.js';
import type { ExperimentRecord } from '../src/planners/planner.js';
import type { ExperimentProposal } from '../src/planners/proposal-schema.js';
import { PlanReplySchema } from '../src/planners/proposal-schema.js';
import { checkReply } from '../src/planners/validate-reply.js';
import { context, record, SPACE, syntheticObjective } from './helpers/planner-fixtures.js';

/** plan → evaluate the synthetic objective → plan …, until `total` experiments have run. */
async function searchLoop(
  seed: number,
  total: number,
): Promise<{ history: ExperimentRecord[]; rounds: ExperimentProposal[][] }> {
  const planner = new OfflinePlanner({ seed });
  const history: ExperimentRecord[] = [];
  const rounds: ExperimentProposal[][] = [];
  while (history.length < total) {
    const outcome = await planner.plan(
      context({ history, budget: { experimentsLeft: total - history.length, dollarsLeft: 0 } }),
    );
    expect(outcome.proposals.length).toBeGreaterThan(0);
    rounds.push(outcome.proposals);
    for (const proposal of outcome.proposals) {
      const metric = syntheticObjective(completeParams(SPACE, proposal.params));
      history.push({
        id: `e${history.length + 1}`,
        name: proposal.name,
        params: proposal.params,
        metric,
        status: 'keep',
        parent: proposal.parent ?? null,
      });
    }
  }
  return { history, rounds };
}

describe('OfflinePlanner', () => {
  it('finds a strictly better configuration than the defaults within 12 experiments on a synthetic objective', async () => {
    const { history } = await searchLoop(7, 12);
    const defaultMetric = syntheticObjective(defaultParams(SPACE));
    const best = Math.min(...history.map((r) => r.metric as number));

    expect(history).toHaveLength(12);
    expect(history[0]?.name).toBe('baseline-defaults');
    expect(history[0]?.metric).toBe(defaultMetric);
    expect(best).toBeLessThan(defaultMetric);
    // Not one lucky draw: the search keeps improving after its first round.
    const firstRoundBest = Math.min(...history.slice(0, 4).map((r) => r.metric as number));
    expect(best).toBeLessThan(firstRoundBest);
  });

  it('gives the same proposals for the same seed, and differs only through the exploration slot for another', async () => {
    const a = await searchLoop(42, 12);
    const b = await searchLoop(42, 12);
    expect(b.rounds).toEqual(a.rounds);

    const c = await searchLoop(43, 12);
    const explorations = (run: typeof a) =>
      run.rounds
        .flat()
        .filter((p) => p.name.startsWith('explore-'))
        .map((p) => paramsKey(SPACE, p.params));
    expect(explorations(c)).not.toEqual(explorations(a));
  });

  it('starts from the incumbent: its moves change one knob of the best experiment and name it as parent', async () => {
    const history = [
      record('e1', 'baseline-defaults', {}, 2.85),
      record('e2', 'res-15', { resolutionMinutes: 15 }, 2.2, 'e1'),
      record('e3', 'ctx-64', { contextLength: 64 }, 3.5, 'e1'),
    ];
    const outcome = await new OfflinePlanner({ explorationSlots: 0 }).plan(context({ history }));
    const incumbent = completeParams(SPACE, { resolutionMinutes: 15 });
    for (const proposal of outcome.proposals) {
      const params = completeParams(SPACE, proposal.params);
      const changed = Object.keys(SPACE).filter((k) => params[k] !== incumbent[k]);
      expect(changed, proposal.name).toHaveLength(1);
      expect(proposal.parent).toBe('e2');
    }
    // One move per knob before a second move on any knob.
    const knobs = outcome.proposals.map((p) =>
      Object.keys(SPACE).find((k) => completeParams(SPACE, p.params)[k] !== incumbent[k]),
    );
    expect(new Set(knobs).size).toBe(knobs.length);
  });

  it('follows a direction that helped and avoids one already measured worse', async () => {
    const space: ParamSpace = { contextLength: SPACE['contextLength'] };
    // 128 → 192 improved, 64 was worse: keep going up rather than trying 64 or 128 again.
    const history = [
      record('e1', 'ctx-128', { contextLength: 128 }, 2.0),
      record('e2', 'ctx-192', { contextLength: 192 }, 1.5, 'e1'),
      record('e3', 'ctx-64', { contextLength: 64 }, 2.6, 'e1'),
    ];
    const outcome = await new OfflinePlanner({ explorationSlots: 0, batchSize: 1 }).plan(
      context({ history, paramSpace: space }),
    );
    expect(outcome.proposals[0]?.params['contextLength']).toBe(256);
  });

  it('caps proposals at the experiments left and asks to stop once the whole space is tried', async () => {
    const space: ParamSpace = { flip: { kind: 'choice', values: [false, true] } };
    const planner = new OfflinePlanner();
    const one = await planner.plan(context({ paramSpace: space, budget: { experimentsLeft: 1, dollarsLeft: 0 } }));
    expect(one.proposals).toHaveLength(1);

    const done = await planner.plan(
      context({
        paramSpace: space,
        history: [record('e1', 'a', { flip: false }, 1), record('e2', 'b', { flip: true }, 2)],
      }),
    );
    expect(done.proposals).toEqual([]);
    expect(done.stopRequested).toBe(true);
  });

  it('costs nothing: no tokens, no dollars', async () => {
    const outcome = await new OfflinePlanner().plan(context());
    expect(outcome.usage).toEqual({ inputTokens: 0, outputTokens: 0, dollars: 0 });
    expect(outcome.failure).toBeUndefined();
  });
});

const valueOf = (knob: string) => fc.constantFrom(...knobValues(SPACE[knob]));
const paramsArb = fc.record(Object.fromEntries(Object.keys(SPACE).map((k) => [k, valueOf(k)])));

describe('OfflinePlanner invariants (property)', () => {
  it('proposes only valid, untried, uniquely named configurations in the shared schema', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            params: paramsArb,
            metric: fc.option(fc.double({ min: 0, max: 10, noNaN: true }), { nil: null }),
          }),
          { maxLength: 40 },
        ),
        fc.array(paramsArb, { maxLength: 4 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 8 }),
        async (runs, queued, seed, experimentsLeft) => {
          const history = runs.map((r, i) => record(`e${i}`, `run-${i}`, r.params, r.metric));
          const inFlight = queued.map((params, i) => ({ name: `queued-${i}`, params }));
          const ctx = context({ history, inFlight, budget: { experimentsLeft, dollarsLeft: 0 } });
          const outcome = await new OfflinePlanner({ seed }).plan(ctx);

          expect(outcome.proposals.length).toBeLessThanOrEqual(Math.min(4, experimentsLeft));
          const tried = new Set([...history, ...inFlight].map((r) => paramsKey(SPACE, r.params)));
          const keys = outcome.proposals.map((p) => paramsKey(SPACE, p.params));
          for (const p of outcome.proposals) expect(validateParams(SPACE, p.params)).toEqual([]);
          for (const key of keys) expect(tried.has(key)).toBe(false);
          expect(new Set(keys).size).toBe(keys.length);
          if (outcome.proposals.length > 0) {
            const reply = { action: 'propose', reasoning: outcome.reasoning, experiments: outcome.proposals };
            expect(PlanReplySchema.safeParse(reply).success).toBe(true);
            // The same checks Claude's replies must pass: names, parents, duplicates, knob values.
            expect(checkReply(reply, ctx)).toEqual({ ok: true, reply });
          }
          // Deterministic: the same context gives the same answer.
          expect(await new OfflinePlanner({ seed }).plan(ctx)).toEqual(outcome);
        },
      ),
      { numRuns: 150 },
    );
  });
});
