/**
 * Autocorrelation, seasonal-period detection and the M4 seasonality test.
 */

/** Candidate periods for cloud metrics at 1-minute … hourly steps and for daily/monthly data. */
export const DEFAULT_PERIOD_CANDIDATES: readonly number[] = Object.freeze([24, 168, 288, 1440, 7, 12]);

/**
 * Sample autocorrelations r_1 … r_maxLag (index 0 holds r_0 = 1), the biased estimator
 * Σ(x_t − x̄)(x_{t+k} − x̄) / Σ(x_t − x̄)² used by R's `acf` and by the M4 benchmarks.
 * A constant series has no defined ACF; it returns zeros for lags ≥ 1.
 */
export function acf(x: ArrayLike<number>, maxLag: number): Float64Array {
  const n = x.length;
  const out = new Float64Array(maxLag + 1);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  const c = new Float64Array(n);
  let denom = 0;
  for (let i = 0; i < n; i++) {
    c[i] = x[i] - mean;
    denom += c[i] * c[i];
  }
  if (!(denom > 0)) return out;
  out[0] = 1;
  for (let k = 1; k <= maxLag && k < n; k++) {
    let s = 0;
    for (let i = 0; i + k < n; i++) s += c[i] * c[i + k];
    out[k] = s / denom;
  }
  return out;
}

/**
 * Bartlett's 90% one-sided bound for r_lag under "MA(lag−1)" (white noise beyond the lags below):
 * 1.645·sqrt((1 + 2·Σ_{i<lag} r_i²) / n), as in the M4 benchmark code.
 */
function bartlettLimit(r: Float64Array, lag: number, n: number): number {
  let s = 1;
  for (let i = 1; i < lag; i++) s += 2 * r[i] * r[i];
  return (1.645 * Math.sqrt(s)) / Math.sqrt(n);
}

/**
 * M4's seasonality test (used by Naive2): seasonal when n ≥ 3m and |r_m| exceeds the Bartlett
 * bound at lag m. Mirrors `SeasonalityTest` in the M4 benchmark R code, including the |·|.
 */
export function m4SeasonalityTest(y: ArrayLike<number>, m: number): boolean {
  if (m <= 1 || y.length < 3 * m) return false;
  const r = acf(y, m);
  return Math.abs(r[m]) > bartlettLimit(r, m, y.length);
}

/**
 * The dominant seasonal period among `candidates`, or 1 if none is significant.
 *
 * A candidate qualifies when it fits at least twice in the history, its autocorrelation is
 * positive, above the Bartlett bound, and a local peak of the ACF (r_m ≥ r_{m±1}). The local-peak
 * rule is what keeps a trending or random-walk series (whose ACF decays smoothly and is therefore
 * "significant" at every lag) from being called seasonal; a least-squares line is removed first
 * so a trend does not swamp a seasonal peak. Among qualifying candidates the highest r_m wins,
 * ties going to the shorter period (its multiples correlate as well, but less, with the biased
 * estimator).
 */
export function detectPeriod(
  history: ArrayLike<number>,
  candidates: readonly number[] = DEFAULT_PERIOD_CANDIDATES,
): number {
  const y = detrend(finiteOnly(history));
  const n = y.length;
  const usable = candidates.filter((m) => Number.isInteger(m) && m > 1 && 2 * m + 1 <= n);
  if (usable.length === 0) return 1;
  const r = acf(y, Math.max(...usable) + 1);
  let best = 1;
  let bestR = -Infinity;
  for (const m of [...usable].sort((a, b) => a - b)) {
    const rm = r[m];
    if (!(rm > 0) || rm < r[m - 1] || rm < r[m + 1]) continue;
    if (rm <= bartlettLimit(r, m, n)) continue;
    if (rm > bestR) {
      best = m;
      bestR = rm;
    }
  }
  return best;
}

function finiteOnly(x: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i])) out.push(x[i]);
  return Float64Array.from(out);
}

/** Residuals of an ordinary least-squares line through (i, y_i). */
function detrend(y: Float64Array): Float64Array {
  const n = y.length;
  if (n < 3) return y;
  const tMean = (n - 1) / 2;
  let yMean = 0;
  for (let i = 0; i < n; i++) yMean += y[i];
  yMean /= n;
  let sty = 0;
  let stt = 0;
  for (let i = 0; i < n; i++) {
    sty += (i - tMean) * (y[i] - yMean);
    stt += (i - tMean) * (i - tMean);
  }
  const slope = sty / stt;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = y[i] - yMean - slope * (i - tMean);
  return out;
}
