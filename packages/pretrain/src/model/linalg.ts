/**
 * Dense kernels for the MLP, on row-major arrays. Four rows are processed together so each weight
 * element loaded from memory feeds four multiply-adds; inner loops run over contiguous memory.
 * Generic over Float32Array | Float64Array only so the gradient check can run in float64;
 * training passes Float32Array alone, which keeps every call site monomorphic.
 * The three kernels write out the same four-row loop skeleton on purpose: a shared skeleton would
 * take the inner step as a callback, and these loops are the training time.
 */
export type FloatArray = Float32Array | Float64Array;

/** Y[rows, N] = X[rows, K] · W[K, N] (+ bias[N]); overwrites Y. */
export function linearForward(
  X: FloatArray,
  rows: number,
  K: number,
  W: FloatArray,
  bias: FloatArray | null,
  N: number,
  Y: FloatArray,
): void {
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const y0 = r * N,
      y1 = y0 + N,
      y2 = y1 + N,
      y3 = y2 + N;
    const x0 = r * K,
      x1 = x0 + K,
      x2 = x1 + K,
      x3 = x2 + K;
    for (let j = 0; j < N; j++) {
      const b = bias === null ? 0 : bias[j];
      Y[y0 + j] = b;
      Y[y1 + j] = b;
      Y[y2 + j] = b;
      Y[y3 + j] = b;
    }
    for (let k = 0; k < K; k++) {
      const a0 = X[x0 + k],
        a1 = X[x1 + k],
        a2 = X[x2 + k],
        a3 = X[x3 + k];
      // ReLU activations and masked inputs are often exactly zero: skip the whole weight row.
      if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
      const wo = k * N;
      for (let j = 0; j < N; j++) {
        const w = W[wo + j];
        Y[y0 + j] += a0 * w;
        Y[y1 + j] += a1 * w;
        Y[y2 + j] += a2 * w;
        Y[y3 + j] += a3 * w;
      }
    }
  }
  for (; r < rows; r++) {
    const yo = r * N,
      xo = r * K;
    for (let j = 0; j < N; j++) Y[yo + j] = bias === null ? 0 : bias[j];
    for (let k = 0; k < K; k++) {
      const a = X[xo + k];
      if (a === 0) continue;
      const wo = k * N;
      for (let j = 0; j < N; j++) Y[yo + j] += a * W[wo + j];
    }
  }
}

/** dX[rows, K] = dY[rows, N] · Wᵀ (W is [K, N]); overwrites dX. */
export function linearBackwardInput(
  dY: FloatArray,
  rows: number,
  N: number,
  W: FloatArray,
  K: number,
  dX: FloatArray,
): void {
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const d0 = r * N,
      d1 = d0 + N,
      d2 = d1 + N,
      d3 = d2 + N;
    const o0 = r * K,
      o1 = o0 + K,
      o2 = o1 + K,
      o3 = o2 + K;
    for (let k = 0; k < K; k++) {
      const wo = k * N;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let j = 0; j < N; j++) {
        const w = W[wo + j];
        s0 += dY[d0 + j] * w;
        s1 += dY[d1 + j] * w;
        s2 += dY[d2 + j] * w;
        s3 += dY[d3 + j] * w;
      }
      dX[o0 + k] = s0;
      dX[o1 + k] = s1;
      dX[o2 + k] = s2;
      dX[o3 + k] = s3;
    }
  }
  for (; r < rows; r++) {
    const d = r * N,
      o = r * K;
    for (let k = 0; k < K; k++) {
      const wo = k * N;
      let s = 0;
      for (let j = 0; j < N; j++) s += dY[d + j] * W[wo + j];
      dX[o + k] = s;
    }
  }
}

/** dW[K, N] += X[rows, K]ᵀ · dY[rows, N]; dBias[N] += Σ_rows dY when dBias is given. */
export function linearBackwardWeights(
  X: FloatArray,
  rows: number,
  K: number,
  dY: FloatArray,
  N: number,
  dW: FloatArray,
  dBias: FloatArray | null,
): void {
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const d0 = r * N,
      d1 = d0 + N,
      d2 = d1 + N,
      d3 = d2 + N;
    const x0 = r * K,
      x1 = x0 + K,
      x2 = x1 + K,
      x3 = x2 + K;
    for (let k = 0; k < K; k++) {
      const a0 = X[x0 + k],
        a1 = X[x1 + k],
        a2 = X[x2 + k],
        a3 = X[x3 + k];
      if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
      const wo = k * N;
      for (let j = 0; j < N; j++) {
        dW[wo + j] += a0 * dY[d0 + j] + a1 * dY[d1 + j] + a2 * dY[d2 + j] + a3 * dY[d3 + j];
      }
    }
  }
  for (; r < rows; r++) {
    const d = r * N,
      xo = r * K;
    for (let k = 0; k < K; k++) {
      const a = X[xo + k];
      if (a === 0) continue;
      const wo = k * N;
      for (let j = 0; j < N; j++) dW[wo + j] += a * dY[d + j];
    }
  }
  if (dBias !== null) {
    for (let rr = 0; rr < rows; rr++) {
      const d = rr * N;
      for (let j = 0; j < N; j++) dBias[j] += dY[d + j];
    }
  }
}
