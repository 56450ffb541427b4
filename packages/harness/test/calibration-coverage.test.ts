/**
 * The property the calibration promises (calibration.ts): on EXCHANGEABLE data — i.i.d. draws, a
 * forecaster whose quantiles ignore the history and are wrong by an arbitrary location and scale —
 * the conformally calibrated α-quantile covers a fresh draw with probability in
 * [α, α + 1/(n + 1)] (n residuals). Over R independent requests the number of covered draws is
 * Binomial(R, p), so the observed coverage must lie inside the binomial 99% interval of that
 * range; the uncalibrated forecaster, for contrast, must not (else the test could not fail).
 */
import { parseConfig } from '@tsfm/tsfm-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Harness } from '../src/index.js';
import { Mulberry32, scrambleSeed } from '@tsfm/numerics';
import { FakeForecaster, type Predict } from './helpers/fake-forecaster.js';
import { FREE } from './helpers/three-configs.js';

const H = 10;
const W = 4;
const MIN_CONTEXT = 10;
const N = W * H + MIN_CONTEXT;
const RESIDUALS = W * H;
const REQUESTS = 300;

/** Smallest c with P(X ≤ c) ≥ q for X ~ Binomial(n, p) (exact, by summing the pmf). */
function binomialQuantile(n: number, p: number, q: number): number {
  let pmf = (1 - p) ** n;
  let cdf = pmf;
  for (let c = 0; c < n; c++) {
    if (cdf >= q) return c;
    pmf *= ((n - c) / (c + 1)) * (p / (1 - p));
    cdf += pmf;
  }
  return n;
}

/** Draws of one distribution family, location and scale: Uniform, Gaussian (Box–Muller) or Exponential. */
function sampler(kind: 'uniform' | 'normal' | 'exponential', rng: Mulberry32): () => number {
  if (kind === 'uniform') return () => rng.next();
  if (kind === 'exponential') return () => -Math.log(1 - rng.next());
  return () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * A harness over one config, the model's own output (no normalisation or output fixes), whose
 * forecaster gives the same quantile ladder at every step: `ladder(k)` at level index k.
 */
function ladderHarness(ladder: (k: number) => number): Promise<Harness> {
  const config = parseConfig({
    contextLength: 32,
    resolutionMinutes: 1,
    normalisation: 'none',
    flip: false,
    clampNonNegative: false,
    fixCrossing: false,
  });
  const predict: Predict = (row, levels) => {
    const out = new Float32Array(row.horizon * levels.length);
    for (let t = 0; t < row.horizon; t++) levels.forEach((_, k) => (out[t * levels.length + k] = ladder(k)));
    return out;
  };
  return Harness.create(new FakeForecaster(predict), {
    grid: [config],
    defaultConfig: config,
    costModel: FREE(),
    budgetMode: 'measure',
  });
}

describe('calibrated coverage on exchangeable data', () => {
  it('property: the coverage of the calibrated α-quantile lies in its binomial 99% interval', async () => {
    // One config, the default: selection cannot pick on the residuals, so they are exchangeable
    // with the future's (the harness's cross-fitting is exercised in calibration.test.ts).
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0.65, 0.75, 0.9),
        fc.constantFrom('uniform' as const, 'normal' as const, 'exponential' as const),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: 0.2, max: 3, noNaN: true }),
        fc.integer({ min: 1, max: 1e6 }),
        async (alpha, kind, wrongBy, spread, seed) => {
          // The forecaster's quantiles: a fixed, wrong ladder (centre wrongBy, step spread / 10).
          const harness = await ladderHarness((k) => wrongBy + ((k - 6) * spread) / 10);
          const rng = new Mulberry32(scrambleSeed(seed));
          const draw = sampler(kind, rng);
          let covered = 0;
          for (let r = 0; r < REQUESTS; r++) {
            const values = Float32Array.from({ length: N + 1 }, draw);
            const result = await harness.forecast({
              history: { values: values.subarray(0, N) },
              horizon: H,
              alpha,
              k: 1,
              options: { validationWindows: W, minContextPoints: MIN_CONTEXT, members: [] },
            });
            expect(result.calibration.metrics.value.residuals).toBe(RESIDUALS);
            const y = values[N];
            if (y <= result.forecast.value[0]) covered++;
          }
          // Conformal: p ∈ [α, α + 1/(n + 1)]; 99% interval of Binomial(R, p) over that range.
          const lo = binomialQuantile(REQUESTS, alpha, 0.005);
          const hi = binomialQuantile(REQUESTS, Math.min(1, alpha + 1 / (RESIDUALS + 1)), 0.995);
          expect(covered).toBeGreaterThanOrEqual(lo);
          expect(covered).toBeLessThanOrEqual(hi);
        },
      ),
      { numRuns: 6, seed: 20240611 },
    );
  });

  it('the uncalibrated forecaster of the property misses the interval (the test can fail)', async () => {
    // Quantiles around 0 for Uniform(0, 1) data: the 0.9-quantile (0.3) covers 30%, not 90%.
    const harness = await ladderHarness((k) => (k - 6) / 10);
    const rng = new Mulberry32(scrambleSeed(3));
    let coveredRaw = 0;
    let covered = 0;
    for (let r = 0; r < REQUESTS; r++) {
      const values = Float32Array.from({ length: N + 1 }, () => rng.next());
      const result = await harness.forecast({
        history: { values: values.subarray(0, N) },
        horizon: H,
        alpha: 0.9,
        k: 1,
        options: { validationWindows: W, minContextPoints: MIN_CONTEXT, members: [] },
      });
      if (values[N] <= result.quantiles.value.quantileAt(0.9)[0]) coveredRaw++;
      if (values[N] <= result.forecast.value[0]) covered++;
    }
    expect(coveredRaw).toBeLessThan(binomialQuantile(REQUESTS, 0.9, 0.005));
    expect(covered).toBeGreaterThanOrEqual(binomialQuantile(REQUESTS, 0.9, 0.005));
  });
});
