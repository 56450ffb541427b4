/**
 * The service as Kubernetes runs it: src/main.ts in its own process, stopped with real signals.
 * On SIGTERM /ready fails at once while the listener keeps serving for --pre-stop-delay-ms; a
 * second signal exits 1; without a pre-stop delay the process closes and exits 0 on its own.
 * Every wait is for an event (a line on stdout, an answer, an exit).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from './helpers.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '../src/main.ts');
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

async function start(
  preStopDelayMs: number,
): Promise<{ child: ChildProcess; url: string; management: string; exited: Promise<number | null> }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      MAIN,
      '--random-model',
      '--workers',
      '1',
      '--port',
      '0',
      '--management-port',
      '0',
      '--log-level',
      'error',
      '--pre-stop-delay-ms',
      String(preStopDelayMs),
      '--shutdown-timeout-ms',
      '600000',
    ],
    // Its own temp dir: --random-model writes the model there, and the test removes it afterwards.
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TMPDIR: tempDir('forecast-process-') } },
  );
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const { address: url, management } = await new Promise<{ address: string; management: string }>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.includes('"event":"listening"'));
      if (line !== undefined) resolve(JSON.parse(line) as { address: string; management: string });
    });
    void exited.then((code) => reject(new Error(`the service exited with ${code} before listening`)));
  });
  return { child, url, management, exited };
}

/** GET on a fresh connection (no keep-alive pool), so "the listener still accepts" is what is tested. */
function getFresh(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('src/main.ts under signals', () => {
  it('SIGTERM: /ready 503 at once, new connections still served through the pre-stop delay; a second signal exits 1', async () => {
    const { child, url, management, exited } = await start(600_000);
    expect((await getFresh(`${url}/ready`)).status).toBe(200);
    // The management port (its own thread) says the same, from the state the HTTP thread published.
    expect(await getFresh(`${management}/ready`)).toEqual({ status: 200, body: '{"ready":true}' });
    child.kill('SIGTERM');
    let ready = { status: 0, body: '' };
    await until(async () => (ready = await getFresh(`${url}/ready`)).status === 503);
    expect(JSON.parse(ready.body)).toMatchObject({ ready: false });
    expect(await getFresh(`${url}/health`)).toEqual({ status: 200, body: '{"status":"draining"}' });
    expect((await getFresh(`${management}/ready`)).status).toBe(503);
    expect(await getFresh(`${management}/health`)).toEqual({ status: 200, body: '{"status":"draining"}' });
    child.kill('SIGTERM');
    expect(await exited).toBe(1);
  });

  it('SIGTERM without a pre-stop delay: the listener closes, the workers stop, exit 0', async () => {
    const { child, url, exited } = await start(0);
    expect((await getFresh(`${url}/health`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('command-line values', () => {
  it('admission flags out of range are usage errors naming the flag (exit 2), before any model loads', async () => {
    const cases: [string, string, string][] = [
      ['--over-budget-rate', '0', '--over-budget-rate must be a number in (0, 1], got "0"'],
      ['--over-budget-rate', '1.5', '--over-budget-rate must be a number in (0, 1], got "1.5"'],
      ['--over-budget-rate', 'often', '--over-budget-rate must be a number in (0, 1], got "often"'],
      ['--min-in-flight', '0', '--min-in-flight must be an integer ≥ 1, got "0"'],
    ];
    for (const [flag, value, message] of cases) {
      const child = spawn(process.execPath, ['--import', 'tsx', MAIN, flag, value], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      children.push(child);
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      expect(code).toBe(2);
      expect(stderr).toContain(message);
    }
  });
});
