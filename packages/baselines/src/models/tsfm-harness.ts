/**
 * The frozen TSFM through the per-request harness (@tsfm/harness, design.md §5), at its defaults:
 * for each series the harness tries K configs of the model — of every model given (the model
 * dimension) — and its fast statistical members on the series' own held-out windows (the
 * harness's default: up to eight tail windows of h steps and the same time of day one and seven
 * days back, in the series' own days), keeps the candidate with the lowest pinball loss at α, and
 * forecasts with it from the whole history. Zero-shot: nothing is tuned on the evaluation set —
 * K, the seed, α and the config space are fixed before any series is seen, and the only data a
 * choice ever looks at is the series' own history before the forecast origin. The statistical
 * members' daily and weekly periods come from the series' step (`stepsPerDay`).
 *
 * Steps. The harness, like the client, counts in 1-minute steps. A series on another grid is
 * passed with its own step as the harness's "minute" (as the `tsfm` adapter does), so horizon,
 * context and validation window are counted in the series' steps, and resolution r means
 * r native steps. The config space is restricted to resolutions that keep their real-time
 * meaning on the series' grid (`meaningfulResolutions`): r native steps must equal one of the
 * client's resolutions R ∈ {1, 5, 15, 60} minutes with R ≥ the step (never a sub-step
 * resolution), and one bucket must fit in the horizon. Hourly M4 → only r = 1 (R = 60 min, the
 * series' own step); 5-minute NAB → only r = 1 (R = 5; R = 15 and 60 would be r = 3 and 12,
 * which the client cannot aggregate by); 1-minute data → the full {1, 5, 15, 60} up to h. What
 * remains to search: context length × normalisation × flip × the two post-processing knobs.
 *
 * Determinism: the harness runs in its evaluation mode (`budgetMode: 'measure'`): K is never
 * lowered by machine load, so with a fixed seed the sample, and hence the forecast, depends only
 * on the series. The 200 ms budget is measured, not enforced: every result says how long the
 * request took and whether it broke the budget (`onResult`), for the caller to report.
 *
 * Horizons beyond the model's reach at the allowed resolutions (h = 120 steps of a 30-second
 * series: 64 steps per call at r = 1) are rolled out by the harness, one batched call per round.
 *
 * @tsfm/harness is only imported as a type here and loaded dynamically by
 * `loadTsfmHarnessForecaster`, so loading @tsfm/baselines never loads the harness.
 */
import type * as HarnessExports from '@tsfm/harness';
import { DAY_MS, MINUTE_MS } from '@tsfm/numerics';
import type { HarnessResult } from '@tsfm/harness';
import {
  loadModel,
  RESOLUTIONS,
  restrictResolutions,
  type ClientOptions,
  type ResolutionMinutes,
  type TsfmClient,
} from '@tsfm/tsfm-client';
import { validateLevels } from '../input.js';
import { resampleLevels } from '../quantiles.js';
import {
  DEFAULT_LEVELS,
  ForecastInputError,
  type ForecastInput,
  type Forecaster,
  type QuantileForecast,
} from '../types.js';

type HarnessModule = typeof HarnessExports;
type HarnessInstance = Awaited<ReturnType<HarnessModule['Harness']['create']>>;

/** The per-request budget the harness is measured against (design.md: 200 ms). */
const BUDGET_MS = 200;

export interface TsfmHarnessOptions {
  /** Pinball level the harness selects at (0.5: the median, for point metrics). */
  readonly alpha?: number;
  /** Configs tried per series (default 32, the harness's default). */
  readonly k?: number;
  /** Sampling seed (fixed; default 0). */
  readonly seed?: number;
  /** Minimum history (native steps) before the validation origin for the search path (default 60). */
  readonly minContextPoints?: number;
  /** Name in tables (default `tsfm-harness`). */
  readonly name?: string;
  /** Called with every harness result (winner, tried configs, path), for reporting. */
  readonly onResult?: (id: string, result: HarnessResult) => void;
  /** More models for the harness's model dimension (their names prefix their config keys). */
  readonly models?: readonly { readonly name: string; readonly client: TsfmClient }[];
}

/**
 * Client resolutions (counted in native steps) that mean something on a grid of `stepMs`:
 * r such that r·step is one of the client's resolutions in minutes and not below the step, and
 * r ≤ horizon. r = 1 (the series' own step) is always allowed. Without a step, only r = 1.
 */
