/**
 * The forecast config: the knobs the harness searches (design.md §4, §5). A config is a plain,
 * frozen value; `configKey` gives it a stable string id so results, priors and caches can be keyed
 * by it across processes.
 */
import { z } from 'zod';
import { ForecastRequestError } from './errors.js';

export const RESOLUTIONS = [1, 5, 15, 60] as const;
export type ResolutionMinutes = (typeof RESOLUTIONS)[number];

export const NORMALISATIONS = ['none', 'mean-std', 'last-value', 'log1p'] as const;
export type Normalisation = (typeof NORMALISATIONS)[number];

export const ForecastConfigSchema = z.strictObject({
  /** Model input steps to use, counted at the chosen resolution (not in minutes). */
  contextLength: z.number().int().min(1),
  /** Aggregate the 1-minute history by this many minutes before forecasting. */
  resolutionMinutes: z.union([z.literal(1), z.literal(5), z.literal(15), z.literal(60)]),
  /** Client-side pre-transform applied before the model and inverted after it. */
  normalisation: z.enum(NORMALISATIONS),
  /** Average f(x) with −f(−x) (mirrored quantile levels); doubles the rows sent to the model. */
  flip: z.boolean(),
  /** max(0, ·) on every output quantile. */
  clampNonNegative: z.boolean(),
  /** Sort each step's quantiles so they are non-decreasing in the level. */
  fixCrossing: z.boolean(),
});

export type ForecastConfig = Readonly<z.infer<typeof ForecastConfigSchema>>;

/**
 * The fleet default: the model as shipped (it normalises inside the graph, so no client
 * normalisation), full default-model context at 1-minute resolution, and the two output fixes
 * that can only help for non-negative resource metrics.
 */
export const DEFAULT_CONFIG: ForecastConfig = Object.freeze({
  contextLength: 512,
  resolutionMinutes: 1,
  normalisation: 'none',
  flip: false,
  clampNonNegative: true,
  fixCrossing: true,
});

// Configs that already passed the schema. forecastBatch validates every row, and running zod on
// 64 rows per call costs more than the rest of the client's bookkeeping; grid configs and
// DEFAULT_CONFIG are frozen objects, so identity is a safe cache key.
const validated = new WeakSet<object>();
validated.add(DEFAULT_CONFIG);

/** Validate an untrusted config; throws ForecastRequestError naming the row and field. */
export function parseConfig(input: unknown, row = -1): ForecastConfig {
  if (typeof input === 'object' && input !== null && validated.has(input)) {
    return input as ForecastConfig;
  }
  const result = ForecastConfigSchema.safeParse(input);
  if (!result.success) {
    const detail = result.error.issues
      .map((issue) => `${issue.path.join('.') || '(config)'}: ${issue.message}`)
      .join('; ');
    throw new ForecastRequestError(row, `invalid config: ${detail}`);
  }
  const config = Object.freeze(result.data);
  validated.add(config);
  if (typeof input === 'object' && input !== null && Object.isFrozen(input)) validated.add(input);
  return config;
}

/**
 * A stable, human-readable id, e.g. `ctx512-r1-none-flip0-clamp1-fix1`. Field order is fixed
 * here (not taken from object key order), so equal configs give equal keys.
 */
export function configKey(config: ForecastConfig): string {
  return (
    `ctx${config.contextLength}-r${config.resolutionMinutes}-${config.normalisation}` +
    `-flip${config.flip ? 1 : 0}-clamp${config.clampNonNegative ? 1 : 0}-fix${config.fixCrossing ? 1 : 0}`
  );
}

const KEY_PATTERN = /^ctx(\d+)-r(\d+)-(none|mean-std|last-value|log1p)-flip([01])-clamp([01])-fix([01])$/;

/** Inverse of configKey; throws ForecastRequestError on a malformed key. */
export function parseConfigKey(key: string): ForecastConfig {
  const m = KEY_PATTERN.exec(key);
  if (!m) throw new ForecastRequestError(-1, `malformed config key '${key}'`);
  return parseConfig({
    contextLength: Number(m[1]),
    resolutionMinutes: Number(m[2]),
    normalisation: m[3],
    flip: m[4] === '1',
    clampNonNegative: m[5] === '1',
    fixCrossing: m[6] === '1',
  });
}

export interface ConfigGridOptions {
  readonly contextLengths?: readonly number[];
  readonly resolutions?: readonly ResolutionMinutes[];
  readonly normalisations?: readonly Normalisation[];
  readonly flip?: readonly boolean[];
  readonly clampNonNegative?: readonly boolean[];
  readonly fixCrossing?: readonly boolean[];
  /** Drop context lengths above this (the model's context length). */
  readonly maxContextLength?: number;
}

export const DEFAULT_CONTEXT_LENGTHS: readonly number[] = [64, 128, 256, 512];

/**
 * Every combination of the given knob values (defaults: the full space, 4 × 4 × 4 × 2 × 2 × 2 =
 * 512 configs), in a deterministic order with DEFAULT_CONFIG's values first on every axis so
 * that truncating the list keeps the default. Each config is frozen and pre-validated.
 */
export function configGrid(options: ConfigGridOptions = {}): ForecastConfig[] {
  const max = options.maxContextLength ?? Number.POSITIVE_INFINITY;
  const contexts = defaultFirst(options.contextLengths ?? DEFAULT_CONTEXT_LENGTHS, DEFAULT_CONFIG.contextLength).filter(
    (c) => c <= max,
  );
  const resolutions = defaultFirst(options.resolutions ?? RESOLUTIONS, DEFAULT_CONFIG.resolutionMinutes);
  const norms = defaultFirst(options.normalisations ?? NORMALISATIONS, DEFAULT_CONFIG.normalisation);
  const flips = defaultFirst(options.flip ?? [false, true], DEFAULT_CONFIG.flip);
  const clamps = defaultFirst(options.clampNonNegative ?? [true, false], DEFAULT_CONFIG.clampNonNegative);
  const fixes = defaultFirst(options.fixCrossing ?? [true, false], DEFAULT_CONFIG.fixCrossing);
  const grid: ForecastConfig[] = [];
  for (const contextLength of contexts)
    for (const resolutionMinutes of resolutions)
      for (const normalisation of norms)
        for (const flip of flips)
          for (const clampNonNegative of clamps)
            for (const fixCrossing of fixes)
              grid.push(
                parseConfig({ contextLength, resolutionMinutes, normalisation, flip, clampNonNegative, fixCrossing }),
              );
  return grid;
}

function defaultFirst<T>(values: readonly T[], preferred: T): T[] {
  const unique = [...new Set(values)];
  const i = unique.indexOf(preferred);
  if (i > 0) unique.unshift(...unique.splice(i, 1));
  return unique;
}
