import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detCos, detExp, detLog, detPow, detSin } from '../src/deterministic-math.js';
import { Rng } from '../src/prng.js';
import { weekdayOf, parseUtcStart } from '../src/calendar.js';

describe('deterministic math', () => {
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-300, Math.abs(b));
  it('detLog matches Math.log to a few ulp over the whole positive range', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-300, max: 1e300, noNaN: true }),
        (x) => rel(detLog(x), Math.log(x)) < 1e-14 || Math.abs(detLog(x) - Math.log(x)) < 1e-15,
      ),
    );
    expect(detLog(1)).toBe(0);
    expect(detLog(0)).toBe(-Infinity);
    expect(detLog(-1)).toBeNaN();
  });
  it('detExp matches Math.exp', () => {
    fc.assert(fc.property(fc.double({ min: -700, max: 700, noNaN: true }), (x) => rel(detExp(x), Math.exp(x)) < 1e-14));
  });
  it('detCos and detSin match Math.cos and Math.sin for |x| ≤ 1e5', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e5, max: 1e5, noNaN: true }),
        (x) => Math.abs(detCos(x) - Math.cos(x)) < 1e-12 && Math.abs(detSin(x) - Math.sin(x)) < 1e-12,
      ),
    );
  });
  it('detPow is exact for integer exponents', () => {
    expect(detPow(0.7, 3)).toBe(0.7 * 0.7 * 0.7);
    expect(detPow(2, 10)).toBe(1024);
    expect(Math.abs(detPow(0.9, 0.5) - Math.sqrt(0.9))).toBeLessThan(1e-15);
  });
});

describe('Rng', () => {
  it('same key → same stream; any key component changed → a different stream', () => {
    const first = (d: number, s: number, i: number, st: number) => {
      const r = new Rng(d, s, i, st);
      return [r.nextU32(), r.nextU32(), r.nextU32()];
    };
    expect(first(1, 42, 0, 0)).toEqual(first(1, 42, 0, 0));
    for (const other of [
      first(2, 42, 0, 0),
      first(1, 43, 0, 0),
      first(1, 42, 1, 0),
      first(1, 42, 0, 1),
      first(1, 42 + 2 ** 32, 0, 0),
    ]) {
      expect(other).not.toEqual(first(1, 42, 0, 0));
    }
  });

  it('pins the first outputs, so a change to the generator cannot go unnoticed', () => {
    const r = new Rng(0x464c4554, 42, 0, 0);
    expect([r.nextU32(), r.nextU32(), r.nextU32()]).toMatchInlineSnapshot(`
      [
        3624216358,
        1934237567,
        2393149570,
      ]
    `);
  });

  it('normals have mean 0, variance 1, kurtosis 3 and the right tail mass', () => {
    const r = new Rng(7, 7, 7, 7);
    const n = 400_000;
    const buf = new Float64Array(n);
    r.fillNormal(buf, n);
    let s1 = 0,
      s2 = 0,
      s4 = 0,
      tail = 0;
    for (const x of buf) {
      s1 += x;
      s2 += x * x;
      s4 += x ** 4;
      if (Math.abs(x) > 2.5) tail++;
    }
    expect(Math.abs(s1 / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.01);
    expect(Math.abs(s4 / n - 3)).toBeLessThan(0.06);
    expect(Math.abs(tail / n - 0.0124193)).toBeLessThan(0.0012);
  });

  it('fillNormal gives the same sequence as repeated normal()', () => {
    const a = new Rng(1, 2, 3, 4);
    const b = new Rng(1, 2, 3, 4);
    const buf = new Float64Array(5000);
    a.fillNormal(buf, buf.length);
    for (let i = 0; i < buf.length; i++) expect(buf[i]).toBe(b.normal());
  });

  it('exponential draws have the requested mean', () => {
    const r = new Rng(3, 3, 3, 3);
    let s = 0;
    for (let i = 0; i < 100_000; i++) s += r.exponential(2.5);
    expect(Math.abs(s / 100_000 - 2.5)).toBeLessThan(0.05);
  });
});

describe('calendar', () => {
  it('weekdayOf agrees with Date#getUTCDay for any timestamp', () => {
    fc.assert(fc.property(fc.integer({ min: -2e12, max: 5e12 }), (ms) => weekdayOf(ms) === new Date(ms).getUTCDay()));
  });
  it('parses dates as UTC and rejects impossible ones', () => {
    expect(parseUtcStart('2024-01-03')).toBe(Date.UTC(2024, 0, 3));
    expect(parseUtcStart('2024-01-03T12:00:00Z')).toBe(Date.UTC(2024, 0, 3, 12));
    expect(() => parseUtcStart('2024-02-30')).toThrow(/not a real calendar date/);
    expect(() => parseUtcStart('yesterday')).toThrow(/not a date/);
  });
});

describe('demand multiplier', () => {
  it('the incremental calendar walk equals evaluating every timestamp on its own', async () => {
    const { fillDemand } = await import('../src/components/demand.js');
    const { diurnalTable } = await import('../src/components/diurnal.js');
    const { isWeekend, msOfDay } = await import('../src/calendar.js');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4e12 }),
        fc.integer({ min: 1, max: 240 }).map((m) => m * 60_000 + (m % 3 === 0 ? 30_000 : 0)),
        fc.integer({ min: -840, max: 840 }),
        fc.double({ min: 0, max: 0.6, noNaN: true }),
        fc.double({ min: 0, max: 24, noNaN: true }),
        fc.boolean(),
        (start, stepMs, offset, amp, peak, business) => {
          const params = {
            utcOffsetMinutes: offset,
            diurnalAmp: amp,
            peakHour: peak,
            weeklyAmp: 0.3,
            businessHours: business ? { startHour: 9, endHour: 17, inHours: 1, offHours: 0.1 } : null,
          };
          const length = 500;
          const out = new Float64Array(length);
          fillDemand(out, params, { start, stepMs, length });
          const table = diurnalTable(amp, peak);
          for (let i = 0; i < length; i++) {
            const local = start + i * stepMs + offset * 60_000;
            const weekend = isWeekend(weekdayOf(local));
            const h = msOfDay(local) / 3_600_000;
            let m = table[Math.floor(msOfDay(local) / 60_000)] * (weekend ? 1 - params.weeklyAmp : 1);
            if (business) m *= !weekend && h >= 9 && h < 17 ? 1 : 0.1;
            if (out[i] !== m) return false;
          }
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });
});
