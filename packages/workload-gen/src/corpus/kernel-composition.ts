/**
 * KernelSynth-style composition: draw 1–5 kernels from the bank, realise each as an
 * independent random function (kernels.ts), and fold them together left to right with + or ×
 * chosen at random — sums and products of independent samples carry the summed and multiplied
 * kernels, as in KernelSynth. A random affine map at the end gives series varied levels and
 * scales (a forecaster normalises its input anyway; the corpus should not be pre-normalised).
 */
import type { Rng } from '../prng.js';
import { pickPeriod } from './families.js';
import {
  linearSample,
  logUniform,
  periodicSample,
  rationalQuadraticSample,
  rbfSample,
  whiteNoiseSample,
} from './kernels.js';

const KERNELS = [
  'periodic',
  'periodic',
  'periodic',
  'rbf',
  'rational-quadratic',
  'linear',
  'white-noise',
  'constant',
] as const;

export function kernelComposition(out: Float64Array, n: number, rng: Rng, sample: Float64Array): void {
  const count = 1 + rng.int(5);
  for (let j = 0; j < count; j++) {
    drawKernelSample(sample, n, rng);
    if (j === 0) {
      for (let t = 0; t < n; t++) out[t] = sample[t];
    } else if (rng.uniform() < 0.5) {
      for (let t = 0; t < n; t++) out[t] += sample[t];
    } else {
      for (let t = 0; t < n; t++) out[t] *= sample[t];
    }
  }
  const scale = logUniform(rng, 0.1, 100);
  const level = rng.uniform() < 0.5 ? 0 : rng.normal() * scale * 3;
  for (let t = 0; t < n; t++) out[t] = level + scale * out[t];
}

function drawKernelSample(out: Float64Array, n: number, rng: Rng): void {
  const kind = KERNELS[rng.int(KERNELS.length)];
  switch (kind) {
    case 'periodic':
      periodicSample(out, n, rng, pickPeriod(rng, n), logUniform(rng, 0.3, 3));
      break;
    case 'rbf':
      rbfSample(out, n, rng, logUniform(rng, 2, n));
      break;
    case 'rational-quadratic':
      rationalQuadraticSample(out, n, rng, logUniform(rng, 2, n), logUniform(rng, 0.1, 5));
      break;
    case 'linear':
      linearSample(out, n, rng);
      break;
    case 'white-noise':
      whiteNoiseSample(out, n, rng, logUniform(rng, 0.01, 1));
      break;
    case 'constant':
      out.fill(rng.normal(), 0, n);
      break;
  }
}
