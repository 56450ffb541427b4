import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { forecastBody, localServer, metricHistory, prometheusRange } from './helpers.js';

let app: FastifyInstance;

beforeAll(async () => {
  ({ app } = await localServer());
  await app.ready();
});
afterAll(async () => {
  await app.close();
});

const post = (url: string, payload: unknown) =>
  app.inject({ method: 'POST', url, payload: payload as object, headers: { 'content-type': 'application/json' } });

describe('GET /health, /ready and /status', () => {
  it('reports liveness and readiness separately', async () => {
    const health = await app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ ready: true });
  });

  it('reports state, model, confidence threshold and whether a forecast exists — and nothing about callers', async () => {
    const before = (await app.inject({ method: 'GET', url: '/status' })).json();
    expect(before.state).toBe('RUNNING');
    expect(before.model).toMatchObject({ name: 'tsfm-mlp-quantile', random: true, horizon: 64 });
    // The recommender's default (packages/provisioning README: measured against 0.7).
    expect(before.confidenceThreshold).toBe(0.25);
    expect(before.limits).toMatchObject({ bodyLimitBytes: 8 * 1024 * 1024, maxK: 256, maxSeries: 16 });
    expect(before.admission).toEqual({
      minInFlight: 2 * before.workers.configured, // the default: 2 per worker
      overBudgetRate: 0.01,
      inflation: 1,
      positionMs: null,
    });
    const secret = { tenantId: 'tenant-secret-42', history: metricHistory(240, ['billing_secret_metric']) };
    expect((await post('/forecast', forecastBody(secret))).statusCode).toBe(200);
    const after = await app.inject({ method: 'GET', url: '/status' });
    const status = after.json();
    expect(status.forecastAvailable).toBe(true);
    expect(Date.parse(status.lastForecastAt)).not.toBeNaN();
    // Neither the previous caller's tenant and metrics nor any absolute path.
    expect(after.body).not.toContain('tenant-secret-42');
    expect(after.body).not.toContain('billing_secret_metric');
    expect(after.body).not.toMatch(/"\/(tmp|work|home|usr)\//);
  });

  it('answers a known path with the wrong method 405 and Allow', async () => {
    const r = await app.inject({ method: 'GET', url: '/forecast' });
    expect(r.statusCode).toBe(405);
    expect(r.headers.allow).toBe('POST');
    expect(r.json()).toMatchObject({ error: 'method-not-allowed' });
    const d = await app.inject({ method: 'DELETE', url: '/health' });
    expect(d.statusCode).toBe(405);
    expect(d.headers.allow).toBe('GET, HEAD');
  });

  it('sends X-Content-Type-Options: nosniff on every answer, errors included', async () => {
    for (const r of [
      await app.inject({ method: 'GET', url: '/health' }),
      await post('/forecast', { horizon: 0 }),
      await app.inject({ method: 'GET', url: '/nope' }),
    ])
      expect(r.headers['x-content-type-options']).toBe('nosniff');
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
    // A model config, or one of the harness's statistical members (its model dimension).
    expect(body.winner.cpu.key).toMatch(/^(ctx\d+-r\d+|stat-)/);
    expect(body.kRequested).toBe(8);
    expect(body.latencyMs).toBeGreaterThanOrEqual(body.timings.total);
    expect(body.timings.total).toBeGreaterThan(0);
  });

  it('forecasts metrics named like Object.prototype members as ordinary metrics', async () => {
    for (const name of ['constructor', 'hasOwnProperty', '__defineGetter__', 'toString']) {
      const r = await post('/forecast', forecastBody({ history: metricHistory(240, [name]), metrics: [name] }));
      expect(r.statusCode).toBe(200);
      const body = r.json();
      expect(body.metrics).toEqual([name]);
      expect(body.path).toBe('search');
      expect(body.forecast[name]).toHaveLength(30);
      expect(body.forecast[name].every((v: number | null) => typeof v === 'number')).toBe(true);
    }
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

  it("takes the query's step from stepMs when a Prometheus response cannot show it (one sample per series)", async () => {
    const one = prometheusRange({ node_cpu: [0.5] }, 60);
    expect((await post('/forecast', { prometheus: one, horizon: 15, tier: 'standard' })).statusCode).toBe(400);
    const r = await post('/forecast', { prometheus: one, stepMs: 60_000, horizon: 15, tier: 'standard' });
    expect(r.statusCode).toBe(200);
    expect(r.json().path).toMatch(/^cold-start/);
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

describe('--racing (the harness option for every request)', () => {
  it('is off by default (racing: null); on, the same body runs two model calls on fewer rows', async () => {
    const body = { history: metricHistory(600), horizon: 30, tier: 'premium', k: 32, budgetMs: 60_000 };
    const plain = (await post('/forecast', body)).json();
    expect(plain.path).toBe('search');
    expect(plain.racing).toBeNull();
    const { app: racing } = await localServer({ racing: { windows: 2, survivors: 2 } });
    try {
      const r = await racing.inject({ method: 'POST', url: '/forecast', payload: body });
      expect(r.statusCode).toBe(200);
      const raced = r.json();
      expect(raced.racing).toMatchObject({ firstRoundWindows: 2 });
      expect(raced.racing.survivingFamilies).toBeLessThanOrEqual(3);
      expect(raced.modelRows).toBeLessThan(plain.modelRows);
    } finally {
      await racing.close();
    }
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
    // The demand report once, inside the recommendation (it was printed twice).
    expect(r.body.match(/Demand report/g)).toHaveLength(1);
  });

  it('escapes metric names in markdown, so a name cannot add table cells or formatting', async () => {
    const name = 'cpu|evil*_`<b>';
    const r = await app.inject({
      method: 'POST',
      url: '/recommend?format=markdown',
      payload: { history: { [name]: metricHistory(300, ['x']).x }, tier: 'standard', current: { [name]: 0.6 }, k: 4 },
    });
    expect(r.statusCode).toBe(200);
    expect(r.body).not.toContain(name);
    expect(r.body).toContain('cpu\\|evil\\*\\_\\`&lt;b>');
  });

  it('answers a short history with the documented cold-start result', async () => {
    const r = await post('/recommend', { history: metricHistory(30), tier: 'standard', current: { cpu: 0.6 } });
    expect(r.statusCode).toBe(200);
    expect(r.json().recommendation).toMatchObject({ status: 'cold-start', minutesNeeded: 30 });
  });

  it('refuses an unknown recommender option (a typo), naming it', async () => {
    const r = await post('/recommend', {
      history: metricHistory(300),
      tier: 'basic',
      current: { cpu: 0.6 },
      options: { maxReplica: 5 },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ field: 'options' });
    expect(r.json().message).toMatch(/maxReplica/);
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
      /forecast_service_request_duration_seconds_bucket\{le="0.1",route="\/forecast",method="POST",status="200"\} \d+/,
    );
    expect(r.body).toMatch(/forecast_service_k_lowered_total \d+/);
    expect(r.body).toMatch(/forecast_service_in_flight_requests 0/);
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
