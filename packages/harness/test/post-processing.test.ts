/**
 * Rows are shared by configs that differ only in clamp / crossing fix: the client runs them
 * with post-processing off and the harness applies each config's own. That must give exactly
 * what the client returns for the config itself — checked on a real ONNX model whose quantiles
 * cross and go negative.
 */
import { configGrid, loadModel, type TsfmClient } from '@tsfm/tsfm-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postProcess } from '../src/scoring.js';
import { knownQuantileModel } from '../../../test-fixtures/models.js';

// Crossed (level order is not value order) and partly negative for small last values.
const CROSSED = [-3, 1, -1, 0.5, 2, 1.5, 0, 3, 2.5, 4, 3.5, 6, 5];

let client: TsfmClient;
beforeAll(async () => {
  client = await loadModel(knownQuantileModel(64, 64, CROSSED));
});
afterAll(() => client.release());

describe('post-processing on shared rows', () => {
  it('equals the client applying the config itself, for every config of the grid', async () => {
    const values = Float32Array.from({ length: 400 }, (_, i) => 1 + Math.sin(i / 7));
    const grid = configGrid({ maxContextLength: 64, normalisations: ['none', 'mean-std', 'last-value', 'log1p'] });
    const h = 37;
    const L = client.levels.length;
    const direct = await client.forecastBatch(grid.map((config) => ({ values, horizon: h, config })));
    const raw = await client.forecastBatch(
      grid.map((config) => ({
        values,
        horizon: h,
        config: { ...config, clampNonNegative: false, fixCrossing: false },
      })),
    );
    const out = new Float32Array(h * L);
    let changed = 0;
    grid.forEach((config, i) => {
      const mine = postProcess(raw[i]!.quantiles, config, h, L, out);
      expect(Array.from(mine)).toEqual(Array.from(direct[i]!.quantiles));
      if (mine !== raw[i]!.quantiles && out.some((v, j) => v !== raw[i]!.quantiles[j])) changed++;
    });
    // The check has teeth: post-processing did change many of them.
    expect(changed).toBeGreaterThan(grid.length / 4);
  });
});
