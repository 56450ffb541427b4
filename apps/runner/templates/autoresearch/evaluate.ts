/**
 * FROZEN EVALUATOR — the runner records this file's sha256 at anchor time and refuses to launch an
 * experiment whose copy differs. It reads params.json, evaluates the frozen ONNX forecaster
 * (@tsfm/tsfm-client) on the evaluation tenants and prints one block that a grep can read (the
 * same numbers, with detail, go to --out):
 *
 *   ---
 *   metric:          0.812345   mean scale-free α-pinball over evaluation tenants × metrics (lower is better)
 *   latency_p99_ms:  41.2       p99 over requests of the per-request time (the harness's own clock)
 *   points:          3840       forecast points scored
 *   dropped:         0          requests that failed (any > 0 makes the run a crash)
 *   over_budget:     0          requests that took longer than the 200 ms budget
 *   model_sha256:    …          the ONNX file that produced these numbers
 *
 * Modes (params.json `mode`):
 *   search      per-request autoresearch: @tsfm/harness over experiment.ts's grid and options
 *               (the `harness-default` seed is this mode at the default params);
 *   best-fixed  one config for every tenant: the config with the lowest mean loss on the TUNING
 *               tenants' last horizon, out of every config the model serves;
 *   oracle      per request and metric, the config that was best on the real horizon — hindsight,
 *               so the floor no per-request search can go below.
 *
 *   node --import tsx evaluate.ts --params params.json --data <data dir> [--out metrics.json] [--shard i/N]
 *
 * `--shard i/N` (1-based) evaluates only the evaluation tenants at positions p with p mod N = i − 1
 * (strided, so every shard gets a like mix), so that N jobs can share one evaluation; --out then
 * also holds the sums the runner merges exactly (lossSum, lossCount, latenciesMs: the mean of all
 * losses and the p99 of all latencies, never a mean of shard means). See docs/cluster.md.
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
import { CONTEXT_LENGTHS, NORMALISATIONS, RESOLUTIONS, SELECTION_RULES, parseSubset, type Params } from './contract.js';
import { experiment } from './experiment.js';
import {
  BUDGET_MS,
  EVALUATION_SEED,
  HORIZON,
  METRICS,
  TUNING_TENANTS,
  alphaLoss,
  assertModelExists,
  loadFleet,
  type TenantData,
} from './prepare.js';

type Mode = 'search' | 'best-fixed' | 'oracle';

interface RequestOutcome {
  readonly tenantId: string;
  readonly losses: readonly number[];
  readonly latencyMs: number;
  readonly overBudget: boolean;
  readonly winners: readonly string[];
  readonly kUsed: number | null;
}

const { values: args } = parseArgs({
  options: { params: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' }, shard: { type: 'string' } },
});
if (!args.params || !args.data) {
  console.error('usage: evaluate.ts --params params.json --data <data dir> [--out metrics.json] [--shard i/N]');
  process.exit(2);
}
const started = performance.now();
const { mode, params } = readParams(JSON.parse(await readFile(args.params, 'utf8')));
const manifestPath = assertModelExists();
const client = await loadModel(manifestPath);
const fleet = await loadFleet(args.data);
const tuning = fleet.slice(0, TUNING_TENANTS);
const shard = args.shard === undefined ? undefined : parseShard(args.shard);
// The tuning tenants stay whole in every shard: best-fixed picks its config on all of them, so
// each shard picks the same one.
const evaluation = fleet
  .slice(TUNING_TENANTS)
  .filter((_, position) => shard === undefined || position % shard.count === shard.index - 1);
const servable = configGrid({ maxContextLength: client.contract.contextLength }).filter((config) =>
  client.supportsConfig(config),
);
console.log(
  `${shard ? `shard ${shard.index}/${shard.count}: ` : ''}mode ${mode}: model ${manifestPath} (${client.manifest.sha256}), ${servable.length} servable configs, ${evaluation.length} evaluation tenants, horizon ${HORIZON} min`,
);

const outcomes: RequestOutcome[] = [];
let dropped = 0;
let fixed: ForecastConfig | undefined;
let harness: Harness | undefined;
if (mode === 'search') {
  const grid = experiment.grid(params, servable);
  // 'measure': K is never lowered by machine load (the metric must not move with it); the budget
  // is measured and its overruns counted (over_budget).
  harness = await Harness.create(client, { grid: grid as ForecastConfig[], budgetMode: 'measure' });
  console.log(
    `harness over ${harness.space.configs.length} configs (experiment grid ${grid.length} + the fleet default); options ${JSON.stringify(experiment.searchOptions(params))}`,
  );
} else if (mode === 'best-fixed') {
  fixed = await bestFixedConfig(tuning);
  // K = 1 over a grid of one: the harness forecasts with the fixed config, timed like any request.
  harness = await Harness.create(client, { grid: [fixed], defaultConfig: fixed, budgetMode: 'measure' });
  console.log(`best fixed config on ${tuning.length} tuning tenants: ${configKey(fixed)}`);
}

for (const tenant of evaluation) {
  try {
    const outcome =
      mode === 'oracle'
        ? await oracleRequest(tenant)
        : await harnessRequest(harness!, tenant, mode === 'search' ? params : undefined);
    outcomes.push(outcome);
    const mean = outcome.losses.reduce((a, b) => a + b, 0) / outcome.losses.length;
    console.log(
      `request ${outcomes.length + dropped}/${evaluation.length} ${tenant.id}: loss ${mean.toFixed(4)} in ${outcome.latencyMs.toFixed(1)} ms${outcome.kUsed === null ? '' : ` (k used ${outcome.kUsed})`}`,
    );
  } catch (error) {
    dropped++;
    const code = error instanceof HarnessError ? ` [${error.code}]` : '';
    console.log(
      `request ${outcomes.length + dropped}/${evaluation.length} ${tenant.id}: DROPPED${code} (${(error as Error).message})`,
    );
  }
}

const losses = outcomes.flatMap((outcome) => outcome.losses);
const metric = losses.length === 0 ? NaN : losses.reduce((a, b) => a + b, 0) / losses.length;
const latencies = outcomes.map((outcome) => outcome.latencyMs).sort((a, b) => a - b);
const p99 =
  latencies.length === 0 ? NaN : latencies[Math.min(latencies.length - 1, Math.ceil(0.99 * latencies.length) - 1)]!;
const overBudget = outcomes.filter((outcome) => outcome.overBudget).length;
const modelSha = client.manifest.sha256;

if (args.out) {
  const detail = {
    mode,
    params,
    shard: shard ? `${shard.index}/${shard.count}` : null,
    lossSum: losses.reduce((a, b) => a + b, 0),
    lossCount: losses.length,
    latenciesMs: latencies,
    model: manifestPath,
    modelSha256: modelSha,
    metric,
    latencyMsP99: p99,
    points: losses.length * HORIZON,
    dropped,
    overBudget,
    elapsedS: (performance.now() - started) / 1000,
    fixedConfig: fixed ? configKey(fixed) : null,
    requests: outcomes,
  };
  await writeFile(`${args.out}.tmp`, JSON.stringify(detail, null, 2) + '\n');
  await rename(`${args.out}.tmp`, args.out);
}
console.log('---');
console.log(`metric:          ${metric.toFixed(6)}`);
console.log(`latency_p99_ms:  ${p99.toFixed(3)}`);
console.log(`points:          ${losses.length * HORIZON}`);
console.log(`dropped:         ${dropped}`);
console.log(`over_budget:     ${overBudget}`);
console.log(`mode:            ${mode}`);
console.log(`model_sha256:    ${modelSha}`);
console.log(`elapsed_s:       ${((performance.now() - started) / 1000).toFixed(2)}`);
// onnxruntime keeps native threads alive; the result is out, so leave now.
process.exit(0);

/** `i/N`, 1 ≤ i ≤ N: the runner's convention (apps/runner/src/workflow/shards/shard.ts), restated because a frozen template imports nothing from the runner. */
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
  const checked: Params = {
    k: int('k', 1, 64),
    validationWindows: int('validationWindows', 1, 3),
    contextLengths: text('contextLengths'),
    resolutions: text('resolutions'),
    normalisations: text('normalisations'),
    flip: p['flip'],
    selectionRule: selectionRule as Params['selectionRule'],
  };
  parseSubset(checked.contextLengths, CONTEXT_LENGTHS, 'contextLengths');
  parseSubset(checked.resolutions, RESOLUTIONS, 'resolutions');
  parseSubset(checked.normalisations, NORMALISATIONS, 'normalisations');
  return { mode, params: checked };
}

