import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelContractError, parseManifest, readManifest } from '../src/index.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const LEVELS = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];
const SHA = 'a'.repeat(64);

/** The default model's manifest as the contract describes it. */
function defaultManifest(): Record<string, unknown> {
  return {
    name: 'tsfm-default',
    version: '0.1.0',
    file: 'default.onnx',
    sha256: SHA,
    opset: 17,
    createdBy: '@tsfm/pretrain',
    licence: 'MIT',
    trainingCorpus: { summary: 'synthetic KernelSynth-style corpus' },
    contextLength: 512,
    horizon: 64,
    normalisation: 'instance-in-graph',
    inputs: [
      { name: 'context', shape: ['batch', 512], dtype: 'float32' },
      { name: 'mask', shape: ['batch', 512], dtype: 'float32' },
    ],
    maskInput: 'mask',
    output: { name: 'quantiles', shape: ['batch', 64, 13], dtype: 'float32' },
    quantileLevels: LEVELS,
  };
}

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelContractError);
    return (e as ModelContractError).field;
  }
  throw new Error('expected a ModelContractError');
}

describe('manifest', () => {
  it('accepts the default model contract and resolves it', () => {
    const { contract } = parseManifest(defaultManifest(), 'model.json');
    expect(contract).toMatchObject({
      contextInput: 'context',
      maskInput: 'mask',
      maskObserved: 1,
      padValue: 'zero',
      outputName: 'quantiles',
      layout: 'batch-horizon-quantile',
      contextLength: 512,
      horizon: 64,
      outputChannels: 13,
      inputScaling: 'none',
    });
    expect([...contract.channels]).toEqual([...Array(13).keys()]);
  });

  it('describes a Chronos-Bolt export: 9 levels, [batch, quantile, horizon], NaN for missing, no mask', () => {
    const m = {
      ...defaultManifest(),
      name: 'chronos-bolt-small',
      contextLength: 2048,
      horizon: 64,
      normalisation: 'instance-in-graph',
      inputs: [{ name: 'context', shape: ['batch', 2048], dtype: 'float32' }],
      maskInput: null,
      padValue: 'nan',
      output: { name: 'quantiles', shape: ['batch', 9, 64], dtype: 'float32', layout: 'batch-quantile-horizon' },
      quantileLevels: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
    };
    const { contract } = parseManifest(m, 'chronos.json');
    expect(contract).toMatchObject({
      maskInput: null,
      padValue: 'nan',
      layout: 'batch-quantile-horizon',
      outputChannels: 9,
    });
  });

  it('describes a TimesFM export: mean in channel 0, quantiles in 1..9, padding input that is 1 where padded', () => {
    const m = {
      ...defaultManifest(),
      inputs: [
        { name: 'inputs', shape: ['batch', 512], dtype: 'float32' },
        { name: 'paddings', shape: ['batch', 512], dtype: 'float32' },
      ],
      maskInput: 'paddings',
      maskConvention: 'padded-is-1',
      output: { name: 'forecast', shape: ['batch', 64, 10], dtype: 'float32' },
      quantileLevels: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
      quantileChannels: [1, 2, 3, 4, 5, 6, 7, 8, 9],
    };
    const { contract } = parseManifest(m, 'timesfm.json');
    expect(contract.maskObserved).toBe(0);
    expect([...contract.channels]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(contract.contextInput).toBe('inputs');
  });

  it('describes a TTM export that wants standard-scaled input and has no mask', () => {
    const m = {
      ...defaultManifest(),
      normalisation: 'mean-std',
      inputs: [{ name: 'past_values', shape: ['batch', 512], dtype: 'float32' }],
      maskInput: undefined,
      output: { name: 'prediction', shape: ['batch', 96, 1], dtype: 'float32' },
      horizon: 96,
      quantileLevels: [0.5],
    };
    const { contract } = parseManifest(m, 'ttm.json');
    expect(contract).toMatchObject({ inputScaling: 'mean-std', padValue: 'first-observed', maskInput: null });
  });

  it('names the missing field', () => {
    const m = defaultManifest();
    delete m.sha256;
    expect(fieldOf(() => parseManifest(m, 'model.json'))).toBe('sha256');
    expect(() => parseManifest(m, 'model.json')).toThrow(/^model\.json: sha256: /);
  });

  it('rejects quantile levels that are not strictly increasing in (0, 1)', () => {
    expect(fieldOf(() => parseManifest({ ...defaultManifest(), quantileLevels: [...LEVELS].reverse() }, 'm'))).toBe(
      'quantileLevels',
    );
    const outside = [...LEVELS];
    outside[12] = 1;
    expect(fieldOf(() => parseManifest({ ...defaultManifest(), quantileLevels: outside }, 'm'))).toBe(
      'quantileLevels[12]',
    );
  });

  it('rejects a level count that differs from the output channel count', () => {
    const m = { ...defaultManifest(), quantileLevels: LEVELS.slice(1) };
    expect(fieldOf(() => parseManifest(m, 'm'))).toBe('quantileLevels');
    expect(() => parseManifest(m, 'm')).toThrow(/12 levels but the output has 13 channels/);
  });

  it('rejects an unknown quantile layout', () => {
    const m = {
      ...defaultManifest(),
      output: { name: 'quantiles', shape: ['batch', 64, 13], dtype: 'float32', layout: 'horizon-major' },
    };
    expect(fieldOf(() => parseManifest(m, 'm'))).toBe('output.layout');
  });

  it('rejects quantile channels outside the output or used twice', () => {
    const base = { ...defaultManifest(), quantileLevels: [0.1, 0.5, 0.9] };
    expect(fieldOf(() => parseManifest({ ...base, quantileChannels: [0, 1, 13] }, 'm'))).toBe('quantileChannels[2]');
    expect(fieldOf(() => parseManifest({ ...base, quantileChannels: [0, 1, 1] }, 'm'))).toBe('quantileChannels');
  });

  it('rejects an output horizon that disagrees with `horizon`', () => {
    const m = { ...defaultManifest(), horizon: 32 };
    expect(fieldOf(() => parseManifest(m, 'm'))).toBe('output.shape[1]');
  });

  it('rejects an input context length that disagrees with `contextLength`', () => {
    const m = { ...defaultManifest(), contextLength: 256 };
    expect(fieldOf(() => parseManifest(m, 'm'))).toBe('inputs[0].shape[1]');
  });

  it('rejects a fixed batch dimension', () => {
    const m = { ...defaultManifest(), output: { name: 'quantiles', shape: [1, 64, 13], dtype: 'float32' } };
    expect(fieldOf(() => parseManifest(m, 'm'))).toBe('output.shape[0]');
  });

  it('rejects a mask input that is not an input, and a non-float32 dtype', () => {
    expect(fieldOf(() => parseManifest({ ...defaultManifest(), maskInput: 'padding' }, 'm'))).toBe('maskInput');
    const m = defaultManifest();
    (m.inputs as { dtype: string }[])[1].dtype = 'int64';
    expect(fieldOf(() => parseManifest(m, 'm'))).toBe('inputs[1].dtype');
  });

  it('rejects two inputs without saying which is the mask', () => {
    const m = { ...defaultManifest(), maskInput: null };
    expect(fieldOf(() => parseManifest(m, 'm'))).toBe('contextInput');
  });

  it('needs a training corpus summary, as trainingCorpus or training.corpus', () => {
    const m = defaultManifest();
    delete m.trainingCorpus;
    expect(fieldOf(() => parseManifest(m, 'm'))).toBe('trainingCorpus');
    expect(() => parseManifest({ ...m, training: { corpus: 'synthetic', steps: 1200 } }, 'm')).not.toThrow();
  });

  it('accepts the object form of normalisation and refuses a mixed one', () => {
    const scaled = parseManifest(
      { ...defaultManifest(), normalisation: { input: 'mean-abs', output: 'normalised' } },
      'm',
    );
    expect(scaled.contract.inputScaling).toBe('mean-abs');
    expect(
      fieldOf(() => parseManifest({ ...defaultManifest(), normalisation: { input: 'mean-std', output: 'raw' } }, 'm')),
    ).toBe('normalisation');
    expect(fieldOf(() => parseManifest({ ...defaultManifest(), normalisation: 'zscore' }, 'm'))).toBe('normalisation');
  });

  it('rejects a malformed sha256', () => {
    expect(fieldOf(() => parseManifest({ ...defaultManifest(), sha256: 'ABC' }, 'm'))).toBe('sha256');
  });

  it('readManifest reports a missing file and invalid JSON with the file name', async () => {
    const dir = tempDir('tsfm-manifest-');
    await expect(readManifest(join(dir, 'nope.json'))).rejects.toThrow(/nope\.json: \(file\): cannot read manifest/);
    writeFileSync(join(dir, 'bad.json'), '{ "name": ');
    await expect(readManifest(join(dir, 'bad.json'))).rejects.toThrow(
      /bad\.json: \(file\): manifest is not valid JSON/,
    );
  });
});
