/**
 * What the service reports about itself (issue 13 §3–§4): /status's state (RUNNING / DEGRADED /
 * ERROR) with /ready beside it, the K-lowered counter, and `latencyMs` counting serialisation.
 * Harness wrappers make each condition a state the test sets, never a race with the clock.
 */
import { HarnessError, type Harness, type HarnessRequest, type HarnessResult } from '@tsfm/harness';
import { describe, expect, it } from 'vitest';
import { epochNow } from '../src/clock.js';
import { buildServer, ForecastJobs, jobSettings, type JobRunner } from '../src/index.js';
import { forecastBody, localServer, metricHistory, testModel } from './helpers.js';

/** The real harness with its result (or failure) replaced by `change`. */
function wrapped(harness: Harness, change: (result: HarnessResult) => HarnessResult): Harness {
  const wrapper = {
    space: harness.space,
    forecast: async (request: HarnessRequest) => change(await harness.forecast(request)),
  };
  // The jobs use only `space` and `forecast`; Harness has a private constructor, hence the cast.
  return wrapper as unknown as Harness;
}

const json = { 'content-type': 'application/json' };

describe('/status state and /ready', () => {
  it('is ERROR, and not ready, while no forecast worker is running', async () => {
    const { harness, info } = await testModel();
    const settings = jobSettings(info.maxHorizonMinutes);
    const jobs = new ForecastJobs(harness, settings);
    let ready = 0;
    const runner: JobRunner = {
      run: (job) => jobs.run(job),
      parallelism: 2,
      get ready() {
        return ready;
      },
      batchStats: () => null,
      close: async () => undefined,
    };
    const app = buildServer({ runner, model: info, defaultMetrics: false });
    try {
      const status = (await app.inject({ method: 'GET', url: '/status' })).json();
      expect(status).toMatchObject({ state: 'ERROR', reasons: ['no forecast worker is running'], ready: false });
      const probe = await app.inject({ method: 'GET', url: '/ready' });
      expect(probe.statusCode).toBe(503);
      expect(probe.json()).toEqual({ ready: false, reason: 'no forecast worker is running' });
      // Liveness is another question: the process answers, so it is not restarted for this.
      expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      ready = 2;
      expect((await app.inject({ method: 'GET', url: '/status' })).json()).toMatchObject({ state: 'RUNNING' });
      expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('is DEGRADED after the model failed on a request, and says why without naming the caller', async () => {
    const failing = wrapped((await testModel()).harness, () => {
      throw new HarnessError('model-failure', 'onnxruntime returned non-finite values', {});
    });
    const { app } = await localServer({ harness: failing });
    try {
      const r = await app.inject({
        method: 'POST',
        url: '/forecast',
        headers: json,
        payload: forecastBody({ tenantId: 'tenant-secret-7' }),
      });
      expect(r.statusCode).toBe(503);
      expect(r.json()).toMatchObject({ error: 'model-failure' });
      const status = await app.inject({ method: 'GET', url: '/status' });
      expect(status.json()).toMatchObject({
        state: 'DEGRADED',
        reasons: ['the model failed on a request in the last minute'],
        ready: true,
        forecastAvailable: false,
      });
      expect(status.body).not.toContain('tenant-secret-7');
    } finally {
      await app.close();
    }
  });
});

describe('GET /metrics', () => {
  it('counts a forecast whose K the latency budget lowered', async () => {
    const { app } = await localServer();
    try {
      const lowered = async () => {
        const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
        return Number(/^forecast_service_k_lowered_total (\d+)$/m.exec(text)?.[1]);
      };
      expect(await lowered()).toBe(0);
      // A budget no forecast can meet: the harness tries one config (K is at least 1) of the 8 asked.
      const r = await app.inject({
        method: 'POST',
        url: '/forecast',
        headers: json,
        payload: forecastBody({ k: 8, budgetMs: 0.001 }),
      });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ kRequested: 8, kUsed: 1, kLowered: true });
      expect(await lowered()).toBe(1);
      // A budget that fits lowers nothing.
      const wide = await app.inject({
        method: 'POST',
        url: '/forecast',
        headers: json,
        payload: forecastBody({ k: 4, budgetMs: 60_000 }),
      });
      expect(wide.json()).toMatchObject({ kLowered: false });
      expect(await lowered()).toBe(1);
    } finally {
      await app.close();
    }
  });
});

describe('latencyMs', () => {
  it('is measured after the answer is serialised', async () => {
    let serialisedAt = Number.NaN;
    // The answer's notes record when JSON.stringify reached them, then hold it until the clock
    // has moved 2 ms: an answer timed before its serialisation would be at least 2 ms short.
    const slowToSerialise = wrapped((await testModel()).harness, (result) => {
      const notes = Object.assign([...result.notes], {
        toJSON: () => {
          serialisedAt = epochNow();
          while (epochNow() - serialisedAt < 2);
          return result.notes;
        },
      });
      return { ...result, notes };
    });
    const { info } = await testModel();
    const jobs = new ForecastJobs(slowToSerialise, jobSettings(info.maxHorizonMinutes));
    const receivedAt = epochNow();
    const body = new TextEncoder().encode(
      JSON.stringify({ history: metricHistory(240), horizon: 30, tier: 'basic', k: 2 }),
    );
    const outcome = await jobs.run({ kind: 'forecast', body, receivedAt, queuedAt: receivedAt });
    expect(outcome.status).toBe(200);
    const answer = JSON.parse(outcome.body as string) as { latencyMs: number };
    expect(serialisedAt).toBeGreaterThan(receivedAt);
    // latencyMs is rounded to 0.01 ms.
    expect(receivedAt + answer.latencyMs).toBeGreaterThanOrEqual(serialisedAt + 2 - 0.01);
  });
});
