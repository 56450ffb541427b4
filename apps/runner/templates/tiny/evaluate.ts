/**
 * FROZEN EVALUATOR — the runner records this file's sha256 at anchor time and refuses to launch an
 * experiment whose copy differs. It reads params.json, runs the evaluation and prints one block
 * that a grep can read (and writes the same numbers, with detail, to --out):
 *
 *   ---
 *   metric:          0.812345        mean scale-free α-pinball over the split's tenants × metrics (lower is better)
 *   latency_p99_ms:  1.234           p99 of the per-request time (sampling, validation, selection, final forecast)
 *   points:          1920            forecast points scored
 *   dropped:         0               requests that failed (any > 0 makes the run a crash)
 *   split:           search          which tenants were scored (prepare.ts SPLITS)
 *
 * Modes (params.json `mode`):
 *   search      the per-request search that experiment.ts defines (every planned experiment);
 *   best-fixed  one config for every tenant, grid-searched on the TUNING tenants only;
 *   oracle      per request and metric, the config that was best on the real horizon — hindsight,
 *               so the floor no per-request search can go below.
 *
 *   node --import tsx evaluate.ts --params params.json --data <data dir> [--out metrics.json]
 *        [--split search|confirmation] [--shard i/N]
 *
 * `--split` picks the tenants (default `search`; the runner asks for `confirmation` only after the
 * search); --out also holds, per tenant, the sums its mean loss is made of (`units`), which the
 * runner's keep rule bootstraps over.
 * `--shard i/N` (1-based) evaluates only the split's tenants at positions p with p mod N = i − 1
 * (strided, so every shard gets a like mix), so that N jobs can share one evaluation; --out then
 * also holds the sums the runner merges exactly (lossSum, lossCount, latenciesMs: the mean of all
 * losses and the p99 of all latencies, never a mean of shard means). See docs/cluster.md.
 *
 * Written out in each template on purpose: a template is copied whole into a workdir and frozen
 * there, so what the two evaluators share (--shard, params.json's checks, the result block) is not
 * shared code.
 */
