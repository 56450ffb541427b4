/**
 * What the management listener answers (management/probe-server.ts), as a pure function of the
 * state the HTTP thread last published: tested without sockets or clocks.
 *
 * Liveness on another thread must still say whether the HTTP thread lives, or a wedged event loop
 * would never be restarted: the HTTP thread publishes a heartbeat, and a heartbeat older than
 * `stallMs` fails /health (and /ready). Otherwise the answers are the main port's (routes/health.ts):
 * /health 200 `ok` (`draining` after SIGTERM, still 200), /ready 503 while draining or with no
 * forecast worker up.
 */
import type { ErrorBody } from '../api-error.js';

/** What the HTTP thread publishes (probe-state.ts). */
export interface ProbeSnapshot {
  readonly draining: boolean;
  readonly workersReady: number;
  /** Epoch ms of the HTTP thread's last heartbeat. */
  readonly beatAt: number;
}

export interface ProbeAnswer {
  readonly status: number;
  readonly body: object;
  readonly headers?: Readonly<Record<string, string>>;
}

const ALLOW = 'GET, HEAD';

export function probeAnswer(
  method: string,
  url: string,
  state: ProbeSnapshot,
  nowMs: number,
  stallMs: number,
): ProbeAnswer {
  const path = url.split('?')[0] ?? '';
  if (path !== '/health' && path !== '/ready') {
    const body: ErrorBody = {
      error: 'not-found',
      message: `no route ${method} ${path.slice(0, 100)} on the management port (GET /health, GET /ready)`,
    };
    return { status: 404, body };
  }
  if (method !== 'GET' && method !== 'HEAD') {
    const body: ErrorBody = { error: 'method-not-allowed', message: `${path} accepts ${ALLOW}, not ${method}` };
    return { status: 405, body, headers: { allow: ALLOW } };
  }
  const silentMs = nowMs - state.beatAt;
  const stalled = silentMs > stallMs;
  if (path === '/health') {
    if (stalled) return { status: 503, body: { status: 'stalled', silentMs: Math.round(silentMs) } };
    return { status: 200, body: { status: state.draining ? 'draining' : 'ok' } };
  }
  if (state.draining) return { status: 503, body: { ready: false, reason: 'draining (SIGTERM received)' } };
  if (stalled)
    return {
      status: 503,
      body: { ready: false, reason: `the HTTP thread has not answered its heartbeat for ${Math.round(silentMs)} ms` },
    };
  if (state.workersReady === 0) return { status: 503, body: { ready: false, reason: 'no forecast worker is running' } };
  return { status: 200, body: { ready: true } };
}
