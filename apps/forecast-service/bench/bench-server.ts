/**
 * What the forecast-service benchmarks share: the real server started in a child process on
 * 127.0.0.1 and a free port, the machine's load average, and percentiles of a sample.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly count: number;
}

/** `load average: a, b, c` as `uptime` prints it. */
export const uptime = (): string =>
  execFileSync('uptime', { encoding: 'utf8' })
    .trim()
    .replace(/^.*load average/, 'load average');

/** src/main.ts with `args`, resolved once it prints its listening line (its other lines go to stderr). */
export async function startServer(
  args: string[],
): Promise<{ child: ChildProcess; url: string; management: string; exited: Promise<number | null> }> {
  const main = join(root, 'apps/forecast-service/src/main.ts');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      main,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--log-level',
      'warn',
      '--pre-stop-delay-ms',
      '0',
      '--management-port',
      '0',
      ...args,
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  const { address: url, management } = await new Promise<{ address: string; management: string }>(
    (resolveUrl, reject) => {
      let buffer = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          if (line.includes('"event":"listening"'))
            resolveUrl(JSON.parse(line) as { address: string; management: string });
          else if (line.trim() !== '') process.stderr.write(`[server] ${line}\n`);
        }
      });
      void exited.then((code) => reject(new Error(`the server exited with ${code} before listening`)));
    },
  );
  return { child, url, management, exited };
}

export function percentiles(values: number[]): Percentiles {
  const sorted = values.slice().sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return {
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    count: sorted.length,
  };
}
