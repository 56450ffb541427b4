import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG,
  ForecastRequestError,
  configGrid,
  configKey,
  parseConfig,
  parseConfigKey,
} from '../src/index.js';

describe('config', () => {
  it('DEFAULT_CONFIG is valid and frozen', () => {
    expect(parseConfig(DEFAULT_CONFIG)).toBe(DEFAULT_CONFIG);
    expect(Object.isFrozen(DEFAULT_CONFIG)).toBe(true);
  });

  it('the full grid has 4 contexts × 4 resolutions × 4 normalisations × 2 × 2 × 2 = 512 distinct keys', () => {
    const grid = configGrid();
    expect(grid).toHaveLength(512);
    expect(new Set(grid.map(configKey)).size).toBe(512);
  });

  it('the grid starts with the default config, so truncating it keeps the default', () => {
    expect(configGrid()[0]).toEqual(DEFAULT_CONFIG);
  });

  it('maxContextLength drops longer contexts', () => {
    const grid = configGrid({ maxContextLength: 128 });
    expect(new Set(grid.map((c) => c.contextLength))).toEqual(new Set([64, 128]));
    expect(grid).toHaveLength(256);
  });

  it('a restricted grid enumerates only the given values', () => {
    const grid = configGrid({
      contextLengths: [256],
      resolutions: [5],
      normalisations: ['log1p'],
      flip: [true],
      clampNonNegative: [true],
      fixCrossing: [false],
    });
    expect(grid).toEqual([
      {
        contextLength: 256,
        resolutionMinutes: 5,
        normalisation: 'log1p',
        flip: true,
        clampNonNegative: true,
        fixCrossing: false,
      },
    ]);
  });

  it('configKey is independent of key order and round-trips through parseConfigKey', () => {
    const a = parseConfig({
      fixCrossing: false,
      flip: true,
      normalisation: 'mean-std',
      resolutionMinutes: 15,
      contextLength: 128,
      clampNonNegative: true,
    });
    expect(configKey(a)).toBe('ctx128-r15-mean-std-flip1-clamp1-fix0');
    for (const c of configGrid()) expect(parseConfigKey(configKey(c))).toEqual(c);
  });

  it('rejects an unknown resolution, naming the field and the row', () => {
    expect(() => parseConfig({ ...DEFAULT_CONFIG, resolutionMinutes: 30 }, 7)).toThrow(ForecastRequestError);
    expect(() => parseConfig({ ...DEFAULT_CONFIG, resolutionMinutes: 30 }, 7)).toThrow(
      /row 7: invalid config: resolutionMinutes/,
    );
  });

  it('rejects unknown keys and missing knobs', () => {
    expect(() => parseConfig({ ...DEFAULT_CONFIG, quantile: 0.9 })).toThrow(/invalid config/);
    const { flip: _flip, ...missing } = DEFAULT_CONFIG;
    expect(() => parseConfig(missing)).toThrow(/flip/);
  });

  it('rejects a malformed key', () => {
    expect(() => parseConfigKey('ctx512-r2-none-flip0-clamp1-fix1')).toThrow(/invalid config|malformed/);
    expect(() => parseConfigKey('nonsense')).toThrow(/malformed config key/);
  });
});
