/**
 * A real Prometheus for the controller test (Debian's prometheus 2.42, installed by
 * scripts/setup.sh): history backfilled with promtool, a small exporter the test runs, and a TCP
 * relay in front of Prometheus so the test can kill it and start another on a new port while the
 * controller keeps one address. Every port is chosen by the kernel; every wait is for an event or
 * a condition, never for a fixed time.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { until } from './helpers.js';

const run = promisify(execFile);

export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMTOOL = '/usr/bin/promtool';

export function requirePrometheus(): void {
  for (const bin of [PROMETHEUS, PROMTOOL]) {
    if (!existsSync(bin))
      throw new Error(`${bin} is missing: run scripts/setup.sh (it installs the Debian prometheus package)`);
  }
}

function listenOnFreePort(server: Server | HttpServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Write `lines` (OpenMetrics with timestamps) and turn them into TSDB blocks in `dataDir`. */
export async function backfill(dataDir: string, lines: readonly string[]): Promise<void> {
  const file = join(dataDir, '..', 'backfill.om');
  writeFileSync(file, `${lines.join('\n')}\n# EOF\n`);
  await run(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', file, dataDir]);
}

/** An HTTP server answering GET /metrics with `render()` (Prometheus text format). */
export async function startExporter(render: () => string): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(render());
  });
  const port = await listenOnFreePort(server);
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A TCP relay to a changeable upstream port; with no upstream (or a dead one) it drops connections. */
export async function startRelay(): Promise<{
  port: number;
  setUpstream: (port: number | null) => void;
  close: () => Promise<void>;
}> {
  let upstream: number | null = null;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (upstream === null) return client.destroy();
    const target = connect(upstream, '127.0.0.1');
    target.on('error', () => client.destroy());
    client.on('error', () => target.destroy());
    target.on('close', () => client.destroy());
    client.pipe(target).pipe(client);
  });
  const port = await listenOnFreePort(server);
  return {
    port,
    setUpstream: (p) => (upstream = p),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface RunningPrometheus {
  readonly port: number;
  readonly child: ChildProcess;
  /** SIGKILL, as a crash or an OOM kill would; resolves when the process is gone. */
  kill(): Promise<void>;
}

/**
 * Start Prometheus on a free loopback port and wait until it is ready. The port is found by
 * binding to port 0 and releasing it; if another process takes it first, Prometheus exits with
 * "address already in use" and another port is tried.
 */
export async function startPrometheus(configFile: string, dataDir: string): Promise<RunningPrometheus> {
  for (let attempt = 1; ; attempt++) {
    const probe = createServer();
    const port = await listenOnFreePort(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const child = spawn(
      PROMETHEUS,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${dataDir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=30d',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    let exited = false;
    const gone = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
    await until(async () => {
      if (exited) return true;
      try {
        return (await fetch(`http://127.0.0.1:${port}/-/ready`)).status === 200;
      } catch {
        return false;
      }
    });
    if (!exited) {
      return {
        port,
        child,
        kill: async () => {
          if (!exited) child.kill('SIGKILL');
          await gone;
        },
      };
    }
    if (!/address already in use/.test(stderr) || attempt >= 5)
      throw new Error(`prometheus exited before it was ready:\n${stderr}`);
  }
}

/** The value of an instant query's single series, or null when it has none yet. */
export async function instant(port: number, query: string): Promise<number | null> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?${new URLSearchParams({ query })}`);
  const body = (await r.json()) as { data: { result: Array<{ value: [number, string] }> } };
  const first = body.data.result[0];
  return first === undefined ? null : Number(first.value[1]);
}
