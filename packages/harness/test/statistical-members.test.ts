/**
 * The statistical members (statistical-members.ts): each forecasts what its definition says on
 * series where the answer is known, they are skipped with the reason when the history is too
 * short, and through the harness they compete with the model configs on the same windows — a
 * daily-seasonal series against a model that only repeats the last value is won by the daily
 * seasonal naive member.
 */
import { describe, expect, it } from 'vitest';
import { Harness } from '../src/index.js';
import { fitMember, STATISTICAL_MEMBERS, type StatisticalMember } from '../src/statistical-members.js';
import { FakeForecaster, LEVELS, naive } from './helpers/fake-forecaster.js';
import { FREE } from './helpers/three-configs.js';

const P = 24; // a "day" of 24 steps keeps the series short
const L = LEVELS.length;
const median = LEVELS.indexOf(0.5);

/** A pure daily cycle (period P) plus a linear trend `slope` per step; no noise. */
const cycle = (n: number, slope = 0): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => 100 + 10 * Math.sin((2 * Math.PI * i) / P) + slope * i);

function forecastWith(member: StatisticalMember, values: Float32Array, fitEnd: number, end: number, h: number) {
  const fit = fitMember(member, { values, fitEnd, horizon: h, stepsPerDay: P, levels: LEVELS });
  if (!fit.ok) throw new Error(fit.reason);
  const out = new Float32Array(h * L);
  fit.fitted.forecast(end, out);
  return out;
}

describe('statistical members', () => {
  it('snaive-daily repeats the value one period earlier; on a noiseless cycle its spread is zero', () => {
    const values = cycle(10 * P);
    const out = forecastWith('snaive-daily', values, 8 * P, 10 * P, 30);
    for (let t = 0; t < 30; t++) {
      const expected = values[10 * P + t - P * Math.ceil((t + 1) / P)];
      for (let k = 0; k < L; k++) expect(out[t * L + k]).toBeCloseTo(expected, 4);
    }
  });

  it('snaive-weekly repeats the value 7 periods earlier', () => {
    const values = Float32Array.from({ length: 20 * P }, (_, i) => i % (7 * P));
    const out = forecastWith('snaive-weekly', values, 18 * P, 20 * P, 5);
    for (let t = 0; t < 5; t++) expect(out[t * L + median]).toBeCloseTo(values[20 * P + t - 7 * P], 4);
  });

  it('naive holds the last observed value; its spread widens with the lead', () => {
    const values = Float32Array.from({ length: 200 }, (_, i) => Math.sin(i) * 5 + i * 0.01);
    values[199] = Number.NaN;
    const out = forecastWith('naive', values, 150, 200, 10);
    const width = (t: number): number => out[t * L + L - 1] - out[t * L];
    expect(width(9)).toBeGreaterThan(width(0));
    // Level k at lead t is last + q_k·√((t + 1)/h), last = the last OBSERVED value (199 is NaN):
    // the offset from it grows as √(t + 1).
    const offset = (t: number, k: number): number => (out[t * L + k] - values[198]) / Math.sqrt(t + 1);
    for (let t = 1; t < 10; t++) for (const k of [0, median, L - 1]) expect(offset(t, k)).toBeCloseTo(offset(0, k), 4);
  });

  it('theta-daily follows a trending cycle: close to the truth where naive is not', () => {
    const slope = 0.05;
    const values = cycle(8 * P + 12, slope);
    const end = 8 * P;
    const h = 12;
    const theta = forecastWith('theta-daily', values, end, end, h);
    const last = forecastWith('naive', values, end, end, h);
    const err = (m: Float32Array): number => {
      let s = 0;
      for (let t = 0; t < h; t++) s += Math.abs(m[t * L + median] - values[end + t]);
      return s / h;
    };
    expect(err(last)).toBeGreaterThan(3);
    expect(err(theta)).toBeLessThan(0.6);
    // Quantiles never cross.
    for (let t = 0; t < h; t++)
      for (let k = 1; k < L; k++) expect(theta[t * L + k]).toBeGreaterThanOrEqual(theta[t * L + k - 1]);
  });

  it('each member says why it cannot run on a short history', () => {
    const values = cycle(3 * P);
    for (const member of STATISTICAL_MEMBERS) {
      const fit = fitMember(member, { values, fitEnd: P + 5, horizon: 12, stepsPerDay: P, levels: LEVELS });
      expect(fit.ok).toBe(false);
      if (!fit.ok) expect(fit.reason).toMatch(/needs \d+ steps of history/);
    }
  });
});

