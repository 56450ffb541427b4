import { describe, expect, it } from 'vitest';
import { decideStop } from '../src/planners/stop-rule.js';
import type { StopRuleInput } from '../src/planners/stop-rule.js';

const RUNNING: StopRuleInput = {
  seedExperimentsDone: true,
  bestAfterRound: [2.0, 1.8, 1.6],
  patience: 3,
  relativeEpsilon: 0.01,
  experiments: 10,
  maxExperiments: 50,
  elapsedHours: 1,
  maxHours: 8,
  dollars: 1,
  maxDollars: 10,
};

describe('decideStop', () => {
  it('keeps going while the metric improves and no cap is reached', () => {
    expect(decideStop(RUNNING)).toEqual({ stop: false });
  });

  it('stops at the experiment cap', () => {
    expect(decideStop({ ...RUNNING, experiments: 50 })).toMatchObject({ stop: true, reason: 'max-experiments' });
  });

  it('stops at the wall-clock cap', () => {
    expect(decideStop({ ...RUNNING, elapsedHours: 8 })).toMatchObject({ stop: true, reason: 'max-hours' });
  });

  it('stops at the dollar cap', () => {
    expect(decideStop({ ...RUNNING, dollars: 10.0001 })).toMatchObject({ stop: true, reason: 'max-dollars' });
  });

  it('stops on a plateau: no improvement beyond epsilon over the last `patience` rounds', () => {
    const decision = decideStop({ ...RUNNING, bestAfterRound: [2.0, 1.5, 1.499, 1.498, 1.497] });
    expect(decision).toMatchObject({ stop: true, reason: 'plateau' });
    if (decision.stop) expect(decision.detail).toContain('3 planning round(s)');
  });

  it('does not call a plateau before `patience` rounds have followed the seed experiments', () => {
    expect(decideStop({ ...RUNNING, bestAfterRound: [1.5, 1.5, 1.5] })).toEqual({ stop: false });
    expect(decideStop({ ...RUNNING, bestAfterRound: [1.5, 1.5, 1.5, 1.5] })).toMatchObject({
      stop: true,
      reason: 'plateau',
    });
  });

  it('never calls a plateau while the seed experiments are still running, but caps still apply', () => {
    const flat = { ...RUNNING, seedExperimentsDone: false, bestAfterRound: [1.5, 1.5, 1.5, 1.5, 1.5] };
    expect(decideStop(flat)).toEqual({ stop: false });
    expect(decideStop({ ...flat, experiments: 50 })).toMatchObject({ stop: true, reason: 'max-experiments' });
  });

  it('counts small gains that add up over the window as progress', () => {
    // 0.6% a round is below epsilon (1%) each time but 1.8% over three rounds.
    expect(decideStop({ ...RUNNING, bestAfterRound: [1.0, 0.994, 0.988, 0.982] })).toEqual({ stop: false });
  });

  it('treats the first metric ever obtained as progress and a window without any metric as a plateau', () => {
    expect(decideStop({ ...RUNNING, bestAfterRound: [null, null, null, 2.0] })).toEqual({ stop: false });
    expect(decideStop({ ...RUNNING, bestAfterRound: [null, null, null, null] })).toMatchObject({
      stop: true,
      reason: 'plateau',
    });
  });

  it('says in words that nothing was kept instead of printing a missing best as "(none)"', () => {
    const decision = decideStop({ ...RUNNING, bestAfterRound: [null, null, null, null] });
    expect(decision.stop && decision.detail).toBe('no candidate has been kept in the last 3 planning round(s)');
    const flat = decideStop({ ...RUNNING, bestAfterRound: [1.5, 1.5, 1.5, 1.5] });
    expect(flat.stop && flat.detail).toBe(
      'best metric 1.5 has not improved by more than 1.00% on 1.5 over the last 3 planning round(s)',
    );
  });

  it('judges improvement relative to the magnitude of negative metrics too', () => {
    expect(decideStop({ ...RUNNING, bestAfterRound: [-1.0, -1.0, -1.0, -1.05] })).toEqual({ stop: false });
    expect(decideStop({ ...RUNNING, bestAfterRound: [-1.0, -1.0, -1.0, -1.005] })).toMatchObject({
      stop: true,
      reason: 'plateau',
    });
  });
});
