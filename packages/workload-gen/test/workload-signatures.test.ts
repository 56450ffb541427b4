// Each archetype shows its signature on generated data (archetypes.md): a handful of tenants
// over 2–4 weeks, checked with statistics whose tolerances follow from the model, not tuned.
import { DAY_MS, HOUR_MS, MINUTE_MS } from '@tsfm/numerics';
import { describe, expect, it } from 'vitest';
import { ARCHETYPE_NAMES, ARCHETYPES } from '../src/archetypes.js';
import { isWeekend, weekdayOf } from '../src/calendar.js';
import type { TenantParams } from '../src/tenant-params.js';
import { correlation, generate, hourOf, mean, median, paramsOf } from './workload-helpers.js';

const START = Date.UTC(2024, 0, 1); // a Monday

/** Phase (hour of the peak) of the daily first harmonic of x on a 1-minute grid from midnight UTC. */
function peakHourOf(x: Float32Array): number {
  let c = 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const angle = (2 * Math.PI * hourOf(i)) / 24;
    c += x[i] * Math.cos(angle);
    s += x[i] * Math.sin(angle);
  }
  return ((((Math.atan2(s, c) * 24) / (2 * Math.PI)) % 24) + 24) % 24;
}
const circularHours = (a: number, b: number) => Math.min(Math.abs(a - b), 24 - Math.abs(a - b));

describe('b2b-saas: business hours on real weekdays', () => {
  const tenants = paramsOf('b2b-saas', 3).map((p) => generate(p, 14, START));
  const inHours = (i: number) => {
    const t = START + i * MINUTE_MS;
    const h = (t % DAY_MS) / HOUR_MS;
    return !isWeekend(weekdayOf(t)) && h >= 9 && h < 17;
  };
  const weekend = (i: number) => isWeekend(weekdayOf(START + i * MINUTE_MS));
  it('cpu in business hours is 10× the rest (multiplier 1.0 vs 0.1)', () => {
    for (const t of tenants) {
      const ratio = mean(t.metrics.cpu, inHours) / mean(t.metrics.cpu, (i) => !inHours(i));
      expect(ratio).toBeGreaterThan(9.5);
      expect(ratio).toBeLessThan(10.5);
    }
  });
  it('weekday 09–17 is 10× the weekend 09–17; whole weekdays are 4× weekends', () => {
    for (const t of tenants) {
      const weekendDaytime = (i: number) => weekend(i) && hourOf(i) >= 9 && hourOf(i) < 17;
      expect(mean(t.metrics.cpu, inHours) / mean(t.metrics.cpu, weekendDaytime)).toBeGreaterThan(9.5);
      expect(mean(t.metrics.cpu, inHours) / mean(t.metrics.cpu, weekendDaytime)).toBeLessThan(10.5);
      // (8·1.0 + 16·0.1)/24 = 0.4 on weekdays vs 0.1 all weekend.
      const dayRatio = mean(t.metrics.cpu, (i) => !weekend(i)) / mean(t.metrics.cpu, weekend);
      expect(dayRatio).toBeGreaterThan(3.8);
      expect(dayRatio).toBeLessThan(4.2);
    }
  });
});

describe('weekly cycle follows the real calendar', () => {
  const WEDNESDAY = Date.UTC(2024, 0, 3);
  const dayMean = (x: Float32Array, day: number, fromHour = 0, toHour = 24) =>
    mean(x, (i) => Math.floor(i / 1440) === day && hourOf(i) >= fromHour && hourOf(i) < toHour);

  it('a fleet starting on a Wednesday has its weekend on the real Saturday and Sunday', () => {
    const t = generate(paramsOf('b2b-saas', 1)[0], 14, WEDNESDAY);
    const base = t.params.base.cpu;
    // Day 3 = Sat 6 Jan, day 4 = Sun 7 Jan: off; day 5 = Mon 8 Jan, day 6 = Tue 9 Jan: on.
    // (The original generator's "day mod 7 < 5" would have switched off days 5 and 6.)
    for (const day of [3, 4, 10, 11]) expect(dayMean(t.metrics.cpu, day, 9, 17) / base).toBeCloseTo(0.1, 1);
    for (const day of [0, 1, 2, 5, 6, 7, 8, 9]) expect(dayMean(t.metrics.cpu, day, 9, 17) / base).toBeGreaterThan(0.9);
  });

  it('ecommerce weekends dip by the drawn weekly amplitude', () => {
    for (const p of paramsOf('ecommerce-retail', 3)) {
      const t = generate({ ...p, spikesPerDay: 0 }, 14, WEDNESDAY);
      const sat = (i: number) => isWeekend(weekdayOf(WEDNESDAY + i * MINUTE_MS));
      const ratio = mean(t.metrics.cpu, sat) / mean(t.metrics.cpu, (i) => !sat(i));
      expect(ratio).toBeCloseTo(1 - p.weeklyAmp, 1);
    }
  });

  it('a tenant in UTC+10 works 09–17 local time, i.e. 23:00–07:00 UTC', () => {
    const p = { ...paramsOf('b2b-saas', 1)[0], utcOffsetMinutes: 600 };
    const t = generate(p, 14, START);
    const localHour = (i: number) => (hourOf(i) + 10) % 24;
    const localWeekday = (i: number) => weekdayOf(START + i * MINUTE_MS + 600 * MINUTE_MS);
    const working = (i: number) => localHour(i) >= 9 && localHour(i) < 17 && !isWeekend(localWeekday(i));
    expect(mean(t.metrics.cpu, working) / mean(t.metrics.cpu, (i) => !working(i))).toBeGreaterThan(9.5);
  });
});

