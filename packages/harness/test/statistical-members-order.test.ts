/**
 * A fitted member may carry state from one origin to the next (the theta member's SES level):
 * its forecast at an origin must not depend on which origins it was asked for before, or in
 * which order — bit for bit the forecast a freshly fitted member gives.
 */
import { describe, expect, it } from 'vitest';
import { Mulberry32 } from '@tsfm/numerics';
import { fitMember, STATISTICAL_MEMBERS } from '../src/statistical-members.js';
import { LEVELS } from './helpers/fake-forecaster.js';

const P = 48;
const H = 12;
const L = LEVELS.length;

/** A noisy daily cycle with a gap of missing steps. */
function series(n: number, seed: number): Float32Array {
  const rng = new Mulberry32(seed);
  const v = Float32Array.from({ length: n }, (_, i) => 50 + 8 * Math.sin((2 * Math.PI * i) / P) + 3 * rng.next());
  v.fill(Number.NaN, Math.floor(n * 0.6), Math.floor(n * 0.6) + 7);
  return v;
}

describe('statistical members: forecasts do not depend on the order origins are asked in', () => {
  for (const member of STATISTICAL_MEMBERS) {
    it(`${member}: increasing, decreasing and repeated origins give a fresh fit's forecast`, () => {
      const values = series(10 * P, 11);
      const input = { values, fitEnd: 8 * P, horizon: H, stepsPerDay: P / 2, levels: LEVELS };
      const ends = [8 * P, 8 * P + 5, 9 * P - 1, 10 * P - H, 8 * P + 5, 8 * P];
      const fresh = (end: number): Float32Array => {
        const fit = fitMember(member, input);
        if (!fit.ok) throw new Error(fit.reason);
        const out = new Float32Array(H * L);
        fit.fitted.forecast(end, out);
        return out;
      };
      for (const order of [ends, [...ends].reverse()]) {
        const fit = fitMember(member, input);
        if (!fit.ok) throw new Error(fit.reason);
        for (const end of order) {
          const out = new Float32Array(H * L);
          fit.fitted.forecast(end, out);
          expect([...out]).toEqual([...fresh(end)]);
        }
      }
    });
  }
});