export function meaningfulResolutions(stepMs: number | undefined, horizon: number): ResolutionMinutes[] {
  const out = new Set<ResolutionMinutes>([1]);
  if (stepMs !== undefined && Number.isFinite(stepMs) && stepMs > 0) {
    for (const minutes of RESOLUTIONS) {
      const realMs = minutes * MINUTE_MS;
      if (realMs < stepMs || realMs % stepMs !== 0) continue; // sub-step, or not whole steps
      const r = realMs / stepMs;
      const native = RESOLUTIONS.find((c) => c === r);
      if (native !== undefined && native <= horizon) out.add(native);
    }
  }
  return RESOLUTIONS.filter((r) => out.has(r));
}

export function tsfmHarnessForecaster(
  harnessModule: Pick<HarnessModule, 'Harness' | 'CostModel' | 'SINGLE_SERIES_METRIC'>,
  client: TsfmClient,
  options: TsfmHarnessOptions = {},
): Forecaster {
  const alpha = options.alpha ?? 0.5;
  const k = options.k ?? 32;
  const seed = options.seed ?? 0;
  const minContextPoints = options.minContextPoints ?? 60;
  const name = options.name ?? 'tsfm-harness';
  const metric = harnessModule.SINGLE_SERIES_METRIC;
  // One harness per resolution set (a dataset has one step and one horizon, so usually one).
  const harnesses = new Map<string, Promise<HarnessInstance>>();
  let calls = 0;

  function harnessFor(resolutions: readonly number[]): Promise<HarnessInstance> {
    const key = resolutions.join(',');
    let h = harnesses.get(key);
    if (h === undefined) {
      h = harnessModule.Harness.create(restrictResolutions(client, resolutions), {
        budgetMode: 'measure',
        models: (options.models ?? []).map((m) => ({
          name: m.name,
          forecaster: restrictResolutions(m.client, resolutions),
        })),
        // A zero-cost stub: in 'measure' mode the cost model never lowers K, and skipping the
        // warm-up calls keeps Harness.create cheap.
        costModel: new harnessModule.CostModel({ fixedMs: 0, perRowMs: 0, overheadMs: 0 }),
      });
      harnesses.set(key, h);
    }
    return h;
  }

  return {
    name,
    async forecast(input: ForecastInput): Promise<QuantileForecast> {
      const { history, horizon } = input;
      if (!Number.isInteger(horizon) || horizon < 1)
        throw new ForecastInputError(`horizon must be an integer ≥ 1, got ${horizon}`);
      const levels = input.levels ?? DEFAULT_LEVELS;
      validateLevels(levels);
      const harness = await harnessFor(meaningfulResolutions(input.stepMs, horizon));
      const id = `series-${calls++}`;
      const result = await harness.forecast({
        history: { id, values: history },
        horizon,
        alpha,
        k,
        budgetMs: BUDGET_MS,
        seed,
        options: {
          minContextPoints,
          ...(input.stepMs !== undefined && input.stepMs > 0
            ? { stepsPerDay: Math.max(1, Math.round(DAY_MS / input.stepMs)) }
            : {}),
        },
      });
      options.onResult?.(id, result);
      const q = result.quantiles[metric];
      if (q === undefined) throw new ForecastInputError(`harness returned no forecast for '${metric}'`);
      return {
        point: q.quantileAt(0.5),
        levels: [...levels],
        quantiles: resampleLevels(q.quantiles, q.levels, levels, horizon),
      };
    },
  };
}

/**
 * Loads the model, the extra models (`extraModels`: name and manifest each) and the harness
 * (dynamically); the caller releases every client in `clients` when done.
 */
export async function loadTsfmHarnessForecaster(
  manifestPath: string,
  options: Omit<TsfmHarnessOptions, 'models'> & {
    client?: ClientOptions;
    extraModels?: readonly { readonly name: string; readonly path: string }[];
  } = {},
): Promise<{ forecaster: Forecaster; clients: TsfmClient[] }> {
  const harnessModule = await import('@tsfm/harness');
  const client = await loadModel(manifestPath, options.client);
  const models: { name: string; client: TsfmClient }[] = [];
  for (const m of options.extraModels ?? [])
    models.push({ name: m.name, client: await loadModel(m.path, options.client) });
  return {
    forecaster: tsfmHarnessForecaster(harnessModule, client, { ...options, models }),
    clients: [client, ...models.map((m) => m.client)],
  };
}
