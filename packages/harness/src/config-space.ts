/**
 * The searchable config space, indexed once per harness: every config of the grid the model can
 * serve, grouped into **families** — configs with the same model input (context length,
 * resolution, normalisation, flip) that differ only in post-processing (positivity clamp,
 * crossing fix). A family costs model rows; its members beyond the first are free. Every
 * feasibility rule of a request (horizon reach, log1p on negative data, enough history for the
 * resolution, an observation inside the context window) depends only on the model input, so it
 * is decided per family.
 */
import {
  configGrid,
  configKey,
  DEFAULT_CONFIG,
  NORMALISATIONS,
  parseConfig,
  RESOLUTIONS,
  type ForecastConfig,
  type ResolutionMinutes,
} from '@tsfm/tsfm-client';
import type { HarnessForecaster } from './forecaster.js';
import { MAX_ROLLOUT_ROUNDS } from './rollout.js';

export interface ConfigFamily {
  readonly contextLength: number;
  readonly resolutionMinutes: ResolutionMinutes;
  readonly normalisation: ForecastConfig['normalisation'];
  readonly flip: boolean;
  /** Stratum = (resolution, normalisation): the sampler covers every stratum before repeating one. */
  readonly stratum: number;
  /** Index of contextLength among the space's distinct context lengths (for balancing). */
  readonly contextBucket: number;
  /** Longest horizon (minutes) this family reaches. */
  readonly maxHorizonMinutes: number;
  /** Config indexes of the members, in grid order. */
  readonly members: readonly number[];
  /** The member with both post-processing knobs off: what the model rows are built with. */
  readonly rawConfig: ForecastConfig;
}

export class ConfigSpace {
  readonly configs: readonly ForecastConfig[];
  readonly keys: readonly string[];
  readonly families: readonly ConfigFamily[];
  /** familyOf[config index] */
  readonly familyOf: Int32Array;
  /** variantOf[config index] = 2·clamp + fix (0…3), for balancing post-processing knobs. */
  readonly variantOf: Int32Array;
  readonly strata: number;
  /** Longest horizon (minutes) any config reaches. */
  readonly maxHorizonMinutes: number;
  /**
   * The fleet default at each resolution (index into configs), finest first. The default proper
   * is the first; coarser ones stand in when the horizon or the data gap is out of its reach.
   */
  readonly defaultByResolution: readonly number[];
  readonly #indexOfKey: Map<string, number>;

  constructor(forecaster: HarnessForecaster, grid?: readonly ForecastConfig[], defaultConfig?: ForecastConfig) {
    const modelContext = forecaster.contract.contextLength;
    const base = parseConfig(
      defaultConfig ?? { ...DEFAULT_CONFIG, contextLength: Math.min(DEFAULT_CONFIG.contextLength, modelContext) },
    );
    const candidates = [...(grid ?? configGrid({ maxContextLength: modelContext }))];
    // The default (at every resolution) is always in the space, whatever grid was passed.
    const defaults = RESOLUTIONS.filter((r) => r >= base.resolutionMinutes).map((r) =>
      parseConfig({ ...base, resolutionMinutes: r }),
    );
    candidates.push(...defaults);

    const configs: ForecastConfig[] = [];
    const keys: string[] = [];
    const indexOfKey = new Map<string, number>();
    for (const c of candidates) {
      const config = parseConfig(c);
      const key = configKey(config);
      if (indexOfKey.has(key) || !forecaster.supportsConfig(config)) continue;
      indexOfKey.set(key, configs.length);
      configs.push(config);
      keys.push(key);
    }

    const contexts = [...new Set(configs.map((c) => c.contextLength))].sort((a, b) => a - b);
    const familyIndex = new Map<string, number>();
    const families: { family: Omit<ConfigFamily, 'members'>; members: number[] }[] = [];
    const familyOf = new Int32Array(configs.length);
    const variantOf = new Int32Array(configs.length);
    configs.forEach((c, i) => {
      const fk = `${c.contextLength}|${c.resolutionMinutes}|${c.normalisation}|${c.flip}`;
      let f = familyIndex.get(fk);
      if (f === undefined) {
        f = families.length;
        familyIndex.set(fk, f);
        families.push({
          family: {
            contextLength: c.contextLength,
            resolutionMinutes: c.resolutionMinutes,
            normalisation: c.normalisation,
            flip: c.flip,
            stratum:
              RESOLUTIONS.indexOf(c.resolutionMinutes) * NORMALISATIONS.length +
              NORMALISATIONS.indexOf(c.normalisation),
            contextBucket: contexts.indexOf(c.contextLength),
            maxHorizonMinutes: forecaster.maxHorizonMinutes(c),
            // Frozen and validated once, so the client's per-row config check is an identity hit.
            rawConfig: parseConfig(Object.freeze({ ...c, clampNonNegative: false, fixCrossing: false })),
          },
          members: [],
        });
      }
      families[f]!.members.push(i);
      familyOf[i] = f;
      variantOf[i] = (c.clampNonNegative ? 2 : 0) + (c.fixCrossing ? 1 : 0);
    });

    this.configs = configs;
    this.keys = keys;
    this.#indexOfKey = indexOfKey;
    this.families = families.map(({ family, members }) => Object.freeze({ ...family, members }));
    this.familyOf = familyOf;
    this.variantOf = variantOf;
    this.strata = RESOLUTIONS.length * NORMALISATIONS.length;
    this.maxHorizonMinutes = this.families.reduce((max, f) => Math.max(max, f.maxHorizonMinutes), 0);
    this.defaultByResolution = defaults
      .map((d) => indexOfKey.get(configKey(d)))
      .filter((i): i is number => i !== undefined);
  }

  indexOf(key: string): number | undefined {
    return this.#indexOfKey.get(key);
  }
}

/** What a request's data allows; decided per family (see the module comment). */
export interface RequestReach {
  /** History length (minutes). */
  readonly n: number;
  readonly horizon: number;
  /** End of the in-sample history before the earliest validation origin: n − W·h. */
  readonly earliestOrigin: number;
  /** Smallest lastObserved over the request's metrics (every metric must be reachable). */
  readonly minLastObserved: number;
  /** Whether any metric has a negative observation. */
  readonly anyNegative: boolean;
  /**
   * No config reaches the horizon in one model call, so families are served by rolling out
   * (rollout.ts) up to MAX_ROLLOUT_ROUNDS calls. False whenever a native forecast exists.
   */
  readonly rollout: boolean;
}

/** Coarse steps the client will feed for a row ending at `end`: min(context, ⌊end / r⌋). */
export function effectiveContext(contextLength: number, r: number, end: number): number {
  return Math.min(contextLength, Math.floor(end / r));
}

/** Can this family produce the FINAL forecast for every metric of the request? */
export function servesFinal(f: ConfigFamily, reach: RequestReach): boolean {
  if (reach.horizon > f.maxHorizonMinutes * (reach.rollout ? MAX_ROLLOUT_ROUNDS : 1)) return false;
  if (f.normalisation === 'log1p' && reach.anyNegative) return false;
  const r = f.resolutionMinutes;
  const steps = effectiveContext(f.contextLength, r, reach.n);
  // The client rejects a row whose context window holds no observation (and a row shorter than
  // one bucket); the window is the last `steps·r` minutes.
  return steps >= 1 && reach.minLastObserved >= reach.n - steps * r;
}

/** servesFinal, and the earliest validation origin leaves at least one bucket of context. */
export function searchable(f: ConfigFamily, reach: RequestReach): boolean {
  return servesFinal(f, reach) && Math.floor(reach.earliestOrigin / f.resolutionMinutes) >= 1;
}
