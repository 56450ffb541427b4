/**
 * Corpus series drawn from the workload archetypes: one metric of a corpus-domain tenant,
 * generated at 1-minute resolution and averaged to 5, 15 or 60 minutes — what the forecaster
 * sees after the harness aggregates a fleet series (design.md §4). Tenants come from the
 * CORPUS seed domain, so no evaluation tenant is ever reproduced.
 */
import { DAY_MS, MINUTE_MS } from '@tsfm/numerics';
import { CORPUS_DOMAIN } from '../seed-domains.js';
import { METRICS } from '../series.js';
import { TenantGenerator } from '../tenant-generator.js';
import { drawTenantParamsInDomain } from '../tenant-params.js';
import type { Rng } from '../prng.js';

export const AGGREGATION_MINUTES: readonly number[] = [5, 15, 60];

/** Local-time offsets of corpus tenants, so daily peaks and weekends land at varied UTC phases. */
const CORPUS_UTC_OFFSETS: readonly number[] = [-480, -300, -240, -180, 0, 60, 120, 330, 480, 540, 600];

const generator = new TenantGenerator({ start: 0, stepMs: MINUTE_MS, length: 0 });
let minuteBuffer = new Float32Array(0);

export function archetypeSample(out: Float64Array, n: number, rng: Rng, seed: number, index: number): void {
  const minutes = AGGREGATION_MINUTES[rng.int(AGGREGATION_MINUTES.length)];
  const metric = METRICS[rng.int(METRICS.length)];
  const start = Date.UTC(2019, 0, 1) + rng.int(6 * 365) * DAY_MS; // any weekday, any season
  const params = drawTenantParamsInDomain(CORPUS_DOMAIN, seed, index, { utcOffsetsMinutes: CORPUS_UTC_OFFSETS });
  const length = n * minutes;
  if (minuteBuffer.length < length) minuteBuffer = new Float32Array(length);
  const values = generator.generateMetric(
    params,
    { domain: CORPUS_DOMAIN, seed, index },
    metric,
    { start, stepMs: MINUTE_MS, length },
    minuteBuffer,
  );
  for (let j = 0; j < n; j++) {
    let sum = 0;
    const from = j * minutes;
    for (let k = 0; k < minutes; k++) sum += values[from + k];
    out[j] = sum / minutes;
  }
}
