import { describe, expect, it } from 'vitest';
import { ScoreAccumulator, costOf, meanShortfallOf, slackOf, violationRateOf } from '../src/simulator/index.js';

function scoreOf(pairs: ReadonlyArray<readonly [number, number]>) {
  const acc = new ScoreAccumulator();
  for (const [demand, capacity] of pairs) acc.step(demand, capacity);
  return acc.result();
}

describe('replay score', () => {
  it('slack is the mean over-provisioned fraction of capacity, violations count demand strictly above capacity', () => {
    // capacity 4: demand 1 → 3/4 slack; demand 4 → 0 slack, no violation (equal); demand 6 → violation.
    const s = scoreOf([
      [1, 4],
      [4, 4],
      [6, 4],
      [2, 4],
    ]);
    expect(slackOf(s)).toBeCloseTo((0.75 + 0 + 0 + 0.5) / 4, 12);
    expect(violationRateOf(s)).toBe(0.25);
    expect(meanShortfallOf(s)).toBe(0.5);
    expect(s.excessSum).toBe(3 + 0 + 0 + 2);
  });

  it('skips steps whose demand is missing', () => {
    const s = scoreOf([
      [Number.NaN, 4],
      [2, 4],
    ]);
    expect(s.steps).toBe(1);
    expect(slackOf(s)).toBe(0.5);
  });

  it('counts no slack on zero capacity, and a violation as soon as any demand arrives', () => {
    const s = scoreOf([
      [0, 0],
      [1, 0],
    ]);
    expect(slackOf(s)).toBe(0);
    expect(violationRateOf(s)).toBe(0.5);
  });

  it('costs shortfall at cUnder and excess at cOver per unit-step', () => {
    const s = scoreOf([
      [6, 4],
      [1, 4],
    ]);
    expect(costOf(s, { under: 9, over: 1 })).toBe(9 * 2 + 1 * 3);
  });

  it('reports NaN rates, not 0, when nothing was scored', () => {
    const s = scoreOf([[Number.NaN, 1]]);
    expect(slackOf(s)).toBeNaN();
    expect(violationRateOf(s)).toBeNaN();
  });
});
