/**
 * A small seeded synthetic tenant on a 1-minute grid: four metrics on very different scales
 * (CPU fraction, memory bytes, network bytes/min, disk ops), each a daily cycle plus noise.
 * The same generator as @tsfm/harness's test helper (a test fixture, not part of its API), so the
 * scoring test sees the series it always saw.
 */
import { SeededRandom } from '@tsfm/harness';

const METRICS = ['cpu', 'mem', 'net', 'disk'] as const;

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
  const rng = new SeededRandom(seed);
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
