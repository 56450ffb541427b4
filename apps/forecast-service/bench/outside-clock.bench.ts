/**
 * Where a served request's client-side latency goes beyond the server's own clock, under a flood
 * of clients that ignore Retry-After: C keep-alive connections (node:http, one request at a time
 * each, like autocannon) send the issue-13 request (one tenant, 1 metric × 7 days at 1 minute, h = 60,
 * premium, K = 32) again as soon as an answer arrives, for D seconds. Per served (200) answer the
 * client's time is compared with the `latencyMs` the server puts in it (from its reading the
 * headers to the serialised answer): the difference is what no admission rule can see — the wait
 * before the server reads the headers (behind other connections' refusals, and behind the rest of
 * the refused body ahead on the same connection) and the transfer of the answer.
 *
 *   npx tsx apps/forecast-service/bench/outside-clock.bench.ts [--connections C] [--duration D] [--model DIR]
 *
 * Prints percentiles; writes nothing (docs/benchmarks.md quotes them with the machine's load).
 */
import { Agent, request } from 'node:http';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { percentiles, root, startServer, uptime } from './bench-server.js';
import { issueRequestBody } from './request-body.js';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '50' },
    duration: { type: 'string', default: '20' },
    model: { type: 'string', default: join(root, 'packages/pretrain/model') },
  },
});
const connections = Number(values.connections);
const durationS = Number(values.duration);
if (!(Number.isInteger(connections) && connections >= 1))
  throw new Error(`--connections: a positive integer, got ${values.connections}`);
if (!(durationS > 0)) throw new Error(`--duration: seconds > 0, got ${values.duration}`);

const { child, url, exited } = await startServer(['--model', resolve(values.model)]);

const body = issueRequestBody();
const agent = new Agent({ keepAlive: true, maxSockets: connections });
const post = (): Promise<{ status: number; text: string; ms: number }> =>
  new Promise((resolvePost, reject) => {
    const started = performance.now();
    const req = request(
      `${url}/forecast`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolvePost({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString(),
            ms: performance.now() - started,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });

try {
  // Warm-up: JIT, ORT sessions, the harness's cost model on this request shape.
  for (let i = 0; i < 40; i++) {
    const r = await post();
    if (r.status !== 200) throw new Error(`warm-up request failed: ${r.status} ${r.text.slice(0, 200)}`);
  }
  const loadBefore = uptime();
  const client: number[] = [];
  const server: number[] = [];
  const outside: number[] = [];
  let refused = 0;
  const end = performance.now() + durationS * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const r = await post();
        if (r.status === 200) {
          const latencyMs = (JSON.parse(r.text) as { latencyMs: number }).latencyMs;
          client.push(r.ms);
          server.push(latencyMs);
          outside.push(r.ms - latencyMs);
        } else if (r.status === 429) refused++;
        else throw new Error(`unexpected answer ${r.status}: ${r.text.slice(0, 200)}`);
      }
    }),
  );
  const q = (xs: number[]) => {
    const p = percentiles(xs);
    return `p50 ${p.p50.toFixed(0)}, p90 ${p.p90.toFixed(0)}, p99 ${p.p99.toFixed(0)}, max ${p.max.toFixed(0)}`;
  };
  process.stdout.write(
    `${connections} connections × ${durationS} s (${loadBefore} → ${uptime()}): ${client.length} served, ` +
      `${refused} refused (429)\n` +
      `  client ms:              ${q(client)}\n` +
      `  server latencyMs:       ${q(server)}\n` +
      `  outside the server, ms: ${q(outside)}\n`,
  );
} finally {
  agent.destroy();
  child.kill('SIGTERM');
  await exited;
}
