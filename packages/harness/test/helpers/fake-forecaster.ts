/**
 * A forecaster with rigged, exactly known outputs, implementing the harness's forecaster
 * interface like the real client does (same row semantics: history values[0, end), horizon in
 * minutes, one result per row in order). Selection-logic tests use it; integration tests use
 * the real ONNX client.
 */
import { QuantileForecast, type ForecastConfig, type ForecastRow } from '@tsfm/tsfm-client';
import type { HarnessForecaster } from '../../src/index.js';

export const LEVELS = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];

/** Row → [horizon × levels] quantile matrix. */
export type Predict = (row: ForecastRow, levels: readonly number[]) => Float32Array;

export class FakeForecaster implements HarnessForecaster {
  readonly levels: readonly number[];
  readonly contract: { contextLength: number; horizon: number };
  calls = 0;
  /** Rows of every call, in order. */
  readonly batches: ForecastRow[][] = [];

  constructor(
    private readonly predict: Predict,
    options: { levels?: readonly number[]; contextLength?: number; horizon?: number } = {},
  ) {
    this.levels = options.levels ?? LEVELS;
    this.contract = { contextLength: options.contextLength ?? 512, horizon: options.horizon ?? 64 };
  }

  supportsConfig(config: ForecastConfig): boolean {
    return config.contextLength <= this.contract.contextLength;
  }

  maxHorizonMinutes(config: Pick<ForecastConfig, 'resolutionMinutes'>): number {
    return this.contract.horizon * config.resolutionMinutes;
  }

  async forecastBatch(rows: readonly ForecastRow[]): Promise<QuantileForecast[]> {
    this.calls++;
    this.batches.push([...rows]);
    return rows.map(
      (row) => new QuantileForecast(this.predict(row, this.levels), row.horizon, this.levels, row.config),
    );
  }
}

/** Last observed value of values[0, end). */
export function lastValue(row: ForecastRow): number {
  const end = row.end ?? row.values.length;
  for (let i = end - 1; i >= 0; i--) if (row.values[i] === row.values[i]) return row.values[i];
  return Number.NaN;
}

/** Every quantile at every step = v(t). */
export function flatMatrix(horizon: number, levels: readonly number[], v: (t: number) => number): Float32Array {
  const out = new Float32Array(horizon * levels.length);
  for (let t = 0; t < horizon; t++) out.fill(v(t), t * levels.length, (t + 1) * levels.length);
  return out;
}

/** Naive forecaster: last value at every quantile, for every config. */
export const naive: Predict = (row, levels) => flatMatrix(row.horizon, levels, () => lastValue(row));

/** The model-input part of a config (what distinguishes model rows); 'statistical' for a member (null config). */
export function familyOf(config: ForecastConfig | null): string {
  if (config === null) return 'statistical';
  return `${config.contextLength}|${config.resolutionMinutes}|${config.normalisation}|${config.flip}`;
}
