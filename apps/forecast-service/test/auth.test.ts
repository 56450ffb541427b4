import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { BearerAuth } from '../src/index.js';
import { forecastBody, localServer } from './helpers.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const TOKEN = 's3cret-token-with-enough-entropy';
let app: FastifyInstance;

beforeAll(async () => {
  const file = join(tempDir('forecast-auth-'), 'token');
  writeFileSync(file, `${TOKEN}\n`); // a trailing newline, as `echo` writes it
  ({ app } = await localServer({ auth: BearerAuth.fromFile(file) }));
  await app.ready();
});
afterAll(async () => {
  await app.close();
});

const forecast = (authorization?: string) =>
  app.inject({
    method: 'POST',
    url: '/forecast',
    payload: forecastBody(),
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
  });

describe('bearer-token auth', () => {
  it('refuses a request without the token (401, WWW-Authenticate) before reading its body', async () => {
    for (const header of [undefined, 'Bearer wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, 'Bearer']) {
      const r = await forecast(header);
      expect(r.statusCode).toBe(401);
      expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(r.json()).toMatchObject({ error: 'unauthorized' });
    }
    expect((await app.inject({ method: 'GET', url: '/status' })).statusCode).toBe(401);
  });

  it('serves a request with the token', async () => {
    expect((await forecast(`Bearer ${TOKEN}`)).statusCode).toBe(200);
    expect((await forecast(`bearer   ${TOKEN}`)).statusCode).toBe(200);
  });

  it('leaves the probes and /metrics open (kubelet and Prometheus carry no token)', async () => {
    for (const url of ['/health', '/ready', '/metrics'])
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(200);
  });

  it('refuses an empty or unreadable token file with a clear message', () => {
    const dir = tempDir('forecast-auth-');
    writeFileSync(join(dir, 'empty'), '\n');
    expect(() => BearerAuth.fromFile(join(dir, 'empty'))).toThrow(/is empty/);
    expect(() => BearerAuth.fromFile(join(dir, 'missing'))).toThrow(/cannot read the auth token file .*ENOENT/);
  });
});
