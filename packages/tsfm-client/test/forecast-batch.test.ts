import { InferenceSession } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG,
  ForecastRequestError,
  loadModel,
  parseConfig,
  parseManifest,
  TsfmClient,
  type ForecastConfig,
  type ForecastRow,
  type SessionLike,
} from '../src/index.js';
import {
  DEFAULT_LEVELS,
  firstValue,
  lastPlusChannel,
  maskProbe,
  writeModel,
  type Built,
} from './helpers/test-models.js';

const RAW: ForecastConfig = parseConfig({
  ...DEFAULT_CONFIG,
  contextLength: 32,
  clampNonNegative: false,
  fixCrossing: false,
});
const cfg = (over: Partial<ForecastConfig>): ForecastConfig => parseConfig({ ...RAW, ...over });

/** A real session behind a wrapper that counts `run` calls. */
async function countingClient(
  built: Built,
  overrides: Record<string, unknown> = {},
): Promise<{ client: TsfmClient; runs: () => number; lastBatch: () => number }> {
  const { manifest, contract } = parseManifest({ ...built.manifest, ...overrides }, 'model.json');
  const session = await InferenceSession.create(built.bytes);
  let runs = 0;
  let lastBatch = 0;
  const wrapper: SessionLike = {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputMetadata: session.inputMetadata,
    outputMetadata: session.outputMetadata,
    run: (feeds, fetches) => {
      runs++;
      lastBatch = feeds.context.dims[0]!;
      return session.run(feeds, fetches);
    },
    release: () => session.release(),
  };
  const client = await TsfmClient.create(manifest, contract, wrapper);
  return { client, runs: () => runs, lastBatch: () => lastBatch };
}

function ramp(n: number, from = 1): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => from + i);
}