describe('diurnal archetypes peak at their drawn hour', () => {
  for (const name of ['low-traffic-blog', 'ecommerce-retail', 'news-publisher', 'cache-driven'] as const) {
    it(`${name}: estimated peak hour is the drawn one and inside the archetype's range`, () => {
      const daily = ARCHETYPES[name].daily;
      if (daily.kind !== 'cosine') throw new Error('not a diurnal archetype');
      for (const p of paramsOf(name, 2)) {
        const t = generate(p, 14, START);
        const est = peakHourOf(t.metrics.cpu);
        expect(circularHours(est, p.peakHour!)).toBeLessThan(0.75);
        expect(est).toBeGreaterThanOrEqual(daily.peakHour[0] - 0.75);
        expect(est).toBeLessThanOrEqual(daily.peakHour[1] + 0.75);
      }
    });
  }
});

describe('wp-cron-heavy: many short spikes at the drawn rate', () => {
  const tenants = paramsOf('wp-cron-heavy', 3).map((p) => generate(p, 14, START));
  it('realised spike count is within 4 Poisson standard deviations of rate × days', () => {
    for (const t of tenants) {
      const expected = t.params.spikesPerDay * 14;
      expect(Math.abs(t.spikeCount - expected)).toBeLessThan(4 * Math.sqrt(expected));
    }
  });
  it('jumps visible in the cpu series match the rate thinned by the detection threshold', () => {
    // cpu/base − 1 = σ·noise + spikes; a spike of magnitude M ~ Exp(μ) shows as a jump of ≈ M, so
    // jumps above a threshold θ number ≈ rate·days·e^{−θ/μ} (memorylessness). θ = 0.1 is more
    // than 4 noise-difference SDs (σ ≤ 0.02), so noise adds (almost) no false jumps.
    const theta = 0.1;
    for (const t of tenants) {
      const rel = t.metrics.cpu.map((v) => v / t.params.base.cpu);
      let jumps = 0;
      for (let i = 1; i < rel.length; i++) if (rel[i] - rel[i - 1] > theta) jumps++;
      const expected = t.params.spikesPerDay * 14 * Math.exp(-theta / t.params.spikeMagMean);
      expect(jumps / expected).toBeGreaterThan(0.75);
      expect(jumps / expected).toBeLessThan(1.25);
    }
  });
  it('cron spikes leave network traffic alone (ρ = 0)', () => {
    for (const t of tenants) expect(Math.abs(correlation(t.metrics.cpu, t.metrics.net))).toBeLessThan(0.05);
  });
});

describe('idle-ish stays near zero', () => {
  it('means and 99th percentiles are tiny', () => {
    for (const p of paramsOf('idle-ish', 4)) {
      const t = generate(p, 14, START);
      expect(mean(t.metrics.cpu)).toBeLessThan(0.025);
      expect(mean(t.metrics.mem)).toBeLessThan(0.055);
      expect(mean(t.metrics.net)).toBeLessThan(5.5);
      expect(mean(t.metrics.disk)).toBeLessThan(2.2);
      const sorted = Float32Array.from(t.metrics.cpu).sort();
      expect(sorted[Math.floor(sorted.length * 0.99)]).toBeLessThan(0.03);
    }
  });
});

describe('cache-driven: cpu and network move together', () => {
  it('the cpu–net noise correlation is the drawn ρ', () => {
    // Isolate the noise: no cycle, no spikes, so cpu/base − 1 and net/base − 1 are σ·noise.
    for (const p of paramsOf('cache-driven', 3)) {
      const flat: TenantParams = { ...p, diurnalAmp: 0, peakHour: null, weeklyAmp: 0, spikesPerDay: 0 };
      const t = generate(flat, 14, START);
      const r = correlation(t.metrics.cpu, t.metrics.net);
      expect(Math.abs(r - p.cpuNetRho)).toBeLessThan(0.05);
    }
  });
  it('full tenants: residual correlation is at least ρ (shared spikes only add to it)', () => {
    for (const p of paramsOf('cache-driven', 3)) {
      const t = generate(p, 14, START);
      const flatDemand = generate({ ...p, noiseSigma: 0, spikesPerDay: 0 }, 14, START); // the deterministic level
      const res = (m: 'cpu' | 'net') => t.metrics[m].map((v, i) => v / flatDemand.metrics[m][i] - 1);
      expect(correlation(res('cpu'), res('net'))).toBeGreaterThan(p.cpuNetRho - 0.05);
    }
  });
  it('a cache-miss spike adds twice as much (relative to base) to cpu as to network', () => {
    for (const p of paramsOf('cache-driven', 3)) {
      const t = generate(p, 14, START);
      const ratios: number[] = [];
      const { cpu, net } = t.metrics;
      for (let i = 1; i < cpu.length; i++) {
        const dNet = (net[i] - net[i - 1]) / p.base.net;
        if (dNet > 0.5 && cpu[i] < 2) ratios.push((cpu[i] - cpu[i - 1]) / p.base.cpu / dNet);
      }
      expect(ratios.length).toBeGreaterThan(5);
      expect(median(ratios)).toBeGreaterThan(1.7);
      expect(median(ratios)).toBeLessThan(2.3);
    }
  });
});

