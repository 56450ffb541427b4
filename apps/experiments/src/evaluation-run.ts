/**
 * The loop every fleet experiment (M6–M9) shares: stream tenants into evaluation tasks, run them on
 * the pool, and time the run — wall and CPU seconds, which the reports print next to the target.
 */
import type { TenantOutcome } from './evaluate-tenant.js';
import { runTasks, type PoolOptions } from './pool.js';
import { originsOf, type Protocol } from './protocol.js';
import { cpuSecondsSince } from './report.js';
import type { RuntimeSpec, RuntimeTask } from './runtime.js';
import { readFleetTenants } from './tenant-data.js';

export interface TimedEvaluation {
  /** One per task, in task order. */
  readonly outcomes: TenantOutcome[];
  readonly wallSeconds: number;
  /** Over all threads of this process (ORT's included). */
  readonly cpuSeconds: number;
}

/** Runs evaluation tasks and times them; `experiment` names the caller in the error a non-evaluation result raises. */
export async function runEvaluations(
  experiment: string,
  spec: RuntimeSpec,
  tasks: AsyncIterable<RuntimeTask>,
  options: PoolOptions,
): Promise<TimedEvaluation> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const results = await runTasks(spec, tasks, options);
  const wallSeconds = (performance.now() - t0) / 1000;
  const outcomes = results.map((r) => {
    if (r.kind !== 'evaluate') throw new Error(`${experiment} expected evaluation results`);
    return r.outcome;
  });
  return { outcomes, wallSeconds, cpuSeconds: cpuSecondsSince(cpu0) };
}

/**
 * One task per tenant of `wanted` (in fleet order): the origins at positions `subset` of the
 * tenant's protocol origins, every method of `methods` on each.
 */
export async function* subsetOriginTasks(
  fleetDir: string,
  wanted: ReadonlySet<string>,
  protocol: Protocol,
  subset: ArrayLike<number>,
  methods: readonly string[],
): AsyncGenerator<RuntimeTask> {
  for await (const tenant of readFleetTenants(fleetDir, wanted)) {
    const length = tenant.metrics[tenant.metricNames[0]].length;
    const all = originsOf(protocol, tenant.id, length);
    yield {
      kind: 'evaluate',
      task: {
        tenant,
        origins: Int32Array.from(subset, (i) => all[i]),
        horizon: protocol.horizon,
        stepsPerDay: protocol.stepsPerDay,
        methods: methods.map((name) => ({ name, subset: null })),
        seed: protocol.seed,
      },
    };
  }
}
