import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FILL_POLICIES, LoadError, fillGaps, regularise, type RegulariseInput } from '../src/loaders/index.js';

const STEP = 60_000;

function input(times: number[], values: number[] = times.map((_, i) => i)): RegulariseInput {
  return { source: 'grid.csv', times, channels: [values], locate: (i) => ({ line: i + 2 }) };
}

describe('regularise', () => {
  it('keeps an already regular series as is', () => {
    const times = [0, 1, 2, 3].map((k) => 1_000_000 + k * STEP);
    const out = regularise(input(times, [5, 6, 7, 8]));
    expect([out.start, out.stepMs, Array.from(out.channels[0])]).toEqual([1_000_000, STEP, [5, 6, 7, 8]]);
  });

  it('breaks a tie between two equally common steps towards the smaller one', () => {
    const out = regularise(input([0, STEP, 2 * STEP, 4 * STEP, 6 * STEP]));
    expect(out.stepMs).toBe(STEP);
  });

  it('snaps to the grid phase of an origin, so several series share grid points', () => {
    const out = regularise(input([10_000, 10_000 + STEP]), { origin: 0 });
    expect(out.start).toBe(0);
    expect(Array.from(out.channels[0])).toEqual([0, 1]);
  });

  it('averages finite values only when a slot receives several rows', () => {
    const out = regularise(input([0, STEP, STEP + 1000, 2 * STEP], [1, Number.NaN, 4, 3]), { stepMs: STEP });
    expect(Array.from(out.channels[0])).toEqual([1, 4, 3]);
  });

  it('with duplicates: "mean" averages repeated timestamps', () => {
    const out = regularise(input([0, STEP, STEP, 2 * STEP], [1, 2, 4, 3]), { duplicates: 'mean' });
    expect(Array.from(out.channels[0])).toEqual([1, 3, 3]);
  });

  it('with duplicates: "first" or "last" keeps that row of each run of repeats, whatever the values', () => {
    // A daylight-saving change replays an hour: 01:00 and 02:00 come twice with other values.
    const times = [0, STEP, STEP, 2 * STEP, 2 * STEP, 2 * STEP, 3 * STEP];
    const values = [1, 2, 20, 3, 30, 300, 4];
    const first = regularise(input(times, values), { duplicates: 'first' });
    const last = regularise(input(times, values), { duplicates: 'last' });
    expect(Array.from(first.channels[0])).toEqual([1, 2, 3, 4]);
    expect(Array.from(last.channels[0])).toEqual([1, 20, 300, 4]);
    expect([first.report.duplicatesDropped, last.report.duplicatesDropped]).toEqual([3, 3]);
  });

  it('counts the rows that repeat a timestamp under every policy that loads them', () => {
    const times = [0, STEP, STEP, 2 * STEP, 2 * STEP, 3 * STEP];
    for (const duplicates of ['mean', 'first', 'last'] as const) {
      expect(regularise(input(times), { duplicates }).report.duplicateTimestamps, duplicates).toBe(2);
    }
    const identical = regularise(input(times, [1, 2, 2, 3, 3, 4]));
    expect(identical.report).toMatchObject({ duplicateTimestamps: 2, duplicatesDropped: 2 });
    expect(regularise(input([0, STEP, 2 * STEP])).report.duplicateTimestamps).toBe(0);
  });

  it('with an explicit coarser step, averages the rows of each slot (downsampling)', () => {
    const times = Array.from({ length: 10 }, (_, k) => k * STEP);
    const out = regularise(input(times), { stepMs: 5 * STEP });
    // Slots centred on 0 and 5 min take rows [0, 2] and [3, 7]; the last slot takes [8, 9].
    expect(out.start).toBe(0);
    expect(Array.from(out.channels[0])).toEqual([1, 5, 8.5]);
  });

  it('accepts a huge gap when asked to, filling it with NaN', () => {
    const out = regularise(input([0, STEP, 8 * 86_400_000]), { allowHugeGaps: true });
    expect(out.channels[0].length).toBe(8 * 1440 + 1);
    expect(out.report.longestGapMs).toBe(8 * 86_400_000 - STEP);
  });

  it('refuses a grid too large to allocate even when huge gaps are allowed', () => {
    // Epoch seconds read as milliseconds make 1 ms steps; a year of them is far over the ceiling.
    const times = [0, 1, 2, 365 * 86_400_000];
    expect(() => regularise(input(times), { allowHugeGaps: true })).toThrow(
      expect.objectContaining({ kind: 'grid-too-large', line: 5 }),
    );
  });

  it('rejects nonsensical options as programming errors, not file errors', () => {
    expect(() => regularise(input([0, STEP]), { stepMs: 0 })).toThrow(RangeError);
    expect(() => regularise(input([0, STEP]), { minModalShare: 0 })).toThrow(RangeError);
  });

  it('property: every row lands on the grid point nearest to it, and a grid point keeps the mean of its rows', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -29_000, max: 29_000 }), fc.integer({ min: -1000, max: 1000 })), {
          minLength: 2,
          maxLength: 60,
        }),
        (jitterAndValues) => {
          // Rows near consecutive minutes (jitter under half a step), so the modal step is ambiguous:
          // pass the step and check the placement rule alone.
          const times = jitterAndValues.map(([jitter], k) => k * STEP + jitter);
          const sorted = times.every((t, i) => i === 0 || t > times[i - 1]);
          fc.pre(sorted);
          const values = jitterAndValues.map(([, v]) => v);
          const out = regularise(input(times, values), { stepMs: STEP, origin: 0 });
          expect(out.start).toBe(0);
          expect(Array.from(out.channels[0])).toEqual(values.map((v) => Math.fround(v)));
        },
      ),
    );
  });

  it('property: output length covers first to last row and no finite value is invented under "nan"', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 500 }), { minLength: 2, maxLength: 80 }), (slots) => {
        const sorted = [...slots].sort((a, b) => a - b);
        const out = regularise(input(sorted.map((k) => k * STEP)), { stepMs: STEP });
        const grid = out.channels[0];
        expect(grid.length).toBe(sorted[sorted.length - 1] - sorted[0] + 1);
        const finite = Array.from(grid).filter((v) => !Number.isNaN(v)).length;
        expect(finite).toBe(sorted.length);
        expect(out.report.missing).toBe(grid.length - sorted.length);
      }),
    );
  });
});

