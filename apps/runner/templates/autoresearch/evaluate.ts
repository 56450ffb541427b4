/**
 * FROZEN EVALUATOR — the runner records this file's sha256 at anchor time and refuses to launch an
 * experiment whose copy differs. It reads params.json, evaluates the frozen ONNX forecaster
 * (@tsfm/tsfm-client) on one split of the evaluation tenants and prints one block that a grep can
 * read (the same numbers, with detail, go to --out):
 *
 *   ---
 *   metric:          0.812345   mean scale-free α-pinball over the split's tenants × origins × metrics (lower: better)
 *   latency_p99_ms:  41.2       p99 over requests of the per-request time (the harness's own clock)
 *   budget_ms:       200        the latency budget per request
 *   over_budget:     0          requests that took longer than the budget
 *   points:          3840       forecast points scored
 *   dropped:         0          requests that failed (any > 0 makes the run a crash)
 *   split:           search     which tenants were scored (prepare.ts SPLITS)
 *   model_sha256:    …          the ONNX file that produced these numbers
 *   elapsed_s:       14.1       wall seconds after start-up (moves with machine load)
 *   cpu_s:           11.5       CPU seconds of the whole process, every thread, start-up included
 *
 * A `time:` line before the block (and `phases` in --out) splits the wall and CPU seconds into
 * start-up (imports), setup (model, data, harness, warm-up) and requests.
 *
 * The metric never moves with machine load: the harness runs in its evaluation mode
 * (`budgetMode: 'measure'`: K fixed, the budget measured and its overruns counted), and every
 * request is seeded. Search requests use the harness's grid-stable sampler (each config's random
 * key is a hash of the request's seed and the config's name, not of its index in the grid), so
 * experiments with overlapping grids sample overlapping configs and their paired difference
 * measures the change, not the sampling. Latency does move with load; it is measured after one untimed warm-up
 * request, so the first request does not pay for the model's start-up.
 *
 * Modes (params.json `mode`):
 *   search      per-request autoresearch: @tsfm/harness over experiment.ts's grid and options
 *               (the `harness-default` seed is this mode at the default params);
 *   best-fixed  one config for every tenant: the config with the lowest mean loss on the TUNING
 *               tenants' last horizon, out of every config the model serves;
 *   oracle      per request and metric, the config that was best on the real horizon — hindsight,
 *               so the floor no per-request search can go below.
 *
 *   node --import tsx evaluate.ts --params params.json --data <data dir> [--out metrics.json]
 *        [--split search|confirmation] [--shard i/N] [--fan fan.json]
 *
 * `--split` picks the tenants (default `search`); the runner asks for `confirmation` only after
 * the search. --out also holds, per tenant, the sums its mean loss is made of (`units`): the
 * runner's keep rule and confidence intervals bootstrap over tenants from them.
 * `--shard i/N` (1-based) evaluates only the split's tenants at positions p with p mod N = i − 1
 * (strided, so every shard gets a like mix), so that N jobs can share one evaluation; --out then
 * also holds the sums the runner merges exactly (lossSum, lossCount, latenciesMs: the mean of all
 * losses and the p99 of all latencies, never a mean of shard means). See docs/cluster.md.
 * `--fan` writes the final forecasts' quantiles of the first few tenants (report.html's fans).
 *
 * Written out in each template on purpose: a template is copied whole into a workdir and frozen
 * there, so what the two evaluators share (--shard, params.json's checks, the result block) is not
 * shared code.
 */
import { rename, readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Harness, HarnessError, type HarnessResult } from '@tsfm/harness';
import {
  DEFAULT_CONFIG,
  configGrid,
  configKey,
  loadModel,
  type ForecastConfig,
  type TsfmClient,
} from '@tsfm/tsfm-client';
import {
  CONTEXT_LENGTHS,
  NORMALISATIONS,
  RESOLUTIONS,
  SELECTION_RULES,
  VALIDATION_PLACEMENTS,
  parseRacing,
  parseSubset,
  type Params,
} from './contract.js';
import { experiment } from './experiment.js';
import {
  BUDGET_MS,
  EVALUATION_SEED,
  HORIZON,
  METRICS,
  SPLITS,
  TUNING_TENANTS,
  alphaLoss,
  assertModelExists,
  loadFleet,
  originsOf,
  splitTenants,
  type SplitName,
  type TenantData,
} from './prepare.js';

type Mode = 'search' | 'best-fixed' | 'oracle';

