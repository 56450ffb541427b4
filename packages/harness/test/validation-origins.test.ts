/**
 * Validation-window placement (options.validationPlacement): where the windows sit, that none of
 * them sees the forecast's origin or anything after it, the fallback for short histories, and
 * that same-time windows change the choice where the tail windows mislead it (a morning ramp).
 */
import type { ForecastRow } from '@tsfm/tsfm-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Harness, VALIDATION_PLACEMENTS, validationOrigins, type HarnessRequest } from '../src/index.js';
import { searchMinimumHistory } from '../src/cold-start.js';
import { familyOf, FakeForecaster, flatMatrix, lastValue } from './helpers/fake-forecaster.js';
import { classic } from './helpers/classic.js';
import { FREE, GRID, X, Z } from './helpers/three-configs.js';

describe('validationOrigins', () => {
  it('tail: W windows back to back before the origin (the behaviour before same-time windows)', () => {
    const o = validationOrigins({
      n: 1000,
      horizon: 60,
      minContextPoints: 60,
      validationWindows: 3,
      placement: 'tail',
      sameTimeDays: [1, 7],
      stepsPerDay: 1440,
    });
    expect(o.ends).toEqual([1000, 940, 880, 820]);
    expect(o.placement).toBe('tail');
    expect(o.notes).toEqual([]);
  });

  it('same-time: the forecast time of day 1 and 7 days earlier; tail+same-time: both, latest first', () => {
    const n = 10 * 1440 + 540;
    const base = {
      n,
      horizon: 60,
      minContextPoints: 60,
      validationWindows: 2,
      sameTimeDays: [7, 1],
      stepsPerDay: 1440,
    };
    expect(validationOrigins({ ...base, placement: 'same-time' }).ends).toEqual([n, n - 1440, n - 7 * 1440]);
    const both = validationOrigins({ ...base, placement: 'tail+same-time' });
    expect(both.ends).toEqual([n, n - 60, n - 120, n - 1440, n - 7 * 1440]);
    expect(both.sameTimeDays).toEqual([1, 7]);
  });

  it('a day the history does not hold is dropped and named; none left falls back to tail windows', () => {
    const base = { horizon: 60, minContextPoints: 60, validationWindows: 4, stepsPerDay: 1440 } as const;
    const partial = validationOrigins({ ...base, n: 3 * 1440, placement: 'same-time', sameTimeDays: [1, 7] });
    expect(partial.ends).toEqual([3 * 1440, 2 * 1440]);
    expect(partial.placement).toBe('same-time');
    expect(partial.notes).toEqual([
      `same-time validation window dropped: 7 day(s) back: needs ${7 * 1440 + 60} steps of history, has ${3 * 1440}`,
    ]);
    const none = validationOrigins({ ...base, n: 1000, placement: 'same-time', sameTimeDays: [1, 7] });
    expect(none.placement).toBe('tail');
    expect(none.ends).toEqual([1000, 940, 880, 820, 760]);
    expect(none.notes.at(-1)).toBe('no same-time validation window fits this request; using 4 tail window(s) instead');
  });

  it('a horizon longer than d days drops day d (its targets would reach the origin)', () => {
    const o = validationOrigins({
      n: 100,
      horizon: 30,
      minContextPoints: 5,
      validationWindows: 1,
      placement: 'same-time',
      sameTimeDays: [1, 2],
      stepsPerDay: 24,
    });
    expect(o.ends).toEqual([100, 52]);
    expect(o.notes[0]).toMatch(/1 day\(s\) back: the horizon \(30 steps\) is longer than 1·24 steps/);
  });

  it('property: every validation target lies before the origin, every context ends before its target', () => {
    fc.assert(
      fc.property(
        fc.record({
          horizon: fc.integer({ min: 1, max: 600 }),
          minContextPoints: fc.integer({ min: 1, max: 300 }),
          stepsPerDay: fc.integer({ min: 1, max: 2000 }),
          validationWindows: fc.integer({ min: 1, max: 32 }),
          placement: fc.constantFrom(...VALIDATION_PLACEMENTS),
          sameTimeDays: fc.uniqueArray(fc.integer({ min: 1, max: 56 }), { minLength: 1, maxLength: 10 }),
          extra: fc.integer({ min: 0, max: 60 * 2000 }),
        }),
        (c) => {
          // The search path only runs from the search minimum up (shorter: cold start, no windows).
          const n = searchMinimumHistory(c.horizon, c.minContextPoints) + c.extra;
          const o = validationOrigins({ ...c, n });
          expect(o.ends[0]).toBe(n);
          expect(o.ends.length).toBeGreaterThan(1);
          for (let w = 1; w < o.ends.length; w++) {
            const origin = o.ends[w];
            // Targets are origin … origin + h − 1: all strictly before the forecast's origin n.
            expect(origin + c.horizon - 1).toBeLessThan(n);
            // The context is values[0, origin): it ends (origin − 1) before the first target and
            // holds at least minContextPoints values.
            expect(origin - 1).toBeLessThan(origin);
            expect(origin).toBeGreaterThanOrEqual(c.minContextPoints);
            // Latest first, no window twice; the last is the earliest (members fit before it).
            expect(origin).toBeLessThan(o.ends[w - 1]);
          }
          if (o.placement !== 'tail') {
            for (const d of o.sameTimeDays) expect(o.ends).toContain(n - d * c.stepsPerDay);
          } else if (c.placement !== 'tail') {
            expect(o.notes.at(-1)).toMatch(/no same-time validation window fits/);
          }
        },
      ),
      { numRuns: 500, seed: 11 },
    );
  });
});

