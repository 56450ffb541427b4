/**
 * The service as it runs: forecasts on worker threads (two, each with its model and
 * micro-batcher), the HTTP thread free to answer probes while they work, a crashed worker
 * replaced. Real sockets, real workers; waits are for events.
 */
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer, jobSettings, serviceState, WorkerPool } from '../src/index.js';
import { forecastBody, testModelFile, until } from './helpers.js';

let pool: WorkerPool;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  const settings = { defaultK: 8 };
  pool = await WorkerPool.start({
    workers: 2,
    spec: {
      model: testModelFile(),
      random: true,
      settings: jobSettings(Number.POSITIVE_INFINITY, settings),
      batch: { windowMs: 2 },
    },
  });
  app = buildServer({ ...settings, runner: pool, model: pool.model, defaultMetrics: false });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app.close();
  await pool.close();
});

const post = (path: string, body: unknown) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });

describe('forecasts on worker threads', () => {
  it('serves /forecast and /recommend from the workers, with the model the workers loaded', async () => {
    const r = await post('/forecast', forecastBody());
    expect(r.status).toBe(200);
    const body = (await r.json()) as { metrics: string[]; forecast: Record<string, number[]>; latencyMs: number };
    expect(body.metrics).toEqual(['cpu', 'mem', 'net', 'disk']);
    expect(body.forecast.cpu).toHaveLength(30);
    expect(body.latencyMs).toBeGreaterThan(0);
    const rec = await post('/recommend', { ...forecastBody({ horizon: undefined }), current: { cpu: 0.5 } });
    expect(rec.status).toBe(200);
    const status = (await (await fetch(`${base}/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ state: 'RUNNING', workers: { configured: 2, ready: 2 }, model: { random: true } });
  });

  it('answers errors from the workers in the documented shape', async () => {
    const r = await post('/forecast', forecastBody({ history: { cpu: [1, 'NaN'] } }));
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ error: 'bad-request', field: 'history.cpu[1]' });
  });

  it('keeps the HTTP thread free: /health answers while forecasts are in flight, and model calls are batched', async () => {
    const requests = Array.from({ length: 24 }, () => post('/forecast', forecastBody({ k: 16 })));
    await until(() => app.service.admission.running > 0);
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    const statuses = await Promise.all(requests.map(async (r) => (await r).status));
    // Admitted ones are served; the rest were refused at the door, never failed.
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
    const stats = pool.batchStats();
    expect(stats.calls).toBeGreaterThanOrEqual(stats.batches);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/forecast_service_model_batches_total [1-9]/);
    expect(metrics).toMatch(/forecast_service_workers_ready 2/);
  });

  it('replaces a worker that died: DEGRADED meanwhile, still serving on the other, RUNNING again after', async () => {
    let atLoss: ReturnType<typeof serviceState> | null = null;
    const lost = once(pool, 'worker-lost');
    // Read the state in the loss event itself: how soon the replacement is up does not matter.
    pool.once('worker-lost', () => (atLoss = serviceState(app.service)));
    const restarted = once(pool, 'worker-restarted');
    await pool.crashWorker(0);
    await lost;
    expect(atLoss).toMatchObject({ state: 'DEGRADED', reasons: ['1 of 2 forecast workers are running'] });
    expect((await post('/forecast', forecastBody())).status).toBe(200);
    await restarted;
    const running = (await (await fetch(`${base}/status`)).json()) as { state: string };
    expect(running.state).toBe('RUNNING');
  });
});