describe('compute-heavy: high, flat cpu', () => {
  it('cpu stays at its base with noise σ, no daily cycle', () => {
    for (const p of paramsOf('compute-heavy', 3)) {
      const t = generate(p, 14, START);
      const m = mean(t.metrics.cpu);
      expect(m).toBeGreaterThan(0.45);
      expect(Math.abs(m / p.base.cpu - 1)).toBeLessThan(0.02);
      const sd = Math.sqrt(mean(t.metrics.cpu.map((v) => (v - m) ** 2)));
      expect(sd / m).toBeLessThan(p.noiseSigma * 1.3);
      // daily first-harmonic amplitude relative to the mean: none beyond noise
      let c = 0,
        s = 0;
      t.metrics.cpu.forEach((v, i) => {
        c += (v - m) * Math.cos((2 * Math.PI * hourOf(i)) / 24);
        s += (v - m) * Math.sin((2 * Math.PI * hourOf(i)) / 24);
      });
      expect((2 * Math.hypot(c, s)) / t.metrics.cpu.length / m).toBeLessThan(0.01);
    }
  });
});

describe('news-publisher: breaking news multiplies network traffic', () => {
  it('bursts raise network 3× as much as cpu (relative to base), ≈ 10× baseline traffic', () => {
    // Raise the burst rate (2/day) so 2 weeks hold enough bursts to measure their shape.
    for (const p of paramsOf('news-publisher', 2)) {
      const t = generate({ ...p, spikesPerDay: 2 }, 14, START);
      const { cpu, net } = t.metrics;
      const netRatios: number[] = [];
      const jumps: number[] = [];
      for (let i = 1; i < net.length; i++) {
        const dNet = (net[i] - net[i - 1]) / p.base.net;
        if (dNet > 1 && cpu[i] < 2) {
          netRatios.push(dNet / ((cpu[i] - cpu[i - 1]) / p.base.cpu));
          jumps.push(dNet);
        }
      }
      expect(jumps.length).toBeGreaterThan(10);
      expect(median(netRatios)).toBeGreaterThan(2.6);
      expect(median(netRatios)).toBeLessThan(3.4);
      // Jumps above 1 of 3·M, M ~ Exp(μ): mean 1 + 3μ by memorylessness.
      const expectedMean = 1 + 3 * p.spikeMagMean;
      expect(mean(jumps) / expectedMean).toBeGreaterThan(0.6);
      expect(mean(jumps) / expectedMean).toBeLessThan(1.4);
    }
  });
  it('at the drawn rate (0.05–0.2 a day) bursts are rare: counts match rate × days', () => {
    let bursts = 0;
    let expected = 0;
    for (const p of paramsOf('news-publisher', 4)) {
      bursts += generate(p, 28, START).spikeCount;
      expected += p.spikesPerDay * 28;
    }
    expect(Math.abs(bursts - expected)).toBeLessThan(4 * Math.sqrt(expected) + 1);
  });
});

describe('valid ranges', () => {
  it('every archetype stays in range, even with extreme spikes and noise', () => {
    for (const name of ARCHETYPE_NAMES) {
      const p = paramsOf(name, 1)[0];
      for (const extreme of [
        p,
        {
          ...p,
          noiseSigma: 2,
          spikesPerDay: 50,
          spikeMagMean: 20,
          spikeDecayMinutes: p.spikeDecayMinutes ?? 30,
          spikeWeight: { cpu: 2, mem: 2, net: 2, disk: 2 },
        },
      ]) {
        const t = generate(extreme, 3, START);
        const range = (x: Float32Array) => [Math.min(...x), Math.max(...x)];
        const [cpuLo, cpuHi] = range(t.metrics.cpu);
        const [memLo, memHi] = range(t.metrics.mem);
        expect(cpuLo).toBeGreaterThanOrEqual(0);
        expect(cpuHi).toBeLessThanOrEqual(2);
        expect(memLo).toBeGreaterThanOrEqual(0);
        expect(memHi).toBeLessThanOrEqual(1);
        for (const m of ['net', 'disk'] as const) {
          const [lo, hi] = range(t.metrics[m]);
          expect(lo).toBeGreaterThanOrEqual(0);
          expect(Number.isFinite(hi)).toBe(true);
        }
      }
    }
  });
});