/** The tenant's history up to the forecast origin: the last HORIZON minutes are held out. */
function history(tenant: TenantData): { id: string; metrics: Record<string, Float32Array> } {
  const origin = tenant.series.cpu.length - HORIZON;
  return { id: tenant.id, metrics: Object.fromEntries(METRICS.map((m) => [m, tenant.series[m].subarray(0, origin)])) };
}

function lossesOf(tenant: TenantData, forecasts: Readonly<Record<string, ArrayLike<number>>>): number[] {
  const origin = tenant.series.cpu.length - HORIZON;
  return METRICS.map((m) => alphaLoss(tenant.series[m], origin, forecasts[m]!, tenant.alpha));
}

async function harnessRequest(
  h: Harness,
  tenant: TenantData,
  searchParams: Params | undefined,
): Promise<RequestOutcome> {
  const options = searchParams
    ? experiment.searchOptions(searchParams)
    : { k: 1, validationWindows: 1, selection: 'per-tenant' as const, configsPerModelRow: 1 };
  const result: HarnessResult = await h.forecast({
    history: history(tenant),
    horizon: HORIZON,
    alpha: tenant.alpha,
    k: options.k,
    budgetMs: BUDGET_MS,
    seed: EVALUATION_SEED * 1000 + tenant.index,
    metrics: [...METRICS],
    options: {
      validationWindows: options.validationWindows,
      selection: options.selection,
      configsPerModelRow: options.configsPerModelRow,
    },
  });
  return {
    tenantId: tenant.id,
    losses: lossesOf(tenant, result.forecast),
    latencyMs: result.timings.total,
    overBudget: result.budget.overBudget,
    winners: METRICS.map((m) => result.winner[m]?.key ?? result.defaultKey),
    kUsed: result.kUsed,
  };
}