interface RequestOutcome {
  readonly tenantId: string;
  /** Index into the tenant's series of the forecast origin. */
  readonly origin: number;
  readonly losses: readonly number[];
  readonly latencyMs: number;
  readonly overBudget: boolean;
  readonly winners: readonly string[];
  readonly kUsed: number | null;
  /** Model rows the request ran and validation windows it scored on (null: no harness, the oracle). */
  readonly modelRows: number | null;
  readonly validationWindows: number | null;
}

/** Per tenant: the sums of its losses over origins × metrics (the keep rule bootstraps over these). */
interface Unit {
  readonly id: string;
  lossSum: number;
  lossCount: number;
}

/** Fans for report.html: the first few tenants' final forecast of this metric, at the latest origin. */
const FAN_TENANTS = 4;
const FAN_METRIC = 'cpu';
const FAN_HISTORY = 240;

const { values: args } = parseArgs({
  options: {
    params: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string' },
    shard: { type: 'string' },
    split: { type: 'string' },
    fan: { type: 'string' },
  },
});
if (!args.params || !args.data) {
  console.error(
    'usage: evaluate.ts --params params.json --data <data dir> [--out metrics.json] [--split search|confirmation] [--shard i/N] [--fan fan.json]',
  );
  process.exit(2);
}
const split = (args.split ?? 'search') as SplitName;
if (!(split in SPLITS)) {
  console.error(`--split ${JSON.stringify(args.split)}: expected one of ${Object.keys(SPLITS).join(', ')}`);
  process.exit(2);
}
// Every static import (tsx, the harness, onnxruntime) is loaded by now: what came before is start-up.
const started = performance.now();
const phases: Phase[] = [];
markPhase('start-up');
const { mode, params } = readParams(JSON.parse(await readFile(args.params, 'utf8')));
const manifestPath = assertModelExists();
const client = await loadModel(manifestPath);
const fleet = await loadFleet(args.data);
const tuning = fleet.slice(0, TUNING_TENANTS);
const shard = args.shard === undefined ? undefined : parseShard(args.shard);
// The tuning tenants stay whole in every shard: best-fixed picks its config on all of them, so
// each shard picks the same one.
const evaluation = splitTenants(fleet, split).filter(
  (_, position) => shard === undefined || position % shard.count === shard.index - 1,
);
const origins = originsOf(fleet[0].series.cpu.length, split);
const requestCount = evaluation.length * origins.length;
const servable = configGrid({ maxContextLength: client.contract.contextLength }).filter((config) =>
  client.supportsConfig(config),
);
console.log(
  `${shard ? `shard ${shard.index}/${shard.count}: ` : ''}mode ${mode}, split ${split}: model ${manifestPath} (${client.manifest.sha256}), ${servable.length} servable configs, ${evaluation.length} tenants × ${origins.length} origins, horizon ${HORIZON} min`,
);

const outcomes: RequestOutcome[] = [];
const units: Unit[] = [];
const fans: unknown[] = [];
let dropped = 0;
let fixed: ForecastConfig | undefined;
let harness: Harness | undefined;
if (mode === 'search') {
  const grid = experiment.grid(params, servable);
  // 'measure': K is never lowered by machine load (the metric must not move with it); the budget
  // is measured and its overruns counted (over_budget).
  harness = await Harness.create(client, { grid: grid, budgetMode: 'measure' });
  console.log(
    `harness over ${harness.space.configs.length} configs (experiment grid ${grid.length} + the fleet default); options ${JSON.stringify(experiment.searchOptions(params))}`,
  );
} else if (mode === 'best-fixed') {
  fixed = await bestFixedConfig(tuning);
  // K = 1 over a grid of one: the harness forecasts with the fixed config, timed like any request.
  harness = await Harness.create(client, { grid: [fixed], defaultConfig: fixed, budgetMode: 'measure' });
  console.log(`best fixed config on ${tuning.length} tuning tenants: ${configKey(fixed)}`);
}
// One untimed, unscored request on a tuning tenant: the first call pays the session's start-up,
// which is not what a request costs a running service.
await warmUp(tuning[0]);
markPhase('setup');