/**
 * A tenant idle at night and busy 09:00–10:00 (minute 540–599 of each day), asked at 09:00. Config
 * X forecasts the last value (right at night, wrong on the ramp), Z forecasts the busy level (wrong
 * at night, right on the ramp); Y (a flip config: x and −x) forecasts far off.
 */
const DAY = 1440;
const IDLE = 10;
const BUSY = 110;
const rampAt = (i: number): number => (i % DAY >= 540 && i % DAY < 600 ? BUSY : IDLE);
const n = 8 * DAY + 540;
const values = Float32Array.from({ length: n }, (_, i) => rampAt(i));

async function rampHarness() {
  const fake = new FakeForecaster((row: ForecastRow, levels) => {
    const family = familyOf(row.config);
    if (family === familyOf(X)) return flatMatrix(row.horizon, levels, () => lastValue(row));
    if (family === familyOf(Z)) return flatMatrix(row.horizon, levels, () => BUSY);
    return flatMatrix(row.horizon, levels, () => 1000);
  });
  const harness = await Harness.create(fake, { grid: GRID, costModel: FREE(), budgetMode: 'measure' });
  return { fake, harness };
}

const rampRequest = (options: NonNullable<HarnessRequest['options']>): HarnessRequest => ({
  history: { id: 'ramp', values },
  horizon: 60,
  alpha: 0.5,
  k: 3,
  ...classic({ options }),
});

describe('validation placement in a request', () => {
  it('tail windows (the night) pick the night forecaster; same-time windows pick the ramp forecaster', async () => {
    const { harness } = await rampHarness();
    const tail = await harness.forecast(rampRequest({ validationPlacement: 'tail', validationWindows: 2 }));
    expect(tail.validationPlacement).toEqual({ placement: 'tail', sameTimeDays: [] });
    expect(familyOf(tail.winner.value.config)).toBe(familyOf(X));

    const same = await harness.forecast(rampRequest({ validationPlacement: 'same-time', sameTimeDays: [1, 7] }));
    expect(same.validationPlacement).toEqual({ placement: 'same-time', sameTimeDays: [1, 7] });
    expect(same.validationWindows).toBe(2);
    expect(familyOf(same.winner.value.config)).toBe(familyOf(Z));
    expect(Array.from(same.forecast.value)).toEqual(new Array(60).fill(BUSY));
  });

  it('no model row of a validation window conditions on the window or anything after it', async () => {
    const { fake, harness } = await rampHarness();
    const r = await harness.forecast(rampRequest({ validationPlacement: 'tail+same-time', validationWindows: 3 }));
    expect(r.validationWindows).toBe(5);
    const ends = new Set<number>();
    for (const row of fake.batches.flat()) ends.add(row.end ?? row.values.length);
    // The final forecast's rows end at n; every other row ends at a validation origin, h before n or earlier.
    expect([...ends].sort((a, b) => b - a)).toEqual([n, n - 60, n - 120, n - 180, n - DAY, n - 7 * DAY]);
  });

  it('a history without a same-time day falls back to tail windows and says so', async () => {
    const { harness } = await rampHarness();
    const short = values.subarray(0, 900);
    const r = await harness.forecast({
      ...rampRequest({ validationPlacement: 'same-time', validationWindows: 2 }),
      history: { id: 'short', values: short },
    });
    expect(r.path).toBe('search');
    expect(r.validationPlacement).toEqual({ placement: 'tail', sameTimeDays: [] });
    expect(r.validationWindows).toBe(2);
    expect(r.notes).toContain('no same-time validation window fits this request; using 2 tail window(s) instead');
  });

  it('rejects a same-time day listed twice or out of range', async () => {
    const { harness } = await rampHarness();
    await expect(harness.forecast(rampRequest({ sameTimeDays: [1, 1] }))).rejects.toThrow(/lists a day twice/);
    await expect(harness.forecast(rampRequest({ sameTimeDays: [0] }))).rejects.toThrow(/sameTimeDays/);
    await expect(
      harness.forecast(rampRequest({ validationPlacement: 'yesterday' as unknown as 'tail' })),
    ).rejects.toThrow(/validationPlacement/);
  });
});

