/**
 * One tenant through every method at every scheduled origin, scored by the one rule
 * (point-score.ts). Nothing is dropped silently: a point a method was scheduled on ends as a
 * finite loss, a recorded failure (with the method's reason), or — for every method alike — an
 * unscorable origin (no observed actual in the horizon on any metric), which is counted.
 */
import { evaluationScale, emptyTally, scorePoint, tallyProvisioning, type ProvisioningTally } from './point-score.js';
import { isFailure, type Method, type PointRequest } from './methods.js';
import { stableHash } from './split.js';
import type { EvalTenant } from './tenant-data.js';

export interface MethodSchedule {
  readonly name: string;
  /** Origin indexes this method runs on; null = all origins. */
  readonly subset: Int32Array | null;
}

export interface TenantTask {
  readonly tenant: EvalTenant;
  readonly origins: Int32Array;
  readonly horizon: number;
  readonly stepsPerDay: number;
  readonly methods: readonly MethodSchedule[];
  /** Seed of the harness requests (combined with tenant id and origin). */
  readonly seed: number;
}

export interface HarnessPoints {
  readonly latencyMs: Float64Array;
  readonly harnessMs: Float64Array;
  readonly kUsed: Int32Array;
  readonly modelRows: Int32Array;
  kLowered: number;
  overBudget: number;
  /** Statistical members asked for that could not run (too little history), summed over points. */
  membersSkipped: number;
  /** Per origin ('' where not run or failed). */
  readonly paths: string[];
  readonly winners: string[];
  readonly priorArchetypes: (string | null)[];
}

export interface MethodPoints {
  readonly name: string;
  /** α the method was scored at. */
  readonly alpha: number;
  /** 1 where the method was scheduled. */
  readonly scheduled: Uint8Array;
  /** Scale-free α-loss per origin; NaN where not scheduled, failed or unscorable. */
  readonly loss: Float64Array;
  /** Mean over metrics of mean(q_α)/mean(q_0.5) per origin; NaN where unavailable. */
  readonly level: Float64Array;
  readonly failures: { origin: number; reason: string }[];
  readonly tally: ProvisioningTally;
  /** Wall ms spent in this method for this tenant. */
  ms: number;
  readonly harness: HarnessPoints | null;
}

export interface TenantOutcome {
  readonly tenantId: string;
  readonly tier: string | null;
  readonly archetype: string | null;
  readonly alpha: number;
  readonly origins: Int32Array;
  /** Origin indexes with no observed actual on any metric (unscorable for every method). */
  readonly unscorable: Int32Array;
  readonly methods: MethodPoints[];
}

export function requestSeed(seed: number, tenantId: string, origin: number): number {
  return stableHash(`${seed}:request:${tenantId}:${origin}`) & 0x7fffffff;
}

export async function evaluateTenant(task: TenantTask, methods: ReadonlyMap<string, Method>): Promise<TenantOutcome> {
  const { tenant, origins, horizon } = task;
  const O = origins.length;
  const series = tenant.metricNames.map((m) => tenant.metrics[m]);
  // One scale per (origin, metric), shared by every method.
  const scales =
    origins.length === 0
      ? []
      : Array.from(origins, (origin) =>
          Float64Array.from(series, (v) => evaluationScale(v, origin, { stepsPerDay: task.stepsPerDay })),
        );
  const unscorable: number[] = [];
  for (let o = 0; o < O; o++) {
    const origin = origins[o];
    const observed = series.some((v) => {
      for (let t = origin; t < origin + horizon && t < v.length; t++) if (v[t] === v[t]) return true;
      return false;
    });
    if (!observed) unscorable.push(o);
  }
  const unscorableSet = new Set(unscorable);

  const results: MethodPoints[] = [];
  for (const schedule of task.methods) {
    const method = methods.get(schedule.name);
    if (method === undefined) throw new Error(`unknown method '${schedule.name}'`);
    const alpha = method.alpha ?? tenant.alpha;
    const scheduled = new Uint8Array(O);
    const indexes = schedule.subset === null ? Array.from({ length: O }, (_, i) => i) : Array.from(schedule.subset);
    for (const i of indexes) scheduled[i] = 1;
    const runOn = indexes.filter((i) => !unscorableSet.has(i));
    const points: PointRequest[] = runOn.map((i) => ({
      origin: origins[i],
      seed: requestSeed(task.seed, tenant.id, origins[i]),
    }));
    const t0 = performance.now();
    const outcomes = points.length === 0 ? [] : await method.forecast(tenant, points, horizon);
    const ms = performance.now() - t0;
    const loss = new Float64Array(O).fill(Number.NaN);
    const level = new Float64Array(O).fill(Number.NaN);
    const failures: { origin: number; reason: string }[] = [];
    const tally = emptyTally();
    const harness = outcomes.some((x) => !isFailure(x) && x.harness !== undefined) ? emptyHarnessPoints(O) : null;
    runOn.forEach((i, j) => {
      const outcome = outcomes[j];
      const origin = origins[i];
      if (isFailure(outcome)) {
        failures.push({ origin, reason: outcome.failure });
        return;
      }
      const score = scorePoint(series, origin, horizon, alpha, outcome.paths, scales[i]);
      if (!Number.isFinite(score.loss)) {
        failures.push({ origin, reason: 'non-finite forecast at an observed minute' });
        return;
      }
      loss[i] = score.loss;
      const before = tally.ratioSum;
      const beforeCount = tally.ratioCount;
      tallyProvisioning(tally, series, origin, horizon, outcome.paths, outcome.medians, scales[i]);
      if (tally.ratioCount > beforeCount) level[i] = (tally.ratioSum - before) / (tally.ratioCount - beforeCount);
      const info = outcome.harness;
      if (harness !== null && info !== undefined) {
        harness.latencyMs[i] = info.latencyMs;
        harness.harnessMs[i] = info.harnessMs;
        harness.kUsed[i] = info.kUsed;
        harness.modelRows[i] = info.modelRows;
        if (info.kLowered) harness.kLowered++;
        if (info.overBudget) harness.overBudget++;
        harness.membersSkipped += info.membersSkipped;
        harness.paths[i] = info.path;
        harness.winners[i] = info.winner;
        harness.priorArchetypes[i] = info.priorArchetype;
      }
    });
    results.push({ name: schedule.name, alpha, scheduled, loss, level, failures, tally, ms, harness });
  }
  return {
    tenantId: tenant.id,
    tier: tenant.tier,
    archetype: tenant.archetype,
    alpha: tenant.alpha,
    origins,
    unscorable: Int32Array.from(unscorable),
    methods: results,
  };
}

function emptyHarnessPoints(O: number): HarnessPoints {
  return {
    latencyMs: new Float64Array(O).fill(Number.NaN),
    harnessMs: new Float64Array(O).fill(Number.NaN),
    kUsed: new Int32Array(O),
    modelRows: new Int32Array(O),
    kLowered: 0,
    overBudget: 0,
    membersSkipped: 0,
    paths: new Array<string>(O).fill(''),
    winners: new Array<string>(O).fill(''),
    priorArchetypes: new Array<string | null>(O).fill(null),
  };
}