for (const tenant of evaluation) {
  const unit: Unit = { id: tenant.id, lossSum: 0, lossCount: 0 };
  for (const [o, origin] of origins.entries()) {
    const seed = EVALUATION_SEED * 1_000_000 + tenant.index * 100 + o;
    const n = outcomes.length + dropped + 1;
    try {
      const outcome =
        harness === undefined // built above in every mode but oracle
          ? await oracleRequest(tenant, origin)
          : await harnessRequest(harness, tenant, origin, seed, mode === 'search' ? params : undefined);
      outcomes.push(outcome);
      for (const loss of outcome.losses) unit.lossSum += loss;
      unit.lossCount += outcome.losses.length;
      const mean = outcome.losses.reduce((a, b) => a + b, 0) / outcome.losses.length;
      console.log(
        `request ${n}/${requestCount} ${tenant.id}@${origin}: loss ${mean.toFixed(4)} in ${outcome.latencyMs.toFixed(1)} ms${outcome.kUsed === null ? '' : ` (k used ${outcome.kUsed})`}`,
      );
    } catch (error) {
      dropped++;
      const code = error instanceof HarnessError ? ` [${error.code}]` : '';
      console.log(`request ${n}/${requestCount} ${tenant.id}@${origin}: DROPPED${code} (${(error as Error).message})`);
    }
  }
  if (unit.lossCount > 0) units.push(unit);
}

markPhase('requests');
const losses = outcomes.flatMap((outcome) => outcome.losses);
const metric = losses.length === 0 ? NaN : losses.reduce((a, b) => a + b, 0) / losses.length;
const latencies = outcomes.map((outcome) => outcome.latencyMs).sort((a, b) => a - b);
const p99 =
  latencies.length === 0 ? NaN : latencies[Math.min(latencies.length - 1, Math.ceil(0.99 * latencies.length) - 1)];
const overBudget = outcomes.filter((outcome) => outcome.overBudget).length;
const modelSha = client.manifest.sha256;

if (args.out) {
  const detail = {
    mode,
    params,
    split,
    shard: shard ? `${shard.index}/${shard.count}` : null,
    lossSum: losses.reduce((a, b) => a + b, 0),
    lossCount: losses.length,
    latenciesMs: latencies,
    units,
    model: manifestPath,
    modelSha256: modelSha,
    metric,
    latencyMsP99: p99,
    budgetMs: BUDGET_MS,
    points: losses.length * HORIZON,
    dropped,
    overBudget,
    elapsedS: (performance.now() - started) / 1000,
    // CPU of this process, every thread (onnxruntime's too), start-up included: what one evaluation
    // costs the machine, whatever else runs beside it. Wall time moves with load, this far less.
    cpuS: cpuSeconds(),
    phases,
    fixedConfig: fixed ? configKey(fixed) : null,
    requests: outcomes,
  };
  await writeFile(`${args.out}.tmp`, JSON.stringify(detail, null, 2) + '\n');
  await rename(`${args.out}.tmp`, args.out);
}
if (args.fan && fans.length > 0) {
  await writeFile(`${args.fan}.tmp`, JSON.stringify(fans) + '\n');
  await rename(`${args.fan}.tmp`, args.fan);
}
console.log(`time: ${phases.map((p) => `${p.phase} ${p.wallS.toFixed(2)} s (${p.cpuS.toFixed(2)} CPU-s)`).join(', ')}`);
console.log('---');
console.log(`metric:          ${metric.toFixed(6)}`);
console.log(`latency_p99_ms:  ${p99.toFixed(3)}`);
console.log(`budget_ms:       ${BUDGET_MS}`);
console.log(`over_budget:     ${overBudget}`);
console.log(`points:          ${losses.length * HORIZON}`);
console.log(`dropped:         ${dropped}`);
console.log(`split:           ${split}`);
console.log(`mode:            ${mode}`);
console.log(`model_sha256:    ${modelSha}`);
console.log(`elapsed_s:       ${((performance.now() - started) / 1000).toFixed(2)}`);
console.log(`cpu_s:           ${cpuSeconds().toFixed(2)}`);
// onnxruntime keeps native threads alive; the result is out, so leave now.
process.exit(0);

/** Where an evaluation's time goes: start-up (imports), setup (model, data, harness, warm-up), requests. */
interface Phase {
  readonly phase: string;
  readonly wallS: number;
  readonly cpuS: number;
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Records the phase that ends now: its wall and CPU seconds since the previous one ended (or the process started). */
function markPhase(phase: string): void {
  const wallS = performance.now() / 1000;
  const cpuS = cpuSeconds();
  const before = phases.reduce((sum, p) => ({ wallS: sum.wallS + p.wallS, cpuS: sum.cpuS + p.cpuS }), {
    wallS: 0,
    cpuS: 0,
  });
  phases.push({ phase, wallS: wallS - before.wallS, cpuS: cpuS - before.cpuS });
}

/**
 * `i/N`, 1 ≤ i ≤ N: the runner's convention (apps/runner/src/workflow/shards/shard.ts), restated
 * because a frozen template imports nothing from the runner.
 */
function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count)
    throw new Error(`--shard ${JSON.stringify(text)}: expected i/N with 1 ≤ i ≤ N, e.g. 2/4`);
  return { index, count };
}

