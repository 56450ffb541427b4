/**
 * Provisioning replay simulator (issue §2): replays the synthetic fleet and the NAB series and
 * compares capacity policies — the harness at the tenant's tier α (directly, and through the
 * recommender's dead band), the fleet-default TSFM config, VPA-style, crane-style and a reactive
 * controller — plus α sweeps that draw the harness's and the fixed config's slack/violation
 * frontier. See USAGE in simulate-args.ts; results go to --out (summary.md, results.json, PNGs).
 *
 * The TSFM-backed policies are built here, not in src/simulator, so the simulator itself stays
 * free of model dependencies (@tsfm/harness, @tsfm/tsfm-client are only imported by this CLI).
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { renderPng, type VegaLiteSpec } from '@tsfm/charts';
import { Harness, HarnessError, MemoryOnlineStore } from '@tsfm/harness';
import { loadModel, otherModelVersions, type TsfmClient } from '@tsfm/tsfm-client';
import {
  ForecastMemo,
  cranePolicy,
  forecastPolicy,
  frontierSpec,
  matchedViolationTable,
  reactivePolicy,
  replayPolicies,
  summarise,
  summaryTable,
  vpaPolicy,
  type PolicySpec,
  type PolicySummary,
  type QuantileSource,
  type ReplayOptions,
  type ReplayTenant,
  type TenantReplay,
} from '../simulator/index.js';
import { fleetTenants, nabTenants, type CostSetting } from './replay-datasets.js';
import { SharedBatches } from './shared-batches.js';
import { parseSimulateArgs, USAGE, type SimulateArgs } from './simulate-args.js';

/** Earlier model versions kept loadable beside the default: the harness's model dimension. */
const MODEL_VERSIONS_DIR = resolve(import.meta.dirname, '../../../pretrain/models');

/** The one metric key the harness is asked to forecast (the replayed trace). */
const METRIC = 'demand';

interface ModelInfo {
  readonly manifest: string;
  readonly name: string;
  readonly version: string;
  readonly sha256: string;
  readonly random: boolean;
}

/** Harness requests that returned no forecast, by HarnessError code, with the first message of each. */
interface Fallbacks {
  harness: number;
  byCode: Record<string, { count: number; first: string }>;
}

async function openModel(args: SimulateArgs): Promise<{ client: TsfmClient; info: ModelInfo }> {
  let manifest = resolve(args.model);
  if (args['random-model']) {
    // Development only: the default model's architecture with random weights (the trained model
    // was not available yet). Imported lazily so normal runs never load the model writer.
    const { writeRandomWeightModel } = await import('@tsfm/pretrain');
    manifest = writeRandomWeightModel(mkdtempSync(join(tmpdir(), 'tsfm-random-model-')), {
      purpose: 'simulate --random-model',
    });
  } else if (!existsSync(manifest)) {
    throw new Error(
      `model manifest ${manifest} does not exist; train/export the default model, pass --model, or --random-model for a development run`,
    );
  }
  const client = await loadModel(manifest);
  const m = client.manifest;
  return {
    client,
    info: { manifest, name: m.name, version: m.version, sha256: m.sha256, random: args['random-model'] },
  };
}

/** The harness request's validation placement: the flags when given, else the harness's defaults. */
function placementOptions(args: SimulateArgs) {
  return {
    ...(args['validation-placement'] === undefined ? {} : { validationPlacement: args['validation-placement'] }),
    ...(args['same-time-days'] === undefined ? {} : { sameTimeDays: args['same-time-days'] }),
  };
}

