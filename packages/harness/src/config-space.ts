/**
 * The searchable config space, indexed once per harness: every config of each model's grid that the
 * model can serve — the model dimension: the primary ONNX model and any others, whose keys are
 * prefixed with the model's name — grouped into **families**: configs of one model with the same
 * model input (context length, resolution, normalisation, flip) that differ only in post-processing
 * (positivity clamp, crossing fix). A family costs model rows; its members beyond the first are
 * free. Every feasibility rule of a request (horizon reach, log1p on negative data, enough history
 * for the resolution, an observation inside the context window) depends only on the model input, so
 * it is decided per family.
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

/** One ONNX model of the harness's model dimension. */
export interface HarnessModel {
  /** Names the model in config keys and results (`<name>/<configKey>` for every model but the first). */
  readonly name: string;
  readonly forecaster: HarnessForecaster;
  /** Its configs to search (default: configGrid up to its context). Its default is always added. */
  readonly grid?: readonly ForecastConfig[];
}

const MODEL_NAME = /^[A-Za-z0-9._@-]+$/;

export interface ConfigFamily {
  /** Index of the model (0 = the primary, whose configs have the plain keys). */
  readonly model: number;
  readonly contextLength: number;
  readonly resolutionMinutes: ResolutionMinutes;
  readonly normalisation: ForecastConfig['normalisation'];
  readonly flip: boolean;
  /** Stratum = (model, resolution, normalisation): the sampler covers every stratum before repeating one. */
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
  /** The models, the primary first. */
  readonly models: readonly HarnessModel[];
  readonly configs: readonly ForecastConfig[];
  readonly keys: readonly string[];
  /** modelOf[config index]: index into models. */
  readonly modelOf: Int32Array;
  readonly families: readonly ConfigFamily[];
  /** familyOf[config index] */
  readonly familyOf: Int32Array;
  /** variantOf[config index] = 2·clamp + fix (0…3), for balancing post-processing knobs. */
  readonly variantOf: Int32Array;
  readonly strata: number;
  /** Longest horizon (minutes) any config reaches. */
  readonly maxHorizonMinutes: number;
  /**
   * The fleet default at each resolution (index into configs), finest first — the primary
   * model's. The default proper is the first; coarser ones stand in when the horizon or the data
   * gap is out of its reach.
   */
  readonly defaultByResolution: readonly number[];
  /** Per model (index 0 unused: the primary's is defaultByResolution): its default config, −1 when it serves none. */
  readonly modelDefaults: readonly number[];
  readonly #indexOfKey: Map<string, number>;

  constructor(models: readonly HarnessModel[], defaultConfig?: ForecastConfig) {
    const primary = models[0];
    if (primary === undefined) throw new Error('the harness needs at least one model');
    const names = new Set<string>();
    for (const m of models) {
      if (!MODEL_NAME.test(m.name)) throw new Error(`model name '${m.name}' must match ${MODEL_NAME}`);
      if (names.has(m.name)) throw new Error(`model name '${m.name}' is used twice`);
      names.add(m.name);
      const a = m.forecaster.levels;
      const b = primary.forecaster.levels;
      if (a.length !== b.length || a.some((l, i) => l !== b[i])) {
        throw new Error(
          `model '${m.name}' has quantile levels ${a.join(', ')}; every model of one harness must have the primary's (${b.join(', ')})`,
        );
      }
    }
    const strataPerModel = RESOLUTIONS.length * NORMALISATIONS.length;
    const configs: ForecastConfig[] = [];
    const keys: string[] = [];
    const modelOf: number[] = [];
    const indexOfKey = new Map<string, number>();
    const defaultsOf: ForecastConfig[][] = [];
    models.forEach((model, j) => {
      const context = model.forecaster.contract.contextLength;
      const base = parseConfig(
        (j === 0 ? defaultConfig : undefined) ?? {
          ...DEFAULT_CONFIG,
          contextLength: Math.min(DEFAULT_CONFIG.contextLength, context),
        },
      );
      const candidates = [...(model.grid ?? configGrid({ maxContextLength: context }))];
      // The default (at every resolution) is always in the space, whatever grid was passed.
      const defaults = RESOLUTIONS.filter((r) => r >= base.resolutionMinutes).map((r) =>
        parseConfig({ ...base, resolutionMinutes: r }),
      );
      defaultsOf.push(defaults);
      candidates.push(...defaults);
      for (const c of candidates) {
        const config = parseConfig(c);
        const key = j === 0 ? configKey(config) : `${model.name}/${configKey(config)}`;
        if (indexOfKey.has(key) || !model.forecaster.supportsConfig(config)) continue;
        indexOfKey.set(key, configs.length);
        configs.push(config);
        keys.push(key);
        modelOf.push(j);
      }
    });

    const contexts = [...new Set(configs.map((c) => c.contextLength))].sort((a, b) => a - b);
    const familyIndex = new Map<string, number>();
    const families: { family: Omit<ConfigFamily, 'members'>; members: number[] }[] = [];
    const familyOf = new Int32Array(configs.length);
    const variantOf = new Int32Array(configs.length);
    configs.forEach((c, i) => {
      const j = modelOf[i];
      const fk = `${j}|${c.contextLength}|${c.resolutionMinutes}|${c.normalisation}|${c.flip}`;
      let f = familyIndex.get(fk);
      if (f === undefined) {
        f = families.length;
        familyIndex.set(fk, f);
        families.push({
          family: {
            model: j,
            contextLength: c.contextLength,
            resolutionMinutes: c.resolutionMinutes,
            normalisation: c.normalisation,
            flip: c.flip,
            stratum:
              j * strataPerModel +
              RESOLUTIONS.indexOf(c.resolutionMinutes) * NORMALISATIONS.length +
              NORMALISATIONS.indexOf(c.normalisation),
            contextBucket: contexts.indexOf(c.contextLength),
            maxHorizonMinutes: models[j].forecaster.maxHorizonMinutes(c),
            // Frozen and validated once, so the client's per-row config check is an identity hit.
            rawConfig: parseConfig(Object.freeze({ ...c, clampNonNegative: false, fixCrossing: false })),
          },
          members: [],
        });
      }
      families[f].members.push(i);
      familyOf[i] = f;
      variantOf[i] = (c.clampNonNegative ? 2 : 0) + (c.fixCrossing ? 1 : 0);
    });

    this.models = models;
    this.configs = configs;
    this.keys = keys;
    this.modelOf = Int32Array.from(modelOf);
    this.#indexOfKey = indexOfKey;
    this.families = families.map(({ family, members }) => Object.freeze({ ...family, members }));
    this.familyOf = familyOf;
    this.variantOf = variantOf;
    this.strata = models.length * strataPerModel;
    this.maxHorizonMinutes = this.families.reduce((max, f) => Math.max(max, f.maxHorizonMinutes), 0);
    const keyOf = (j: number, c: ForecastConfig): string =>
      j === 0 ? configKey(c) : `${models[j].name}/${configKey(c)}`;
    this.defaultByResolution = defaultsOf[0]
      .map((d) => indexOfKey.get(keyOf(0, d)))
      .filter((i): i is number => i !== undefined);
    this.modelDefaults = defaultsOf.map((d, j) => (j === 0 ? -1 : (indexOfKey.get(keyOf(j, d[0])) ?? -1)));
  }

  indexOf(key: string): number | undefined {
    return this.#indexOfKey.get(key);
  }

  /** The model that serves config `i`. */
  modelOfConfig(i: number): HarnessModel {
    return this.models[this.modelOf[i]];
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
