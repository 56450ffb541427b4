/**
 * Online adaptive calibration of the peak (online-calibration.ts): quantile tracking moves a
 * tenant's offset by exactly η·(miss − (1 − α)) per settled peak; through the harness, a biased
 * forecaster's sequential peaks come to miss at about 1 − α; the state survives a restart through
 * the file store, and a broken file is an error naming it.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileOnlineStore, Harness, MemoryOnlineStore, type HarnessRequest } from '../src/index.js';
import { remember, settle, type OnlineRequest } from '../src/online-calibration.js';
import { Mulberry32, scrambleSeed } from '@tsfm/numerics';
import { FakeForecaster, type Predict } from './helpers/fake-forecaster.js';
import { FREE } from './helpers/three-configs.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const STEP = 60_000;

function onlineRequest(values: Float32Array, n: number, alpha = 0.9): OnlineRequest {
  return {
    start: 0,
    stepMs: STEP,
    n,
    alpha,
    metricNames: ['cpu'],
    series: [values],
    scales: Float64Array.from([2]),
  };
}

describe('quantile tracking', () => {
  it('settles a remembered peak once its horizon is in the history: offset += η·(miss − (1 − α))', () => {
    const values = Float32Array.from({ length: 30 }, (_, i) => (i === 12 ? 9 : 1));
    // Issued at n = 10 for steps 10…14, peak 5: the realised peak (9 at step 12) misses.
    let state = remember(settle(null, onlineRequest(values, 10), 0.1), onlineRequest(values, 10), {
      cpu: { horizon: 5, value: 5 },
    });
    expect(state.metrics.cpu.pending).toHaveLength(1);
    // At n = 14 the horizon's last step (14) is not yet observed: nothing settles.
    state = settle(state, onlineRequest(values, 14), 0.1);
    expect(state.metrics.cpu.settled).toBe(0);
    state = settle(state, onlineRequest(values, 15), 0.1);
    expect(state.metrics.cpu.settled).toBe(1);
    expect(state.metrics.cpu.misses).toBe(1);
    // η = 0.1 × scale 2 = 0.2; miss − (1 − α) = 0.9.
    expect(state.metrics.cpu.offset).toBeCloseTo(0.18, 12);
    // A covered peak moves it down by η·(1 − α) = 0.02.
    state = remember(state, onlineRequest(values, 15), { cpu: { horizon: 5, value: 10 } });
    state = settle(state, onlineRequest(values, 20), 0.1);
    expect(state.metrics.cpu.offset).toBeCloseTo(0.16, 12);
    expect(state.metrics.cpu.pending).toEqual([]);
  });
});

describe('online calibration through the harness', () => {
  /** The α-quantile 0.6 too low on Uniform(0, 1) data: its 10-step peak misses most of the time. */
  const biasedLow: Predict = (row, levels) => {
    const out = new Float32Array(row.horizon * levels.length);
    for (let t = 0; t < row.horizon; t++) levels.forEach((p, k) => (out[t * levels.length + k] = p - 0.6));
    return out;
  };
  const D = 10;
  const values = (() => {
    const rng = new Mulberry32(scrambleSeed(11));
    return Float32Array.from({ length: 500 + 700 * D }, () => rng.next());
  })();
  const request = (n: number): HarnessRequest => ({
    history: { id: 'tenant-a', start: 0, stepMs: STEP, metrics: { cpu: values.subarray(0, n) } },
    horizon: D,
    alpha: 0.9,
    k: 1,
    options: { members: [], calibration: 'none', validationWindows: 2, minContextPoints: 20 },
  });

  async function missRate(harness: Harness, from: number, requests: number): Promise<{ rate: number; next: number }> {
    let misses = 0;
    let scored = 0;
    let n = from;
    for (let i = 0; i < requests; i++, n += D) {
      const r = await harness.forecast(request(n));
      const realised = Math.max(...values.subarray(n, n + D));
      if (i >= 100) {
        scored++;
        if (realised > r.peak.cpu.value) misses++;
      }
    }
    return { rate: misses / scored, next: n };
  }

  it('sequential peaks of a biased forecaster come to miss at about 1 − α (and at far more without)', async () => {
    const fake = new FakeForecaster(biasedLow);
    const without = await Harness.create(fake, { costModel: FREE(), budgetMode: 'measure' });
    const online = await Harness.create(fake, {
      costModel: FREE(),
      budgetMode: 'measure',
      online: { store: new MemoryOnlineStore(), rate: 0.3 },
    });
    const a = await missRate(without, 500, 600);
    const b = await missRate(online, 500, 600);
    expect(a.rate).toBeGreaterThan(0.5);
    expect(Math.abs(b.rate - 0.1)).toBeLessThan(0.05);
  });

  it('the state survives a restart through the file store; a corrupt file is an error naming it', async () => {
    const dir = tempDir('tsfm-online-');
    const fake = new FakeForecaster(biasedLow);
    const first = await Harness.create(fake, {
      costModel: FREE(),
      budgetMode: 'measure',
      online: { store: new FileOnlineStore(dir), rate: 0.3 },
    });
    let n = 500;
    for (let i = 0; i < 50; i++, n += D) await first.forecast(request(n));
    const before = (await new FileOnlineStore(dir).get('tenant-a'))!;
    expect(before.metrics.cpu.settled).toBe(49);
    expect(before.metrics.cpu.offset).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual(['tenant-a.json']);
    // A new harness on the same directory (a restart) starts from the saved offset.
    const restarted = await Harness.create(fake, {
      costModel: FREE(),
      budgetMode: 'measure',
      online: { store: new FileOnlineStore(dir), rate: 0.3 },
    });
    const r = await restarted.forecast(request(n));
    expect(r.peak.cpu.online).not.toBe(0);
    const after = (await new FileOnlineStore(dir).get('tenant-a'))!;
    expect(after.metrics.cpu.settled).toBe(50);

    writeFileSync(join(dir, 'tenant-a.json'), '{"version": 1, "metrics": {"cpu": {"offset": "x"}}}');
    await expect(new FileOnlineStore(dir).get('tenant-a')).rejects.toThrow(/tenant-a\.json: metrics\.cpu\.offset/);
    // The harness forecasts anyway and says why the online offset is missing.
    const degraded = await restarted.forecast(request(n + D));
    expect(degraded.peak.cpu.online).toBe(0);
    expect(degraded.notes.join(' ')).toMatch(/online calibration skipped: .*tenant-a\.json/);
  });
});
