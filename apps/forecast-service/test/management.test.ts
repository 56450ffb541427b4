/**
 * The management listener (src/management/): /health and /ready on their own port and thread,
 * from the state the HTTP thread publishes. The answers as a pure function (stall detection
 * included, with explicit clocks), then the listener over a real socket.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagementPort } from '../src/management/management-port.js';
import { probeAnswer, type ProbeSnapshot } from '../src/management/probe-answer.js';

const NOW = 1_800_000_000_000;
const up: ProbeSnapshot = { draining: false, workersReady: 2, beatAt: NOW - 400 };

describe('probeAnswer', () => {
  it('answers like the main port while the HTTP thread beats', () => {
    expect(probeAnswer('GET', '/health', up, NOW, 10_000)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(probeAnswer('HEAD', '/ready?x=1', up, NOW, 10_000)).toEqual({ status: 200, body: { ready: true } });
    const draining = { ...up, draining: true };
    expect(probeAnswer('GET', '/health', draining, NOW, 10_000)).toEqual({ status: 200, body: { status: 'draining' } });
    expect(probeAnswer('GET', '/ready', draining, NOW, 10_000)).toMatchObject({ status: 503, body: { ready: false } });
    const noWorker = { ...up, workersReady: 0 };
    expect(probeAnswer('GET', '/ready', noWorker, NOW, 10_000)).toEqual({
      status: 503,
      body: { ready: false, reason: 'no forecast worker is running' },
    });
  });

  it('fails liveness and readiness once the heartbeat is older than stallMs', () => {
    const silent = { ...up, beatAt: NOW - 10_001 };
    expect(probeAnswer('GET', '/health', silent, NOW, 10_000)).toEqual({
      status: 503,
      body: { status: 'stalled', silentMs: 10_001 },
    });
    expect(probeAnswer('GET', '/ready', silent, NOW, 10_000)).toMatchObject({ status: 503, body: { ready: false } });
    expect(probeAnswer('GET', '/health', { ...up, beatAt: NOW - 10_000 }, NOW, 10_000).status).toBe(200);
  });

  it('answers other paths and methods in the documented error shape', () => {
    expect(probeAnswer('POST', '/health', up, NOW, 10_000)).toEqual({
      status: 405,
      body: { error: 'method-not-allowed', message: '/health accepts GET, HEAD, not POST' },
      headers: { allow: 'GET, HEAD' },
    });
    expect(probeAnswer('GET', '/forecast', up, NOW, 10_000)).toMatchObject({
      status: 404,
      body: { error: 'not-found' },
    });
  });
});

describe('ManagementPort', () => {
  let port: ManagementPort;
  const state = { draining: false, workersReady: 0 };

  beforeAll(async () => {
    port = await ManagementPort.start({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await port.close();
  });

  /** One request on a fresh connection. */
  const call = (method: string, path: string) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const r = request(`${port.address}${path}`, { method, agent: false }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      });
      r.on('error', reject);
      r.end();
    });

  it('is alive and not ready before the HTTP thread publishes its workers', async () => {
    expect(await call('GET', '/health')).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    expect((await call('GET', '/ready')).status).toBe(503);
  });

  it('serves what the HTTP thread publishes, at once', async () => {
    port.track(() => state);
    state.workersReady = 2;
    port.publish();
    const ready = await call('GET', '/ready');
    expect(ready).toMatchObject({ status: 200, body: '{"ready":true}' });
    expect(ready.headers['x-content-type-options']).toBe('nosniff');
    expect(ready.headers['content-type']).toBe('application/json; charset=utf-8');
    state.draining = true;
    port.publish();
    expect(await call('GET', '/ready')).toMatchObject({ status: 503 });
    expect(await call('GET', '/health')).toMatchObject({ status: 200, body: '{"status":"draining"}' });
    expect(await call('HEAD', '/health')).toMatchObject({ status: 200, body: '' });
  });

  it('answers 405 with Allow and 404 in the documented shape', async () => {
    const wrong = await call('POST', '/ready');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET, HEAD');
    expect(JSON.parse(wrong.body)).toMatchObject({ error: 'method-not-allowed' });
    const missing = await call('GET', '/metrics');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ error: 'not-found' });
  });
});