describe('fillGaps', () => {
  const gappy = () => Float32Array.from([Number.NaN, 1, Number.NaN, Number.NaN, 4, Number.NaN]);

  it('never extrapolates before the first observation with ffill or linear, nor after the last with linear', () => {
    const ffill = gappy();
    expect(fillGaps(ffill, 'ffill')).toBe(3);
    expect(Array.from(ffill)).toEqual([Number.NaN, 1, 1, 1, 4, 4]);
    const linear = gappy();
    expect(fillGaps(linear, 'linear')).toBe(2);
    expect(Array.from(linear)).toEqual([Number.NaN, 1, 2, 3, 4, Number.NaN]);
  });

  it('fills every NaN with zero under "zero" and none under "nan"', () => {
    const zero = gappy();
    expect(fillGaps(zero, 'zero')).toBe(4);
    expect(Array.from(zero)).toEqual([0, 1, 0, 0, 4, 0]);
    const kept = gappy();
    expect(fillGaps(kept, 'nan')).toBe(0);
    expect(Array.from(kept)).toEqual(Array.from(gappy()));
  });

  it('property: filling never changes an observed value, and linear stays within its neighbours', () => {
    const cell = fc.oneof(fc.constant(Number.NaN), fc.float({ min: -1e6, max: 1e6, noNaN: true }));
    fc.assert(
      fc.property(fc.array(cell, { maxLength: 50 }), fc.constantFrom(...FILL_POLICIES), (cells, policy) => {
        const original = Float32Array.from(cells);
        const filled = Float32Array.from(cells);
        fillGaps(filled, policy);
        const observed = [...original.keys()].filter((i) => !Number.isNaN(original[i]));
        for (const i of observed) expect(filled[i]).toBe(original[i]);
        if (policy !== 'linear') return;
        for (let j = 1; j < observed.length; j++) {
          const [a, b] = [original[observed[j - 1]], original[observed[j]]];
          for (let i = observed[j - 1] + 1; i < observed[j]; i++) {
            expect(filled[i]).toBeGreaterThanOrEqual(Math.min(a, b) - 1e-3 * Math.max(1, Math.abs(a), Math.abs(b)));
            expect(filled[i]).toBeLessThanOrEqual(Math.max(a, b) + 1e-3 * Math.max(1, Math.abs(a), Math.abs(b)));
          }
        }
      }),
    );
  });
});

describe('LoadError', () => {
  it('is an Error with the located, compiler-style message', () => {
    const err = new LoadError({
      file: 'nab.csv',
      line: 17,
      kind: 'not-a-number',
      reason: 'value "abc" is not a number',
    });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('LoadError');
    expect(err.message).toBe('nab.csv:17: value "abc" is not a number');
  });
});
