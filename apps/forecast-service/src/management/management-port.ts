/**
 * A management listener for Kubernetes probes (like Spring Boot's management.server.port or
 * Envoy's admin port): GET /health and GET /ready on their own port, served by their own worker
 * thread, so liveness and readiness stay fast when the HTTP thread is saturated by forecast
 * traffic (docs/service.md, Probes). The HTTP thread publishes its state and a heartbeat every
 * `beatMs`; a heartbeat older than `stallMs` fails both probes, so a wedged HTTP thread is still
 * restarted.
 */
import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { siblingEntry, spawnTypeScriptWorker } from '@tsfm/worker-threads';
import type { ProbeSnapshot } from './probe-answer.js';
import type { FromProbeServer, ProbeServerData } from './probe-server.js';
import { ProbeState } from './probe-state.js';

export interface ManagementPortOptions {
  readonly host: string;
  /** 0 = any free port. */
  readonly port: number;
  /** A heartbeat older than this fails /health and /ready (default 10 s). */
  readonly stallMs?: number;
  /** How often the HTTP thread publishes (default 500 ms). */
  readonly beatMs?: number;
}

export const DEFAULT_STALL_MS = 10_000;

export class ManagementPort {
  readonly address: string;
  readonly #worker: Worker;
  readonly #state: ProbeState;
  #read: (() => Omit<ProbeSnapshot, 'beatAt'>) | null = null;
  #beat: NodeJS.Timeout | null = null;

  private constructor(worker: Worker, state: ProbeState, address: string) {
    this.#worker = worker;
    this.#state = state;
    this.address = address;
  }

  /** Start the listener; resolves once it listens (not ready until the first publish). */
  static async start(options: ManagementPortOptions): Promise<ManagementPort> {
    const state = new ProbeState();
    // Until the HTTP thread publishes, the probes say "not ready" (no worker) and "alive".
    state.write({ draining: false, workersReady: 0, beatAt: Date.now() });
    const data: ProbeServerData = {
      buffer: state.buffer,
      host: options.host,
      port: options.port,
      stallMs: options.stallMs ?? DEFAULT_STALL_MS,
    };
    const worker = spawnTypeScriptWorker(siblingEntry(import.meta.url, 'probe-server'), { workerData: data });
    const [message] = (await Promise.race([
      once(worker, 'message'),
      once(worker, 'error').then(([error]) => Promise.reject(error as Error)),
    ])) as [FromProbeServer];
    if (message.type === 'error') {
      await worker.terminate();
      throw new Error(`management port ${options.host}:${options.port}: ${message.message}`);
    }
    const port = new ManagementPort(worker, state, message.address);
    return port;
  }

  /** Publish what `read` returns, with a heartbeat, now and every `beatMs`. */
  track(read: () => Omit<ProbeSnapshot, 'beatAt'>, beatMs = 500): void {
    this.#read = read;
    this.publish();
    if (this.#beat !== null) clearInterval(this.#beat);
    this.#beat = setInterval(() => this.publish(), beatMs);
    this.#beat.unref();
  }

  /** Publish now (e.g. the moment SIGTERM turns readiness off). */
  publish(): void {
    if (this.#read !== null) this.#state.write({ ...this.#read(), beatAt: Date.now() });
  }

  async close(): Promise<void> {
    if (this.#beat !== null) clearInterval(this.#beat);
    this.#beat = null;
    const exited = once(this.#worker, 'exit');
    this.#worker.postMessage({ type: 'close' });
    await exited;
  }
}