function harnessSourceOf(harness: Harness, args: SimulateArgs, fallbacks: Fallbacks): QuantileSource {
  const note = (e: HarnessError, tenant: string) => {
    fallbacks.harness++;
    const entry = (fallbacks.byCode[e.code] ??= { count: 0, first: `${tenant}: ${e.message}` });
    entry.count++;
  };
  return async ({ tenant, history, horizonSteps, alpha, decision }) => {
    try {
      const r = await harness.forecast({
        // One online-calibration state per tenant AND α: a sweep point must not move the tier's offset.
        history: { id: `${tenant.id}@${alpha}`, metrics: { [METRIC]: history } },
        horizon: horizonSteps,
        alpha,
        k: args.k,
        budgetMs: args['budget-ms'],
        seed: decision,
        options: { stepsPerDay: Math.max(1, Math.round(1440 / tenant.stepMinutes)), ...placementOptions(args) },
      });
      // Capacity is the peak over the horizon: the harness calibrated it as such (conformal on
      // this request's validation windows, plus the tenant's online offset); the recommender adds
      // that calibration to the α-quantile path it takes its peak from.
      const peak = r.peak[METRIC];
      return { ...r.quantiles[METRIC], targetShift: peak.value - peak.raw };
    } catch (e) {
      // A request the harness cannot serve keeps the current capacity, as an operator would:
      // insufficient data, or a model-failure (the winning config's final forecast came out
      // non-finite — seen with log1p on byte-valued NAB series). Counted by code and reported,
      // never silent. Anything that is not a HarnessError is a bug and stops the run.
      if (!(e instanceof HarnessError) || e.code === 'internal') throw e;
      note(e, tenant.id);
      return null;
    }
  };
}

function fixedSourceOf(client: TsfmClient): QuantileSource {
  return async ({ history, horizonSteps }) => {
    const [f] = await client.forecastBatch([{ values: history, horizon: horizonSteps, config: client.defaultConfig }]);
    return f;
  };
}

interface Sources {
  readonly harness: QuantileSource;
  /** The same harness without the per-tenant online offset (the harness-no-online ablation). */
  readonly harnessNoOnline: QuantileSource;
  readonly fixed: QuantileSource;
}

function buildSpecs(
  args: SimulateArgs,
  sources: Sources,
  memo: ForecastMemo,
): { main: PolicySpec[]; sweep: PolicySpec[] } {
  // harness and harness+recommender read the same forecast; a fixed-config forecast does not
  // depend on α, so the fixed-config sweep costs one forecast per decision in all.
  const harnessShared = memo.wrap(sources.harness, { dependsOnAlpha: true });
  const noOnlineShared = memo.wrap(sources.harnessNoOnline, { dependsOnAlpha: true });
  const fixedShared = memo.wrap(sources.fixed, { dependsOnAlpha: false });
  const byName: Record<string, () => PolicySpec> = {
    harness: () => forecastPolicy({ name: 'harness', family: 'harness', alpha: 'tier', source: harnessShared }),
    'harness+recommender': () =>
      forecastPolicy({
        name: 'harness+recommender',
        family: 'harness+recommender',
        alpha: 'tier',
        source: harnessShared,
        mode: 'recommender',
      }),
    'fixed-config': () =>
      forecastPolicy({ name: 'fixed-config', family: 'fixed-config', alpha: 'tier', source: fixedShared }),
    vpa: () => vpaPolicy(),
    crane: () => cranePolicy(),
    reactive: () => reactivePolicy(),
    'harness-no-online': () =>
      forecastPolicy({ name: 'harness-no-online', family: 'harness-no-online', alpha: 'tier', source: noOnlineShared }),
  };
  const main = args.policies.map((p) => byName[p]());
  for (const floor of args['confidence-floors']) {
    main.push(
      forecastPolicy({
        name: `harness+recommender@floor${floor}`,
        family: 'harness+recommender',
        alpha: 'tier',
        source: harnessShared,
        mode: 'recommender',
        confidenceFloor: floor,
      }),
    );
  }
  const sweep: PolicySpec[] = [];
  for (const alpha of args.sweep) {
    if (args.policies.includes('harness'))
      sweep.push(forecastPolicy({ name: `harness@${alpha}`, family: 'harness', alpha, source: harnessShared }));
    if (args.policies.includes('fixed-config'))
      sweep.push(forecastPolicy({ name: `fixed-config@${alpha}`, family: 'fixed-config', alpha, source: fixedShared }));
  }
  return { main, sweep };
}

interface DatasetResult {
  readonly name: string;
  readonly units: string | undefined;
  readonly tenants: number;
  readonly sweepTenants: number;
  readonly all: PolicySummary[];
  readonly subset: PolicySummary[];
  readonly byTier: Record<string, PolicySummary[]>;
  readonly chart: string;
  readonly seconds: number;
  /** CPU seconds of this process (all threads, ORT included) over the dataset. */
  readonly cpuSeconds: number;
  /** False while the run is still going (or was stopped): the tenants so far. */
  readonly complete: boolean;
}