import { rename, readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { experiment } from './experiment.js';
import {
  CONTEXT_LENGTHS,
  METRICS,
  NORMALISATIONS,
  RESOLUTIONS,
  SELECTION_RULES,
  Rng,
  allConfigs,
  configKey,
  isConfig,
  parseSubset,
  type ForecastConfig,
  type Params,
  type RequestView,
} from './contract.js';
import {
  HORIZON,
  SPLITS,
  TUNING_TENANTS,
  alphaLoss,
  forecastQuantile,
  loadFleet,
  requestSeed,
  splitTenants,
  type SplitName,
  type TenantData,
} from './prepare.js';

type Mode = 'search' | 'best-fixed' | 'oracle';

interface RequestOutcome {
  readonly tenantId: string;
  /** Scale-free α-loss per metric on the real horizon. */
  readonly losses: readonly number[];
  readonly latencyMs: number;
  readonly winners: readonly string[];
}

const { values: args } = parseArgs({
  options: {
    params: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string' },
    shard: { type: 'string' },
    split: { type: 'string' },
  },
});
if (!args.params || !args.data) {
  console.error(
    'usage: evaluate.ts --params params.json --data <data dir> [--out metrics.json] [--split search|confirmation] [--shard i/N]',
  );
  process.exit(2);
}
const split = (args.split ?? 'search') as SplitName;
if (!(split in SPLITS)) {
  console.error(`--split ${JSON.stringify(args.split)}: expected one of ${Object.keys(SPLITS).join(', ')}`);
  process.exit(2);
}
const started = performance.now();
const { mode, params } = readParams(JSON.parse(await readFile(args.params, 'utf8')));
const fleet = await loadFleet(args.data);
const tuning = fleet.slice(0, TUNING_TENANTS);
const shard = args.shard === undefined ? undefined : parseShard(args.shard);
// The tuning tenants stay whole in every shard: best-fixed picks its config on all of them, so
// each shard picks the same one.
const evaluation = splitTenants(fleet, split).filter(
  (_, position) => shard === undefined || position % shard.count === shard.index - 1,
);
console.log(
  `${shard ? `shard ${shard.index}/${shard.count}: ` : ''}mode ${mode}, split ${split}: ${evaluation.length} evaluation tenants, horizon ${HORIZON} min, metrics ${METRICS.join(', ')}`,
);

const outcomes: RequestOutcome[] = [];
let dropped = 0;
const fixed = mode === 'best-fixed' ? bestFixedConfig(tuning) : undefined;
if (fixed) console.log(`best fixed config on ${tuning.length} tuning tenants: ${configKey(fixed)}`);
for (const tenant of evaluation) {
  try {
    const outcome =
      mode === 'search'
        ? searchRequest(tenant, params)
        : fixed === undefined // set in best-fixed mode only
          ? oracleRequest(tenant)
          : fixedRequest(tenant, fixed);
    outcomes.push(outcome);
    const mean = outcome.losses.reduce((a, b) => a + b, 0) / outcome.losses.length;
    console.log(
      `request ${outcomes.length + dropped}/${evaluation.length} ${tenant.id}: loss ${mean.toFixed(4)} in ${outcome.latencyMs.toFixed(2)} ms`,
    );
  } catch (error) {
    dropped++;
    console.log(
      `request ${outcomes.length + dropped}/${evaluation.length} ${tenant.id}: DROPPED (${(error as Error).message})`,
    );
  }
}

const losses = outcomes.flatMap((outcome) => outcome.losses);
const metric = losses.length === 0 ? NaN : losses.reduce((a, b) => a + b, 0) / losses.length;
const latencies = outcomes.map((outcome) => outcome.latencyMs).sort((a, b) => a - b);
const p99 =
  latencies.length === 0 ? NaN : latencies[Math.min(latencies.length - 1, Math.ceil(0.99 * latencies.length) - 1)];
const points = losses.length * HORIZON;

if (args.out) {
  const detail = {
    mode,
    params,
    shard: shard ? `${shard.index}/${shard.count}` : null,
    lossSum: losses.reduce((a, b) => a + b, 0),
    lossCount: losses.length,
    latenciesMs: latencies,
    // Per tenant, the sums its mean loss is made of: the runner bootstraps over these.
    units: outcomes.map((outcome) => ({
      id: outcome.tenantId,
      lossSum: outcome.losses.reduce((a, b) => a + b, 0),
      lossCount: outcome.losses.length,
    })),
    split,
    metric,
    latencyMsP99: p99,
    points,
    dropped,
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
console.log(`points:          ${points}`);
console.log(`dropped:         ${dropped}`);
console.log(`split:           ${split}`);
console.log(`mode:            ${mode}`);
console.log(`elapsed_s:       ${((performance.now() - started) / 1000).toFixed(2)}`);
// Exit explicitly: a timer left behind by an experiment must not keep a finished run alive.
process.exit(0);

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
  const checked: Params = {
    k: int('k', 1, 64),
    validationWindows: int('validationWindows', 1, 3),
    contextLengths: text('contextLengths'),
    resolutions: text('resolutions'),
    normalisations: text('normalisations'),
    flip: p['flip'],
    selectionRule: selectionRule as Params['selectionRule'],
  };
  // Fails here, before any request, when a subset names a value the model does not have.
  parseSubset(checked.contextLengths, CONTEXT_LENGTHS, 'contextLengths');
  parseSubset(checked.resolutions, RESOLUTIONS, 'resolutions');
  parseSubset(checked.normalisations, NORMALISATIONS, 'normalisations');
  return { mode, params: checked };
}

function viewOf(tenant: TenantData): RequestView {
  const length = tenant.series[0].length;
  return {
    tenantId: tenant.id,
    index: tenant.index,
    historyLength: length - HORIZON,
    horizon: HORIZON,
    alpha: tenant.alpha,
  };
}

/** Loss per metric of forecasting the real horizon with `configs[m]` for metric m. */
function finalLosses(tenant: TenantData, configs: readonly ForecastConfig[]): number[] {
  const origin = viewOf(tenant).historyLength;
  return tenant.series.map((values, m) =>
    alphaLoss(values, origin, forecastQuantile(values, origin, configs[m], HORIZON, tenant.alpha), tenant.alpha),
  );
}

function searchRequest(tenant: TenantData, params: Params): RequestOutcome {
  const request = viewOf(tenant);
  const t0 = performance.now();
  const candidates = experiment.candidates(params, request, new Rng(requestSeed(tenant.index)));
  if (candidates.length < 1 || candidates.length > params.k)
    throw new Error(`experiment returned ${candidates.length} candidates; k = ${params.k}`);
  const bad = candidates.find((config) => !isConfig(config));
  if (bad !== undefined) throw new Error(`experiment returned an invalid config ${JSON.stringify(bad)}`);
  const origins = experiment.validationOrigins(params, request);
  for (const origin of origins) {
    // Scoring at `origin` reads values up to origin + horizon: beyond the history is the future.
    if (!Number.isInteger(origin) || origin < 1 || origin + HORIZON > request.historyLength)
      throw new Error(`validation origin ${origin} is outside the history`);
  }
  const losses = candidates.map((config) =>
    tenant.series.map((values) => {
      if (origins.length === 0) return NaN;
      let sum = 0;
      for (const origin of origins)
        sum += alphaLoss(values, origin, forecastQuantile(values, origin, config, HORIZON, tenant.alpha), tenant.alpha);
      return sum / origins.length;
    }),
  );
  const winners = experiment.select(params, losses, request);
  if (
    winners.length !== METRICS.length ||
    winners.some((w) => !Number.isInteger(w) || w < 0 || w >= candidates.length)
  ) {
    throw new Error(`experiment selected ${JSON.stringify(winners)}; expected one candidate index per metric`);
  }
  const chosen = winners.map((w) => candidates[w]);
  // The final forecast is part of the request's time; scoring it is the evaluator's, not the request's.
  const origin = request.historyLength;
  const forecasts = tenant.series.map((values, m) =>
    forecastQuantile(values, origin, chosen[m], HORIZON, tenant.alpha),
  );
  const latencyMs = performance.now() - t0;
  const lossesOnHorizon = tenant.series.map((values, m) => alphaLoss(values, origin, forecasts[m], tenant.alpha));
  return { tenantId: tenant.id, losses: lossesOnHorizon, latencyMs, winners: chosen.map(configKey) };
}

function bestFixedConfig(tenants: readonly TenantData[]): ForecastConfig {
  let best: { config: ForecastConfig; loss: number } | undefined;
  for (const config of allConfigs()) {
    const losses = tenants.flatMap((tenant) =>
      finalLosses(
        tenant,
        METRICS.map(() => config),
      ),
    );
    const loss = losses.reduce((a, b) => a + b, 0) / losses.length;
    if (best === undefined || loss < best.loss) best = { config, loss };
  }
  if (best === undefined) throw new Error('bestFixedConfig: the config grid is empty');
  return best.config;
}

function fixedRequest(tenant: TenantData, config: ForecastConfig): RequestOutcome {
  const t0 = performance.now();
  const origin = viewOf(tenant).historyLength;
  const forecasts = tenant.series.map((values) => forecastQuantile(values, origin, config, HORIZON, tenant.alpha));
  const latencyMs = performance.now() - t0;
  const losses = tenant.series.map((values, m) => alphaLoss(values, origin, forecasts[m], tenant.alpha));
  return { tenantId: tenant.id, losses, latencyMs, winners: METRICS.map(() => configKey(config)) };
}

function oracleRequest(tenant: TenantData): RequestOutcome {
  const t0 = performance.now();
  const configs = allConfigs();
  const perConfig = configs.map((config) =>
    finalLosses(
      tenant,
      METRICS.map(() => config),
    ),
  );
  const winners = METRICS.map((_, m) =>
    perConfig.reduce((best, row, i) => (row[m] < perConfig[best][m] ? i : best), 0),
  );
  const latencyMs = performance.now() - t0;
  return {
    tenantId: tenant.id,
    losses: winners.map((w, m) => perConfig[w][m]),
    latencyMs,
    winners: winners.map((w) => configKey(configs[w])),
  };
}
