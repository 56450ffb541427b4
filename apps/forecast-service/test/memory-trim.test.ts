/**
 * Giving freed native memory back after a load peak (src/memory-trim.ts): the trim runs once per
 * quiet spell, never while requests are in flight, and the addon make setup builds is loadable.
 * The timing rules run on fake timers; the server test waits for the trim itself.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadMallocTrim, MemoryTrimmer } from '../src/memory-trim.js';
import { forecastBody, localServer, until } from './helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

function trimmer(inFlight = () => 0) {
  const calls: number[] = [];
  const t = new MemoryTrimmer({
    quietMs: 1000,
    inFlight,
    trim: () => {
      calls.push(Date.now());
      return true;
    },
  });
  return { t, calls };
}

describe('MemoryTrimmer', () => {
  it('trims once after a quiet spell, and not again until more requests finished', () => {
    vi.useFakeTimers();
    const { t, calls } = trimmer();
    vi.advanceTimersByTime(5000);
    expect(calls).toHaveLength(0); // nothing finished: nothing to give back
    t.requestFinished();
    t.requestFinished();
    vi.advanceTimersByTime(999);
    expect(calls).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(calls).toHaveLength(1);
    expect(t.trims).toBe(1);
    vi.advanceTimersByTime(10_000);
    expect(calls).toHaveLength(1);
    t.requestFinished();
    vi.advanceTimersByTime(1000);
    expect(calls).toHaveLength(2);
  });

  it('restarts the quiet spell with every finished request, so steady load never trims', () => {
    vi.useFakeTimers();
    const { t, calls } = trimmer();
    for (let i = 0; i < 50; i++) {
      t.requestFinished();
      vi.advanceTimersByTime(900);
    }
    expect(calls).toHaveLength(0);
    vi.advanceTimersByTime(100);
    expect(calls).toHaveLength(1);
  });

  it('does not trim while a request is in flight; its finish starts a new spell', () => {
    vi.useFakeTimers();
    let inFlight = 1;
    const { t, calls } = trimmer(() => inFlight);
    t.requestFinished();
    vi.advanceTimersByTime(5000);
    expect(calls).toHaveLength(0);
    inFlight = 0;
    t.requestFinished();
    vi.advanceTimersByTime(1000);
    expect(calls).toHaveLength(1);
  });

  it('stop() cancels a pending trim', () => {
    vi.useFakeTimers();
    const { t, calls } = trimmer();
    t.requestFinished();
    t.stop();
    vi.advanceTimersByTime(5000);
    expect(calls).toHaveLength(0);
  });
});

describe('the malloc_trim addon', () => {
  it('is built by make setup and callable on glibc', () => {
    const header = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header;
    const loaded = loadMallocTrim();
    if (header.glibcVersionRuntime === undefined) {
      expect(loaded.trim).toBeNull();
      return;
    }
    if (loaded.trim === null) throw new Error(loaded.reason);
    expect(typeof loaded.trim()).toBe('boolean');
  });
});

describe('the server', () => {
  it('trims after a forecast once it is quiet, and counts it in /metrics', async () => {
    let trims = 0;
    const { app } = await localServer({
      memoryTrim: {
        quietMs: 20,
        trim: () => {
          trims++;
          return true;
        },
      },
    });
    try {
      const r = await app.inject({
        method: 'POST',
        url: '/forecast',
        payload: forecastBody(),
        headers: { 'content-type': 'application/json' },
      });
      expect(r.statusCode).toBe(200);
      await until(() => trims === 1);
      const metrics = await app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toContain('forecast_service_memory_trims_total{released="true"} 1');
      expect(app.service.memoryTrimmer?.trims).toBe(1);
    } finally {
      await app.close();
    }
  });
});
