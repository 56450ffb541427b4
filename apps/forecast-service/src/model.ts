/**
 * Loading the model once per thread that forecasts: manifest → ONNX session → micro-batcher →
 * Harness (whose cost model is calibrated by warm-up calls here, not on the first request).
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Harness } from '@tsfm/harness';
import { loadModel, MicroBatcher, type MicroBatchOptions, type TsfmClient } from '@tsfm/tsfm-client';

/** The model as /status and /metrics describe it: no file paths (they say nothing to a caller). */
export interface ModelInfo {
  readonly name: string;
  readonly version: string;
  readonly sha256: string;
  readonly contextLength: number;
  readonly horizon: number;
  readonly levels: readonly number[];
  /** Longest horizon (minutes) the harness can forecast with this model (coarsest resolution). */
  readonly maxHorizonMinutes: number;
  /** A random-weight development model (the trained one was not available). */
  readonly random: boolean;
  readonly loadSeconds: number;
}

export interface LoadedModel {
  readonly client: TsfmClient;
  /** The harness's forecaster: concurrent requests' model rows share one model call. */
  readonly batcher: MicroBatcher;
  readonly harness: Harness;
  readonly info: ModelInfo;
}

/** `path` is a manifest (model.json) or a folder holding one. */
export function manifestPath(path: string): string {
  const full = resolve(path);
  return existsSync(full) && statSync(full).isDirectory() ? join(full, 'model.json') : full;
}

export async function openModel(
  path: string,
  options: { random?: boolean; intraOpNumThreads?: number; batch?: MicroBatchOptions; memoryArena?: boolean } = {},
): Promise<LoadedModel> {
  const started = performance.now();
  const manifest = manifestPath(path);
  if (!existsSync(manifest)) {
    throw new Error(
      `no model manifest at ${manifest}; pass --model <dir or model.json> (or --random-model for a development run)`,
    );
  }
  // No ORT memory arena by default: the service lives for weeks and its micro-batches vary with
  // load, and an arena keeps a load peak's buffers for good (docs/service.md, "Memory after a load
  // peak"; the option exists for bench/cpu-per-forecast.bench.ts to measure what that costs).
  const client = await loadModel(manifest, {
    intraOpNumThreads: options.intraOpNumThreads ?? 1,
    memoryArena: options.memoryArena ?? false,
  });
  const batcher = new MicroBatcher(client, options.batch);
  const harness = await Harness.create(batcher);
  const m = client.manifest;
  return {
    client,
    batcher,
    harness,
    info: {
      name: m.name,
      version: m.version,
      sha256: m.sha256,
      contextLength: client.contract.contextLength,
      horizon: client.contract.horizon,
      levels: client.levels,
      maxHorizonMinutes: harness.space.maxHorizonMinutes,
      random: options.random ?? false,
      loadSeconds: (performance.now() - started) / 1000,
    },
  };
}
