import { describe, expect, it } from 'vitest';
import { pricing } from '../src/cli/replay-datasets.js';
import { parseSimulateArgs } from '../src/cli/simulate-args.js';

describe('simulate CLI: pricing', () => {
  it('prices each tenant at its tier: cUnder = cOver · α/(1 − α), so α = cUnder/(cUnder + cOver)', () => {
    const premium = pricing('premium', { over: 1, under: undefined });
    expect(premium.alpha).toBe(0.9);
    expect(premium.costs.under).toBeCloseTo(9, 12);
    const basic = pricing('basic', { over: 2, under: undefined });
    expect(basic.costs.under / (basic.costs.under + basic.costs.over)).toBeCloseTo(0.65, 12);
  });

  it('gives every tenant one ratio, and the matching α, when --c-under is set', () => {
    expect(pricing('premium', { over: 1, under: 3 })).toEqual({ alpha: 0.75, costs: { under: 3, over: 1 } });
  });
});

describe('simulate CLI: flags', () => {
  it('has bounded defaults: 100 tenants, the last 7 days, decisions every 5 min for 15', () => {
    const a = parseSimulateArgs([]);
    expect(a).toMatchObject({
      tenants: 100,
      days: 7,
      every: 5,
      horizon: 15,
      k: 32,
      sweep: [0.5, 0.65, 0.75, 0.9, 0.95],
      'sweep-tenants': 20,
    });
  });

  it('names the flag at fault', () => {
    expect(() => parseSimulateArgs(['--policies', 'vpa,autopilot'])).toThrow(/--policies: each must be one of/);
    expect(() => parseSimulateArgs(['--sweep', '0.5,1'])).toThrow(/--sweep: every α must be in \(0, 1\)/);
    expect(() => parseSimulateArgs(['--every', '10', '--horizon', '5'])).toThrow(/--horizon must be at least --every/);
    expect(() => parseSimulateArgs(['--tenants', 'many'])).toThrow(/--tenants must be an integer/);
  });
});
