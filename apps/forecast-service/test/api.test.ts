import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../src/index.js';
import { forecastBody, metricHistory, prometheusRange, testModel } from './helpers.js';

let app: FastifyInstance;

beforeAll(async () => {
  const model = await testModel();
  app = buildServer({ harness: model.harness, model: model.info, defaultMetrics: false });
  await app.ready();
});
afterAll(async () => {
  await app.close();
});

const post = (url: string, payload: unknown) =>
  app.inject({ method: 'POST', url, payload: payload as object, headers: { 'content-type': 'application/json' } });

describe('GET /health and /status', () => {
  it('reports health', async () => {
    const r = await app.inject({ method: 'GET', url: '/health' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ status: 'ok' });
  });

  it('reports the model, uptime, limits and the last forecast', async () => {
    const before = (await app.inject({ method: 'GET', url: '/status' })).json();
    expect(before.model).toMatchObject({ name: 'tsfm-mlp-quantile', random: true, horizon: 64 });
    expect(before.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(before.limits).toMatchObject({ bodyLimitBytes: 8 * 1024 * 1024, maxK: 256 });
    await post('/forecast', forecastBody({ tenantId: 'tenant-a' }));
    const after = (await app.inject({ method: 'GET', url: '/status' })).json();
    expect(after.lastForecast).toMatchObject({
      route: '/forecast',
      tenantId: 'tenant-a',
      horizon: 30,
      alpha: 0.9,
      path: 'search',
    });
  });
});

describe('POST /forecast', () => {
  it('forecasts every metric: the α-quantile, all quantiles, the winner and the latency', async () => {
    const r = await post('/forecast', forecastBody());
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.metrics).toEqual(['cpu', 'mem', 'net', 'disk']);
    expect(body.alpha).toBe(0.9);
    expect(body.path).toBe('search');
    expect(body.forecast.cpu).toHaveLength(30);
    expect(body.quantiles.cpu).toHaveLength(30);
    expect(body.quantiles.cpu[0]).toHaveLength(body.levels.length);
    expect(body.winner.cpu.key).toMatch(/^ctx\d+-r\d+/);
    expect(body.kRequested).toBe(8);
    expect(body.latencyMs).toBeGreaterThan(0);
    expect(body.timings.total).toBeGreaterThan(0);
  });

  it('accepts one array as a single series, and null as a missing minute', async () => {
    const values: Array<number | null> = metricHistory(200, ['x']).x;
    values[50] = null;
    const r = await post('/forecast', { history: values, horizon: 15, alpha: 0.75 });
    expect(r.statusCode).toBe(200);
    expect(r.json().metrics).toEqual(['value']);
  });

  it('reads a Prometheus query_range response, averaging a 15-second scrape to minutes', async () => {
    const h = metricHistory(4 * 180, ['node_cpu', 'node_mem']); // 180 minutes at 15 s
    const r = await post('/forecast', { prometheus: prometheusRange(h, 15), horizon: 15, tier: 'standard', k: 4 });
    expect(r.statusCode).toBe(200);
    expect(r.json().metrics).toEqual(['node_cpu', 'node_mem']);
  });

  it('takes the cold-start path on a short history instead of failing', async () => {
    const r = await post('/forecast', { history: metricHistory(20), horizon: 10, tier: 'basic' });
    expect(r.statusCode).toBe(200);
    expect(r.json().path).toMatch(/^cold-start/);
  });

  it('lowers no K the caller did not ask for: the default K is the harness default', async () => {
    const r = await post('/forecast', { history: metricHistory(240), horizon: 30, tier: 'premium', budgetMs: 60_000 });
    expect(r.json().kRequested).toBe(32);
  });
});

describe('POST /recommend', () => {
  it('returns the recommendation and the demand report as JSON', async () => {
    const r = await post('/recommend', {
      history: metricHistory(300),
      tier: 'premium',
      current: { cpu: 0.1, mem: 5 },
      k: 4,
    });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.recommendation.status).toBe('ok');
    expect(['scale_up', 'scale_down', 'hold']).toContain(body.recommendation.action);
    expect(Object.keys(body.recommendation.metrics)).toEqual(['cpu', 'mem']);
    expect(body.demand.level).toMatch(/low|normal|elevated|critical/);
    expect(body.forecast.horizon).toBe(30); // the recommender's longest horizon, by default
  });

  it('renders markdown on ?format=markdown', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/recommend?format=markdown',
      payload: { history: metricHistory(300), tier: 'standard', current: { cpu: 0.6 }, k: 4 },
    });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/markdown/);
    expect(r.body).toContain('## Recommendation');
    expect(r.body).toContain('## Demand report');
  });

  it('answers a short history with the documented cold-start result', async () => {
    const r = await post('/recommend', { history: metricHistory(30), tier: 'standard', current: { cpu: 0.6 } });
    expect(r.statusCode).toBe(200);
    expect(r.json().recommendation).toMatchObject({ status: 'cold-start', minutesNeeded: 30 });
  });

  it('passes recommender options through, and names a bad one', async () => {
    const ok = await post('/recommend', {
      history: metricHistory(300),
      tier: 'basic',
      current: { cpu: 0.6 },
      options: { horizons: [5, 10], decisionHorizon: 10, demand: { predictMinutes: 10 } },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().forecast.horizon).toBe(10);
    const bad = await post('/recommend', {
      history: metricHistory(300),
      tier: 'basic',
      current: { cpu: 0.6 },
      options: { maxReplicas: 0 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('options.maxReplicas');
  });
});

describe('GET /metrics', () => {
  it('exposes request counts by route and status, a latency histogram, recommendations by action and the model', async () => {
    await post('/recommend', { history: metricHistory(300), tier: 'premium', current: { cpu: 0.1 }, k: 4 });
    await post('/forecast', { horizon: 0 });
    const r = await app.inject({ method: 'GET', url: '/metrics' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    expect(r.body).toMatch(/forecast_service_requests_total\{route="\/forecast",method="POST",status="200"\} \d+/);
    expect(r.body).toMatch(/forecast_service_requests_total\{route="\/forecast",method="POST",status="400"\} [1-9]/);
    expect(r.body).toMatch(
      /forecast_service_request_duration_seconds_bucket\{le="0.1",route="\/forecast",method="POST"\} \d+/,
    );
    expect(r.body).toMatch(/forecast_service_recommendations_total\{action="(scale_up|scale_down|hold)"\} [1-9]/);
    expect(r.body).toMatch(
      /forecast_service_model_info\{name="tsfm-mlp-quantile",version="[^"]+",sha256="[0-9a-f]{64}",random="true"\} 1/,
    );
  });

  it('labels unmatched paths as one route, so random URLs cannot grow the label set', async () => {
    const r = await app.inject({ method: 'GET', url: '/no/such/path?x=1' });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ error: 'not-found' });
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toContain('route="unmatched"');
    expect(text).not.toContain('/no/such/path');
  });
});
