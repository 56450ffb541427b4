/**
 * What a client can do to the sockets themselves: requests Node's HTTP parser rejects (they
 * never reach Fastify's error handler), bodies that never finish, more connections than the cap.
 * Raw TCP, so the test sees exactly what the server writes; every wait is for a socket event.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { localServer, rawExchange } from './helpers.js';

let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  // A short request timeout, checked often: the slow-body test then waits a fraction of a second.
  ({ app } = await localServer({
    timeouts: { requestMs: 300, headersMs: 300, checkIntervalMs: 50 },
    maxConnections: 3,
  }));
  port = Number(new URL(await app.listen({ host: '127.0.0.1', port: 0 })).port);
});
afterAll(async () => {
  await app.close();
});

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Send `raw`, collect everything until the server closes the connection. */
function exchange(raw: string): Promise<string> {
  return rawExchange(port, raw);
}

/** forecast_service_requests_total for one label set (0 when absent). */
async function served(route: string, method: string, status: number): Promise<number> {
  const text = await app.service.metrics.registry.metrics();
  const line = text
    .split('\n')
    .find((l) =>
      l.startsWith(`forecast_service_requests_total{route="${route}",method="${method}",status="${status}"} `),
    );
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

function parse(response: string): { status: number; headers: string; body: Record<string, unknown> } {
  const [head = '', body = ''] = response.split('\r\n\r\n');
  return {
    status: Number(head.split(' ')[1]),
    headers: head.toLowerCase(),
    body: JSON.parse(body) as Record<string, unknown>,
  };
}

describe("Node's HTTP parser errors answer in the service's error shape", () => {
  it('request smuggling (Content-Length and Transfer-Encoding together) → 400 JSON, connection closed, counted', async () => {
    const before = await served('unparsed', 'unknown', 400);
    const r = parse(
      await exchange(
        'POST /forecast HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\n' +
          'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /status HTTP/1.1\r\nHost: x\r\n\r\n',
      ),
    );
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'bad-request' });
    expect(r.body.message).toMatch(/malformed HTTP request/);
    expect(r.headers).toContain('x-content-type-options: nosniff');
    expect(await served('unparsed', 'unknown', 400)).toBe(before + 1);
  });

  it('headers over the size limit → 431 JSON', async () => {
    const r = parse(await exchange(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect(r.status).toBe(431);
    expect(r.body).toMatchObject({ error: 'headers-too-large' });
  });

  it('a bad URL → 400 JSON', async () => {
    const response = await exchange('GET /%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const r = parse(response);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'bad-request' });
  });
});

describe("requests Node's server would answer itself, without a body", () => {
  it('an HTTP/1.1 request without Host → 400 JSON naming the header', async () => {
    const r = parse(await exchange('GET /health HTTP/1.1\r\nConnection: close\r\n\r\n'));
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'bad-request', field: 'host' });
    expect(r.headers).toContain('x-content-type-options: nosniff');
  });

  it('an Expect other than 100-continue → 417 JSON', async () => {
    const r = parse(
      await exchange(
        'POST /forecast HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 200-ok\r\nContent-Length: 2\r\n\r\n{}',
      ),
    );
    expect(r.status).toBe(417);
    expect(r.body).toEqual({
      error: 'expectation-failed',
      message: 'Expect: "200-ok" is not supported (only 100-continue)',
    });
    expect(r.headers).toContain('x-content-type-options: nosniff');
    expect(await served('/forecast', 'POST', 417)).toBe(1);
  });

  it('a body in a transfer coding Node does not decode (gzip) → 501 JSON, not a JSON parse of coded bytes', async () => {
    const r = parse(
      await exchange(
        'POST /forecast HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n' +
          'Connection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
      ),
    );
    expect(r.status).toBe(501);
    expect(r.body).toMatchObject({ error: 'not-implemented' });
    expect(r.body.message).toMatch(/Transfer-Encoding "gzip, chunked" is not supported/);
  });
});

describe('timeouts and the connection cap', () => {
  it('cuts a client whose headers never finish arriving with a 408 JSON answer, and counts it', async () => {
    const before = await served('unparsed', 'unknown', 408);
    const r = parse(await exchange('GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: '));
    expect(r.status).toBe(408);
    expect(r.body).toMatchObject({ error: 'request-timeout' });
    expect(await served('unparsed', 'unknown', 408)).toBe(before + 1);
  });

  it('closes a keep-alive connection left idle past the keep-alive timeout', async () => {
    const { app: idleApp } = await localServer({ timeouts: { keepAliveMs: 200 } });
    const url = new URL(await idleApp.listen({ host: '127.0.0.1', port: 0 }));
    try {
      const socket = connect(Number(url.port), url.hostname);
      socket.on('error', () => undefined);
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      const answer = new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
      socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(await answer).toMatch(/^HTTP\/1.1 200/);
      // The client sends nothing more and never closes: the server does.
      await closed;
    } finally {
      await idleApp.close();
    }
  });

  it('cuts a client whose body never finishes arriving with a 408 JSON answer', async () => {
    const r = parse(
      await exchange(
        'POST /forecast HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"hist',
      ),
    );
    expect(r.status).toBe(408);
    expect(r.body).toMatchObject({ error: 'request-timeout' });
    // The admission place it held is given back.
    expect(app.service.admission.inFlight).toBe(0);
  });

  it('closes connections beyond the cap at once, and the ones within it keep working', async () => {
    const held = [await open(), await open(), await open()];
    for (const s of held) s.on('error', () => undefined);
    const extra = await open();
    extra.on('error', () => undefined);
    await new Promise<void>((resolve) => extra.once('close', () => resolve()));
    // One of the three within the cap still answers.
    const answer = new Promise<string>((resolve) => held[0].once('data', (d: Buffer) => resolve(d.toString())));
    held[0].write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await answer).toMatch(/^HTTP\/1.1 200/);
    for (const s of held) s.destroy();
  });
});
