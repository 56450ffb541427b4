/**
 * What runs inside one worker thread (or in-process with --workers 0): one model session, the
 * methods of the experiment, and two kinds of task — evaluate a tenant with the methods, or score
 * the whole config grid at a tenant's origins (tuning). Built from a plain, structured-clonable
 * spec, because functions and sessions cannot cross a thread boundary.
 *
 * Each runtime opens its own onnxruntime session with ONE intra-op thread: parallelism comes from
 * running one runtime per core, which keeps each request's latency that of a single core.
 */
import type { ArchetypeStoreSet } from '@tsfm/archetypes';
import type { BaselineName } from '@tsfm/baselines';
import { isMainThread } from 'node:worker_threads';
import { configKey, loadModel, MicroBatcher, restrictResolutions, type TsfmClient } from '@tsfm/tsfm-client';
import {
  archetypeStorePrior,
  Harness,
  type ConfigPriorSource,
  type HarnessForecaster,
  type HarnessModel,
} from '@tsfm/harness';
import { evaluateTenant, type TenantOutcome, type TenantTask } from './evaluate-tenant.js';
import { GridEvaluator, type GridLosses } from './grid-search.js';
import {
  baselineMethod,
  fixedConfigMethod,
  harnessMethod,
  type FixedConfigChoice,
  type HarnessMethodOptions,
  type Method,
} from './methods.js';
import type { EvalTenant } from './tenant-data.js';

export interface PriorSpec {
  /** An ArchetypeStoreSet directory (built on tuning tenants, winners recorded). */
  readonly storeSetDir: string;
  /** Window store to use (minutes); null = the full-history store. */
  readonly windowMinutes: number | null;
  /** Neighbour tenants of the prior (default 10). */
  readonly neighbours?: number;
}

export type MethodSpec =
  | (HarnessMethodOptions & {
      readonly kind: 'harness';
      readonly prior?: PriorSpec | null;
      /** Search the runtime's extra models too (RuntimeSpec.extraModels): the model dimension. */
      readonly models?: boolean;
    })
  | { readonly kind: 'fixed'; readonly name: string; readonly config: FixedConfigChoice }
  | {
      readonly kind: 'baseline';
      readonly name: string;
      readonly baseline: BaselineName;
      readonly lookbackDays: number;
      readonly aggregateSteps: number;
      /** Seasonal period in aggregated steps; null = one day. */
      readonly period: number | null;
    };

export interface RuntimeSpec {
  readonly modelPath: string;
  /** More ONNX models for harness methods with `models: true` (their names prefix their config keys). */
  readonly extraModels?: readonly { readonly name: string; readonly path: string }[];
  /**
   * Route every model call through @tsfm/tsfm-client's MicroBatcher (window: the current turn of
   * the event loop), so concurrent requests of a harness method share model calls. Forecasts are
   * bit-identical to unbatched calls; only time changes.
   */
  readonly microBatch?: boolean;
  /** Resolutions the TSFM may use (null = all); see forecasters.ts. */
  readonly resolutions: readonly number[] | null;
  readonly methods: readonly MethodSpec[];
}

export interface GridTask {
  readonly tenant: EvalTenant;
  readonly origins: Int32Array;
  readonly horizon: number;
  readonly stepsPerDay: number;
}

export type RuntimeTask =
  | { readonly kind: 'evaluate'; readonly task: TenantTask }
  | { readonly kind: 'grid'; readonly task: GridTask };

export interface GridOutcome {
  readonly tenantId: string;
  readonly tier: string | null;
  readonly archetype: string | null;
  readonly keys: readonly string[];
  /** The fleet default config of this model (DEFAULT_CONFIG, context capped). */
  readonly defaultKey: string;
  readonly grid: GridLosses;
}

export type RuntimeResult =
  | { readonly kind: 'evaluate'; readonly outcome: TenantOutcome }
  | { readonly kind: 'grid'; readonly outcome: GridOutcome };

export class ExperimentRuntime {
  readonly client: TsfmClient;
  readonly methods: ReadonlyMap<string, Method>;
  readonly #grid: GridEvaluator;
  readonly #extraClients: readonly TsfmClient[];

  private constructor(
    client: TsfmClient,
    methods: Map<string, Method>,
    grid: GridEvaluator,
    extraClients: readonly TsfmClient[],
  ) {
    this.client = client;
    this.methods = methods;
    this.#grid = grid;
    this.#extraClients = extraClients;
  }

