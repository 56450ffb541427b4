/**
 * One tenant's metric series from its parameters.
 *
 *   level_m(t) = base_m · (1 + coupling_m · (demand(t) − 1))
 *   value_m(t) = level_m(t) · (1 + σ·noise_m(t)) + base_m · spikeWeight_m · spikes(t)
 *
 * then clamped to the metric's valid range. noise_cpu and noise_net share a latent AR(1)
 * process with loading √ρ each (so their correlation is exactly ρ); mem and disk noise are
 * independent. All AR processes use the tenant's φ. Every component draws from its own random
 * stream, so generating one metric alone gives exactly the values of the full tenant.
 *
 * A TenantGenerator owns scratch buffers and reuses them tenant after tenant: generating a
 * fleet allocates only the output arrays.
 */
import { MINUTE_MS } from '@tsfm/numerics';
import { ACTIVITY_COUPLING, METRIC_BOUNDS } from './archetypes.js';
import { fillAr1, phiPerStep } from './components/ar1-noise.js';
import { fillDemand, type Grid } from './components/demand.js';
import { fillSpikeTrain } from './components/spike-train.js';
import { Rng } from './prng.js';
import { METRICS, type MetricName, type Tenant } from './series.js';
import { STREAM, type TenantParams } from './tenant-params.js';

export type { Grid } from './components/demand.js';

/** Which random streams a tenant uses: (domain, seed, index) plus the per-component stream id. */
export interface StreamKey {
  readonly domain: number;
  readonly seed: number;
  readonly index: number;
}

export interface GeneratedTenant extends Tenant {
  readonly params: TenantParams;
  /** Spikes that arrived in the window (a realisation, not a parameter; useful for checks). */
  readonly spikeCount: number;
}

const OWN_NOISE_STREAM: Readonly<Record<MetricName, number>> = {
  cpu: STREAM.cpuNoise,
  net: STREAM.netNoise,
  mem: STREAM.memNoise,
  disk: STREAM.diskNoise,
};

export class TenantGenerator {
  private demand = new Float64Array(0);
  private shared = new Float64Array(0);
  private own = new Float64Array(0);
  private spikes = new Float64Array(0);
  private lastSpikeCount = 0;

  /** `grid` is the default grid of generate(); generateMetric takes any grid. */
  constructor(readonly grid: Grid) {
    checkGrid(grid);
  }

  /** All four metrics of a tenant on the generator's grid. */
  generate(params: TenantParams, key: StreamKey): GeneratedTenant {
    const grid = this.grid;
    const metrics: Record<MetricName, Float32Array> = {} as Record<MetricName, Float32Array>;
    this.prepareShared(params, key, grid, true);
    for (const m of METRICS) {
      metrics[m] = new Float32Array(grid.length);
      this.combine(metrics[m], m, params, key, grid);
    }
    return { id: params.id, start: grid.start, stepMs: grid.stepMs, metrics, params, spikeCount: this.lastSpikeCount };
  }

  /** One metric of a tenant on any grid: identical to that metric of generate() on the same grid. */
  generateMetric(
    params: TenantParams,
    key: StreamKey,
    metric: MetricName,
    grid: Grid,
    out = new Float32Array(grid.length),
  ): Float32Array {
    checkGrid(grid);
    if (out.length < grid.length)
      throw new RangeError(`output buffer holds ${out.length} values, grid needs ${grid.length}`);
    this.prepareShared(params, key, grid, metric === 'cpu' || metric === 'net');
    this.combine(out, metric, params, key, grid);
    return out;
  }

  /** Components shared by the metrics: demand, the cpu–net latent noise (when needed), the spike train. */
  private prepareShared(params: TenantParams, key: StreamKey, grid: Grid, needLatent: boolean): void {
    const n = grid.length;
    this.ensureCapacity(n);
    const stepMinutes = grid.stepMs / MINUTE_MS;
    fillDemand(this.demand, params, grid);
    if (needLatent && params.cpuNetRho > 0)
      fillAr1(this.shared, n, phiPerStep(params.arPhi, stepMinutes), stream(key, STREAM.sharedNoise));
    else this.shared.fill(0, 0, n);
    this.lastSpikeCount = fillSpikeTrain(
      this.spikes,
      n,
      {
        perDay: params.spikesPerDay,
        magnitudeMean: params.spikeMagMean,
        decayMinutes: params.spikeDecayMinutes,
        stepMinutes,
      },
      stream(key, STREAM.spikes),
    );
  }

  private combine(out: Float32Array, metric: MetricName, params: TenantParams, key: StreamKey, grid: Grid): void {
    const n = grid.length;
    const own = this.own;
    fillAr1(own, n, phiPerStep(params.arPhi, grid.stepMs / MINUTE_MS), stream(key, OWN_NOISE_STREAM[metric]));
    const correlated = metric === 'cpu' || metric === 'net';
    const sharedLoading = correlated ? Math.sqrt(params.cpuNetRho) : 0;
    const ownLoading = correlated ? Math.sqrt(1 - params.cpuNetRho) : 1;
    const sigma = params.noiseSigma;
    const base = params.base[metric];
    const coupling = ACTIVITY_COUPLING[metric];
    const spikeScale = base * params.spikeWeight[metric];
    const [lo, hi] = METRIC_BOUNDS[metric];
    const { demand, shared, spikes } = this;
    for (let i = 0; i < n; i++) {
      const level = base * (1 + coupling * (demand[i] - 1));
      const noise = sharedLoading * shared[i] + ownLoading * own[i];
      let v = level * (1 + sigma * noise) + spikeScale * spikes[i];
      if (v < lo) v = lo;
      else if (v > hi) v = hi;
      out[i] = v;
    }
  }

  private ensureCapacity(n: number): void {
    if (this.demand.length >= n) return;
    this.demand = new Float64Array(n);
    this.shared = new Float64Array(n);
    this.own = new Float64Array(n);
    this.spikes = new Float64Array(n);
  }
}

function stream(key: StreamKey, id: number): Rng {
  return new Rng(key.domain, key.seed, key.index, id);
}

function checkGrid(grid: Grid): void {
  if (!Number.isInteger(grid.length) || grid.length < 0)
    throw new RangeError(`grid length must be a non-negative integer, got ${grid.length}`);
  if (!(grid.stepMs > 0)) throw new RangeError(`grid stepMs must be positive, got ${grid.stepMs}`);
}
