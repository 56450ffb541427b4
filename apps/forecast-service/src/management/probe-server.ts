/**
 * The management listener's thread (management-port.ts starts it): GET /health and GET /ready on
 * their own port and their own event loop, so a probe is answered however busy the HTTP thread
 * is with forecast traffic — admission, 429s, reading request bodies. Answers come from the state
 * the HTTP thread publishes (probe-state.ts) via probeAnswer; nothing here touches forecasts.
 */
import { createServer } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { probeAnswer } from './probe-answer.js';
import { ProbeState } from './probe-state.js';

export interface ProbeServerData {
  readonly buffer: SharedArrayBuffer;
  readonly host: string;
  readonly port: number;
  readonly stallMs: number;
}

export type FromProbeServer = { type: 'listening'; address: string } | { type: 'error'; message: string };

const port = parentPort;
if (port === null) throw new Error('probe-server.ts runs as a worker thread (see management-port.ts)');
const data = workerData as ProbeServerData;
const state = new ProbeState(data.buffer);

const server = createServer(
  { requestTimeout: 5_000, headersTimeout: 5_000, keepAliveTimeout: 5_000 },
  (request, response) => {
    const answer = probeAnswer(request.method ?? 'GET', request.url ?? '/', state.read(), Date.now(), data.stallMs);
    const text = JSON.stringify(answer.body);
    response.writeHead(answer.status, {
      ...answer.headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'x-content-type-options': 'nosniff',
    });
    response.end(request.method === 'HEAD' ? undefined : text);
    // A probe has no body worth reading; one that sends one gets it discarded, not parsed.
    request.resume();
  },
);
// Probes are few: a flood of connections here must not cost memory.
server.maxConnections = 64;
server.on('error', (error) => port.postMessage({ type: 'error', message: error.message } satisfies FromProbeServer));
server.listen(data.port, data.host, () => {
  const address = server.address();
  if (address === null || typeof address === 'string') return;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  port.postMessage({ type: 'listening', address: `http://${host}:${address.port}` } satisfies FromProbeServer);
});
port.on('message', (message: { type: 'close' }) => {
  if (message.type !== 'close') return;
  server.closeAllConnections();
  server.close(() => port.close());
});
