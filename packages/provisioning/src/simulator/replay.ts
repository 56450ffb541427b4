/**
 * The replay loop: every `decisionEverySteps` steps a policy decides capacity for the next
 * `horizonSteps` from the demand observed so far; the steps until the next decision are scored
 * against that capacity. The loop reads top to bottom: decide → check → score the interval.
 *
 * Capacity is held for the interval, not re-read per step from the horizon, because the next
 * decision replaces it; the horizon is what the decision must be good for (capacity changes take
 * effect with a lag in practice, so a decision must cover more than the interval). A policy that
 * returns a per-step path is scored step by step over the interval.
 *
 * Every policy starts from the same allocation (by default the peak demand of the day before the
 * replay: what a careful manual setting looks like), so no policy is helped or hurt by its first
 * decision coming from nowhere.
 */
import type { CapacityDecision, PolicySpec, ReplaySettings } from './policy.js';
import { ScoreAccumulator, type Costs, type ReplayScore } from './score.js';

/** One replayed series: a tenant's metric on its grid. */
export interface ReplayTenant {
  /** Unique within a run, e.g. `tenant-0007/cpu` or `nab/ec2_cpu_utilization_24ae8d`. */
  readonly id: string;
  /** The whole trace; steps [replayStart, demand.length) are replayed, the rest is warm-up history. */
  readonly demand: Float32Array;
  readonly replayStart: number;
  readonly stepMinutes: number;
  /** The tenant's tier α: the TSFM policies' level and the cost ratio of its `costs`. */
  readonly alpha: number;
  readonly tier: string | null;
  /** Per unit of demand per step. */
  readonly costs: Costs;
}

export interface ReplayOptions extends ReplaySettings {
  /** Capacity before the first decision; default: peak demand over the day before the replay. */
  readonly initialCapacity?: (tenant: ReplayTenant) => number;
}

export interface TenantReplay {
  readonly tenant: string;
  readonly policy: string;
  readonly score: ReplayScore;
  readonly cost: number;
  /** Wall-clock minutes replayed (decided over), for per-day rates. */
  readonly minutes: number;
}

export class ReplayError extends Error {
  override readonly name = 'ReplayError';
}

export async function replayTenant(
  tenant: ReplayTenant,
  spec: PolicySpec,
  options: ReplayOptions,
): Promise<TenantReplay> {
  const [replay] = await replayPolicies(tenant, [spec], options);
  return replay;
}

/**
 * Every policy on one tenant in lockstep: at each decision time every policy decides, in `specs`
 * order, before the replay moves on. Each policy keeps its own capacity, state and score, so the
 * results equal replaying them one after the other; lockstep lets policies that share a
 * forecaster (the harness at several α) share the work of one decision while only that decision's
 * results are held (see the CLI's shared-batches.ts).
 */
export async function replayPolicies(
  tenant: ReplayTenant,
  specs: readonly PolicySpec[],
  options: ReplayOptions,
): Promise<TenantReplay[]> {
  checkReplay(tenant, options);
  const { demand, replayStart } = tenant;
  const every = options.decisionEverySteps;
  const initial = (options.initialCapacity ?? peakOfPreviousDay)(tenant);
  if (!(initial >= 0 && Number.isFinite(initial))) {
    throw new ReplayError(`${tenant.id}: initial capacity must be a finite number ≥ 0, got ${initial}`);
  }
  const runs = specs.map((spec) => ({
    spec,
    policy: spec.create({ id: tenant.id, alpha: tenant.alpha, stepMinutes: tenant.stepMinutes }, options),
    score: new ScoreAccumulator(),
    capacity: initial,
  }));

  for (let t = replayStart, decision = 0; t < demand.length; t += every, decision++) {
    const history = demand.subarray(0, t);
    const steps = Math.min(every, demand.length - t);
    for (const run of runs) {
      const started = performance.now();
      const decided = await run.policy.decide(history, options.horizonSteps, {
        current: run.capacity,
        alpha: tenant.alpha,
        stepMinutes: tenant.stepMinutes,
        decision,
      });
      const ms = performance.now() - started;
      const next = checkDecision(decided, steps, run.spec.name, tenant.id, t);
      run.score.decided(run.capacity, typeof next === 'number' ? next : next[steps - 1], ms);
      for (let j = 0; j < steps; j++) run.score.step(demand[t + j], typeof next === 'number' ? next : next[j]);
      run.capacity = typeof next === 'number' ? next : next[steps - 1];
    }
  }
  return runs.map(({ spec, score }) => {
    const result = score.result();
    return {
      tenant: tenant.id,
      policy: spec.name,
      score: result,
      cost: tenant.costs.under * result.shortfallSum + tenant.costs.over * result.excessSum,
      minutes: (demand.length - replayStart) * tenant.stepMinutes,
    };
  });
}