describe('the default placement: the tail windows and the same time of day 1 and 7 days earlier', () => {
  // Only placement is left at its default here (members and calibration off, as in the ramp tests).
  const defaultRequest = (history: Float32Array): HarnessRequest => ({
    history: { id: 'ramp', values: history },
    horizon: 60,
    alpha: 0.5,
    k: 3,
    options: { members: [], calibration: 'none' },
  });
  const endsOf = (fake: FakeForecaster): number[] =>
    [...new Set(fake.batches.flat().map((row) => row.end ?? row.values.length))].sort((a, b) => b - a);
  const tailEnds = (m: number, w: number): number[] => Array.from({ length: w }, (_, o) => m - (o + 1) * 60);

  it('a history of more than a week: 8 tail windows plus yesterday and last week at the same time', async () => {
    const { fake, harness } = await rampHarness();
    const r = await harness.forecast(defaultRequest(values));
    expect(r.validationPlacement).toEqual({ placement: 'tail+same-time', sameTimeDays: [1, 7] });
    expect(r.validationWindows).toBe(10);
    expect(endsOf(fake)).toEqual([n, ...tailEnds(n, 8), n - DAY, n - 7 * DAY]);
    expect(r.notes.join(' ')).not.toMatch(/same-time/);
  });

  it('a history shorter than 7 days + 60 minutes: the tail windows and yesterday only, last week dropped and said so', async () => {
    const { fake, harness } = await rampHarness();
    const m = 7 * DAY + 59;
    const r = await harness.forecast(defaultRequest(values.subarray(0, m)));
    expect(r.validationPlacement).toEqual({ placement: 'tail+same-time', sameTimeDays: [1] });
    expect(r.validationWindows).toBe(9);
    expect(endsOf(fake)).toEqual([m, ...tailEnds(m, 8), m - DAY]);
    expect(r.notes).toContain(
      `same-time validation window dropped: 7 day(s) back: needs ${7 * DAY + 60} steps of history, has ${m}`,
    );
  });

  it('a history shorter than 1 day + 60 minutes: the tail windows alone, and it says so', async () => {
    const { fake, harness } = await rampHarness();
    const m = DAY + 59;
    const r = await harness.forecast(defaultRequest(values.subarray(0, m)));
    expect(r.path).toBe('search');
    expect(r.validationPlacement).toEqual({ placement: 'tail', sameTimeDays: [] });
    expect(r.validationWindows).toBe(8);
    expect(endsOf(fake)).toEqual([m, ...tailEnds(m, 8)]);
    expect(r.notes).toContain('no same-time validation window fits this request; using 8 tail window(s) instead');
    // One minute more and yesterday's window fits (its origin leaves exactly minContextPoints before it).
    const longer = await harness.forecast(defaultRequest(values.subarray(0, DAY + 60)));
    expect(longer.validationPlacement).toEqual({ placement: 'tail+same-time', sameTimeDays: [1] });
  });
});
