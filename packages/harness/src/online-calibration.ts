/**
 * Online adaptive calibration of the peak, per tenant and metric (HarnessOptions.online): for a
 * tenant's sequential requests (the service's controller loop, the replay simulator), every issued
 * peak is remembered; when a later request's history covers its decision horizon, the realised
 * peak is compared with it and the tenant's offset moves by quantile tracking (the P step of
 * conformal PID control, Angelopoulos, Barber & Bates 2023; adaptive conformal inference, Gibbs &
 * Candès 2021, in offset form):
 *
 *   offset ← offset + η · (miss − (1 − α)),   miss = 1 if realised peak > issued peak
 *   η      = rate × the metric's loss scale (scale-free: the same rate for CPU fractions and bytes)
 *
 * so the long-run share of missed peaks converges to 1 − α whatever the model's bias, including
 * biases no single request's validation windows can see. The offset is added to the conformally
 * calibrated peak of each request (result.peak[m].online) and persisted through an
 * OnlineCalibrationStore, so a restart does not reset what the tenant has taught it.
 *
 * Time: a request's history ends at `history.start + n·stepMs`; a remembered peak is settled when
 * the history reaches the end of its decision horizon. Only the search path updates and applies
 * the offset (it needs the metric's scale); requests of one tenant are expected in time order (a
 * peak whose horizon lies before the state's newest origin is ignored). Concurrent requests of one
 * tenant race on its state (last write wins): the service's controller asks once per minute.
 */
import { mkdir, readFile, rename, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/** Default quantile-tracking rate (× the metric's loss scale per settled peak); fixed a priori, not tuned. */
export const ONLINE_RATE = 0.05;
/** Remembered peaks per metric at most: older ones are dropped (bounds the state of a silent tenant). */
export const MAX_PENDING = 64;

const PendingSchema = z.object({
  /** Epoch ms of the first step the peak covers. */
  from: z.number().finite(),
  stepMs: z.number().positive(),
  steps: z.number().int().min(1),
  alpha: z.number().gt(0).lt(1),
  /** The peak issued (conformal + online offset). */
  value: z.number().finite(),
});

const MetricStateSchema = z.object({
  offset: z.number().finite(),
  settled: z.number().int().min(0),
  misses: z.number().int().min(0),
  pending: z.array(PendingSchema),
});

export const TenantOnlineStateSchema = z.object({
  version: z.literal(1),
  metrics: z.record(z.string(), MetricStateSchema),
});

export type TenantOnlineState = z.infer<typeof TenantOnlineStateSchema>;
type MetricState = z.infer<typeof MetricStateSchema>;

/** Where tenants' online states live between requests (and restarts). */
export interface OnlineCalibrationStore {
  get(tenant: string): Promise<TenantOnlineState | null>;
  put(tenant: string, state: TenantOnlineState): Promise<void>;
}

/** In memory: a replay, a test; lost on exit. */
export class MemoryOnlineStore implements OnlineCalibrationStore {
  readonly #states = new Map<string, TenantOnlineState>();

  async get(tenant: string): Promise<TenantOnlineState | null> {
    return this.#states.get(tenant) ?? null;
  }

  async put(tenant: string, state: TenantOnlineState): Promise<void> {
    this.#states.set(tenant, structuredClone(state));
  }
}

/**
 * One JSON file per tenant under `dir` (name: the tenant id, URI-encoded), written atomically
 * (temp file, fsync, rename) so a crash leaves the previous state or the new one, never half. A
 * file that does not parse is an error naming it (never silently reset).
 */
export class FileOnlineStore implements OnlineCalibrationStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  #path(tenant: string): string {
    return join(this.dir, `${encodeURIComponent(tenant)}.json`);
  }

  async get(tenant: string): Promise<TenantOnlineState | null> {
    const path = this.#path(tenant);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new Error(`${path}: not JSON (${(error as Error).message})`);
    }
    const parsed = TenantOnlineStateSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${path}: ${issue.path.join('.') || '(state)'}: ${issue.message}`);
    }
    return parsed.data;
  }

  async put(tenant: string, state: TenantOnlineState): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = this.#path(tenant);
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(state)}\n`);
    const handle = await open(temp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  }
}

export interface OnlineCalibrationOptions {
  readonly store: OnlineCalibrationStore;
  /** η / scale (default ONLINE_RATE). */
  readonly rate?: number;
}

export interface OnlineRequest {
  /** Epoch ms of history[0] and the grid step. */
  readonly start: number;
  readonly stepMs: number;
  readonly n: number;
  readonly alpha: number;
  readonly metricNames: readonly string[];
  readonly series: readonly Float32Array[];
  /** Per metric: the loss scale (η = rate × scale). */
  readonly scales: Float64Array;
}

/**
 * Settles the remembered peaks this history covers and returns the updated state (a new object):
 * offsets moved by quantile tracking. Pure: the caller persists it.
 */
export function settle(state: TenantOnlineState | null, req: OnlineRequest, rate: number): TenantOnlineState {
  const metrics: Record<string, MetricState> = {};
  const end = req.start + req.n * req.stepMs;
  req.metricNames.forEach((name, m) => {
    const old = state?.metrics[name];
    const next: MetricState = {
      offset: old?.offset ?? 0,
      settled: old?.settled ?? 0,
      misses: old?.misses ?? 0,
      pending: [],
    };
    const eta = rate * req.scales[m];
    for (const p of old?.pending ?? []) {
      const last = p.from + (p.steps - 1) * p.stepMs;
      if (last >= end) {
        next.pending.push(p);
        continue;
      }
      const realised = realisedPeak(req, m, p);
      if (realised === null) continue; // nothing observed in its horizon: no evidence either way
      const miss = realised > p.value ? 1 : 0;
      next.offset += eta * (miss - (1 - p.alpha));
      next.settled++;
      next.misses += miss;
    }
    metrics[name] = next;
  });
  // Metrics not in this request keep their state untouched.
  for (const [name, s] of Object.entries(state?.metrics ?? {})) metrics[name] ??= s;
  return { version: 1, metrics };
}

/** max of the observed values of metric m over the peak's steps, or null when none is in the history. */
function realisedPeak(req: OnlineRequest, m: number, p: z.infer<typeof PendingSchema>): number | null {
  const values = req.series[m];
  let peak = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < p.steps; j++) {
    const i = Math.round((p.from + j * p.stepMs - req.start) / req.stepMs);
    if (i < 0 || i >= req.n) continue;
    const v = values[i];
    if (v === v && v > peak) peak = v;
  }
  return peak === Number.NEGATIVE_INFINITY ? null : peak;
}

/** Remembers the peaks just issued (at most MAX_PENDING per metric, newest kept). */
export function remember(
  state: TenantOnlineState,
  req: OnlineRequest,
  issued: Readonly<Record<string, { readonly horizon: number; readonly value: number }>>,
): TenantOnlineState {
  const from = req.start + req.n * req.stepMs;
  const metrics = { ...state.metrics };
  for (const name of req.metricNames) {
    const s = metrics[name];
    const peak = issued[name];
    if (peak === undefined || !Number.isFinite(peak.value)) continue;
    const pending = [
      ...s.pending,
      { from, stepMs: req.stepMs, steps: peak.horizon, alpha: req.alpha, value: peak.value },
    ];
    metrics[name] = { ...s, pending: pending.slice(-MAX_PENDING) };
  }
  return { version: 1, metrics };
}
