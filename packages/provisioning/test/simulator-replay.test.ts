import { describe, expect, it } from 'vitest';
import {
  ReplayError,
  frontierSpec,
  matchedViolationTable,
  replayFleet,
  replayPolicies,
  replayTenant,
  summarise,
  summaryTable,
  sweepAtViolationRate,
  type PolicySpec,
  type PolicySummary,
  type ReplayTenant,
  type TenantReplay,
} from '../src/simulator/index.js';

/** A policy from a function of (history, decision index); no state. */
function fnPolicy(name: string, f: (history: Float32Array, current: number) => number | Float32Array): PolicySpec {
  return { name, family: name, alpha: null, create: () => ({ decide: (history, _h, c) => f(history, c.current) }) };
}

function tenant(demand: number[], replayStart: number, extra: Partial<ReplayTenant> = {}): ReplayTenant {
  return {
    id: 't',
    demand: Float32Array.from(demand),
    replayStart,
    stepMinutes: 1,
    alpha: 0.75,
    tier: 'standard',
    costs: { under: 3, over: 1 },
    ...extra,
  };
}

const OPTS = { decisionEverySteps: 2, horizonSteps: 4 };

describe('replayTenant', () => {
  it('decides every interval from the history before it and scores the steps until the next decision', async () => {
    const seen: number[] = [];
    const last = fnPolicy('last', (h) => (seen.push(h.length), h[h.length - 1]));
    // Replay steps 2…6 (5 steps, decisions at 2, 4, 6); capacity = the last observed value.
    const r = await replayTenant(tenant([1, 2, 3, 4, 5, 6, 7], 2), last, OPTS);
    expect(seen).toEqual([2, 4, 6]);
    // capacity 2 for demand 3,4 → 2 violations (shortfall 1 + 2); capacity 4 for 5,6 → 2 more
    // (1 + 2); capacity 6 for 7 → 1.
    expect(r.score).toMatchObject({
      steps: 5,
      violations: 5,
      shortfallSum: 1 + 2 + 1 + 2 + 1,
      excessSum: 0,
      decisions: 3,
    });
    expect(r.cost).toBe(3 * 7);
    expect(r.minutes).toBe(5);
  });

  it('starts every policy from the peak of the day before the replay', async () => {
    const seenCurrent: number[] = [];
    const keep = fnPolicy('keep', (_h, current) => (seenCurrent.push(current), current));
    const r = await replayTenant(tenant([5, 9, 2, 1, 1], 3), keep, OPTS);
    expect(seenCurrent[0]).toBe(9);
    expect(r.score.violations).toBe(0);
    expect(r.score.changes).toBe(0);
  });

  it('scores a per-step capacity path step by step', async () => {
    const path = fnPolicy('path', () => Float32Array.of(1, 10, 99, 99));
    const r = await replayTenant(tenant([0, 0, 5, 5], 2), path, OPTS);
    expect(r.score.violations).toBe(1); // 5 > 1 at the first step, 5 ≤ 10 at the second
    expect(r.score.excessSum).toBe(5);
  });

  it('fails loudly, naming the policy, tenant and step, when a policy returns NaN or too short a path', async () => {
    await expect(
      replayTenant(
        tenant([1, 1, 1, 1], 2),
        fnPolicy('bad', () => Number.NaN),
        OPTS,
      ),
    ).rejects.toThrow(/policy bad on t at step 2 decided capacity NaN/);
    await expect(
      replayTenant(
        tenant([1, 1, 1, 1], 2),
        fnPolicy('short', () => Float32Array.of(1)),
        OPTS,
      ),
    ).rejects.toThrow(ReplayError);
  });

  it('rejects a horizon shorter than the decision interval, and a replay with no history before it', async () => {
    const p = fnPolicy('p', () => 1);
    await expect(replayTenant(tenant([1, 1, 1], 1), p, { decisionEverySteps: 5, horizonSteps: 2 })).rejects.toThrow(
      /horizonSteps/,
    );
    await expect(replayTenant(tenant([1, 1, 1], 0), p, OPTS)).rejects.toThrow(/replayStart/);
  });

  it('an oracle that sees the interval coming has no violations and no slack', async () => {
    const demand = Array.from({ length: 50 }, (_, i) => 1 + Math.sin(i / 3) ** 2);
    const t = tenant(demand, 10, { id: 'oracle' });
    const oracle: PolicySpec = {
      name: 'oracle',
      family: 'oracle',
      alpha: null,
      create: () => ({ decide: (h) => t.demand.slice(h.length, h.length + 2) }),
    };
    const r = await replayTenant(t, oracle, OPTS);
    expect(r.score.violations).toBe(0);
    expect(r.score.slackFractionSum).toBe(0);
  });
});