async function runDataset(
  name: string,
  tenants: AsyncIterable<ReplayTenant> | Iterable<ReplayTenant>,
  sweepTenants: number,
  specs: { main: PolicySpec[]; sweep: PolicySpec[] },
  memo: ForecastMemo,
  args: SimulateArgs,
  units: string | undefined,
  chartTitle: string,
  /** Called with the dataset so far after every tenant (complete: false), so a stopped run keeps its tenants. */
  progress: (partial: { result: DatasetResult; replays: TenantReplay[] }) => void,
): Promise<{ result: DatasetResult; replays: TenantReplay[] }> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const replays: TenantReplay[] = [];
  const tiers = new Map<string, string>();
  const inSweep = new Set<string>();
  let n = 0;
  for await (const tenant of tenants) {
    const stepsPer = (minutes: number) => Math.max(1, Math.ceil(minutes / tenant.stepMinutes));
    const options: ReplayOptions = { decisionEverySteps: stepsPer(args.every), horizonSteps: stepsPer(args.horizon) };
    const specsHere = n < sweepTenants ? [...specs.main, ...specs.sweep] : specs.main;
    if (n < sweepTenants) inSweep.add(tenant.id);
    const t0 = performance.now();
    // Lockstep: every policy decides at a decision time before the next, so harness requests at
    // several α share that decision's model call (SharedBatches).
    replays.push(...(await replayPolicies(tenant, specsHere, options)));
    memo.clear();
    tiers.set(tenant.id, tenant.tier ?? 'none');
    n++;
    const elapsed = (performance.now() - started) / 1000;
    process.stderr.write(
      `[${name}] ${n} ${tenant.id} (${tenant.tier}) ${((performance.now() - t0) / 1000).toFixed(1)} s, total ${elapsed.toFixed(0)} s\n`,
    );
    progress(await datasetResult(false));
  }
  return datasetResult(true);

  async function datasetResult(complete: boolean): Promise<{ result: DatasetResult; replays: TenantReplay[] }> {
    const all = summarise(replays, specs.main);
    const subsetSpecs = [...specs.main, ...specs.sweep];
    const subset = summarise(
      replays.filter((r) => inSweep.has(r.tenant)),
      subsetSpecs,
    );
    const byTier: Record<string, PolicySummary[]> = {};
    for (const tier of new Set(tiers.values())) {
      byTier[tier] = summarise(
        replays.filter((r) => tiers.get(r.tenant) === tier),
        specs.main,
      );
    }
    // The chart compares like with like: every point on the same tenants (the sweep subset when the
    // sweep ran on fewer tenants than the table).
    const chartRows = specs.sweep.length > 0 ? subset : all;
    const chartTenants = specs.sweep.length > 0 ? inSweep.size : n;
    const chart = join(args.out, `${name}-frontier.png`);
    await renderPng(
      frontierSpec(chartRows, `${chartTitle} — ${chartTenants} series`) as unknown as VegaLiteSpec,
      chart,
    );
    return {
      result: {
        name,
        units,
        tenants: n,
        sweepTenants: inSweep.size,
        all,
        subset,
        byTier,
        chart,
        seconds: (performance.now() - started) / 1000,
        cpuSeconds: cpuSecondsSince(cpuStarted),
        complete,
      },
      replays,
    };
  }
}

function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores visible, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}; load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ')} at the end`;
}

