/**
 * Small seeded synthetic tenants on a 1-minute grid: four metrics on very different scales
 * (CPU fraction, memory bytes, network bytes/min, disk ops), each a daily cycle plus noise.
 */
import { Mulberry32, scrambleSeed } from '@tsfm/numerics';

export const METRICS = ['cpu', 'mem', 'net', 'disk'] as const;

const SCALE: Record<(typeof METRICS)[number], { level: number; amplitude: number; noise: number }> = {
  cpu: { level: 0.35, amplitude: 0.2, noise: 0.03 },
  mem: { level: 2.5e9, amplitude: 2e8, noise: 3e7 },
  net: { level: 4e7, amplitude: 3e7, noise: 5e6 },
  disk: { level: 120, amplitude: 60, noise: 15 },
};

export interface TestTenant {
  id: string;
  start: number;
  stepMs: number;
  metrics: Record<string, Float32Array>;
}

export function syntheticTenant(n: number, seed = 1, id = `tenant-${seed}`): TestTenant {
  const rng = new Mulberry32(scrambleSeed(seed));
  const metrics: Record<string, Float32Array> = {};
  for (const name of METRICS) {
    const s = SCALE[name];
    const phase = rng.next() * 2 * Math.PI;
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const daily = Math.sin((2 * Math.PI * i) / 1440 + phase);
      v[i] = Math.max(0, s.level + s.amplitude * daily + s.noise * (rng.next() - 0.5) * 2);
    }
    metrics[name] = v;
  }
  return { id, start: 0, stepMs: 60_000, metrics };
}

export function constantTenant(n: number, values: Record<string, number>): TestTenant {
  const metrics: Record<string, Float32Array> = {};
  for (const [name, v] of Object.entries(values)) metrics[name] = new Float32Array(n).fill(v);
  return { id: 'constant', start: 0, stepMs: 60_000, metrics };
}

/** Set values[from, to) to NaN in the given metrics (all by default). */
export function withNaN(
  t: TestTenant,
  from: number,
  to: number,
  metrics: readonly string[] = Object.keys(t.metrics),
): TestTenant {
  const out: Record<string, Float32Array> = {};
  for (const [name, v] of Object.entries(t.metrics)) {
    const copy = v.slice();
    if (metrics.includes(name)) copy.fill(Number.NaN, Math.max(0, from), Math.min(copy.length, to));
    out[name] = copy;
  }
  return { ...t, metrics: out };
}
