/**
 * The opt-in int8 variant of the default model (packages/pretrain/model-int8) in the harness: as
 * the primary model (what `evaluate --tsfm-model packages/pretrain/model-int8/model.json` runs) and
 * as an extra model of the model dimension beside the fp32 default, with the real ONNX client.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadModel, type TsfmClient } from '@tsfm/tsfm-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, type HarnessRequest } from '../src/index.js';
import { METRICS, syntheticTenant } from '../../../test-fixtures/tenants.js';

const FP32 = fileURLToPath(new URL('../../pretrain/model/model.json', import.meta.url));
const INT8 = fileURLToPath(new URL('../../pretrain/model-int8/model.json', import.meta.url));
const request: HarnessRequest = { history: syntheticTenant(3 * 1440, 5), horizon: 60, alpha: 0.9, k: 8 };

describe.skipIf(!existsSync(INT8))('the int8 model in the harness', () => {
  let fp32: TsfmClient;
  let int8: TsfmClient;
  beforeAll(async () => {
    [fp32, int8] = [await loadModel(FP32), await loadModel(INT8)];
  });
  afterAll(async () => {
    await fp32.release();
    await int8.release();
  });

  it('as the primary model: a forecast for every metric, finite and non-crossing', async () => {
    // 'measure': K must not depend on how busy the machine is.
    const harness = await Harness.create(int8, { budgetMode: 'measure' });
    const r = await harness.forecast(request);
    expect(r.forecasterCalls).toBe(1);
    for (const m of METRICS) {
      expect(r.forecast[m].every(Number.isFinite)).toBe(true);
      const q = r.quantiles[m];
      for (let t = 0; t < q.horizon; t++)
        for (let k = 1; k < q.levels.length; k++)
          expect(q.quantiles[t * q.levels.length + k]).toBeGreaterThanOrEqual(q.quantiles[t * q.levels.length + k - 1]);
    }
  });

  it('as an extra model beside the fp32 default: one call each, its configs under its name', async () => {
    const name = 'tsfm-seasonal-mixture-0.2.0-int8';
    const harness = await Harness.create(fp32, { budgetMode: 'measure', models: [{ name, forecaster: int8 }] });
    const r = await harness.forecast(request);
    expect(r.forecasterCalls).toBe(2);
    const tried = r.tried.filter((t) => t.model === name);
    expect(tried.length).toBeGreaterThan(0);
    expect(tried.every((t) => t.key.startsWith(`${name}/`))).toBe(true);
    expect(tried.some((t) => t.source === 'model-default')).toBe(true);
  });
});