/** Peak observed demand over the day before the replay (0 if none was observed). */
export function peakOfPreviousDay(tenant: ReplayTenant): number {
  const day = Math.round(1440 / tenant.stepMinutes);
  let peak = 0;
  for (let i = Math.max(0, tenant.replayStart - day); i < tenant.replayStart; i++) {
    const v = tenant.demand[i];
    if (v > peak) peak = v;
  }
  return peak;
}

function checkReplay(tenant: ReplayTenant, options: ReplayOptions): void {
  const problems: string[] = [];
  if (!(Number.isInteger(options.decisionEverySteps) && options.decisionEverySteps >= 1))
    problems.push(`decisionEverySteps must be an integer ≥ 1, got ${options.decisionEverySteps}`);
  if (!(Number.isInteger(options.horizonSteps) && options.horizonSteps >= options.decisionEverySteps)) {
    problems.push(
      `horizonSteps must be an integer ≥ decisionEverySteps (${options.decisionEverySteps}), got ${options.horizonSteps}`,
    );
  }
  if (!(Number.isInteger(tenant.replayStart) && tenant.replayStart >= 1 && tenant.replayStart < tenant.demand.length)) {
    problems.push(
      `replayStart must leave some history before it and some trace after it: got ${tenant.replayStart} of ${tenant.demand.length} steps`,
    );
  }
  if (!(tenant.alpha > 0 && tenant.alpha < 1)) problems.push(`alpha must be in (0, 1), got ${tenant.alpha}`);
  if (!(tenant.costs.under >= 0 && tenant.costs.over >= 0))
    problems.push(`costs must be ≥ 0, got under ${tenant.costs.under}, over ${tenant.costs.over}`);
  if (problems.length > 0) throw new ReplayError(`${tenant.id}: ${problems.join('; ')}`);
}

/** A NaN or negative capacity would silently poison every sum; fail loudly naming the decision. */
function checkDecision(
  decided: CapacityDecision,
  steps: number,
  policy: string,
  tenant: string,
  t: number,
): CapacityDecision {
  const where = `policy ${policy} on ${tenant} at step ${t}`;
  if (typeof decided === 'number') {
    if (!(decided >= 0 && Number.isFinite(decided)))
      throw new ReplayError(`${where} decided capacity ${decided}; must be a finite number ≥ 0`);
    return decided;
  }
  if (decided.length < steps)
    throw new ReplayError(`${where} returned ${decided.length} capacities for an interval of ${steps} steps`);
  for (let j = 0; j < steps; j++) {
    if (!(decided[j] >= 0 && Number.isFinite(decided[j])))
      throw new ReplayError(`${where} decided capacity ${decided[j]} for step ${j}; must be a finite number ≥ 0`);
  }
  return decided;
}

/**
 * Every policy on every tenant, tenant by tenant (so per-tenant state such as a ForecastMemo can
 * be dropped in `afterTenant`). Tenants may stream in (a fleet file read one batch at a time).
 */
export async function replayFleet(
  tenants: AsyncIterable<ReplayTenant> | Iterable<ReplayTenant>,
  specs: readonly PolicySpec[],
  options: ReplayOptions,
  hooks: { afterTenant?: (tenant: ReplayTenant, replays: readonly TenantReplay[]) => void } = {},
): Promise<TenantReplay[]> {
  const names = new Set<string>();
  for (const spec of specs) {
    if (names.has(spec.name))
      throw new ReplayError(`two policies are named '${spec.name}'; names label the report rows`);
    names.add(spec.name);
  }
  const all: TenantReplay[] = [];
  for await (const tenant of tenants) {
    const mine = await replayPolicies(tenant, specs, options);
    all.push(...mine);
    hooks.afterTenant?.(tenant, mine);
  }
  return all;
}
