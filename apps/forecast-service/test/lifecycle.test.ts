/**
 * Graceful shutdown, abandoned requests and admission, over a real socket. A gated harness (the
 * real one, whose forecast waits until the test opens the gate) makes "a request is in flight" a
 * state the test controls instead of a race; every wait is for an event, never for time.
 */
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { installShutdown } from '../src/index.js';
import { forecastBody, gated, localServer, testModel, until } from './helpers.js';

const post = (base: string, body: unknown = forecastBody(), init: RequestInit = {}) =>
  fetch(`${base}/forecast`, {
    method: 'POST',
    body: typeof body === 'string' || body instanceof ReadableStream ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    ...init,
  });

/** A gate the test opens: the shutdown's pre-stop delay ends when the test says so. */
function manualPreStop(): { preStop: () => Promise<void>; end: () => void; started: () => boolean } {
  let end!: () => void;
  let started = false;
  const done = new Promise<void>((resolve) => (end = resolve));
  return {
    preStop: () => {
      started = true;
      return done;
    },
    end: () => end(),
    started: () => started,
  };
}

describe('graceful shutdown', () => {
  it('on SIGTERM: readiness fails at once, the listener keeps serving through the pre-stop delay, then closes after the request in flight', async () => {
    const g = gated((await testModel()).harness);
    const { app } = await localServer({ harness: g.harness });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const signals = new EventEmitter();
    const exits: number[] = [];
    let released = false;
    const stop = manualPreStop();
    installShutdown(app, {
      emitter: signals,
      exit: (code) => exits.push(code),
      onClosed: async () => void (released = true),
      preStop: stop.preStop,
    });

    const inFlight = post(base);
    await until(() => g.waiting() === 1);
    signals.emit('SIGTERM');
    expect(stop.started()).toBe(true);
    // Readiness off, liveness on, and new connections still served during the pre-stop delay.
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false });
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'draining' });
    expect(health.headers.get('connection')).toBe('close');
    const status = await (await fetch(`${base}/status`)).json();
    expect(status).toMatchObject({ ready: false, draining: true });
    expect(exits).toEqual([]);

    stop.end(); // the pre-stop delay is over: the listener closes, the request in flight finishes
    await until(() => !app.server.listening);
    g.open();
    const r = await inFlight;
    expect(r.status).toBe(200);
    await until(() => exits.length > 0);
    expect(exits).toEqual([0]);
    expect(released).toBe(true);
    await expect(fetch(`${base}/health`)).rejects.toThrow(); // the socket is closed
  });

  it('does not wait for a socket whose request never finished arriving (a client stopped mid-body)', async () => {
    const { app } = await localServer();
    const base = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
    const socket = connect(Number(base.port), base.hostname);
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    // Headers promise 100 000 bytes; 10 arrive, and the client goes quiet without closing.
    socket.write(
      'POST /forecast HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"history"',
    );
    await until(() => app.service.admission.inFlight === 1);
    const signals = new EventEmitter();
    const exits: number[] = [];
    // No shutdown timeout to rescue it: the close itself must not wait for the body.
    installShutdown(app, {
      emitter: signals,
      exit: (code) => exits.push(code),
      preStopDelayMs: 0,
      timeoutMs: 3_600_000,
    });
    signals.emit('SIGTERM');
    await until(() => exits.length > 0);
    expect(exits).toEqual([0]);
    await closed;
  });

  it("answers a request that arrives while the listener closes with 503 in the documented shape, not Fastify's", async () => {
    const g = gated((await testModel()).harness);
    // Header timeouts far beyond any pause of a loaded machine between the two halves of the request.
    const { app } = await localServer({ harness: g.harness, timeouts: { headersMs: 300_000, requestMs: 300_000 } });
    const base = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
    const serverSockets: Socket[] = [];
    app.server.on('connection', (s: Socket) => serverSockets.push(s));
    // A forecast in flight keeps the close waiting (and the drain sweep from closing every socket).
    const inFlight = post(base.origin);
    await until(() => g.waiting() === 1);
    // A second connection whose headers are half there when the close begins: not idle, so Node
    // keeps it open, and its request reaches the router after the close started.
    const socket = connect(Number(base.port), base.hostname);
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    const head = 'GET /status HTTP/1.1\r\nHost: x\r\n';
    socket.write(head);
    await until(() => serverSockets.some((s) => s.bytesRead === head.length));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    const answered = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const closed = app.close();
    await until(() => app.service.state.closing);
    socket.write('\r\n');
    await answered;
    const [header = '', body = ''] = Buffer.concat(chunks).toString('utf8').split('\r\n\r\n');
    expect(header.split('\r\n')[0]).toBe('HTTP/1.1 503 Service Unavailable');
    expect(header.toLowerCase()).toContain('x-content-type-options: nosniff');
    expect(header.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(body)).toEqual({
      error: 'shutting-down',
      message: 'the service is shutting down; retry on another instance',
    });
    const text = await app.service.metrics.registry.metrics();
    expect(text).toMatch(/forecast_service_requests_total\{route="\/status",method="GET",status="503"\} 1/);
    g.open();
    expect((await inFlight).status).toBe(200);
    await closed;
  });

  it('exits 1 at once on a second signal', async () => {
    const g = gated((await testModel()).harness);
    const { app } = await localServer({ harness: g.harness });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const signals = new EventEmitter();
    const exits: number[] = [];
    installShutdown(app, { emitter: signals, exit: (code) => exits.push(code), preStopDelayMs: 0 });
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

describe('abandoned requests', () => {
  it('drops a queued request whose client disconnected, without running it, and counts a 499', async () => {
    const g = gated((await testModel()).harness);
    const { app, runner } = await localServer({ harness: g.harness, concurrency: 1 });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const first = post(base);
      await until(() => g.waiting() === 1);
      const abort = new AbortController();
      const second = post(base, forecastBody(), { signal: abort.signal });
      await until(() => runner.waiting === 1);
      abort.abort();
      await expect(second).rejects.toThrow();
      await until(() => app.service.admission.inFlight === 1); // the server saw the closed socket
      g.open();
      expect((await first).status).toBe(200);
      await until(() => app.service.admission.inFlight === 0);
      expect(g.waiting()).toBe(1); // the dropped request never reached the harness
      const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(text).toMatch(/forecast_service_abandoned_total 1/);
      expect(text).toMatch(/forecast_service_requests_total\{route="\/forecast",method="POST",status="499"\} 1/);
      expect(text).toMatch(
        /forecast_service_request_duration_seconds_count\{route="\/forecast",method="POST",status="499"\} 1/,
      );
    } finally {
      await app.close();
    }
  });
});

describe('admission', () => {
  it('refuses with 429 + Retry-After when the queue ahead would break the budget; a caller with a longer budget is admitted', async () => {
    const g = gated((await testModel()).harness);
    const { app } = await localServer({ harness: g.harness, minInFlight: 1 });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      // What admission would have learned from a slow completion: 10 s per queue position.
      const admission = app.service.admission;
      const lesson = admission.tryAdmit(60_000);
      if (!lesson.admitted) throw new Error('the first request is always admitted');
      admission.start(lesson.ticket);
      lesson.ticket.startedAt -= 10_000; // it started 10 s ago
      admission.complete(lesson.ticket, true);
      const first = post(base);
      await until(() => g.waiting() === 1);
      // One ahead: (1 + 1) × 10 s = 20 s against the default 200 ms budget.
      const refused = await post(base);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('20');
      expect(((await refused.json()) as { message: string }).message).toMatch(
        /would take about 20000 ms, over the 200 ms budget/,
      );
      const patient = post(base, forecastBody(), {
        headers: { 'content-type': 'application/json', 'x-latency-budget-ms': '60000' },
      });
      await until(() => g.waiting() === 2);
      g.open();
      expect((await first).status).toBe(200);
      expect((await patient).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('bounds the request bodies held at once by their Content-Length, before anything was learned; a chunked body counts as the body limit', async () => {
    const g = gated((await testModel()).harness);
    const body = JSON.stringify(forecastBody());
    const size = Buffer.byteLength(body);
    // Room for one body and a half; minInFlight would admit 100 on count alone.
    const { app } = await localServer({
      harness: g.harness,
      minInFlight: 100,
      maxInFlight: 100,
      maxBodyBytesInFlight: Math.floor(1.5 * size),
    });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const first = post(base, body);
      await until(() => g.waiting() === 1);
      expect(app.service.admission.bytesInFlight).toBe(size);
      const refused = await post(base, 'x'.repeat(size)); // never parsed: refused on its Content-Length
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(((await refused.json()) as { message: string }).message).toMatch(/bytes of request bodies in flight/);
      // A chunked body of unknown length is charged the whole body limit.
      const chunked = await post(base, new Blob([body]).stream(), { duplex: 'half' });
      expect(chunked.status).toBe(429);
      const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(text).toContain(`forecast_service_body_bytes_in_flight ${size}`);
      g.open();
      expect((await first).status).toBe(200);
      await until(() => app.service.admission.bytesInFlight === 0);
      expect((await post(base, body)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('refuses beyond maxInFlight with 429 at once — a body that is not even JSON is never parsed', async () => {
    const g = gated((await testModel()).harness);
    const { app } = await localServer({ harness: g.harness, minInFlight: 2, maxInFlight: 2 });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const first = [post(base), post(base)];
      await until(() => g.waiting() === 2);
      const refused = await post(base, 'this is not JSON, and admission never reads it');
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toMatchObject({ error: 'overloaded' });
      g.open();
      expect((await Promise.all(first)).map((r) => r.status)).toEqual([200, 200]);
      expect((await post(base)).status).toBe(200);
      const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(text).toMatch(/forecast_service_requests_total\{route="\/forecast",method="POST",status="429"\} 1/);
    } finally {
      await app.close();
    }
  });
});