  static async create(spec: RuntimeSpec): Promise<ExperimentRuntime> {
    const client = await loadModel(spec.modelPath, { intraOpNumThreads: 1 });
    const extraClients: TsfmClient[] = [];
    for (const m of spec.extraModels ?? []) extraClients.push(await loadModel(m.path, { intraOpNumThreads: 1 }));
    const wrap = (c: TsfmClient): HarnessForecaster => {
      const restricted = spec.resolutions === null ? c : restrictResolutions(c, spec.resolutions);
      return spec.microBatch ? new MicroBatcher(restricted, { windowMs: 0 }) : restricted;
    };
    const forecaster = wrap(client);
    const extraModels: HarnessModel[] = (spec.extraModels ?? []).map((m, i) => ({
      name: m.name,
      forecaster: wrap(extraClients[i]),
    }));
    const methods = new Map<string, Method>();
    // One Harness per prior source; the cost model (fitted once by warm-up calls) is shared —
    // same session, same machine.
    const harnesses = new Map<string, Harness>();
    let costModel: Harness['costModel'] | undefined;
    const stores = new Map<string, ArchetypeStoreSet>();
    for (const m of spec.methods) {
      if (methods.has(m.name)) throw new Error(`method name '${m.name}' is used twice`);
      if (m.kind === 'harness') {
        const priorKey = `${m.prior ? JSON.stringify(m.prior) : ''}|${m.models === true}`;
        let harness = harnesses.get(priorKey);
        if (harness === undefined) {
          const priorSource = m.prior ? await priorFrom(m.prior, stores) : null;
          // 'measure': K is never lowered by machine load, so a metric compared across runs cannot
          // move with it; each request's latency is measured and its budget overrun counted.
          harness = await Harness.create(forecaster, {
            priorSource,
            budgetMode: 'measure',
            ...(m.models === true ? { models: extraModels } : {}),
            ...(costModel ? { costModel } : {}),
          });
          costModel = harness.costModel;
          harnesses.set(priorKey, harness);
        }
        methods.set(m.name, harnessMethod(harness, m));
      } else if (m.kind === 'fixed') {
        methods.set(m.name, fixedConfigMethod(client, m.name, m.config));
      } else {
        // Loaded only when a baseline is asked for: augurs' wasm is not free to instantiate.
        const { createBaseline } = await import('@tsfm/baselines');
        methods.set(m.name, baselineMethod({ ...m, forecaster: createBaseline(m.baseline) }));
      }
    }
    return new ExperimentRuntime(
      client,
      methods,
      new GridEvaluator(spec.resolutions === null ? client : restrictResolutions(client, spec.resolutions)),
      extraClients,
    );
  }

  get gridKeys(): readonly string[] {
    return this.#grid.keys;
  }

  async handle(task: RuntimeTask): Promise<RuntimeResult> {
    if (task.kind === 'evaluate') return { kind: 'evaluate', outcome: await evaluateTenant(task.task, this.methods) };
    const t = task.task;
    const grid = await this.#grid.losses(t.tenant, t.origins, t.horizon, t.stepsPerDay);
    return {
      kind: 'grid',
      outcome: {
        tenantId: t.tenant.id,
        tier: t.tenant.tier,
        archetype: t.tenant.archetype,
        keys: this.#grid.keys,
        defaultKey: configKey(this.client.defaultConfig),
        grid,
      },
    };
  }

  async release(): Promise<void> {
    await this.client.release();
    for (const c of this.#extraClients) await c.release();
  }
}

async function priorFrom(spec: PriorSpec, stores: Map<string, ArchetypeStoreSet>): Promise<ConfigPriorSource> {
  // faiss-node 0.5.1 keeps its constructors in process-wide N-API references: reading an index
  // from a worker thread aborts the WHOLE process ("FATAL ERROR: HandleScope::HandleScope
  // Entering the V8 API without proper locking in place", from IndexBase::read) — not an
  // exception anyone can catch. Refuse here with a message instead; prior runs go in-process.
  if (!isMainThread) {
    throw new Error(
      'the archetype prior (faiss-node) cannot run in a worker thread: it aborts the process; run prior experiments with workers = 0',
    );
  }
  // faiss-node is loaded only by runtimes that use a prior.
  const { ArchetypeStoreSet: StoreSet } = await import('@tsfm/archetypes');
  let set = stores.get(spec.storeSetDir);
  if (set === undefined) {
    set = StoreSet.load(spec.storeSetDir);
    stores.set(spec.storeSetDir, set);
  }
  const store =
    spec.windowMinutes === null
      ? set.full
      : (set.windows.get(spec.windowMinutes) ?? set.storeFor(spec.windowMinutes).store);
  return archetypeStorePrior(store, spec.neighbours === undefined ? {} : { neighbours: spec.neighbours });
}
