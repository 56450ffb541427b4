/**
 * Graceful shutdown and overload, over a real socket. A "gated" harness (the real one, whose
 * forecast waits until the test opens the gate) makes "a request is in flight" a state the test
 * controls instead of a race.
 */
import { EventEmitter } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Harness, HarnessRequest } from '@tsfm/harness';
import { buildServer, installShutdown } from '../src/index.js';
import { forecastBody, testModel } from './helpers.js';

function gated(harness: Harness): { harness: Harness; open: () => void; waiting: () => number } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let waiting = 0;
  const wrapper = {
    space: harness.space,
    forecast: async (request: HarnessRequest) => {
      waiting++;
      await gate;
      return harness.forecast(request);
    },
  };
  // The server uses only `space` and `forecast`; Harness has a private constructor, hence the cast.
  return { harness: wrapper as unknown as Harness, open: () => release(), waiting: () => waiting };
}

const post = (base: string) =>
  fetch(`${base}/forecast`, {
    method: 'POST',
    body: JSON.stringify(forecastBody()),
    headers: { 'content-type': 'application/json' },
  });

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!condition()) throw new Error('condition not reached in 2.5 s');
}

describe('graceful shutdown', () => {
  it('on SIGTERM: reports draining, finishes the request in flight, closes, releases, exits 0', async () => {
    const model = await testModel();
    const g = gated(model.harness);
    const app = buildServer({ harness: g.harness, model: model.info, defaultMetrics: false });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const signals = new EventEmitter();
    const exits: number[] = [];
    let released = false;
    installShutdown(app, {
      emitter: signals,
      exit: (code) => exits.push(code),
      onClosed: async () => void (released = true),
    });

    const inFlight = post(base);
    await until(() => g.waiting() === 1);
    signals.emit('SIGTERM');
    expect(app.service.state.draining).toBe(true);
    const health = await app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toEqual({ status: 'draining' });
    expect(exits).toEqual([]); // still waiting for the request in flight

    g.open();
    const r = await inFlight;
    expect(r.status).toBe(200);
    await until(() => exits.length > 0);
    expect(exits).toEqual([0]);
    expect(released).toBe(true);
    await expect(post(base)).rejects.toThrow(); // the socket is closed
  });

  it('does not wait for a socket whose request never finished arriving (a client stopped mid-body)', async () => {
    const model = await testModel();
    const app = buildServer({ harness: model.harness, model: model.info, defaultMetrics: false });
    const base = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
    const socket = connect(Number(base.port), base.hostname);
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    socket.on('error', () => undefined);
    // Headers promise 100 000 bytes; 10 arrive, and the client goes quiet without closing.
    socket.write(
      'POST /forecast HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"history"',
    );
    await new Promise((r) => setTimeout(r, 50));
    const signals = new EventEmitter();
    const exits: number[] = [];
    installShutdown(app, { emitter: signals, exit: (code) => exits.push(code), timeoutMs: 5_000 });
    const started = performance.now();
    signals.emit('SIGTERM');
    await until(() => exits.length > 0);
    expect(exits).toEqual([0]);
    expect(performance.now() - started).toBeLessThan(2_000);
    socket.destroy();
  });

  it('exits 1 at once on a second signal', async () => {
    const model = await testModel();
    const g = gated(model.harness);
    const app = buildServer({ harness: g.harness, model: model.info, defaultMetrics: false });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const signals = new EventEmitter();
    const exits: number[] = [];
    installShutdown(app, { emitter: signals, exit: (code) => exits.push(code) });
    const inFlight = post(base);
    await until(() => g.waiting() === 1);
    signals.emit('SIGINT');
    signals.emit('SIGINT');
    expect(exits).toEqual([1]);
    g.open();
    await inFlight;
    await until(() => exits.length > 1);
  });
});

describe('queueing', () => {
  it('drops a queued request whose client disconnected, without running it', async () => {
    const model = await testModel();
    const g = gated(model.harness);
    const app = buildServer({ harness: g.harness, model: model.info, concurrency: 1, defaultMetrics: false });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const first = post(base);
      await until(() => g.waiting() === 1);
      const abort = new AbortController();
      const second = fetch(`${base}/forecast`, {
        method: 'POST',
        body: JSON.stringify(forecastBody()),
        headers: { 'content-type': 'application/json' },
        signal: abort.signal,
      });
      await until(() => app.service.slots.waiting === 1);
      abort.abort();
      await expect(second).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 50)); // let the server see the closed socket
      g.open();
      expect((await first).status).toBe(200);
      await until(() => app.service.state.inFlight === 0);
      expect(g.waiting()).toBe(1); // the dropped request never reached the harness
      const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(text).toMatch(/forecast_service_abandoned_total 1/);
    } finally {
      await app.close();
    }
  });
});

describe('overload', () => {
  it('answers 503 with Retry-After beyond maxInFlight, and serves again once the load is gone', async () => {
    const model = await testModel();
    const g = gated(model.harness);
    const app = buildServer({ harness: g.harness, model: model.info, maxInFlight: 2, defaultMetrics: false });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const first = [post(base), post(base)];
      await until(() => g.waiting() === 2);
      const third = await post(base);
      expect(third.status).toBe(503);
      expect(third.headers.get('retry-after')).toBe('1');
      expect(await third.json()).toMatchObject({ error: 'overloaded' });
      g.open();
      expect((await Promise.all(first)).map((r) => r.status)).toEqual([200, 200]);
      expect((await post(base)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
