import { describe, expect, it } from 'vitest';
import type { Tier } from '@tsfm/losses';
import { firstPerTier, pricing } from '../src/cli/replay-datasets.js';
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

  it("leaves the harness's validation placement to the harness unless the flags give one", () => {
    const a = parseSimulateArgs([]);
    expect(a['validation-placement']).toBeUndefined();
    expect(a['same-time-days']).toBeUndefined();
    expect(a.policies).not.toContain('harness-no-online');
    const b = parseSimulateArgs([
      '--validation-placement',
      'tail+same-time',
      '--same-time-days',
      '1,7',
      '--policies',
      'harness,harness-no-online',
    ]);
    expect(b).toMatchObject({
      'validation-placement': 'tail+same-time',
      'same-time-days': [1, 7],
      policies: ['harness', 'harness-no-online'],
    });
    expect(() => parseSimulateArgs(['--validation-placement', 'middle'])).toThrow(
      /--validation-placement must be one of/,
    );
    expect(() => parseSimulateArgs(['--same-time-days', '1,0.5'])).toThrow(/--same-time-days: whole days 1–56/);
    expect(() => parseSimulateArgs(['--same-time-days', '7,7'])).toThrow(/--same-time-days lists a value twice/);
  });
});

describe('simulate CLI: --per-tier', () => {
  it('takes the first N of each tier in stream order, interleaved so every prefix covers the tiers', async () => {
    const stream = ['s1', 'b1', 's2', 's3', 'p1', 'b2', 'b3', 'p2', 's4', 'p3'];
    const tierOf = (id: string) => ({ p: 'premium', s: 'standard', b: 'basic' })[id[0]] as Tier;
    expect(await firstPerTier(stream, tierOf, 2)).toEqual(['p1', 's1', 'b1', 'p2', 's2', 'b2']);
    // Stops reading once every tier is full.
    const read: string[] = [];
    const counting = (function* () {
      for (const id of stream) yield (read.push(id), id);
    })();
    await firstPerTier(counting, tierOf, 2);
    expect(read).toEqual(stream.slice(0, 8));
    // A tier the stream runs short of stays short.
    expect(await firstPerTier(stream, tierOf, 4)).toEqual(['p1', 's1', 'b1', 'p2', 's2', 'b2', 'p3', 's3', 'b3', 's4']);
    expect(parseSimulateArgs(['--per-tier', '8'])['per-tier']).toBe(8);
    expect(() => parseSimulateArgs(['--per-tier', '0'])).toThrow(/--per-tier must be between 1/);
  });
});