function readParams(file: unknown): { mode: Mode; params: Params } {
  const { mode, params } = (file ?? {}) as { mode?: unknown; params?: Record<string, unknown> };
  if (mode !== 'search' && mode !== 'best-fixed' && mode !== 'oracle')
    throw new Error(`params.json: mode must be search, best-fixed or oracle, got ${JSON.stringify(mode)}`);
  const p = params ?? {};
  const int = (name: string, min: number, max: number): number => {
    const v = p[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      throw new Error(`params.json: ${name} must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
    return v;
  };
  const text = (name: string): string => {
    const v = p[name];
    if (typeof v !== 'string') throw new Error(`params.json: ${name} must be a string, got ${JSON.stringify(v)}`);
    return v;
  };
  const selectionRule = text('selectionRule');
  if (!(SELECTION_RULES as readonly string[]).includes(selectionRule))
    throw new Error(`params.json: selectionRule must be one of ${SELECTION_RULES.join(', ')}`);
  if (typeof p['flip'] !== 'boolean') throw new Error('params.json: flip must be a boolean');
  // Absent in params written before these knobs existed: the tail windows alone, no racing.
  const validationPlacement = p['validationPlacement'] === undefined ? 'tail' : text('validationPlacement');
  if (!(VALIDATION_PLACEMENTS as readonly string[]).includes(validationPlacement))
    throw new Error(`params.json: validationPlacement must be one of ${VALIDATION_PLACEMENTS.join(', ')}`);
  const racing = p['racing'] === undefined ? 'off' : text('racing');
  try {
    parseRacing(racing);
  } catch (error) {
    throw new Error(`params.json: ${(error as Error).message}`);
  }
  const checked: Params = {
    k: int('k', 1, 64),
    validationWindows: int('validationWindows', 1, 3),
    validationPlacement: validationPlacement as Params['validationPlacement'],
    racing,
    contextLengths: text('contextLengths'),
    resolutions: text('resolutions'),
    normalisations: text('normalisations'),
    flip: p['flip'],
    selectionRule: selectionRule as Params['selectionRule'],
    // Absent in params written before the knob existed: the winner alone.
    combineTop: p['combineTop'] === undefined ? 1 : int('combineTop', 1, 8),
  };
  parseSubset(checked.contextLengths, CONTEXT_LENGTHS, 'contextLengths');
  parseSubset(checked.resolutions, RESOLUTIONS, 'resolutions');
  parseSubset(checked.normalisations, NORMALISATIONS, 'normalisations');
  return { mode, params: checked };
}

/** The tenant's history up to `origin`: what a request at that origin may see. */
function history(tenant: TenantData, origin: number): { id: string; metrics: Record<string, Float32Array> } {
  return { id: tenant.id, metrics: Object.fromEntries(METRICS.map((m) => [m, tenant.series[m].subarray(0, origin)])) };
}

function lossesOf(
  tenant: TenantData,
  origin: number,
  forecasts: Readonly<Record<string, ArrayLike<number>>>,
): number[] {
  return METRICS.map((m) => alphaLoss(tenant.series[m], origin, forecasts[m], tenant.alpha));
}

function requestOf(
  tenant: TenantData,
  origin: number,
  seed: number,
  searchParams: Params | undefined,
): Parameters<Harness['forecast']>[0] {
  const options = searchParams
    ? experiment.searchOptions(searchParams)
    : {
        k: 1,
        validationWindows: 1,
        validationPlacement: 'tail' as const,
        racing: null,
        selection: 'per-tenant' as const,
        configsPerModelRow: 1,
        combine: { top: 1, method: 'median' as const },
      };
  return {
    history: history(tenant, origin),
    horizon: HORIZON,
    alpha: tenant.alpha,
    k: options.k,
    budgetMs: BUDGET_MS,
    seed,
    metrics: [...METRICS],
    options: {
      validationWindows: options.validationWindows,
      // Always the experiment's (the knob's default, tail), never the harness's own default
      // (tail + same time 1 and 7 days back): a change of the harness's defaults must not move
      // this frozen metric or its cost.
      validationPlacement: options.validationPlacement,
      ...(options.racing === null ? {} : { racing: options.racing }),
      selection: options.selection,
      configsPerModelRow: options.configsPerModelRow,
      combine: options.combine,
      // Search: the grid-stable sampler (common random numbers across grids: a config both
      // experiments' grids hold gets the same random key), so two experiments that change the grid
      // compare the grids, not two unrelated draws of K configs; the keep rule's paired interval
      // is that much narrower. best-fixed is one config: no statistical member may compete with
      // it, nothing shifts it.
      ...(searchParams ? { sampler: 'grid-stable' as const } : { members: [], calibration: 'none' as const }),
    },
  };
}

async function harnessRequest(
  h: Harness,
  tenant: TenantData,
  origin: number,
  seed: number,
  searchParams: Params | undefined,
): Promise<RequestOutcome> {
  const result: HarnessResult = await h.forecast(requestOf(tenant, origin, seed, searchParams));
  if (fans.length < FAN_TENANTS && origin === origins[0]) fans.push(fanOf(tenant, origin, result));
  return {
    tenantId: tenant.id,
    origin,
    losses: lossesOf(tenant, origin, result.forecast),
    latencyMs: result.timings.total,
    overBudget: result.budget.overBudget,
    winners: METRICS.map((m) => result.winner[m]?.key ?? result.defaultKey),
    kUsed: result.kUsed,
    modelRows: result.modelRows,
    validationWindows: result.validationWindows,
  };
}

/** One fan series (apps/runner/src/report/html/fan-data.ts, FanSeriesSchema): history, quantiles, actual. */
function fanOf(tenant: TenantData, origin: number, result: HarnessResult): unknown {
  const values = tenant.series[FAN_METRIC];
  const forecast = result.quantiles[FAN_METRIC];
  const quantiles: Record<string, number[]> = {};
  forecast.levels.forEach((level, k) => {
    quantiles[String(level)] = Array.from(
      { length: forecast.horizon },
      (_, t) => forecast.quantiles[t * forecast.levels.length + k],
    );
  });
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    tenant: tenant.id,
    metric: FAN_METRIC,
    history: Array.from(values.subarray(Math.max(0, origin - FAN_HISTORY), origin), finite),
    quantiles,
    actual: Array.from(values.subarray(origin, origin + HORIZON), finite),
    alpha: tenant.alpha,
    stepMinutes: 1,
  };
}

async function warmUp(tenant: TenantData): Promise<void> {
  const origin = tenant.series.cpu.length - HORIZON;
  if (harness) await harness.forecast(requestOf(tenant, origin, 0, mode === 'search' ? params : undefined));
  else await lossTable(client, tenant, origin, servable.slice(0, 1));
}

/** Loss per (config, metric) of forecasting the horizon after `origin`, one model call. */
async function lossTable(
  client: TsfmClient,
  tenant: TenantData,
  origin: number,
  configs: readonly ForecastConfig[],
): Promise<number[][]> {
  const rows = configs.flatMap((config) =>
    METRICS.map((m) => ({ values: tenant.series[m], end: origin, horizon: HORIZON, config })),
  );
  const forecasts = await client.forecastBatch(rows);
  return configs.map((_, c) =>
    METRICS.map((m, j) =>
      alphaLoss(tenant.series[m], origin, forecasts[c * METRICS.length + j].quantileAt(tenant.alpha), tenant.alpha),
    ),
  );
}

/** The config with the lowest loss summed over the tuning tenants' last horizon (the default wins ties). */
async function bestFixedConfig(tenants: readonly TenantData[]): Promise<ForecastConfig> {
  const sums = new Float64Array(servable.length);
  for (const tenant of tenants) {
    const table = await lossTable(client, tenant, tenant.series.cpu.length - HORIZON, servable);
    table.forEach((row, c) => (sums[c] += row.reduce((a, b) => a + b, 0)));
  }
  let best = servable.findIndex((config) => configKey(config) === configKey(DEFAULT_CONFIG));
  if (best < 0) best = 0;
  sums.forEach((sum, c) => {
    if (sum < sums[best]) best = c;
  });
  return servable[best];
}

/** Hindsight: per metric, the config that was best on the real horizon. Not a request; no budget. */
async function oracleRequest(tenant: TenantData, origin: number): Promise<RequestOutcome> {
  const t0 = performance.now();
  const table = await lossTable(client, tenant, origin, servable);
  const winners = METRICS.map((_, m) => table.reduce((best, row, c) => (row[m] < table[best][m] ? c : best), 0));
  return {
    tenantId: tenant.id,
    origin,
    losses: winners.map((c, m) => table[c][m]),
    latencyMs: performance.now() - t0,
    overBudget: false,
    winners: winners.map((c) => configKey(servable[c])),
    kUsed: null,
    modelRows: null,
    validationWindows: null,
  };
}
