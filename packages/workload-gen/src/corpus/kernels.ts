/**
 * Cheap random function samples whose covariance matches KernelSynth's kernel bank.
 *
 * KernelSynth (Ansari et al. 2024, Chronos) draws GP samples from random kernel compositions;
 * exact GP sampling needs an O(n³) Cholesky. We instead draw random functions whose covariance
 * IS the kernel (or close to it), in O(n·features):
 * - RBF: random Fourier features, f(t) = √(2/M)·Σ cos(ω_m t + b_m), ω ~ N(0, 1/ℓ²) — the
 *   spectral representation of the squared-exponential kernel (Rahimi & Recht 2007);
 * - periodic (exp-sine-squared): a random Fourier series at the period's harmonics, harmonic
 *   variances decaying with the lengthscale, as the kernel's own Fourier expansion does;
 * - linear (dot product): a random line; white noise: iid normals; constant: a random level.
 * Sums and products of INDEPENDENT samples have covariance k1 + k2 and k1·k2, so composing the
 * samples composes the kernels, as KernelSynth's + and × do.
 *
 * Sinusoids are advanced by a rotation recurrence (two multiplies and adds per step) seeded
 * with the deterministic cos/sin, which is both fast and bit-identical across engines.
 */
import { detCos, detExp, detLog, detSin } from '../deterministic-math.js';
import type { Rng } from '../prng.js';

/** Add a·cos(ω·t + phase) for t = 0..n−1 to out. */
export function addSinusoid(out: Float64Array, n: number, amplitude: number, omega: number, phase: number): void {
  addRotation(out, n, amplitude * detCos(phase), amplitude * detSin(phase), omega);
}

/** Add c0·cos(ω·t) − s0·sin(ω·t) for t = 0..n−1 to out (a rotating vector's x coordinate). */
export function addRotation(out: Float64Array, n: number, c0: number, s0: number, omega: number): void {
  const cw = detCos(omega);
  const sw = detSin(omega);
  let c = c0;
  let s = s0;
  for (let t = 0; t < n; t++) {
    out[t] += c;
    const c2 = c * cw - s * sw;
    s = s * cw + c * sw;
    c = c2;
  }
}

export function logUniform(rng: Rng, lo: number, hi: number): number {
  return detExp(rng.between(detLog(lo), detLog(hi)));
}

/** Squared-exponential kernel sample with lengthscale ℓ (in steps), unit variance. */
export function rbfSample(out: Float64Array, n: number, rng: Rng, lengthscale: number, features = 16): void {
  out.fill(0, 0, n);
  const amp = Math.sqrt(2 / features);
  for (let m = 0; m < features; m++) {
    addSinusoid(out, n, amp, rng.normal() / lengthscale, 2 * Math.PI * rng.uniform());
  }
}

/**
 * Rational-quadratic kernel sample: a scale mixture of RBFs, so each feature draws its own
 * lengthscale ℓ/√g with g ~ Gamma(α, 1/α) (α small → rougher, multi-scale).
 */
export function rationalQuadraticSample(
  out: Float64Array,
  n: number,
  rng: Rng,
  lengthscale: number,
  alpha: number,
  features = 16,
): void {
  out.fill(0, 0, n);
  const amp = Math.sqrt(2 / features);
  for (let m = 0; m < features; m++) {
    const g = gamma(rng, alpha) / alpha;
    addSinusoid(out, n, amp, (rng.normal() * Math.sqrt(g)) / lengthscale, 2 * Math.PI * rng.uniform());
  }
}

/**
 * Exp-sine-squared (periodic) kernel sample with period p (steps) and lengthscale ℓ: a random
 * Fourier series at the period's harmonics with the kernel's own harmonic weights, so short ℓ
 * gives sharp, many-harmonic cycles and long ℓ nearly a pure sinusoid. Unit variance.
 */
export function periodicSample(out: Float64Array, n: number, rng: Rng, period: number, lengthscale: number): void {
  out.fill(0, 0, n);
  const weights = periodicHarmonicWeights(lengthscale, Math.max(1, Math.min(12, Math.floor(period / 2))));
  const omega = (2 * Math.PI) / period;
  for (let k = 1; k <= weights.length; k++) {
    const sd = Math.sqrt(weights[k - 1]);
    // a·cos(kωt) + b·sin(kωt) with a, b ~ N(0, sd²).
    addRotation(out, n, rng.normal() * sd, -rng.normal() * sd, k * omega);
  }
}

/** Normalised Fourier weights of exp(−2 sin²(πτ/p)/ℓ²) for harmonics 1..K (constant term dropped). */
function periodicHarmonicWeights(lengthscale: number, K: number): Float64Array {
  // k(τ) = e^{−1/ℓ²}·e^{cos(ωτ)/ℓ²} = e^{−1/ℓ²}·Σ I_k(1/ℓ²)·cos(kωτ): weights ∝ I_k(1/ℓ²).
  // I_k(x) for k ≥ 1 by the series Σ_j (x/2)^{2j+k}/(j!(j+k)!) — x ≤ 25 here, 60 terms suffice.
  const x = Math.min(25, 1 / (lengthscale * lengthscale));
  const w = new Float64Array(K);
  let total = 0;
  for (let k = 1; k <= K; k++) {
    let term = 1;
    for (let i = 1; i <= k; i++) term *= x / 2 / i; // (x/2)^k / k!
    let sum = term;
    for (let j = 1; j < 60; j++) {
      term *= ((x / 2) * (x / 2)) / (j * (j + k));
      sum += term;
      if (term < sum * 1e-16) break;
    }
    w[k - 1] = sum;
    total += sum;
  }
  for (let k = 0; k < K; k++) w[k] /= total;
  return w;
}

/** A line through the window with a random slope: the dot-product kernel's samples. */
export function linearSample(out: Float64Array, n: number, rng: Rng): void {
  const slope = rng.normal();
  const offset = rng.normal();
  for (let t = 0; t < n; t++) out[t] = offset + (slope * (t - n / 2)) / n;
}

export function whiteNoiseSample(out: Float64Array, n: number, rng: Rng, sd: number): void {
  rng.fillNormal(out, n);
  for (let t = 0; t < n; t++) out[t] *= sd;
}

/** Gamma(shape, 1) by Marsaglia–Tsang (with the shape < 1 boost). */
export function gamma(rng: Rng, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * detExp(detLog(rng.uniformPositive()) / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.normal();
    const v0 = 1 + c * x;
    if (v0 <= 0) continue;
    const v = v0 * v0 * v0;
    const u = rng.uniformPositive();
    if (detLog(u) < 0.5 * x * x + d - d * v + d * detLog(v)) return d * v;
  }
}