describe('forecastBatch with a deterministic model (channel c = last + c + 100·step)', () => {
  let client: TsfmClient;
  beforeAll(async () => {
    client = await loadModel(writeModel(lastPlusChannel({ context: 32, horizon: 8 })));
  });
  afterAll(() => client.release());

  it('maps output channel k to level k — not one off', async () => {
    const [f] = await client.forecastBatch([{ values: ramp(40), horizon: 3, config: RAW }]);
    const last = 40;
    expect(f.levels).toEqual(DEFAULT_LEVELS);
    for (let t = 0; t < 3; t++) for (let k = 0; k < 13; k++) expect(f.quantiles[t * 13 + k]).toBe(last + k + 100 * t);
    expect(f.quantileAt(0.5)[0]).toBe(last + 6);
    expect(f.quantileAt(0.9)[2]).toBe(last + 10 + 200);
  });

  it('returns rows in request order, each with its own horizon', async () => {
    const out = await client.forecastBatch([
      { values: ramp(10, 5), horizon: 1, config: RAW },
      { values: ramp(10, 50), horizon: 8, config: RAW },
    ]);
    expect(out[0].horizon).toBe(1);
    expect(out[0].quantiles[0]).toBe(14);
    expect(out[1].quantiles.length).toBe(8 * 13);
    expect(out[1].quantiles[0]).toBe(59);
  });

  it('`end` forecasts from an earlier origin of the same array', async () => {
    const values = ramp(100);
    const [f] = await client.forecastBatch([{ values, end: 60, horizon: 2, config: RAW }]);
    expect(f.quantiles[0]).toBe(60);
  });

  it('resolution 5: forecasts the last 5-minute mean and repeats each coarse step 5 times', async () => {
    const [f] = await client.forecastBatch([{ values: ramp(103), horizon: 12, config: cfg({ resolutionMinutes: 5 }) }]);
    const lastBucketMean = (99 + 100 + 101 + 102 + 103) / 5;
    for (let t = 0; t < 12; t++) expect(f.quantiles[t * 13]).toBeCloseTo(lastBucketMean + 100 * Math.floor(t / 5), 4);
  });

  it('resolution 60 reaches 60 × the model horizon', async () => {
    expect(client.maxHorizonMinutes({ resolutionMinutes: 60 })).toBe(480);
    const [f] = await client.forecastBatch([
      { values: ramp(180), horizon: 480, config: cfg({ resolutionMinutes: 60 }) },
    ]);
    expect(f.quantiles[479 * 13]).toBeCloseTo(150.5 + 700, 3);
  });

  it('mean-std: the model sees z-scores and the output is scaled back', async () => {
    const values = new Float32Array([2, 4, 4, 4, 5, 5, 7, 9]); // mean 5, std 2
    const [f] = await client.forecastBatch([{ values, horizon: 1, config: cfg({ normalisation: 'mean-std' }) }]);
    // last z = (9 − 5) / 2 = 2; channel k → z = 2 + k → x = 5 + 2·(2 + k)
    for (let k = 0; k < 13; k++) expect(f.quantiles[k]).toBeCloseTo(9 + 2 * k, 5);
  });

  it('last-value: the model sees x − last and the output is shifted back', async () => {
    const [f] = await client.forecastBatch([
      { values: ramp(20), horizon: 1, config: cfg({ normalisation: 'last-value' }) },
    ]);
    for (let k = 0; k < 13; k++) expect(f.quantiles[k]).toBeCloseTo(20 + k, 5);
  });

  it('log1p: channel k is expm1(log1p(last) + k)', async () => {
    const [f] = await client.forecastBatch([
      { values: new Float32Array([0, 1, 3]), horizon: 1, config: cfg({ normalisation: 'log1p' }) },
    ]);
    for (let k = 0; k < 4; k++) expect(f.quantiles[k]).toBeCloseTo(Math.expm1(Math.log1p(3) + k), 2);
  });

  it('flip: averages f(x) with −f(−x) through mirrored levels', async () => {
    const [f] = await client.forecastBatch([{ values: ramp(20), horizon: 2, config: cfg({ flip: true }) }]);
    // f(x)_{t,k} = 20 + k + 100t and f(−x)_{t,12−k} = −20 + 12 − k + 100t, so
    // ½(f(x)_{t,k} − f(−x)_{t,12−k}) = 20 + k − 6: the step offset (not odd in x) cancels.
    for (let t = 0; t < 2; t++) for (let k = 0; k < 13; k++) expect(f.quantiles[t * 13 + k]).toBeCloseTo(20 + k - 6, 5);
  });

  it('positivity clamp', async () => {
    const values = new Float32Array([5, -10]);
    const [clamped] = await client.forecastBatch([{ values, horizon: 1, config: cfg({ clampNonNegative: true }) }]);
    expect(Array.from(clamped.quantiles)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2]);
  });

  it('NaN history: a gap keeps the previous value (and the model still sees the last observed one)', async () => {
    const values = new Float32Array([1, 2, 3, Number.NaN, Number.NaN]);
    const [f] = await client.forecastBatch([{ values, horizon: 1, config: RAW }]);
    expect(f.quantiles[0]).toBe(3);
  });

  it('refuses a horizon beyond the model at that resolution, naming the row', async () => {
    const rows: ForecastRow[] = [
      { values: ramp(50), horizon: 8, config: RAW },
      { values: ramp(50), horizon: 9, config: RAW },
    ];
    await expect(client.forecastBatch(rows)).rejects.toThrow(ForecastRequestError);
    await expect(client.forecastBatch(rows)).rejects.toThrow(
      /row 1: horizon 9 min at resolution 1 min needs 9 model steps; the model forecasts 8/,
    );
  });

  it('refuses a context longer than the model’s, too-short history, and log1p on negative data', async () => {
    await expect(
      client.forecastBatch([{ values: ramp(50), horizon: 1, config: cfg({ contextLength: 64 }) }]),
    ).rejects.toThrow(/contextLength 64 exceeds the model's context of 32/);
    await expect(
      client.forecastBatch([{ values: ramp(4), horizon: 1, config: cfg({ resolutionMinutes: 5 }) }]),
    ).rejects.toThrow(/shorter than one 5-minute bucket/);
    await expect(
      client.forecastBatch([
        { values: new Float32Array([1, -1]), horizon: 1, config: cfg({ normalisation: 'log1p' }) },
      ]),
    ).rejects.toThrow(/row 0: log1p/);
    await expect(
      client.forecastBatch([{ values: new Float32Array([NaN, NaN]), horizon: 1, config: RAW }]),
    ).rejects.toThrow(/no observed value/);
  });

  it('an empty batch makes no call and returns nothing', async () => {
    expect(await client.forecastBatch([])).toEqual([]);
  });

  it('overlapping calls do not corrupt each other’s buffers', async () => {
    const a = client.forecastBatch([{ values: ramp(10, 100), horizon: 1, config: RAW }]);
    const b = client.forecastBatch([
      { values: ramp(10, 200), horizon: 1, config: RAW },
      { values: ramp(10, 300), horizon: 1, config: RAW },
    ]);
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra[0].quantiles[0]).toBe(109);
    expect(rb[0].quantiles[0]).toBe(209);
    expect(rb[1].quantiles[0]).toBe(309);
  });

  it('a failed call does not block the next one', async () => {
    await expect(client.forecastBatch([{ values: ramp(5), horizon: 99, config: RAW }])).rejects.toThrow();
    const [f] = await client.forecastBatch([{ values: ramp(5), horizon: 1, config: RAW }]);
    expect(f.quantiles[0]).toBe(5);
  });
});

