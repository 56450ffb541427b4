/**
 * Unit-variance AR(1) noise: x_t = φ·x_{t−1} + √(1−φ²)·ε_t, started from the stationary
 * distribution so the first point is not special. Scaling by σ happens where it is used.
 */
import { detPow } from '../deterministic-math.js';
import type { Rng } from '../prng.js';

export function fillAr1(out: Float64Array, length: number, phi: number, rng: Rng): void {
  if (length === 0) return;
  const innovation = Math.sqrt(1 - phi * phi);
  rng.fillNormal(out, length); // out[0] doubles as the stationary start x_0 ~ N(0, 1)
  let x = out[0];
  for (let i = 1; i < length; i++) {
    x = phi * x + innovation * out[i];
    out[i] = x;
  }
}

/**
 * φ per grid step for a process whose φ is given per minute: sampling an AR(1)/OU process every
 * k minutes gives φ^k, so coarser grids keep the same underlying process.
 */
export function phiPerStep(phiPerMinute: number, stepMinutes: number): number {
  return detPow(phiPerMinute, stepMinutes);
}
