/**
 * The default forecaster's shape. Everything downstream (parameter layout, the TypeScript
 * forward pass, the ONNX graph, the manifest) is derived from one ModelConfig so they cannot drift.
 */
export const QUANTILE_LEVELS = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99] as const;

export interface ModelConfig {
  /** Context length the graph takes (left-padded and masked when the history is shorter). */
  readonly context: number;
  readonly horizon: number;
  /** Quantile levels, ascending; must contain 0.5 (the median is predicted directly). */
  readonly levels: readonly number[];
  /** Width of the MLP trunk. */
  readonly hidden: number;
  /** Number of residual blocks after the input layer. */
  readonly blocks: number;
  /** The mask is summarised by averaging over windows of this many steps (N-HiTS-style pooling). */
  readonly maskPool: number;
}

export const DEFAULT_CONFIG: ModelConfig = {
  context: 512,
  horizon: 64,
  levels: QUANTILE_LEVELS,
  hidden: 256,
  blocks: 2,
  maskPool: 16,
};

/**
 * Instance-normalisation floor: the scale is sqrt(var) + SCALE_EPS_REL·|mean| + SCALE_EPS_ABS, so a
 * flat series (var = 0) maps to z = 0 instead of dividing by zero, and the floor follows the
 * series' magnitude (1e9 bytes and 0.01 CPU fractions are both handled).
 */
export const SCALE_EPS_REL = 1e-4;
export const SCALE_EPS_ABS = 1e-8;

export function medianIndex(config: ModelConfig): number {
  const m = config.levels.indexOf(0.5);
  if (m < 0) throw new Error('quantile levels must include 0.5');
  return m;
}

export function validateConfig(c: ModelConfig): void {
  if (c.context % c.maskPool !== 0) throw new Error(`context ${c.context} is not a multiple of maskPool ${c.maskPool}`);
  for (let i = 1; i < c.levels.length; i++) {
    if (!(c.levels[i] > c.levels[i - 1])) throw new Error('quantile levels must be strictly ascending');
  }
  medianIndex(c);
}

/**
 * The fixed matrix A (Q×Q) that maps v = [increments below, median, increments above] to
 * quantiles: q_k = median − Σ_{j=k}^{m−1} v_j for k < m, q_k = median + Σ_{j=m+1}^{k} v_j for k > m.
 * With v_j ≥ 0 off the median (softplus) the quantiles are ordered by construction.
 */
export function quantileMixMatrix(config: ModelConfig): Float64Array {
  const Q = config.levels.length;
  const m = medianIndex(config);
  const A = new Float64Array(Q * Q);
  for (let k = 0; k < Q; k++) {
    A[k * Q + m] = 1;
    if (k < m) for (let j = k; j < m; j++) A[k * Q + j] = -1;
    if (k > m) for (let j = m + 1; j <= k; j++) A[k * Q + j] = 1;
  }
  return A;
}