describe('one session.run per batch', () => {
  it('64 rows of mixed configs (flip rows included) make exactly one call with one tensor', async () => {
    const { client, runs, lastBatch } = await countingClient(lastPlusChannel({ context: 32, horizon: 8 }));
    const before = runs();
    const rows: ForecastRow[] = [];
    for (let i = 0; i < 64; i++) {
      rows.push({
        values: ramp(200 + i, i),
        horizon: 8,
        config: cfg({
          resolutionMinutes: ([1, 5, 15, 60] as const)[i % 4],
          flip: i % 3 === 0,
          normalisation: (['none', 'mean-std', 'last-value', 'log1p'] as const)[i % 4],
        }),
      });
    }
    const out = await client.forecastBatch(rows);
    expect(runs() - before).toBe(1);
    expect(lastBatch()).toBe(64 + rows.filter((r) => r.config.flip).length);
    expect(out).toHaveLength(64);
    await client.release();
  });

  it('rows with the same model input share one model row, and each still gets its own post-processing', async () => {
    const { client, lastBatch } = await countingClient(lastPlusChannel({ context: 32, horizon: 8, channelStep: -1 }));
    const values = ramp(40);
    const rows: ForecastRow[] = [
      { values, horizon: 2, config: RAW }, // model row A
      { values, horizon: 2, config: cfg({ fixCrossing: true }) }, // A again
      { values, horizon: 2, config: cfg({ clampNonNegative: true }) }, // A again
      { values, horizon: 2, config: cfg({ flip: true }) }, // A plus negated A
      { values, horizon: 2, config: cfg({ normalisation: 'mean-std' }) }, // a different input
      { values, end: 30, horizon: 2, config: RAW }, // a different origin
      { values: ramp(40), horizon: 2, config: RAW }, // an equal but distinct array: not merged
    ];
    const out = await client.forecastBatch(rows);
    expect(lastBatch()).toBe(5); // A, −A, mean-std, end 30, the distinct array
    expect(client.lastModelRows).toBe(5);
    const alone = await Promise.all(rows.map((row) => client.forecastBatch([row])));
    out.forEach((f, i) => expect(Array.from(f.quantiles)).toEqual(Array.from(alone[i][0].quantiles)));
    expect(Array.from(out[0].quantiles.subarray(0, 3))).toEqual([40, 39, 38]);
    expect(Array.from(out[1].quantiles.subarray(0, 13)).every((v, k, a) => k === 0 || v >= a[k - 1])).toBe(true);
    await client.release();
  });

  it('reuses its buffers when the batch size repeats or shrinks', async () => {
    const { client } = await countingClient(lastPlusChannel({ context: 32, horizon: 8 }));
    const rows = (n: number, from: number): ForecastRow[] =>
      Array.from({ length: n }, (_, i) => ({ values: ramp(40, from + i), horizon: 1, config: RAW }));
    const big = await client.forecastBatch(rows(20, 0));
    const small = await client.forecastBatch(rows(3, 1000));
    const again = await client.forecastBatch(rows(20, 2000));
    expect(big[19].quantiles[0]).toBe(19 + 39);
    expect(small.map((f) => f.quantiles[0])).toEqual([1039, 1040, 1041]);
    expect(again[0].quantiles[0]).toBe(2039);
    await client.release();
  });
});