function renderSummary(
  datasets: DatasetResult[],
  args: SimulateArgs,
  info: ModelInfo,
  fallbacks: Fallbacks,
  command: string,
  run: { loadAtStart: readonly number[]; batches: { run: number; reused: number } },
): string {
  const lines: string[] = [];
  lines.push(`Command: \`${command}\``);
  lines.push('');
  lines.push(
    `Model: ${info.random ? '**RANDOM WEIGHTS (development run; not a result)** — ' : ''}${info.name} ${info.version} (sha256 ${info.sha256.slice(0, 12)}…). ` +
      `Decisions every ${args.every} min for a ${args.horizon}-min horizon; harness K = ${args.k}, budget ${args['budget-ms']} ms (measure mode: K never depends on load), ` +
      `validation placement ${args['validation-placement'] ?? "the harness's default"}` +
      `${args['same-time-days'] === undefined ? '' : ` (same time ${args['same-time-days'].join(', ')} days earlier)`}; ` +
      `costs: ${args['c-under'] === undefined ? `c_over = ${args['c-over']}, c_under from each tenant's tier α (α/(1 − α) × c_over)` : `c_under = ${args['c-under']}, c_over = ${args['c-over']} for every tenant`}. ` +
      `Harness requests with no forecast (the policy kept the current capacity): ${fallbacks.harness}` +
      (fallbacks.harness === 0
        ? '.'
        : ` — ${Object.entries(fallbacks.byCode)
            .map(([code, f]) => `${code} × ${f.count} (first: ${f.first})`)
            .join('; ')}.`),
  );
  lines.push(
    `Machine: ${machine()}; ${run.loadAtStart.map((x) => x.toFixed(1)).join(' / ')} at the start. ` +
      `Model batches run: ${run.batches.run}; answered from the same decision's earlier identical batch (another α, or the harness without its online offset): ${run.batches.reused}.`,
  );
  lines.push('');
  lines.push(
    '`ms / decision` is wall time inside `decide()` on this shared machine. A forecast is computed once per tenant and decision and shared: ' +
      "`harness+recommender` reuses the `harness` forecast, a sweep point at a tenant's own tier α reuses it too, and the fixed config's forecast does not depend on α — " +
      'so those rows show only their own cost (the recommender, a few µs), and the first policy to ask pays for the forecast.',
  );
  for (const d of datasets) {
    lines.push('');
    lines.push(
      `### ${d.name}: ${d.tenants} series, last ${args.days} days (${d.seconds.toFixed(0)} s wall, ${d.cpuSeconds.toFixed(0)} CPU-s)` +
        (d.complete ? '' : ' — INCOMPLETE: the run stopped (or was still going) after these series'),
    );
    lines.push('');
    lines.push(summaryTable(d.all, { absoluteUnits: d.units }));
    if (d.subset.length > d.all.length) {
      lines.push('');
      lines.push(
        `α sweep on the first ${d.sweepTenants} series (every policy on the same series; the frontier chart plots this table): \`${d.chart}\``,
      );
      lines.push('');
      lines.push(summaryTable(d.subset, { absoluteUnits: d.units }));
      const matched = matchedViolationTable(d.subset);
      if (matched !== '') {
        lines.push('');
        lines.push(
          "At matched violation rates (same series): each sweep's slack where it has the reference policy's violation rate, linear between the two bracketing α points:",
        );
        lines.push('');
        lines.push(matched);
      }
    } else {
      lines.push('');
      lines.push(`Frontier chart: \`${d.chart}\``);
    }
    const tiers = Object.keys(d.byTier).filter((t) => t !== 'none');
    if (tiers.length > 1) {
      lines.push('');
      lines.push('Slack / violation rate by tier:');
      lines.push('');
      lines.push(`| policy | ${tiers.map((t) => `${t} slack | ${t} violations`).join(' | ')} |`);
      lines.push(`|---|${tiers.map(() => '---:|---:').join('|')}|`);
      for (const [i, row] of d.all.entries()) {
        const cells = tiers.flatMap((t) => {
          const r = d.byTier[t][i];
          return [`${(100 * r.slack).toFixed(1)} %`, `${(100 * r.violationRate).toFixed(1)} %`];
        });
        lines.push(`| ${row.policy} | ${cells.join(' | ')} |`);
      }
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  let args: SimulateArgs;
  try {
    args = parseSimulateArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const command = `npx tsx packages/provisioning/src/cli/simulate.ts ${process.argv.slice(2).join(' ')}`.trim();
  mkdirSync(args.out, { recursive: true });
  const { client, info } = await openModel(args);
  if (info.random) process.stderr.write('WARNING: random-weight model — a development run, not a result.\n');
  // 'measure': K never depends on load, so the replay is deterministic; the budget is measured.
  // online: each tenant's realised peaks move its offset (quantile tracking), in memory for the run.
  const extraModels = await otherModelVersions(info.manifest, MODEL_VERSIONS_DIR);
  const extraClients = await Promise.all(extraModels.map((m) => loadModel(m.path)));
  // Every harness request of one decision (each α, with and without the online offset) has the
  // same model rows; each model runs them once per decision (shared-batches.ts).
  const shared = [client, ...extraClients].map((c) => new SharedBatches(c));
  const harnessWith = (online: boolean) =>
    Harness.create(shared[0], {
      budgetMode: 'measure',
      models: extraModels.map((m, i) => ({ name: m.name, forecaster: shared[i + 1] })),
      ...(online ? { online: { store: new MemoryOnlineStore() } } : {}),
    });
  const fallbacks: Fallbacks = { harness: 0, byCode: {} };
  const memo = new ForecastMemo();
  const specs = buildSpecs(
    args,
    {
      harness: harnessSourceOf(await harnessWith(true), args, fallbacks),
      harnessNoOnline: args.policies.includes('harness-no-online')
        ? harnessSourceOf(await harnessWith(false), args, fallbacks)
        : () => Promise.reject(new Error('harness-no-online was not asked for')),
      fixed: fixedSourceOf(client),
    },
    memo,
  );
  const loadAtStart = loadavg();
  const modelBatches = () => ({
    run: shared.reduce((a, b) => a + b.calls, 0),
    reused: shared.reduce((a, b) => a + b.reused, 0),
  });
  const costs: CostSetting = { over: args['c-over'], under: args['c-under'] };

  const datasets: DatasetResult[] = [];
  const allReplays: Record<string, TenantReplay[]> = {};
  // Written after every dataset, so a failure in a later one does not lose an earlier one's hours.
  // `partial`: a dataset still running, written beside the finished ones after each of its tenants.
  const writeOutputs = (partial?: { result: DatasetResult; replays: TenantReplay[] }) => {
    const shown = partial === undefined ? datasets : [...datasets, partial.result];
    const replaysShown = partial === undefined ? allReplays : { ...allReplays, [partial.result.name]: partial.replays };
    const summary = renderSummary(shown, args, info, fallbacks, command, { loadAtStart, batches: modelBatches() });
    writeFileSync(join(args.out, 'summary.md'), `${summary}\n`);
    writeFileSync(
      join(args.out, 'results.json'),
      JSON.stringify(
        {
          command,
          args,
          model: info,
          fallbacks,
          loadAtStart,
          modelBatches: modelBatches(),
          datasets: shown,
          replays: replaysShown,
        },
        (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
        1,
      ),
    );
    return summary;
  };
  if (args.fleet !== 'none') {
    const tenants = fleetTenants(args.fleet, {
      tenants: args.tenants,
      ...(args['per-tier'] === undefined ? {} : { perTier: args['per-tier'] }),
      metrics: args.metrics,
      days: args.days,
      costs,
    });
    // The sweep subset counts series, so with several metrics it covers sweep-tenants × metrics.
    const { result, replays } = await runDataset(
      'fleet',
      tenants,
      args['sweep-tenants'] * args.metrics.length,
      specs,
      memo,
      args,
      args.metrics.length === 1 && args.metrics[0] === 'cpu' ? 'cores' : undefined,
      `Synthetic fleet (${args.metrics.join(', ')})`,
      writeOutputs,
    );
    datasets.push(result);
    allReplays.fleet = replays;
    writeOutputs();
  }
  if (args.nab !== 'none') {
    const tenants = await nabTenants(args.nab, { tier: args['nab-tier'], days: args.days, costs });
    const { result, replays } = await runDataset(
      'nab',
      tenants,
      tenants.length,
      specs,
      memo,
      args,
      undefined,
      'NAB realAWSCloudwatch',
      writeOutputs,
    );
    datasets.push(result);
    allReplays.nab = replays;
  }
  await client.release();
  for (const c of extraClients) await c.release();

  const summary = writeOutputs();
  process.stdout.write(
    `${summary}\n\nWrote ${join(args.out, 'summary.md')}, results.json and ${datasets.map((d) => d.chart).join(', ')}\n`,
  );
}

await main();