describe('statistical members in the harness', () => {
  const n = 12 * P; // 4 tail validation windows of 12 leave 10 days before them: a week plus a little
  const tenant = { id: 'seasonal', metrics: { cpu: cycle(n), mem: cycle(n, 0.01) } };

  it('compete on the same windows: a daily cycle against a last-value model is won by a seasonal member', async () => {
    const harness = await Harness.create(new FakeForecaster(naive), { costModel: FREE(), budgetMode: 'measure' });
    const r = await harness.forecast({
      history: tenant,
      horizon: 12,
      alpha: 0.9,
      k: 8,
      // The tail windows: the default's window a week back would leave 5 days before it, too few for the weekly member.
      options: { stepsPerDay: P, minContextPoints: 12, validationWindows: 4, validationPlacement: 'tail' },
    });
    expect(r.path).toBe('search');
    // On a noiseless cycle the seasonal members are all exact (the weekly one repeats the same
    // day), so any of them may win; the last-value model configs cannot.
    expect(['stat-snaive-daily', 'stat-snaive-weekly', 'stat-theta-daily']).toContain(r.tenantWinner);
    expect(r.winner.cpu.config).toBeNull();
    expect(r.winner.cpu.model).toBeNull();
    const members = r.tried.filter((t) => t.source === 'statistical');
    expect(members.map((t) => t.key).sort()).toEqual([
      'stat-naive',
      'stat-snaive-daily',
      'stat-snaive-weekly',
      'stat-theta-daily',
    ]);
    expect(members.every((t) => t.score !== null)).toBe(true);
    expect(r.membersSkipped).toEqual([]);
    expect(r.timings.members).toBeGreaterThanOrEqual(0);
    // The members cost no model row: the batch holds the sampled configs' rows only.
    expect(r.kUsed).toBe(8);
    // The default placement adds a window a week back; 5 days before it are too few for the weekly member.
    const byDefault = await harness.forecast({
      history: tenant,
      horizon: 12,
      alpha: 0.9,
      k: 8,
      options: { stepsPerDay: P, minContextPoints: 12, validationWindows: 4 },
    });
    expect(byDefault.validationPlacement).toEqual({ placement: 'tail+same-time', sameTimeDays: [1, 7] });
    expect(byDefault.membersSkipped.map((s) => s.key)).toEqual(['stat-snaive-weekly']);
  });

  it('a member the history is too short for is skipped and counted; members: [] turns them off', async () => {
    const harness = await Harness.create(new FakeForecaster(naive), { costModel: FREE(), budgetMode: 'measure' });
    const short = { id: 'short', metrics: { cpu: cycle(4 * P) } };
    const r = await harness.forecast({
      history: short,
      horizon: 6,
      alpha: 0.9,
      options: { stepsPerDay: P, minContextPoints: 6, validationWindows: 4 },
    });
    expect(r.membersSkipped.map((s) => s.key)).toEqual(['stat-snaive-weekly']);
    expect(r.membersSkipped[0].reason).toMatch(/^cpu: needs \d+ steps .* \(a week\), has \d+$/);
    const off = await harness.forecast({
      history: short,
      horizon: 6,
      alpha: 0.9,
      options: { stepsPerDay: P, minContextPoints: 6, validationWindows: 4, members: [] },
    });
    expect(off.tried.some((t) => t.source === 'statistical')).toBe(false);
    expect(off.membersSkipped).toEqual([]);
  });
});