describe('padding and masking (mask-probe model: mean, observed count, sum at unobserved steps)', () => {
  let client: TsfmClient;
  beforeAll(async () => {
    client = await loadModel(writeModel(maskProbe({ context: 16, horizon: 4 })));
  });
  afterAll(() => client.release());
  const probe = cfg({ contextLength: 16 });

  it('a short row is left-padded with zeros that the mask hides', async () => {
    const [f] = await client.forecastBatch([{ values: new Float32Array([2, 4, 6]), horizon: 1, config: probe }]);
    expect(Array.from(f.quantiles)).toEqual([4, 3, 0]);
  });

  it('contextLength below the model’s masks the older steps', async () => {
    const [f] = await client.forecastBatch([{ values: ramp(30), horizon: 1, config: cfg({ contextLength: 8 }) }]);
    expect(f.quantiles[1]).toBe(8);
    expect(f.quantiles[0]).toBeCloseTo((23 + 30) / 2, 5);
  });

  it('a NaN gap is masked and filled with the previous value', async () => {
    const [f] = await client.forecastBatch([
      { values: new Float32Array([1, 5, Number.NaN, Number.NaN, 3]), horizon: 1, config: probe },
    ]);
    expect(Array.from(f.quantiles)).toEqual([3, 3, 10]); // mean of 1, 5, 3; 3 observed; two unobserved steps hold 5
  });

  it('resolution counts coarse steps: 100 minutes at r = 15 is 6 full buckets', async () => {
    const [f] = await client.forecastBatch([
      { values: ramp(100), horizon: 15, config: cfg({ contextLength: 16, resolutionMinutes: 15 }) },
    ]);
    expect(f.quantiles[1]).toBe(6);
  });

  it('flip rows are padded and masked like their plain rows', async () => {
    const { client: counted, lastBatch } = await countingClient(maskProbe({ context: 16, horizon: 4 }));
    const [f] = await counted.forecastBatch([
      { values: new Float32Array([2, 4, 6]), horizon: 1, config: cfg({ contextLength: 16, flip: true }) },
    ]);
    expect(lastBatch()).toBe(2);
    // plain row → [mean 4, count 3, padSum 0]; flipped → [−4, 3, 0]; level k = ½(plain_k − flipped_{2−k})
    expect(Array.from(f.quantiles)).toEqual([2, 0, 2]);
    await counted.release();
  });
});

