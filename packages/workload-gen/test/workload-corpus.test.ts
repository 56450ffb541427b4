// The pretraining corpus: deterministic, finite, every family present, cheap.
import { describe, expect, it } from 'vitest';
import { CORPUS_FAMILIES, CORPUS_SEED_BASE, corpusFamily, corpusSeries } from '../src/corpus/corpus.js';
import { COMMON_PERIODS } from '../src/corpus/families.js';
import { sha256 } from './workload-helpers.js';

const SEED = CORPUS_SEED_BASE + 1;

describe('corpusSeries', () => {
  it('is a pure function of (seed, index, length): pinned bytes, and call order does not matter', () => {
    const forward = Array.from({ length: 60 }, (_, i) => corpusSeries(SEED, i, 256));
    const backward = Array.from({ length: 60 }, (_, i) => corpusSeries(SEED, 59 - i, 256)).reverse();
    expect(sha256(...backward)).toBe(sha256(...forward));
    expect(sha256(...forward)).toBe('55f9bf008eb161db5c140872f785fb0aec4bf20e38ae4e8391c29ab573d35b3d');
    expect(sha256(corpusSeries(SEED + 1, 0, 256))).not.toBe(sha256(forward[0]));
  });

  it('returns finite float32 values of the requested length for any length', () => {
    for (const length of [1, 2, 7, 100, 1024, 3000]) {
      for (let i = 0; i < 40; i++) {
        const s = corpusSeries(SEED, i, length);
        expect(s).toBeInstanceOf(Float32Array);
        expect(s.length).toBe(length);
        expect(s.every(Number.isFinite)).toBe(true);
      }
    }
  });

  it('draws every family, in roughly the documented mix', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) counts.set(corpusFamily(SEED, i), (counts.get(corpusFamily(SEED, i)) ?? 0) + 1);
    for (const f of CORPUS_FAMILIES) expect(counts.get(f) ?? 0).toBeGreaterThan(80);
    expect(counts.get('kernel-composition')! / 2000).toBeCloseTo(0.44, 1);
    expect(counts.get('archetype')! / 2000).toBeCloseTo(0.2, 1);
  });

  it('series are not degenerate: most vary, intermittent ones are mostly zeros', () => {
    let constant = 0;
    for (let i = 0; i < 300; i++) {
      const s = corpusSeries(SEED, i, 512);
      const family = corpusFamily(SEED, i);
      if (Math.min(...s) === Math.max(...s)) constant++;
      if (family === 'intermittent') expect(s.filter((v) => v === 0).length).toBeGreaterThan(512 * 0.3);
    }
    expect(constant).toBeLessThan(300 * 0.05);
  });

  it('common periods cover daily/weekly cycles at 1, 5, 15 and 60-minute resolution', () => {
    for (const p of [24, 168, 96, 288, 1440, 60, 12, 7, 48]) expect(COMMON_PERIODS).toContain(p);
  });

  it('is fast: thousands of 1024-point series per second (loose bound on a shared CPU)', () => {
    corpusSeries(SEED, 0, 1024); // warm up
    const started = process.cpuUsage();
    const n = 1000;
    for (let i = 0; i < n; i++) corpusSeries(SEED, 10_000 + i, 1024);
    const cpu = process.cpuUsage(started);
    const seconds = (cpu.user + cpu.system) / 1e6;
    expect(n / seconds).toBeGreaterThan(1000); // the benchmark measures the real rate (≥ 2000/s goal)
  });
});