describe('replayPolicies', () => {
  it('steps every policy in lockstep and scores each as if it ran alone', async () => {
    // A stateful policy (its capacity depends on its own previous decision) beside a stateless one.
    const order: string[] = [];
    const creep: PolicySpec = {
      name: 'creep',
      family: 'creep',
      alpha: null,
      create: () => ({
        decide: (h, _s, c) => (order.push(`creep@${h.length}`), c.current + 1),
      }),
    };
    const last = fnPolicy('last', (h) => (order.push(`last@${h.length}`), h[h.length - 1]));
    const t = tenant([3, 1, 4, 1, 5, 9, 2, 6, 5], 3);
    const together = await replayPolicies(t, [creep, last], OPTS);
    expect(order).toEqual(['creep@3', 'last@3', 'creep@5', 'last@5', 'creep@7', 'last@7']);
    order.length = 0;
    const alone = [await replayTenant(t, creep, OPTS), await replayTenant(t, last, OPTS)];
    // Equal but for the wall time spent deciding.
    const untimed = (r: TenantReplay) => ({ ...r, score: { ...r.score, decideMs: 0 } });
    expect(together.map(untimed)).toEqual(alone.map(untimed));
    expect(together[0].score).toMatchObject({ decisions: 3, changes: 3 });
  });
});

describe('replayFleet and the report', () => {
  const a = tenant([1, 1, 1, 1, 1, 1], 2, { id: 'a' });
  const b = tenant([2, 2, 2, 2, 2, 2], 2, { id: 'b', costs: { under: 9, over: 1 } });
  const double = fnPolicy('double', (h) => 2 * h[h.length - 1]);
  const half = fnPolicy('half', (h) => 0.5 * h[h.length - 1]);

  it('runs every policy on every tenant and summarises per policy', async () => {
    const done: string[] = [];
    const replays = await replayFleet([a, b], [double, half], OPTS, { afterTenant: (t) => done.push(t.id) });
    expect(done).toEqual(['a', 'b']);
    const [d, h] = summarise(replays, [double, half]);
    expect(d).toMatchObject({
      policy: 'double',
      tenants: 2,
      steps: 8,
      slack: 0.5,
      violationRate: 0,
      relativeShortfall: 0,
    });
    // double: excess 1 per step on a (4 steps), 2 on b → cost 4 + 8 = 12; relative: 4/4 and 8/8 → 1.
    expect(d.totalCost).toBe(12);
    expect(d.relativeCost).toBe(1);
    expect(h).toMatchObject({ slack: 0, violationRate: 1, relativeShortfall: 0.5 });
    expect(h.totalCost).toBe(3 * 0.5 * 4 + 9 * 1 * 4);
    const table = summaryTable([d, h], { absoluteUnits: 'cores' });
    expect(table).toContain('| double | – | 2 | 50.0 % | 0.0 % |');
    expect(table).toContain('mean shortfall (cores)');
  });

  it('refuses two policies with one name (they would share a report row)', async () => {
    await expect(replayFleet([a], [double, double], OPTS)).rejects.toThrow(/two policies are named 'double'/);
  });

  it('draws the frontier with the Autopilot reference slack levels', async () => {
    const replays = await replayFleet([a], [double, half], OPTS);
    const spec = frontierSpec(summarise(replays, [double, half]), 'test') as {
      layer: Array<{ data: { values: Array<{ slack: number }> } }>;
    };
    expect(spec.layer[0].data.values.map((v) => v.slack)).toEqual([0.46, 0.23]);
    expect(spec.layer[3].data.values).toHaveLength(2);
  });
});

describe('slack at matched violation rates', () => {
  const row = (policy: string, family: string, alpha: number | null, slack: number, violationRate: number) =>
    ({ policy, family, alpha, slack, violationRate }) as PolicySummary;
  const rows = [
    row('vpa', 'vpa', null, 0.3, 0.01),
    row('crane', 'crane', null, 0.38, 0.002),
    row('h@0.5', 'h', 0.5, 0.02, 0.4),
    row('h@0.9', 'h', 0.9, 0.1, 0.05),
    row('h@0.99', 'h', 0.99, 0.2, 0.0),
  ];

  it('interpolates the sweep linearly in the violation rate between the bracketing α points', () => {
    // vpa's 1 %: between h@0.9 (10 %, 5 %) and h@0.99 (20 %, 0 %): 4/5 of the way → 18 %.
    const at = sweepAtViolationRate(rows, 'h', 0.01);
    expect(at).toMatchObject({ reached: true, alphas: [0.9, 0.99] });
    expect(at?.reached && at.slack).toBeCloseTo(0.18, 12);
    expect(sweepAtViolationRate(rows, 'h', 0.05)).toEqual({ reached: true, slack: 0.1, alphas: [0.9, 0.9] });
    expect(sweepAtViolationRate(rows, 'none', 0.05)).toBeNull();
  });

  it('says when a sweep does not reach a rate, with its lowest', () => {
    const short = rows.filter((r) => r.policy !== 'h@0.99');
    expect(sweepAtViolationRate(short, 'h', 0.01)).toEqual({ reached: false, lowestRate: 0.05, lowestAlpha: 0.9 });
    const table = matchedViolationTable(short);
    expect(table).toContain('| vpa | 30.0 % | 1.0 % | not reached (lowest 5.0 %, α 0.9) |');
    expect(matchedViolationTable(rows)).toContain('| crane | 38.0 % | 0.2 % | 19.6 % (α 0.9–0.99) |');
  });
});