/** Loss per (config, metric) of forecasting each tenant's real horizon, one model call per tenant. */
async function lossTable(
  client: TsfmClient,
  tenant: TenantData,
  configs: readonly ForecastConfig[],
): Promise<number[][]> {
  const origin = tenant.series.cpu.length - HORIZON;
  const rows = configs.flatMap((config) =>
    METRICS.map((m) => ({ values: tenant.series[m], end: origin, horizon: HORIZON, config })),
  );
  const forecasts = await client.forecastBatch(rows);
  return configs.map((_, c) =>
    METRICS.map((m, j) =>
      alphaLoss(tenant.series[m], origin, forecasts[c * METRICS.length + j]!.quantileAt(tenant.alpha), tenant.alpha),
    ),
  );
}

async function bestFixedConfig(tenants: readonly TenantData[]): Promise<ForecastConfig> {
  const sums = new Float64Array(servable.length);
  for (const tenant of tenants) {
    const table = await lossTable(client, tenant, servable);
    table.forEach((row, c) => (sums[c] += row.reduce((a, b) => a + b, 0)));
  }
  let best = servable.findIndex((config) => configKey(config) === configKey(DEFAULT_CONFIG));
  if (best < 0) best = 0;
  sums.forEach((sum, c) => {
    if (sum < sums[best]!) best = c;
  });
  return servable[best]!;
}

async function oracleRequest(tenant: TenantData): Promise<RequestOutcome> {
  const t0 = performance.now();
  const table = await lossTable(client, tenant, servable);
  const winners = METRICS.map((_, m) => table.reduce((best, row, c) => (row[m]! < table[best]![m]! ? c : best), 0));
  return {
    tenantId: tenant.id,
    losses: winners.map((c, m) => table[c]![m]!),
    latencyMs: performance.now() - t0,
    overBudget: false,
    winners: winners.map((c) => configKey(servable[c]!)),
    kUsed: null,
  };
}