describe('other contracts', () => {
  it('TimesFM-style: quantiles in channels 1..9 of 10 (channel 0 is the mean)', async () => {
    const built = lastPlusChannel({
      context: 32,
      horizon: 4,
      levels: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
      channels: 10,
    });
    const client = await loadModel(writeModel(built, { quantileChannels: [1, 2, 3, 4, 5, 6, 7, 8, 9] }));
    const [f] = await client.forecastBatch([{ values: ramp(10), horizon: 1, config: RAW }]);
    expect(Array.from(f.quantiles)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19]);
    await client.release();
  });

  it('Chronos-style [batch, quantile, horizon] layout', async () => {
    const built = lastPlusChannel({
      context: 32,
      horizon: 4,
      levels: [0.1, 0.5, 0.9],
      layout: 'batch-quantile-horizon',
    });
    const client = await loadModel(writeModel(built));
    const [f] = await client.forecastBatch([{ values: ramp(10), horizon: 2, config: RAW }]);
    expect(Array.from(f.quantiles)).toEqual([10, 11, 12, 110, 111, 112]);
    await client.release();
  });

  it('a model without a mask sees the first observed value as padding', async () => {
    const client = await loadModel(writeModel(firstValue({ context: 16, horizon: 4 })));
    const [f] = await client.forecastBatch([
      { values: new Float32Array([Number.NaN, 7, 8, 9]), horizon: 1, config: cfg({ contextLength: 16 }) },
    ]);
    expect(Array.from(f.quantiles)).toEqual([7, 8, 9]);
    await client.release();
  });

  it('a model that wants mean-std input gets z-scores and its output is scaled back', async () => {
    const client = await loadModel(
      writeModel(lastPlusChannel({ context: 32, horizon: 4 }), {
        normalisation: { input: 'mean-std', output: 'normalised' },
      }),
    );
    const [f] = await client.forecastBatch([
      { values: new Float32Array([2, 4, 4, 4, 5, 5, 7, 9]), horizon: 1, config: RAW },
    ]);
    expect(f.quantiles[0]).toBeCloseTo(9, 5);
    expect(f.quantiles[1]).toBeCloseTo(11, 5);
    await client.release();
  });

  it('flip is refused for asymmetric levels', async () => {
    const built = lastPlusChannel({ context: 32, horizon: 4, levels: [0.1, 0.5, 0.75] });
    const client = await loadModel(writeModel(built));
    expect(client.supportsConfig(cfg({ flip: true }))).toBe(false);
    await expect(client.forecastBatch([{ values: ramp(5), horizon: 1, config: cfg({ flip: true }) }])).rejects.toThrow(
      /flip needs quantile levels symmetric/,
    );
    await client.release();
  });
});

describe('output repairs end to end', () => {
  it('fixCrossing sorts a model’s crossed quantiles per step; without it they pass through', async () => {
    // channelStep −1: channel k = last − k, i.e. decreasing in the level (fully crossed)
    const client = await loadModel(
      writeModel(lastPlusChannel({ context: 32, horizon: 4, levels: [0.1, 0.5, 0.9], channelStep: -1 })),
    );
    const values = ramp(10);
    const [raw, fixed] = await client.forecastBatch([
      { values, horizon: 2, config: RAW },
      { values, horizon: 2, config: cfg({ fixCrossing: true }) },
    ]);
    expect(Array.from(raw.quantiles)).toEqual([10, 9, 8, 110, 109, 108]);
    expect(Array.from(fixed.quantiles)).toEqual([8, 9, 10, 108, 109, 110]);
    await client.release();
  });
});

describe('forecastTenant', () => {
  it('flattens metrics into one batch and regroups the forecasts by metric', async () => {
    const { client, runs } = await countingClient(lastPlusChannel({ context: 32, horizon: 8 }));
    const before = runs();
    const tenant = {
      id: 't1',
      metrics: { cpu: ramp(30, 0), mem: ramp(30, 100), net: ramp(30, 1000), disk: ramp(30, 5000) },
    };
    const out = await client.forecastTenant(tenant, 4, RAW);
    expect(runs() - before).toBe(1);
    expect(Object.keys(out)).toEqual(['cpu', 'mem', 'net', 'disk']);
    expect(out.cpu.quantiles[0]).toBe(29);
    expect(out.disk.quantiles[0]).toBe(5029);
    const subset = await client.forecastTenant(tenant, 4, RAW, { metrics: ['net'], end: 10 });
    expect(Object.keys(subset)).toEqual(['net']);
    expect(subset.net.quantiles[0]).toBe(1009);
    await expect(client.forecastTenant(tenant, 4, RAW, { metrics: ['gpu'] })).rejects.toThrow(
      /tenant t1 has no metric 'gpu'/,
    );
    await client.release();
  });
});
